import PostgresClient

/// A target that is itself a partition (`load fact_2024_11`): PostgreSQL refuses a row
/// outside its bounds ("violates partition constraint") and the load stops. Read-only,
/// each batch evaluates the bounds as it evaluates a CHECK (hostile review 17: the standby
/// named the constraint and said would load). The bounds are the server's own
/// `pg_get_partition_constraintdef`, over the partition keys of every ancestor; a key on an
/// expression stays named.
extension Validator {
    /// The partition constraint of `target` as a CHECK over the columns it reads, or nil
    /// when the target is no partition or some ancestor partitions by an expression.
    func partitionBoundsCheck(_ target: Table) throws -> TableFacts.Check? {
        guard target.partitionOf != nil else { return nil }
        let oid: SQL = "CAST(\(bind: String(target.oid)) AS pg_catalog.oid)"
        guard let row = try session.execute(
            """
            SELECT pg_catalog.pg_get_partition_constraintdef(\(oid)) AS bounds,
                   ARRAY(SELECT DISTINCT a.attname FROM pg_catalog.pg_partition_ancestors(\(oid)) an
                         JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid OPERATOR(pg_catalog.=) an.relid
                         CROSS JOIN LATERAL pg_catalog.unnest(CAST(pt.partattrs AS pg_catalog.int2[])) k(attnum)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) an.relid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                         ORDER BY 1) AS columns,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_partition_ancestors(\(oid)) an
                           JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid OPERATOR(pg_catalog.=) an.relid
                           WHERE pt.partexprs IS NOT NULL) AS expressions
            """).rows.first, !row.bool("expressions"), let bounds = row["bounds"] else { return nil }
        let columns = row.array("columns").compactMap { $0 }
        guard !columns.isEmpty else { return nil }
        return TableFacts.Check(name: "partition bounds of \(target.name.name)", definition: bounds, expression: bounds, columns: columns)
    }
}
