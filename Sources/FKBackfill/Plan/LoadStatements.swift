import PostgresClient

/// Every statement of a load, each built in one place.
///
/// The data never leaves PostgreSQL: the input is staged into `pg_temp.fkb_stage`, and
/// for each parent three temporary tables carry the work, all dropped at COMMIT:
/// - `fkb_keys_N (k1…, present)`: the distinct keys the load references, and whether
///   the parent (or, for a self-reference, the load itself) already has them;
/// - `fkb_ref_N (_fkb_row, k1…)`: which staged rows reference which key needing work;
/// - `fkb_val_N (k1…, _fkb_missing, d1…)`: one row per such key, with derived values.
/// Identifiers go through `quoteIdentifier`; the few literals (COPY options, which the
/// protocol cannot bind) through `quoteLiteral`.
public struct LoadStatements: Sendable {
    public let plan: LoadPlan
    public let mode: BackfillMode

    public init(plan: LoadPlan, mode: BackfillMode) {
        self.plan = plan
        self.mode = mode
    }

    static let stage = "pg_temp.fkb_stage"
    static func keys(_ i: Int) -> String { "pg_temp.fkb_keys_\(i)" }
    static func refs(_ i: Int) -> String { "pg_temp.fkb_ref_\(i)" }
    static func values(_ i: Int) -> String { "pg_temp.fkb_val_\(i)" }

    static func k(_ position: Int) -> String { "k\(position + 1)" }
    static func d(_ position: Int) -> String { "d\(position + 1)" }

    func q(_ name: String) -> String { quoteIdentifier(name) }

    // MARK: Staging

    public func createStage() -> String {
        let columns = plan.stagedColumns.map { "\(q($0.name)) \($0.type)" }
        return "CREATE TEMP TABLE fkb_stage (_fkb_row bigint GENERATED ALWAYS AS IDENTITY"
            + columns.map { ", " + $0 }.joined() + ") ON COMMIT DROP"
    }

    public func copyStage(_ csv: CSVOptions) -> String {
        "COPY \(Self.stage) (\(stagedList)) FROM STDIN WITH (FORMAT csv, DELIMITER \(quoteLiteral(String(csv.delimiter))), "
            + "QUOTE \(quoteLiteral(String(csv.quote))), NULL \(quoteLiteral(csv.null)), ENCODING 'UTF8')"
    }

    /// Stages the result of a query or table; values cast to the target's column types
    /// explicitly, so a staging table of text columns loads like a CSV would.
    public func insertStage(from query: String) -> String {
        "INSERT INTO \(Self.stage) (\(stagedList)) SELECT "
            + plan.stagedColumns.map { "CAST(q.\(q($0.name)) AS \($0.type))" }.joined(separator: ", ")
            + " FROM (\(query)) AS q"
    }

    var stagedList: String { plan.stagedColumns.map { q($0.name) }.joined(separator: ", ") }

    // MARK: Violations the load cannot fix

    /// Staged rows whose key is partly NULL under MATCH FULL.
    public func matchFullViolations(_ fk: ForeignKey) -> String {
        let columns = fk.columns.map { "s.\(q($0))" }.joined(separator: ", ")
        return "SELECT count(*) AS violations FROM \(Self.stage) s WHERE num_nulls(\(columns)) BETWEEN 1 AND \(fk.columns.count - 1)"
    }

    // MARK: Candidate keys

    /// `SELECT _fkb_row, k1…` for one source, or nil when its key values are not known
    /// before insert (they come from a default).
    func sourceSelect(_ source: KeySource, for parent: ParentPlan) -> String? {
        let fk = source.foreignKey
        // Key position m of the parent is referenced by fk.columns[p] where referencedColumns[p] == key m.
        let childColumns = parent.keyColumns.map { key in fk.columns[fk.referencedColumns.firstIndex(of: key)!] }
        switch source.origin {
        case .staged:
            let select = childColumns.enumerated().map { "s.\(q($1)) AS \(Self.k($0))" }
            let notNull = childColumns.map { "s.\(q($0)) IS NOT NULL" }
            return "SELECT s._fkb_row, \(select.joined(separator: ", ")) FROM \(Self.stage) s WHERE "
                + notNull.joined(separator: " AND ")
        case .parent(let index):
            let child = plan.parents[index]
            var expressions: [String] = []
            for column in childColumns {
                guard let expression = valueExpression(of: column, in: child) else { return nil }
                expressions.append(mode == .fillNullOnly ? "coalesce(c.\(q(column)), \(expression))" : expression)
            }
            let existing = mode == .fillNullOnly
                ? " LEFT JOIN \(child.table.name.sql) c ON " + child.keyColumns.enumerated().map { "c.\(q($1)) = v.\(Self.k($0))" }
                    .joined(separator: " AND ")
                : ""
            return "SELECT r._fkb_row, " + expressions.enumerated().map { "\($1) AS \(Self.k($0))" }.joined(separator: ", ")
                + " FROM \(Self.refs(index)) r JOIN \(Self.values(index)) v ON " + keyJoin("v", "r", child)
                + existing + " WHERE " + expressions.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        }
    }

    /// Where a column of a new row of `parent` can be read in its `fkb_val` table.
    func valueExpression(of column: String, in parent: ParentPlan) -> String? {
        if let position = parent.keyColumns.firstIndex(of: column) { return "v.\(Self.k(position))" }
        if let position = parent.derivedColumns.firstIndex(where: { $0.column.name == column }) { return "v.\(Self.d(position))" }
        return nil
    }

    func keyJoin(_ left: String, _ right: String, _ parent: ParentPlan) -> String {
        parent.keyColumns.indices.map { "\(left).\(Self.k($0)) = \(right).\(Self.k($0))" }.joined(separator: " AND ")
    }

    /// The parent's key columns equal to `k1…` of `alias`.
    func parentKeyMatch(_ parent: ParentPlan, table alias: String, keys other: String) -> String {
        parent.keyColumns.enumerated().map { "\(alias).\(q($1)) = \(other).\(Self.k($0))" }.joined(separator: " AND ")
    }

    /// The sources whose tables exist by now (in a cycle's first round, some do not yet).
    func sourceSelects(for parent: ParentPlan, available: Set<Int>) -> [String] {
        parent.sources.compactMap { source in
            if case .parent(let index) = source.origin, !available.contains(index) { return nil }
            return sourceSelect(source, for: parent)
        }
    }

    public func dropWork(_ parent: ParentPlan) -> String {
        "DROP TABLE IF EXISTS \(Self.keys(parent.index)), \(Self.refs(parent.index)), \(Self.values(parent.index))"
    }

    /// Distinct referenced keys, each marked present or not.
    public func createKeys(_ parent: ParentPlan, sources: [String]) -> String {
        let keyList = parent.keyColumns.indices.map { Self.k($0) }
        let union = sources.map { "SELECT DISTINCT " + keyList.map { "src.\($0)" }.joined(separator: ", ") + " FROM (\($0)) src" }
            .joined(separator: " UNION ")
        var present = "EXISTS (SELECT 1 FROM \(parent.table.name.sql) p WHERE \(parentKeyMatch(parent, table: "p", keys: "u")))"
        if parent.isTarget, parent.keyColumns.allSatisfy({ key in plan.stagedColumns.contains { $0.name == key } }) {
            present += " OR EXISTS (SELECT 1 FROM \(Self.stage) s WHERE \(parentKeyMatch(parent, table: "s", keys: "u")))"
        }
        return "CREATE TEMP TABLE fkb_keys_\(parent.index) ON COMMIT DROP AS SELECT "
            + keyList.map { "u.\($0)" }.joined(separator: ", ") + ", (\(present)) AS present FROM (\(union)) u"
    }

    /// Which staged rows lead to which key that needs work (missing, or in fill mode any).
    public func createRefs(_ parent: ParentPlan, sources: [String]) -> String {
        let keyList = parent.keyColumns.indices.map { Self.k($0) }
        let filter = mode == .fillNullOnly ? "" : " WHERE NOT k.present"
        return "CREATE TEMP TABLE fkb_ref_\(parent.index) ON COMMIT DROP AS SELECT src._fkb_row, "
            + keyList.map { "src.\($0)" }.joined(separator: ", ")
            + " FROM (\(sources.joined(separator: " UNION ALL "))) src JOIN \(Self.keys(parent.index)) k ON "
            + keyJoin("k", "src", parent) + filter
    }

    /// One row per key needing work, with each derived column's most frequent staged
    /// value (ties to the smallest: `mode()` takes the first in its ORDER BY).
    public func createValues(_ parent: ParentPlan) -> String {
        let keyList = parent.keyColumns.indices.map { "r.\(Self.k($0))" }
        let derived = parent.derivedColumns.enumerated().map { position, plan -> String in
            guard case .staged(let column, _) = plan.source else { return "NULL AS \(Self.d(position))" }
            return "mode() WITHIN GROUP (ORDER BY s.\(q(column))) AS \(Self.d(position))"
        }
        return "CREATE TEMP TABLE fkb_val_\(parent.index) ON COMMIT DROP AS SELECT "
            + (keyList + ["NOT k.present AS _fkb_missing"] + derived).joined(separator: ", ")
            + " FROM \(Self.refs(parent.index)) r JOIN \(Self.keys(parent.index)) k ON " + keyJoin("k", "r", parent)
            + " JOIN \(Self.stage) s ON s._fkb_row = r._fkb_row GROUP BY "
            + (keyList + ["k.present"]).joined(separator: ", ")
    }

    public func counts(_ parent: ParentPlan) -> String {
        "SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM \(Self.keys(parent.index))"
    }

    /// For each NOT NULL derived column, how many new rows would get NULL.
    public func nullDerivations(_ parent: ParentPlan) -> String? {
        let checks = parent.derivedColumns.enumerated().filter { $1.column.notNull }
        guard !checks.isEmpty else { return nil }
        return "SELECT " + checks.map { "count(*) FILTER (WHERE \(Self.d($0.offset)) IS NULL) AS \(Self.d($0.offset))" }
            .joined(separator: ", ") + " FROM \(Self.values(parent.index)) WHERE _fkb_missing"
    }

    public func sampleKeys(_ parent: ParentPlan) -> String {
        let keyList = parent.keyColumns.indices.map { "v.\(Self.k($0))" }
        return "SELECT " + keyList.map { "\($0)::text" }.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing ORDER BY "
            + keyList.joined(separator: ", ") + " LIMIT $1"
    }

    // MARK: Writes

    /// New parent rows in key order (so concurrent loads lock in the same order), skipping
    /// keys a concurrent load inserted first.
    public func insertParent(_ parent: ParentPlan) -> String {
        let columns = parent.insertedColumns
        let values = columns.map { column -> String in
            if column.deferredUntilCycleLoaded { return "NULL" }
            return valueExpression(of: column.column.name, in: parent) ?? "NULL"
        }
        let keyList = parent.keyColumns.indices.map { "v.\(Self.k($0))" }
        return "INSERT INTO \(parent.table.name.sql) (" + columns.map { q($0.column.name) }.joined(separator: ", ") + ")"
            + (parent.keyIsIdentity ? " OVERRIDING SYSTEM VALUE" : "")
            + " SELECT " + values.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing ORDER BY " + keyList.joined(separator: ", ")
            + " ON CONFLICT (" + parent.keyColumns.map(q).joined(separator: ", ") + ") DO NOTHING"
    }

    /// Sets the FK columns a cycle was broken at, once every parent row exists.
    public func restoreDeferredColumns(_ parent: ParentPlan) -> String? {
        let columns = parent.derivedColumns.enumerated().filter { $1.deferredUntilCycleLoaded }
        guard !columns.isEmpty else { return nil }
        return "UPDATE \(parent.table.name.sql) AS p SET "
            + columns.map { "\(q($1.column.name)) = v.\(Self.d($0))" }.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v")
            + " AND (" + columns.map { "p.\(q($1.column.name)) IS NULL" }.joined(separator: " OR ") + ")"
    }

    /// `fill-null-only`: NULL columns of existing referenced rows take derived values.
    public func fillNulls(_ parent: ParentPlan) -> String? {
        let columns = parent.derivedColumns.enumerated().map { ($0.offset, $0.element) }
        guard !columns.isEmpty else { return nil }
        return "UPDATE \(parent.table.name.sql) AS p SET "
            + columns.map { "\(q($1.column.name)) = coalesce(p.\(q($1.column.name)), v.\(Self.d($0)))" }.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE NOT v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v")
            + " AND (" + columns.map { "(p.\(q($1.column.name)) IS NULL AND v.\(Self.d($0)) IS NOT NULL)" }
                .joined(separator: " OR ") + ")"
    }

    public func setConstraintsDeferred() -> String? {
        guard !plan.deferredConstraints.isEmpty else { return nil }
        return "SET CONSTRAINTS " + plan.deferredConstraints.map { quoteQualified(schema: $0.table.schema, name: $0.name) }
            .joined(separator: ", ") + " DEFERRED"
    }

    /// `--replace-by`: target rows matching any staged row on these columns (NULL matches NULL).
    public func deleteReplaced(_ columns: [String]) -> String {
        "DELETE FROM \(plan.target.name.sql) AS t USING (SELECT DISTINCT "
            + columns.map { "s.\(q($0))" }.joined(separator: ", ") + " FROM \(Self.stage) s) AS s WHERE "
            + columns.map { "t.\(q($0)) IS NOT DISTINCT FROM s.\(q($0))" }.joined(separator: " AND ")
    }

    public func insertTarget() -> String {
        "INSERT INTO \(plan.target.name.sql) (\(stagedList)) SELECT "
            + plan.stagedColumns.map { "s.\(q($0.name))" }.joined(separator: ", ")
            + " FROM \(Self.stage) s ORDER BY s._fkb_row"
    }
}
