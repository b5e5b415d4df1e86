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
        let union = sources.map { source -> SQL in "SELECT DISTINCT \(kList("src", parent).joined(separator: ", ")) FROM (\(source)) src" }
            .joined(separator: " UNION ")
        var present: SQL = "EXISTS (SELECT 1 FROM hit h WHERE \(parentKeyMatch(parent, table: "h", keys: "u")))"
        if parent.isTarget, parent.keyColumns.allSatisfy({ key in plan.stagedColumns.contains { $0.name == key } }) {
            present += " OR EXISTS (SELECT 1 FROM \(Self.stage) s WHERE \(parentKeyMatch(parent, table: "s", keys: "u")))"
        }
        let keyColumns = KeyPredicates.columns("p", parent.keyColumns).joined(separator: ", ")
        return "CREATE TEMP TABLE \(Self.keys(parent.index)) ON COMMIT DROP AS WITH u AS MATERIALIZED (\(union)), "
            + "hit AS MATERIALIZED (SELECT \(keyColumns) FROM \(parent.table.name.sql) p JOIN u ON \(parentKeyMatch(parent, table: "p", keys: "u"))) "
            + "SELECT " + kList("u", parent).joined(separator: ", ") + ", (\(present)) AS present FROM u"
    }

    /// `fillNulls` for a parent in Citus's metadata: Citus refuses an UPDATE of a
    /// reference or distributed table joined to a coordinator temp table ("relation
    /// fkb_val_N is not distributed") but plans the same join through a subquery, whose
    /// few rows it sends where the parent's rows are.
    func fillNullsOnCitus(_ parent: ParentPlan) -> SQL? {
        let columns = parent.derivedColumns.enumerated().map { ($0.offset, $0.element) }
        guard !columns.isEmpty, let rows = filledRows(parent) else { return nil }
        let sets = columns.map { position, column -> SQL in
            let name = q(column.column.name)
            if appendsJSON(column) {
                return "\(name) = CAST(\(jsonUnion("p.\(name)", "v.\(Self.d(position))")) AS \(column.column.sqlType))"
            }
            return "\(name) = coalesce(p.\(name), v.\(Self.d(position)))"
        }
        return "UPDATE \(parent.table.name.sql) AS p SET \(sets.joined(separator: ", ")) FROM (SELECT * FROM \(Self.values(parent.index))) v WHERE " + rows
    }
}

extension LoadRun {
    /// The fill of `parent`'s NULL columns: through a subquery where Citus holds the parent.
    func fillNullsStatement(_ parent: ParentPlan) throws -> SQL? {
        if try CitusTables.read(on: session)?.entry(parent.table.oid) != nil { return sql.fillNullsOnCitus(parent) }
        return sql.fillNulls(parent)
    }

    /// The statement that builds a parent's keys table: the Citus form where the parent's
    /// rows are on the workers, the usual one everywhere else.
    ///
    /// Reading a distributed parent is the run's first distributed query. Citus runs it
    /// over one connection per shard; afterwards it refuses to write a reference table
    /// that a distributed table references ("cannot modify table because there was a
    /// parallel operation on a distributed table"), and the backfill of the parents'
    /// reference parents comes next. So the transaction goes sequential (one connection
    /// per worker) first, which Citus allows only before its first parallel operation.
    func createKeysStatement(_ parent: ParentPlan, sources: [SQL]) throws -> SQL {
        if let entry = try CitusTables.read(on: session)?.entry(parent.table.oid), entry.kind == .distributed || entry.kind == .singleShard {
            try session.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
            return sql.createKeysOnCitus(parent, sources: sources)
        }
        return sql.createKeys(parent, sources: sources)
    }

    /// Before the backfill on Citus: the parents this run writes, locked in name order
    /// against each other's writers until COMMIT (`SHARE ROW EXCLUSIVE`; reads go on):
    /// every reference table it inserts into or fills, and every distributed one it fills.
    ///
    /// Found by `CitusConcurrencyTests`: Citus serializes writes to a reference table's
    /// copies with a lock of its own per shard, so two loads inserting overlapping new keys
    /// deadlocked — one waiting for the other's uncommitted key (ON CONFLICT), the other for
    /// the first one's shard lock. Taking the tables whole, in one order, first, leaves
    /// no cycle: the second load waits once, then finds the keys committed. A distributed
    /// parent's rows cannot be locked one by one from the coordinator (`lockFilledRows`),
    /// so a fill takes it whole too.
    func lockCitusParents() throws {
        guard let citus = try CitusTables.read(on: session) else { return }
        let written = plan.parents.filter { parent in
            guard available.contains(parent.index), let count = counts[parent.index],
                  let kind = citus.entry(parent.table.oid)?.kind else { return false }
            if parent.mode == .fillNullOnly { return kind != .local }
            return count.candidates > count.present && kind == .reference
        }.map(\.table.name)
        for name in Set(written).sorted() {
            try session.execute("LOCK TABLE \(name.sql) IN SHARE ROW EXCLUSIVE MODE")
        }
    }

    /// The row locks before a fill: none for a parent Citus distributes (Citus refuses
    /// `FOR NO KEY UPDATE` there; `lockCitusParents` locked the table whole instead).
    func lockFilledRowsStatement(_ parent: ParentPlan) throws -> SQL? {
        if let kind = try CitusTables.read(on: session)?.entry(parent.table.oid)?.kind, kind == .distributed || kind == .singleShard {
            return "SELECT 0 AS n"
        }
        return sql.lockFilledRows(parent)
    }
}
