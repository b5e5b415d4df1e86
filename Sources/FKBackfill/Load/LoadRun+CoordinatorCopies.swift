import PostgresClient

/// Where the rows of a table can be joined to the stage. Citus refuses a correlated
/// subquery or direct join between a table on its workers and a coordinator temporary
/// table ("direct joins between distributed and local tables are not supported"), so
/// the checks that compare staged rows with a distributed table's (unique-key clashes,
/// keys still missing, replaced rows, near duplicates) read a coordinator copy of the
/// columns they need, made once per run. Off Citus, and for tables with a coordinator
/// copy (reference, Citus-local), they read the table itself.
extension LoadRun {
    /// `table` itself, or a temporary copy of `columns` of it when its rows are on workers.
    /// `fresh`: copy again, for a check after the run has written to the table.
    func readable(_ table: TableName, oid: UInt32, columns: [String], fresh: Bool = false) throws -> TableName {
        guard let entry = try citus()?.entry(oid), !entry.onCoordinator else { return table }
        let key = "\(oid) \(columns.joined(separator: ","))"
        if let copy = coordinatorCopies[key], !fresh { return copy }
        copies += 1
        let copy = TableName(schema: "pg_temp", name: "fkb_copy_\(copies)")
        try session.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
        try session.execute(
            "CREATE TEMP TABLE \(copy.sql) ON COMMIT DROP AS SELECT \(KeyPredicates.columns("t", columns).joined(separator: ", ")) FROM \(table.sql) t")
        try session.execute("ANALYZE \(copy.sql)")
        coordinatorCopies[key] = copy
        return copy
    }

    /// `fk` comparing against a readable copy of its parent's key where needed.
    func readable(_ fk: ForeignKey, fresh: Bool = false) throws -> ForeignKey {
        guard let parent = catalog.table(fk.referencedTable) else { return fk }
        var pointed = fk
        pointed.referencedTable = try readable(parent.name, oid: parent.oid, columns: fk.referencedColumns, fresh: fresh)
        return pointed
    }
}
