import PostgresClient

/// Every statement of a load, each built in one place, as `SQL` values.
///
/// The data never leaves PostgreSQL: the input is staged into `pg_temp.fkb_stage`, its
/// distinct keys are read once into `pg_temp.fkb_seen`, and for each parent up to three
/// temporary tables carry the work, all dropped at COMMIT:
/// - `fkb_keys_N (k1…, present)`: the distinct keys the load references, and whether
///   the parent (or, for a self-reference, the load itself) already has them;
/// - `fkb_ref_N (_fkb_row, _fkb_tid, k1…)`: which staged rows (number and `ctid`)
///   reference which key needing work; only for a parent with derived columns or parents
///   of its own, since only those look at the rows behind a key, and only where those rows
///   are not read straight from the stage (a cycle, a parent fed by two parents: see
///   `LoadStatements+Direct.swift`);
/// - `fkb_val_N (k1…, _fkb_missing, d1…)`: one row per such key, with derived values.
/// Keys are compared with the FK's own operators (`KeyPredicates`); values are bound.
struct LoadStatements: Sendable {
    let plan: LoadPlan
    /// Every constant of the rules file (values, template text, separators, marks, blank
    /// markers), bound once into `pg_temp.fkb_const` and referenced by id, so statements
    /// never carry a value in their text.
    let constants: [String]
    /// The column lists of the target's FKs the input sets, each group of columns once:
    /// the sets of `fkb_seen`, numbered from 1 in this order.
    let keySets: [[String]]

    init(plan: LoadPlan) {
        self.plan = plan
        var pool: [String] = plan.blank.markers
        for parent in plan.parents {
            for column in parent.columns {
                if let mark = column.mark { pool.append(mark) }
                guard case .rule(let rule) = column.source else { continue }
                switch rule.source {
                case .value(let value): pool.append(value)
                case .template(let template): pool += TemplateParts.parse(template).compactMap { if case .text(let t) = $0 { t } else { nil } }
                case .from(_, .concatDistinct(let separator, _)): pool.append(separator)
                default: break
                }
            }
        }
        var seen = Set<String>()
        constants = pool.filter { seen.insert($0).inserted }
        // One set per group of columns, whatever their order: GROUPING cannot tell (a, b) from (b, a).
        keySets = plan.stagedKeys.map(plan.checkedColumns(of:)).reduce(into: []) { sets, columns in
            if !sets.contains(where: { Set($0) == Set(columns) }) { sets.append(columns) }
        }
    }

    static let constantsTable: SQL = "pg_temp.fkb_const"
    static let stage: SQL = "pg_temp.fkb_stage"
    static let seen: SQL = "pg_temp.fkb_seen"
    static func keys(_ i: Int) -> SQL { "pg_temp.fkb_keys_\(int: i)" }
    /// With `previous`, the tables of the cycle round before (a parent that feeds itself
    /// reads them while its own are built again).
    /// (`unsafeRaw`: one of two constant suffixes.)
    static func refs(_ i: Int, previous: Bool = false) -> SQL { "pg_temp.fkb_ref_\(int: i)\(unsafeRaw: previous ? "_prev" : "")" }
    static func values(_ i: Int, previous: Bool = false) -> SQL { "pg_temp.fkb_val_\(int: i)\(unsafeRaw: previous ? "_prev" : "")" }
    /// The work tables' column of a parent's key column at `position`: k1, k2, …
    static func keyColumn(_ position: Int) -> SQL { "k\(int: position + 1)" }
    /// The values table's column of a parent's derived column at `position`: d1, d2, …
    static func derivedColumn(_ position: Int) -> SQL { "d\(int: position + 1)" }
    /// The result column name of `derivedColumn(position)`, for reading a row.
    static func derivedColumnName(_ position: Int) -> String { "d\(position + 1)" }

    /// A column name, quoted.
    func identifier(_ name: String) -> SQL { SQL(ident: name) }

    /// `alias.k1, alias.k2, …` for the parent's key positions.
    func kList(_ alias: SQL, _ parent: ParentPlan) -> [SQL] {
        parent.keyColumns.indices.map { "\(alias).\(Self.keyColumn($0))" }
    }

    // MARK: Constants

    /// A constant as SQL: a lookup of its bound value.
    func constant(_ value: String) -> SQL {
        let id = (constants.firstIndex(of: value) ?? 0) + 1
        return "(SELECT c.value FROM \(Self.constantsTable) c WHERE c.id OPERATOR(pg_catalog.=) \(int: id))"
    }

    /// Nil when the rules have no constants: no statement refers to the table then.
    func createConstants() -> SQL? {
        guard !constants.isEmpty else { return nil }
        return "CREATE TEMP TABLE \(Self.constantsTable) (id int PRIMARY KEY, value text NOT NULL) ON COMMIT DROP"
    }

    /// `INSERT … VALUES ($1, $2), …` with the constants bound.
    func insertConstants() -> SQL? {
        guard !constants.isEmpty else { return nil }
        let rows = constants.enumerated().map { index, value -> SQL in "(\(int: index + 1), \(bind: value))" }
        return "INSERT INTO \(Self.constantsTable) (id, value) VALUES \(rows.joined(separator: ", "))"
    }

    // MARK: Staging

    /// `_fkb_row` numbers the input rows; its temporary sequence hands out numbers in
    /// blocks (CACHE) so that numbering a million rows costs no sequence access per row.
    func createStage() -> SQL {
        let nulled = Set(blanksNulledOnStaging.map(\.name))
        let columns = plan.stagedColumns.map { column -> SQL in
            nulled.contains(column.name) ? ", \(nulledOnStaging(column))" : ", \(identifier(column.name)) \(column.sqlType)"
        }
        return "CREATE TEMP TABLE \(Self.stage) (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), _fkb_reject text"
            + columns.joined() + ") ON COMMIT DROP"
    }

    func copyStage(_ csv: CSVOptions) -> SQL {
        Self.copy(into: Self.stage, columns: stagedInputNames, csv)
    }

    /// `COPY table (columns) FROM STDIN` with the file's CSV options as literals (COPY
    /// takes no parameters).
    static func copy(into table: SQL, columns: [String], _ csv: CSVOptions) -> SQL {
        "COPY \(table) (\(idents: columns)) FROM STDIN WITH (FORMAT csv, DELIMITER \(literal: String(csv.delimiter)), "
            + "QUOTE \(literal: String(csv.quote)), NULL \(literal: csv.null), ENCODING 'UTF8')"
    }

    /// Stages the rows of a relation (a table, or the view holding a `--query`); values
    /// cast to the target's column types explicitly, so a staging table of text columns
    /// loads like a CSV would — but a length is checked, not cut (`stagingCast`).
    /// Runs under the user's search path (`OpenedInput.stage`): its type names are path-safe.
    func insertStage(from source: SQL) -> SQL {
        let values = plan.stagedColumns.map { column -> SQL in
            "CAST(q.\(identifier(column.name)) AS \(PathSafeType.sql(Self.stagingCast(column, from: plan.sourceTypes[column.name]))))"
        }
        return "INSERT INTO \(Self.stage) (\(stagedList)) SELECT \(values.joined(separator: ", ")) FROM \(source) AS q"
    }

    /// The type a table's or query's column is cast to on its way into the stage: the
    /// target column's, but for a length-limited character or bit type (or a domain over
    /// one) the type without its length. An explicit cast to `varchar(3)` cuts 'ABCDEF' to
    /// 'ABC' without a word, where PostgreSQL's INSERT, COPY and the staged validate refuse
    /// it as too long; cast unsized, the value meets the stage column's own type on
    /// assignment, which checks the length (and the domain) as an INSERT into the target does.
    /// An integer into `bit(n)` keeps its cast to `bit(n)` (PostgreSQL has none to `bit
    /// varying`: hostile review 9), which takes its low bits, as PostgreSQL's own cast does.
    /// An array of a domain over one is cast as an array of the type under the domain,
    /// unsized (hostile review 9: cast to `code3[]`, each element was cut).
    static func stagingCast(_ column: Column, from source: String? = nil) -> String {
        let type = column.domainBaseType ?? column.arrayDomainBaseType ?? column.type
        let array = type.hasSuffix("[]") ? "[]" : ""
        if type.hasPrefix("bit(") || type.hasPrefix("bit varying(") {
            return integerTypes.contains(source ?? "") ? column.type : "bit varying" + array
        }
        if column.arrayDomainBaseType != nil, TextStaging.unsized(type) == nil { return column.type }
        return TextStaging.unsized(type)?.description ?? column.type
    }

    /// The integer types whose explicit cast to bit(n) takes the low bits, which the load
    /// keeps for them (`stagingCast`).
    static let integerTypes: Set<String> = ["integer", "bigint", "smallint"]

    /// `ANALYZE` of the stage for `columns` (those it has, each once) and `_fkb_reject`,
    /// which every statement filters on; nil without columns.
    func analyzeStage(columns: [String]) -> SQL? {
        let names = Set(plan.stagedColumns.map(\.name) + ["_fkb_row"])
        var seen = Set<String>()
        let kept = columns.filter { names.contains($0) && seen.insert($0).inserted }
        guard !kept.isEmpty else { return nil }
        return "ANALYZE \(Self.stage) (_fkb_reject, \(idents: kept))"
    }

    /// The stage's size, for the planner, from a sample of 300 rows (statistics target 1)
    /// of `_fkb_reject` alone: a few milliseconds at a million rows, where the full
    /// sample takes a third of a second. Unanalyzed, `_fkb_reject IS NULL` was taken to
    /// keep 0.5% of the rows, and the rows behind a handful of new keys were found by a
    /// nested loop comparing every staged row with every key (rows × keys, 275 ms at
    /// 100,000 rows and 10 new organisations, #16) instead of a hash join.
    func sizeStage() -> [SQL] {
        ["ALTER TABLE \(Self.stage) ALTER COLUMN _fkb_reject SET STATISTICS 1", "ANALYZE \(Self.stage) (_fkb_reject)"]
    }

    var stagedList: SQL { "\(idents: stagedInputNames)" }

    // MARK: Violations the load cannot fix

    /// Staged rows whose key is partly NULL under MATCH FULL.
    func matchFullViolations(_ fk: ForeignKey) -> SQL {
        "SELECT coalesce(sum(g._fkb_n), 0) AS violations FROM \(seenKeys(for: fk)) AND "
            + KeyPredicates.partlyNull(KeyPredicates.columns("g", fk.columns))
    }

    // MARK: Staged keys, in one pass

    /// Every distinct staged key of every FK, with how many rows carry it, from one scan of
    /// the stage (hashed `GROUPING SETS`). Finding missing keys, locking the referenced
    /// rows and verifying the FKs then read this small table instead of a million staged
    /// rows each. Built after the last change to the stage (blanks, rejects), so it holds
    /// exactly the keys the fact insert will write.
    func createSeen() -> SQL? {
        guard !keySets.isEmpty else { return nil }
        var columns: [String] = []
        for set in keySets { for column in set where !columns.contains(column) { columns.append(column) } }
        let rows: SQL = " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL"
        func list(_ names: [String]) -> SQL { KeyPredicates.columns("s", names).joined(separator: ", ") }
        let select: SQL
        if columns.count <= 31 {
            // GROUPING(...) has a 1 bit for each column not grouped in a row's set, first column highest.
            let masks = keySets.map { set in
                columns.enumerated().reduce(0) { $0 | (set.contains($1.element) ? 0 : 1 << (columns.count - 1 - $1.offset)) }
            }
            // A searched CASE with pg_catalog's operator: a simple `CASE x WHEN` looks `=` up by name.
            let grouping: SQL = "GROUPING(\(list(columns)))"
            let cases = masks.enumerated().map { index, mask -> SQL in
                "WHEN \(grouping) OPERATOR(pg_catalog.=) \(int: mask) THEN \(int: index + 1)"
            }
            select = "SELECT CASE \(cases.joined(separator: " ")) END AS _fkb_set, \(list(columns)), "
                + "count(*) AS _fkb_n" + rows
                + " GROUP BY GROUPING SETS (\(keySets.map { "(\(list($0)))" as SQL }.joined(separator: ", ")))"
        } else {
            // GROUPING takes at most 31 arguments: one scan per set then.
            select = keySets.enumerated().map { index, set -> SQL in
                let values = columns.map { name -> SQL in
                    let type = plan.stagedColumns.first { $0.name == name }?.pinnedType ?? "pg_catalog.text"
                    return set.contains(name) ? "s.\(identifier(name))" : "CAST(NULL AS \(type)) AS \(identifier(name))"
                }
                return "SELECT \(int: index + 1) AS _fkb_set, \(values.joined(separator: ", ")), count(*) AS _fkb_n" + rows
                    + " GROUP BY \(list(set))"
            }.joined(separator: " UNION ALL ")
        }
        return "CREATE TEMP TABLE \(Self.seen) ON COMMIT DROP AS " + select
    }

    /// `fkb_seen g WHERE …`: the distinct staged values of `columns` (one of `keySets`),
    /// as `g.<column>`, each with `g._fkb_n` rows. Callers append `AND …`.
    /// A set that is not there would read no keys and let the verify pass on nothing, so
    /// asking for one is a programming error, not an empty answer.
    func seenKeys(_ columns: [String]) -> SQL {
        guard let index = keySets.firstIndex(where: { Set($0) == Set(columns) }) else {
            preconditionFailure("no staged key set for (\(columns.joined(separator: ", "))) in \(keySets)")
        }
        return "\(Self.seen) g WHERE g._fkb_set = \(int: index + 1)"
    }

    /// `seenKeys` for the keys of `fk`: with the rows of the partition that declares it
    /// only, when it is declared on one.
    func seenKeys(for fk: ForeignKey) -> SQL {
        let keys = seenKeys(plan.checkedColumns(of: fk))
        return plan.routeCondition(of: fk).map { keys + " AND \($0)" } ?? keys
    }

    // MARK: Guarded FKs

    /// Marks rows as rejected with `reason` where `condition` holds.
    func reject(where condition: SQL, reason: String) -> SQL {
        "UPDATE \(Self.stage) s SET _fkb_reject = \(bind: reason) WHERE s._fkb_reject IS NULL AND \(condition)"
    }

    /// Staged rows whose key (non-NULL, not blank) the parent lacks, for a guarded FK.
    func missingKeyCondition(_ fk: ForeignKey) -> SQL {
        let child = KeyPredicates.columns("s", fk.columns)
        return child.map { "NOT \(isBlank($0))" as SQL }.joined(separator: " AND ") + " AND " + KeyPredicates.missing(fk, child: child)
    }

    func countWhere(_ condition: SQL) -> SQL {
        "SELECT count(*) AS n FROM \(Self.stage) s WHERE s._fkb_reject IS NULL AND \(condition)"
    }

    /// Rejected rows by reason, with up to `samples` input row numbers each.
    func rejections(samples: Int) -> SQL {
        "SELECT _fkb_reject AS reason, count(*) AS n, CAST((array_agg(_fkb_row ORDER BY _fkb_row))[1:\(bind: samples)] AS text) AS sample "
            + "FROM \(Self.stage) WHERE _fkb_reject IS NOT NULL GROUP BY _fkb_reject ORDER BY min(_fkb_row)"
    }
}
