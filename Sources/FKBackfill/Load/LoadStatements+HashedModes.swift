import PostgresClient

/// "Most frequent value" by hashing, where a column holds few values per key (issue #25).
///
/// `mode()` is an ordered-set aggregate: its statement sorts every staged row behind a new
/// key by key, and then each key's values once more. On a first load that is most of
/// "find missing keys": a portfolio's plan code and kind cost 142 ms of a 200,000-row load
/// (640 ms at a million, where the sort spills), against 46 ms for the same statement's
/// scan, join and hashable aggregates. When every derived column of a parent is such a
/// `mode()` over a column with few values per key (or a constant), the statement instead
/// counts each key's (value, value, …) combinations in one hashed pass — a few per key —
/// and picks each column's most frequent value from those counts: 98 ms and 417 ms.
///
/// The pick is `mode()`'s own: the most frequent non-NULL value, ties to the smallest by
/// the type's default ordering (`ORDER BY`), NULL when every value is NULL. Only types
/// whose equality means identical values (text and its kinds in the stage's default,
/// deterministic collation, integers, dates) are counted this way: `numeric` holds `1.0`
/// and `1.00` as one value, which `mode()` and a hash may spell differently.
extension LoadStatements {
    /// Staged column types `pickMostFrequentByHash` counts (`format_type` spellings; a
    /// typmod follows in parentheses).
    static let hashedModeTypes = ["text", "character varying", "character", "integer", "bigint", "smallint", "date"]

    /// The staged columns whose most frequent value each derived column of `parent`
    /// takes, when every one is either that or reads no row; nil otherwise (an ordered
    /// pick, a template, a `sql:` rule, a type not counted by hash).
    func hashedModeColumns(_ parent: ParentPlan) -> [String]? {
        guard readsStageDirectly(parent), !parent.derivedColumns.isEmpty else { return nil }
        var columns: [String] = []
        for planned in parent.derivedColumns {
            let source: String
            switch planned.source {
            case .staged(let column, _): source = column
            case .rule(let rule):
                switch rule.source {
                case .from(let column, .mostFrequent): source = column
                case .value, .databaseDefault, .null: continue
                default: return nil
                }
            default: continue
            }
            guard countsByHash(source) else { return nil }
            if !columns.contains(source) { columns.append(source) }
        }
        // `_fkb_same` reads the shared columns' min and max: counted too.
        for shared in sharedKeyColumns(of: parent) ?? [] where !columns.contains(shared) {
            guard countsByHash(shared) else { return nil }
            columns.append(shared)
        }
        return columns.isEmpty ? nil : columns
    }

    /// Whether the staged column `name` has one of `hashedModeTypes`.
    func countsByHash(_ name: String) -> Bool {
        guard let staged = plan.stagedColumns.first(where: { $0.name == name }) else { return false }
        return staged.typeIs(oneOf: Self.hashedModeTypes)
    }

    /// How many distinct values each of `columns` has in a sample of about 5,000 staged
    /// rows (`n1`, `n2`, …): the pick by hash pays when each is small.
    func sampledDistinct(_ columns: [String], stagedRows: Int) -> SQL {
        let percent = min(100.0, max(0.01, 5000.0 * 100.0 / Double(max(stagedRows, 1))))
        let counts = columns.enumerated().map { index, name -> SQL in
            "CAST(pg_catalog.count(DISTINCT s.\(identifier(name))) AS pg_catalog.int4) AS n\(int: index + 1)"
        }
        return "SELECT \(counts.joined(separator: ", ")) FROM (SELECT * FROM \(Self.stage) TABLESAMPLE SYSTEM (CAST(\(bind: String(percent)) AS pg_catalog.float4)) "
            + "REPEATABLE (0) LIMIT 5000) s"
    }

    /// `createDirectValues`, with every `mode()` picked from hashed counts of `columns`'
    /// value combinations per key (see the extension's doc). `mostRowsNew`: most keys
    /// need work, so the stage is counted before it is joined to them (`countedFirst`).
    func createHashedValues(_ parent: ParentPlan, columns: [String], mostRowsNew: Bool = false) -> SQL {
        let counted = columns.map { "s.\(identifier($0))" as SQL }.joined(separator: ", ")
        let combinations = (mostRowsNew ? countedFirst(parent, columns: columns) : nil)
            ?? "SELECT s._fkb_kt, \(counted), pg_catalog.count(*) AS _fkb_n FROM \(directRows(parent)) s GROUP BY s._fkb_kt, \(counted)"
        var derived: [SQL] = []
        for (position, planned) in parent.derivedColumns.enumerated() {
            let name = Self.derivedColumn(position)
            guard let source = modeSource(planned), let index = columns.firstIndex(of: source) else {
                derived.append("\(derivation(planned)) AS \(name)")
                continue
            }
            derived.append("CAST(m\(int: index + 1).v AS \(planned.column.derivedValueType)) AS \(name)")
        }
        var same: SQL = ""
        if let shared = sharedKeyColumns(of: parent) {
            let tests = shared.map { name -> SQL in
                let column: SQL = "c.\(identifier(name))"
                return "pg_catalog.sum(c._fkb_n) FILTER (WHERE \(column) IS NOT NULL) \(SQLOperator.builtinEquality) pg_catalog.sum(c._fkb_n) "
                    + "AND pg_catalog.min(\(column)) \(SQLOperator.builtinEquality) pg_catalog.max(\(column))"
            }
            same = ", (\(tests.joined(separator: " AND "))) AS _fkb_same"
            derived.append("a._fkb_same")
        }
        // Each column's pick: its values' counts summed over the other columns, the largest
        // count first, then the smallest value, as `mode()` breaks ties.
        let picked = Set(parent.derivedColumns.compactMap(modeSource))
        let joins = columns.indices.filter { picked.contains(columns[$0]) }.map { index -> SQL in
            let column: SQL = "c.\(identifier(columns[index]))"
            let alias: SQL = "m\(int: index + 1)"
            let counts: SQL = "SELECT c._fkb_kt, \(column) AS v, pg_catalog.sum(c._fkb_n) AS n FROM c WHERE \(column) IS NOT NULL GROUP BY c._fkb_kt, \(column)"
            let pick: SQL = "SELECT DISTINCT ON (p._fkb_kt) p._fkb_kt, p.v FROM (\(counts)) p ORDER BY p._fkb_kt, p.n DESC, p.v"
            return " LEFT JOIN (\(pick)) \(alias) ON \(alias)._fkb_kt \(SQLOperator.builtinEquality) a._fkb_kt"
        }
        let select: [SQL] = kList("k", parent) + ["NOT k.present AS _fkb_missing"] + derived
        let keys: SQL = " FROM (SELECT c._fkb_kt\(same) FROM c GROUP BY c._fkb_kt) a JOIN \(Self.keys(parent.index)) k ON "
            + "k._fkb_id \(SQLOperator.builtinEquality) a._fkb_kt"
        let create: SQL = "CREATE TEMP TABLE \(Self.values(parent.index)) ON COMMIT DROP AS WITH c AS MATERIALIZED (\(combinations)) SELECT "
        return create + select.joined(separator: ", ") + keys + joins.joined()
    }

    /// The combinations counted over the whole stage by its staged key, and only then
    /// joined to the keys needing work: where most rows lead to a new key (a first load),
    /// joining 200,000 staged rows to the keys before counting them cost more than the
    /// count (`EXPLAIN ANALYZE`, a first load of the bench: 115–127 ms against 81–86 ms).
    /// Nil unless the parent's one source is a staged FK whose key columns have types
    /// whose equal values are identical (`hashedModeTypes`): grouped by the column's own
    /// equality, each group's key is then the key every row of it joins to.
    func countedFirst(_ parent: ParentPlan, columns: [String]) -> SQL? {
        guard let sources = directSources(parent), sources.count == 1, let source = sources.first, source.origin == .staged
        else { return nil }
        let keyColumns = keyPositions(parent, source.foreignKey).map { source.foreignKey.columns[$0] }
        guard keyColumns.allSatisfy(countsByHash) else { return nil }
        let routed: SQL = plan.routeCondition(of: source.foreignKey).map { " AND \($0)" } ?? ""
        let keys = keyColumns.enumerated().map { "s.\(identifier($1)) AS \(Self.directKey($0))" as SQL }
        let grouped = keyColumns.indices.map { "s.\(Self.directKey($0))" as SQL }
        let counted = columns.map { "s.\(identifier($0))" as SQL }
        let staged = keyColumns.map { "s.\(identifier($0))" as SQL }
        let perValue: SQL = "SELECT \((keys + counted).joined(separator: ", ")), pg_catalog.count(*) AS _fkb_n FROM \(Self.stage) s "
            + "WHERE s._fkb_reject IS NULL\(routed) GROUP BY \((staged + counted).joined(separator: ", "))"
        let match = keyJoin(left: kList("k", parent), right: grouped, parent)
        let needed: SQL = parent.mode == .fillNullOnly ? "" : " WHERE NOT k.present"
        return "SELECT k._fkb_id AS _fkb_kt, \(counted.joined(separator: ", ")), s._fkb_n FROM (\(perValue)) s JOIN \(Self.keys(parent.index)) k ON \(match)\(needed)"
    }

    /// The staged column whose most frequent value `planned` takes, if that is its source.
    func modeSource(_ planned: ColumnPlan) -> String? {
        switch planned.source {
        case .staged(let column, _): return column
        case .rule(let rule):
            if case .from(let column, .mostFrequent) = rule.source { return column }
            return nil
        default: return nil
        }
    }
}
