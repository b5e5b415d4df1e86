import PostgresClient

/// Statements that differ on Citus, where a parent is a distributed table (its rows on
/// the workers). Citus plans a coordinator temp table joined to a distributed table by
/// sending the temp table's rows to the workers as an intermediate result, but it
/// refuses a correlated subquery over a distributed table when the FROM clause holds a
/// subquery (`createKeys`' EXISTS). Here the join runs once in a materialized CTE, and
/// the EXISTS reads its few rows on the coordinator.
extension LoadStatements {
    /// `createKeys` for a distributed parent: the same table, the same `present`.
    func createKeysOnCitus(_ parent: ParentPlan, sources: [SQL]) -> SQL {
        let union = keyUnion(parent, sources: sources)
        var present: SQL = "EXISTS (SELECT 1 FROM hit h WHERE \(parentKeyMatch(parent, table: "h", keys: "u")))"
        if parent.isTarget, parent.keyColumns.allSatisfy({ key in plan.stagedColumns.contains { $0.name == key } }) {
            present += " OR EXISTS (SELECT 1 FROM \(Self.stage) s WHERE \(parentKeyMatch(parent, table: "s", keys: "u")))"
        }
        let keyColumns = KeyPredicates.columns("p", parent.keyColumns).joined(separator: ", ")
        return "CREATE TEMP TABLE \(Self.keys(parent.index)) ON COMMIT DROP AS WITH u AS MATERIALIZED (\(union)), "
            + "hit AS MATERIALIZED (SELECT \(keyColumns) FROM \(parent.table.name.sql) p JOIN u ON \(parentKeyMatch(parent, table: "p", keys: "u"))) "
            + "SELECT " + kList("u", parent).joined(separator: ", ") + ", (\(present)) AS present, \(Self.keyNumber) FROM u"
    }

    /// `fillNulls` for a parent in Citus's metadata: Citus refuses an UPDATE of a
    /// reference or distributed table joined to a coordinator temp table ("relation
    /// fkb_val_N is not distributed") but plans the same join through a subquery, whose
    /// few rows it sends where the parent's rows are.
    func fillNullsOnCitus(_ parent: ParentPlan) -> SQL? {
        fillNulls(parent, throughSubquery: true)
    }
}
