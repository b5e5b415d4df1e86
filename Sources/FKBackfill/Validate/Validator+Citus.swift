import PostgresClient

/// Validating an input against a parent that Citus distributes (docs/citus.md).
///
/// The staged check is an anti-join of the coordinator's temp stage with the parent, a
/// correlated `NOT EXISTS` Citus cannot plan when the parent's rows are on the workers
/// ("direct joins between distributed and local tables are not supported"). So, before
/// the transaction turns read-only, such a parent's referenced columns are copied once
/// into a coordinator temp table (a stand-in), and the FK is checked against that with
/// its own columns and operators. The copy is the parent's key columns only, read in
/// one distributed scan; nothing of it outlives the validation.
extension Validator {
    /// `checked`, with each FK to a distributed or single-shard parent pointed at its
    /// stand-in; unchanged off Citus. The report keeps the FKs as they are.
    func citusStandIns(_ checked: [ForeignKey], target: TableName, catalog: Catalog) throws -> [ForeignKey] {
        guard let citus = try CitusTables.read(on: session) else { return checked }
        var sequential = false
        return try checked.enumerated().map { index, fk in
            guard fk.referencedTable != target, let parent = catalog.table(fk.referencedTable),
                  let entry = citus.entry(parent.oid), entry.kind == .distributed || entry.kind == .singleShard else { return fk }
            if !sequential {
                // After a parallel read of a distributed table, Citus refuses the temp
                // functions the staging creates next; one connection per worker it allows.
                try session.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
                sequential = true
            }
            let standIn = TableName(schema: "pg_temp", name: "fkb_citus_parent_\(index)")
            try session.execute(
                "CREATE TEMP TABLE \(standIn.sql) ON COMMIT DROP AS SELECT \(KeyPredicates.columns("p", fk.referencedColumns).joined(separator: ", ")) "
                    + "FROM \(fk.referencedTable.sql) p")
            try session.execute("ANALYZE \(standIn.sql)")
            var pointed = fk
            pointed.referencedTable = standIn
            return pointed
        }
    }
}
