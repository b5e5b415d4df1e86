import PostgresClient

/// The statements of a validation, each built in one place. The input is staged twice:
/// as text (`fkb_raw`, so nothing can fail on the way in), then cast into `fkb_stage`
/// with the target's types, the way a load would read it. All of it is temporary and
/// rolled back.
struct ValidationStatements {
    let plan: LoadPlan
    let load: LoadStatements

    static let raw = "pg_temp.fkb_raw"

    func q(_ name: String) -> String { quoteIdentifier(name) }

    /// Character types are staged without their length, so a long value is reported as
    /// too long instead of being cut by the cast; `bpchar` keeps char(n) comparisons
    /// blank-insensitive, as PostgreSQL compares them.
    static func stagingType(_ column: Column) -> String {
        if column.type.hasPrefix("character varying(") { return "character varying" }
        if column.type.hasPrefix("character(") { return "bpchar" }
        return column.type
    }

    /// The declared length of a character column, if it has one.
    static func maxLength(_ column: Column) -> Int? {
        guard column.type.hasPrefix("character varying(") || column.type.hasPrefix("character("),
              let open = column.type.firstIndex(of: "("), let close = column.type.firstIndex(of: ")") else { return nil }
        return Int(column.type[column.type.index(after: open)..<close])
    }

    func createRaw() -> String {
        "CREATE TEMP TABLE fkb_raw (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000)"
            + plan.stagedColumns.map { ", \(q($0.name)) text" }.joined() + ") ON COMMIT DROP"
    }

    func createStage() -> String {
        "CREATE TEMP TABLE fkb_stage (_fkb_row bigint PRIMARY KEY, _fkb_reject text"
            + plan.stagedColumns.map { ", \(q($0.name)) \(Self.stagingType($0))" }.joined() + ") ON COMMIT DROP"
    }

    /// The distinct staging types, each with a cast-check function `pg_temp.fkb_casts_N`.
    var castTypes: [String] { Array(Set(plan.stagedColumns.map(Self.stagingType))).sorted() }

    /// One pg_temp function per staged type that says whether a text casts to it,
    /// catching the error in a subtransaction. Only used on the slow path, when a value
    /// is bad.
    func createCastChecks() -> [String] {
        castTypes.enumerated().map { index, type in
            """
            CREATE FUNCTION pg_temp.fkb_casts_\(index)(value text) RETURNS boolean LANGUAGE plpgsql AS $fkb$
            BEGIN
                PERFORM CAST(value AS \(type));
                RETURN true;
            EXCEPTION WHEN others THEN
                RETURN false;
            END
            $fkb$
            """
        }
    }

    /// True for a row of `fkb_raw r` whose `column` holds text that does not cast.
    func doesNotConvert(_ column: Column) -> String {
        let name = "r.\(q(column.name))"
        return "\(name) IS NOT NULL AND NOT \(castCheck(column))(\(name))"
    }

    func castCheck(_ column: Column) -> String {
        "pg_temp.fkb_casts_\(castTypes.firstIndex(of: Self.stagingType(column))!)"
    }

    func copyRaw(_ csv: CSVOptions) -> String {
        load.copyStage(csv).replacingOccurrences(of: LoadStatements.stage, with: Self.raw)
    }

    func insertRaw(from query: String) -> String {
        "INSERT INTO \(Self.raw) (\(list)) SELECT " + plan.stagedColumns.map { "CAST(q.\(q($0.name)) AS text)" }.joined(separator: ", ")
            + " FROM (\(query)) AS q"
    }

    var list: String { plan.stagedColumns.map { q($0.name) }.joined(separator: ", ") }

    /// Raw to typed in one statement; fails on the first bad value.
    func castAll() -> String {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { "CAST(r.\(q($0.name)) AS \(Self.stagingType($0)))" }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// Raw to typed with bad values as NULL (their rows are reported separately).
    func castChecked() -> String {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { column in
                let name = "r.\(q(column.name))", type = Self.stagingType(column)
                return "CASE WHEN \(castCheck(column))(\(name)) THEN CAST(\(name) AS \(type)) END"
            }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// Rows matching `condition` over `fkb_raw r`: how many, and the first `$1` row numbers.
    func rawRows(where condition: String) -> String {
        "SELECT count(*) AS n, coalesce((array_agg(r._fkb_row ORDER BY r._fkb_row))[1:$1]::text, '{}') AS sample "
            + "FROM \(Self.raw) r WHERE \(condition)"
    }

    /// Several row conditions over `fkb_raw r` in one pass: for each, `nN` (how many rows)
    /// and `sN` (the first `$1` row numbers).
    func rawChecks(_ conditions: [String]) -> String {
        "SELECT " + conditions.enumerated().map { index, condition in
            "count(*) FILTER (WHERE \(condition)) AS n\(index), "
                + "coalesce((array_agg(r._fkb_row ORDER BY r._fkb_row) FILTER (WHERE \(condition)))[1:$1]::text, '{}') AS s\(index)"
        }.joined(separator: ", ") + " FROM \(Self.raw) r"
    }

    // MARK: Foreign keys

    /// Staged rows whose key the parent lacks: non-NULL (MATCH SIMPLE/FULL) and, unless
    /// the key is blank, not present in the parent or (self-reference) in the input.
    func missingCondition(_ fk: ForeignKey) -> String {
        let match = zip(fk.columns, fk.referencedColumns).map { "p.\(q($1)) = s.\(q($0))" }.joined(separator: " AND ")
        var condition = fk.columns.map { "s.\(q($0)) IS NOT NULL" }.joined(separator: " AND ")
            + " AND NOT EXISTS (SELECT 1 FROM \(fk.referencedTable.sql) p WHERE \(match))"
        if fk.referencedTable == plan.target.name {
            let inLoad = zip(fk.columns, fk.referencedColumns).map { "o.\(q($1)) = s.\(q($0))" }.joined(separator: " AND ")
            condition += " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.stage) o WHERE \(inLoad))"
        }
        return condition
    }

    /// One row per FK check: violating rows, distinct missing keys, those of them blank.
    /// The missing test sits in WHERE so the planner can run it as one hash anti-join,
    /// as a hand-written check would, instead of a lookup per row.
    func foreignKeyCounts(_ fk: ForeignKey) -> String {
        let key = fk.columns.map { "s.\(q($0))" }
        let blank = fk.columns.map { load.isBlank("s.\(q($0))") }.joined(separator: " OR ")
        return """
            SELECT count(*) AS violating, count(DISTINCT (\(key.joined(separator: ", ")))) AS missing,
                   count(DISTINCT (\(key.joined(separator: ", ")))) FILTER (WHERE \(blank)) AS blank
            FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND \(missingCondition(fk))
            """
    }

    /// Rows with a partly NULL key, which MATCH FULL rejects.
    func partlyNull(_ fk: ForeignKey) -> String {
        let key = fk.columns.map { "s.\(q($0))" }.joined(separator: ", ")
        return "SELECT count(*) AS n FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL "
            + "AND num_nulls(\(key)) BETWEEN 1 AND \(fk.columns.count - 1)"
    }

    /// Up to `$1` missing keys, each with up to `$2` row numbers that reference it.
    func samples(_ fk: ForeignKey) -> String {
        let key = fk.columns.map { "s.\(q($0))" }
        return "SELECT " + key.enumerated().map { "CAST(\($1) AS text) AS k\($0 + 1)" }.joined(separator: ", ")
            + ", (array_agg(s._fkb_row ORDER BY s._fkb_row))[1:$2]::text AS sample FROM \(LoadStatements.stage) s "
            + "WHERE s._fkb_reject IS NULL AND \(missingCondition(fk)) GROUP BY " + key.joined(separator: ", ")
            + " ORDER BY min(s._fkb_row) LIMIT $1"
    }
}

/// The statements of a validation in place: a table or query whose columns already have
/// the target's types is checked where it is, the way a hand-written anti-join would,
/// instead of being copied twice into temporary tables first.
struct InPlaceStatements {
    let plan: LoadPlan
    let load: LoadStatements
    /// `SELECT …` producing the rows to check.
    let source: String

    func q(_ name: String) -> String { quoteIdentifier(name) }

    /// Rows, NULLs in each of `notNull`, and partly NULL keys of each of `matchFull`, in
    /// one scan (PostgreSQL may run it in parallel): `rows`, `z0…`, `f0…`.
    func counts(notNull: [Column], matchFull: [ForeignKey]) -> String {
        let nulls = notNull.enumerated().map { "count(*) FILTER (WHERE s.\(q($1.name)) IS NULL) AS z\($0)" }
        let partly = matchFull.enumerated().map { index, fk in
            "count(*) FILTER (WHERE num_nulls(\(fk.columns.map { "s.\(q($0))" }.joined(separator: ", "))) "
                + "BETWEEN 1 AND \(fk.columns.count - 1)) AS f\(index)"
        }
        return "SELECT " + (["count(*) AS rows"] + nulls + partly).joined(separator: ", ") + " FROM (\(source)) s"
    }

    /// One FK: `missing` distinct keys the parent lacks, `violating` rows that reference
    /// them, `blank` missing keys that are blank, and `samples`, up to `$1` missing keys
    /// in key order as a JSON array of arrays of text. The inner query is the anti-join a
    /// hand-written check runs (hash anti-join, grouped per key, parallel when it pays);
    /// everything else is computed over its few rows.
    func foreignKey(_ fk: ForeignKey) -> String {
        let keys = fk.columns.map { "s.\(q($0))" }
        // The same anti-join the staged check runs (no self-references come this way).
        let condition = ValidationStatements(plan: plan, load: load).missingCondition(fk)
        let missing = "SELECT " + keys.enumerated().map { "\($1) AS k\($0 + 1)" }.joined(separator: ", ")
            + ", count(*) AS n FROM (\(source)) s WHERE \(condition) GROUP BY " + keys.joined(separator: ", ")
        let grouped = fk.columns.indices.map { "g.k\($0 + 1)" }
        let blank = grouped.map { load.isBlank($0) }.joined(separator: " OR ")
        return "SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE \(blank)) AS blank, "
            + "coalesce(array_to_json((array_agg(jsonb_build_array("
            + grouped.map { "CAST(\($0) AS text)" }.joined(separator: ", ") + ") ORDER BY \(grouped.joined(separator: ", "))))[1:$1]), '[]') AS samples "
            + "FROM (\(missing)) g"
    }
}
