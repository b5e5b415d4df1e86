import PostgresClient

/// New rows of a partitioned parent that no partition accepts, found read-only. The load
/// inserts a placeholder per new key; where no partition's bounds take it (a CI table
/// partitioned by `partition_id` whose partition 102 does not exist yet, list partitions
/// and no default) PostgreSQL refuses the insert ("no partition of relation … found for
/// row") and the load stops, nothing written. The staged path tries that insert in a
/// savepoint; read-only cannot, so it evaluates the routing itself, as the load's stage
/// does for the target's own rows (`PartitionRoutes.unroutable`): each leaf's partition
/// constraint as the server deparses it, over the new keys typed as the parent's columns.
/// Only where the partition key is among the FK's referenced columns (the new row's other
/// columns are derived or defaulted, not known here): otherwise notExact says it is not
/// tried, as before (the real-schema sweep's "trace metadata" case).
extension Validator {
    /// New keys held per FK at most for this query (the tally keeps every missing key).
    static let routedKeys = 100_000

    /// Why `fk`'s new keys stop the load, or nil: a new row of `parent` that no partition
    /// accepts. `keys` are the missing keys as `KeyTally.seen` holds them (the FK's
    /// columns joined by NUL, in the FK's order).
    func unroutedNewKeys(_ fk: ForeignKey, _ parent: ParentPlan, keys: [String]) throws -> String? {
        guard parent.table.kind == .partitioned, !keys.isEmpty, keys.count <= Self.routedKeys,
              let condition = try PartitionRoutes.unroutable(parent.table, given: Set(fk.referencedColumns), on: session)
        else { return nil }
        let columns = fk.referencedColumns.compactMap { parent.table.column($0) }
        guard columns.count == fk.referencedColumns.count else { return nil }
        var values = [[String]](repeating: [], count: columns.count)
        for key in keys {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == columns.count else { return nil }
            for (position, part) in parts.enumerated() { values[position].append(part) }
        }
        let arrays = values.map { "pg_catalog.unnest(CAST(\(bindArray: $0) AS pg_catalog.text[]))" as SQL }.joined(separator: ", ")
        let names = columns.indices.map { "k\($0)" }
        // The new rows' routing columns by bare name: `b` is the one relation in scope of
        // the partition constraints.
        let typed = columns.enumerated().map { position, column -> SQL in
            "CAST(u.\(ident: names[position]) AS \(column.pinnedType)) AS \(ident: column.name)"
        }.joined(separator: ", ")
        let shown = columns.map { "CAST(b.\(ident: $0.name) AS pg_catalog.text)" as SQL }.joined(separator: ", ")
        let query: SQL = "SELECT pg_catalog.count(*) OVER () AS n, pg_catalog.concat_ws(', ', \(shown)) AS key FROM (SELECT \(typed) "
            + "FROM ROWS FROM (\(arrays)) AS u(\(names.map { SQL(ident: $0) }.joined(separator: ", ")))) b WHERE \(condition) ORDER BY 2 LIMIT 1"
        let found: Row?
        do {
            found = try session.savepoint { try session.execute(query).rows.first }
        } catch let error as PostgresError where error.kind == .server {
            return nil  // a key that does not cast to the parent's type: the batches named it
        }
        guard let row = found else { return nil }
        let count = row.int("n") ?? 1
        return "new rows of \(parent.table.name.display) would be refused: no partition of \(parent.table.name.display) accepts "
            + "\(count == 1 ? "key" : "\(count) keys, first") (\(fk.referencedColumns.joined(separator: ", "))) = (\(try row.string("key")))"
    }

    /// Whether every new row of `parent` has its routing evaluated by `unroutedNewKeys`:
    /// its keys all come from the target's FKs (not from a parent of a parent, whose new
    /// keys are not held) and its partition key is among them.
    func routingEvaluated(_ parent: ParentPlan, target: TableName) throws -> Bool {
        guard parent.table.kind == .partitioned,
              parent.sources.allSatisfy({ $0.origin == .staged && $0.foreignKey.table == target }) else { return false }
        return try PartitionRoutes.unroutable(parent.table, given: Set(parent.keyColumns), on: session) != nil
    }
}
