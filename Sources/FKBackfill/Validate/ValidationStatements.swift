import PostgresClient

/// The statements of a validation, each built in one place. The input is staged twice:
/// as text (`fkb_raw`, so nothing can fail on the way in), then cast into `fkb_stage`
/// with the target's types, the way a load would read it. All of it is temporary and
/// rolled back.
struct ValidationStatements {
    let plan: LoadPlan
    let load: LoadStatements

    static let raw: SQL = "pg_temp.fkb_raw"

    func q(_ name: String) -> SQL { SQL(ident: name) }

    /// Character types are staged without their length, so a long value is reported as
    /// too long instead of being cut by the cast; `bpchar` keeps char(n) comparisons
    /// blank-insensitive, as PostgreSQL compares them.
    static func stagingType(_ column: Column) -> SQL {
        if column.type.hasPrefix("character varying(") { return "character varying" }
        if column.type.hasPrefix("character(") { return "bpchar" }
        return column.sqlType
    }

    /// The declared length of a character column, if it has one.
    static func maxLength(_ column: Column) -> Int? {
        guard column.type.hasPrefix("character varying(") || column.type.hasPrefix("character("),
              let open = column.type.firstIndex(of: "("), let close = column.type.firstIndex(of: ")") else { return nil }
        return Int(column.type[column.type.index(after: open)..<close])
    }

    func createRaw() -> SQL {
        "CREATE TEMP TABLE \(Self.raw) (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000)"
            + plan.stagedColumns.map { ", \(q($0.name)) text" as SQL }.joined() + ") ON COMMIT DROP"
    }

    func createStage() -> SQL {
        "CREATE TEMP TABLE \(LoadStatements.stage) (_fkb_row bigint PRIMARY KEY, _fkb_reject text"
            + plan.stagedColumns.map { ", \(q($0.name)) \(Self.stagingType($0))" as SQL }.joined() + ") ON COMMIT DROP"
    }

    /// The distinct staging types, each with a cast-check function `pg_temp.fkb_casts_N`.
    var castTypes: [String] { Array(Set(plan.stagedColumns.map { Self.stagingType($0).description })).sorted() }

    /// One pg_temp function per staged type that says whether a text casts to it,
    /// catching the error in a subtransaction. Only used on the slow path, when a value
    /// is bad. The body is a dollar-quoted literal: its type name is the catalog's own
    /// spelling, the same text `stagingType` gives.
    func createCastChecks() -> [SQL] {
        castTypes.enumerated().map { index, type in
            // Safe as raw text: `type` is a staging type (see `stagingType`), which comes
            // from `format_type`, and cannot hold the `$fkb$` delimiter.
            """
            CREATE FUNCTION pg_temp.fkb_casts_\(int: index)(value text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fkb$
            BEGIN
                PERFORM CAST(value AS \(unsafeRaw: type));
                RETURN true;
            EXCEPTION WHEN others THEN
                RETURN false;
            END
            $fkb$
            """
        }
    }

    /// True for a row of `fkb_raw r` whose `column` holds text that does not cast.
    func doesNotConvert(_ column: Column) -> SQL {
        let name: SQL = "r.\(q(column.name))"
        return "\(name) IS NOT NULL AND NOT \(castCheck(column))(\(name))"
    }

    func castCheck(_ column: Column) -> SQL {
        "pg_temp.fkb_casts_\(int: castTypes.firstIndex(of: Self.stagingType(column).description)!)"
    }

    func copyRaw(_ csv: CSVOptions) -> SQL {
        LoadStatements.copy(into: Self.raw, columns: plan.stagedColumns.map(\.name), csv)
    }

    func insertRaw(from source: SQL) -> SQL {
        "INSERT INTO \(Self.raw) (\(list)) SELECT " + plan.stagedColumns.map { "CAST(q.\(q($0.name)) AS text)" as SQL }.joined(separator: ", ")
            + " FROM \(source) AS q"
    }

    var list: SQL { "\(idents: plan.stagedColumns.map(\.name))" }

    /// Raw to typed in one statement; fails on the first bad value.
    func castAll() -> SQL {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { "CAST(r.\(q($0.name)) AS \(Self.stagingType($0)))" as SQL }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// Raw to typed with bad values as NULL (their rows are reported separately).
    func castChecked() -> SQL {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { column -> SQL in
                let name: SQL = "r.\(q(column.name))"
                return "CASE WHEN \(castCheck(column))(\(name)) THEN CAST(\(name) AS \(Self.stagingType(column))) END"
            }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// Rows matching `condition` over `fkb_raw r`: how many, and the first `samples` row numbers.
    func rawRows(where condition: SQL, samples: Int) -> SQL {
        "SELECT count(*) AS n, coalesce(CAST((array_agg(r._fkb_row ORDER BY r._fkb_row))[1:\(bind: samples)] AS text), '{}') AS sample "
            + "FROM \(Self.raw) r WHERE \(condition)"
    }

    /// Several row conditions over `fkb_raw r` in one pass: for each, `nN` (how many rows)
    /// and `sN` (the first `samples` row numbers).
    func rawChecks(_ conditions: [SQL], samples: Int) -> SQL {
        "SELECT " + conditions.enumerated().map { index, condition -> SQL in
            "count(*) FILTER (WHERE \(condition)) AS n\(int: index), "
                + "coalesce(CAST((array_agg(r._fkb_row ORDER BY r._fkb_row) FILTER (WHERE \(condition)))[1:\(bind: samples)] AS text), '{}') AS s\(int: index)"
        }.joined(separator: ", ") + " FROM \(Self.raw) r"
    }

    // MARK: Foreign keys

    /// Staged rows whose key the parent lacks: non-NULL (MATCH SIMPLE/FULL) and, unless
    /// the key is blank, not present in the parent or (self-reference) in the input.
    func missingCondition(_ fk: ForeignKey) -> SQL {
        let child = KeyPredicates.columns("s", fk.columns)
        var condition = KeyPredicates.missing(fk, child: child)
        if fk.referencedTable == plan.target.name {
            let inLoad = KeyPredicates.match(fk, parent: KeyPredicates.columns("o", fk.referencedColumns), child: child)
            condition += " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.stage) o WHERE \(inLoad))"
        }
        return condition
    }

    /// One row per FK check: violating rows, distinct missing keys, those of them blank.
    /// The missing test sits in WHERE so the planner can run it as one hash anti-join,
    /// as a hand-written check would, instead of a lookup per row.
    func foreignKeyCounts(_ fk: ForeignKey) -> SQL {
        let key = KeyPredicates.columns("s", fk.columns).joined(separator: ", ")
        let blank = KeyPredicates.columns("s", fk.columns).map { load.isBlank($0) }.joined(separator: " OR ")
        return """
            SELECT count(*) AS violating, count(DISTINCT (\(key))) AS missing,
                   count(DISTINCT (\(key))) FILTER (WHERE \(blank)) AS blank
            FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND \(missingCondition(fk))
            """
    }

    /// Rows with a partly NULL key, which MATCH FULL rejects.
    func partlyNull(_ fk: ForeignKey) -> SQL {
        "SELECT count(*) AS n FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND "
            + KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns))
    }

    /// Up to `keys` missing keys, each with up to `rows` row numbers that reference it.
    func samples(_ fk: ForeignKey, keys: Int, rows: Int) -> SQL {
        let key = KeyPredicates.columns("s", fk.columns)
        return "SELECT " + key.enumerated().map { "CAST(\($1) AS text) AS k\(int: $0 + 1)" as SQL }.joined(separator: ", ")
            + ", CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:\(bind: rows)] AS text) AS sample FROM \(LoadStatements.stage) s "
            + "WHERE s._fkb_reject IS NULL AND \(missingCondition(fk)) GROUP BY \(key.joined(separator: ", "))"
            + " ORDER BY min(s._fkb_row) LIMIT \(bind: keys)"
    }
}

/// The statements of a validation in place: a table or query whose columns already have
/// the target's types is checked where it is, the way a hand-written anti-join would,
/// instead of being copied twice into temporary tables first.
struct InPlaceStatements {
    let plan: LoadPlan
    let load: LoadStatements
    /// The relation holding the rows to check (a table, or the view of a `--query`).
    let source: SQL

    /// Rows, NULLs in each of `notNull`, and partly NULL keys of each of `matchFull`, in
    /// one scan (PostgreSQL may run it in parallel): `rows`, `z0…`, `f0…`.
    func counts(notNull: [Column], matchFull: [ForeignKey]) -> SQL {
        let nulls = notNull.enumerated().map { "count(*) FILTER (WHERE s.\(ident: $1.name) IS NULL) AS z\(int: $0)" as SQL }
        let partly = matchFull.enumerated().map { index, fk -> SQL in
            "count(*) FILTER (WHERE \(KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns)))) AS f\(int: index)"
        }
        return "SELECT " + (["count(*) AS rows"] + nulls + partly).joined(separator: ", ") + " FROM \(source) s"
    }

    /// One FK: `missing` distinct keys the parent lacks, `violating` rows that reference
    /// them, `blank` missing keys that are blank, and `samples`, up to `samples` missing
    /// keys in key order as a JSON array of arrays of text. The inner query is the
    /// anti-join a hand-written check runs (hash anti-join, grouped per key, parallel when
    /// it pays); everything else is computed over its few rows.
    func foreignKey(_ fk: ForeignKey, samples: Int) -> SQL {
        let keys = KeyPredicates.columns("s", fk.columns)
        // The same anti-join the staged check runs (no self-references come this way).
        let condition = ValidationStatements(plan: plan, load: load).missingCondition(fk)
        let missing = "SELECT " + keys.enumerated().map { "\($1) AS k\(int: $0 + 1)" as SQL }.joined(separator: ", ")
            + ", count(*) AS n FROM \(source) s WHERE \(condition) GROUP BY \(keys.joined(separator: ", "))"
        let grouped = fk.columns.indices.map { "g.k\(int: $0 + 1)" as SQL }
        let blank = grouped.map { load.isBlank($0) }.joined(separator: " OR ")
        return "SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE \(blank)) AS blank, "
            + "coalesce(array_to_json((array_agg(jsonb_build_array("
            + grouped.map { "CAST(\($0) AS text)" as SQL }.joined(separator: ", ")
            + ") ORDER BY \(grouped.joined(separator: ", "))))[1:\(bind: samples)]), '[]') AS samples "
            + "FROM (\(missing)) g"
    }
}
