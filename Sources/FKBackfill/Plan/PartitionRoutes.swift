import PostgresClient

/// Which staged rows an FK declared on one partition applies to: those the server would
/// route to that partition. A partitioned table whose partitions reference different
/// parents (one table for several kinds of rows) must check, and backfill for, each row
/// only against its own partition's FKs.
///
/// Routing is the server's: each partition's constraint as `pg_get_partition_constraintdef`
/// gives it (its bounds and its ancestors', the default partition's as the negation of its
/// siblings'), evaluated over the staged rows. No routing logic is copied into Swift.
struct PartitionRoute: Sendable {
    /// The partition key columns of the partition's ancestors: the values routing reads.
    var columns: [String]
    /// The partition constraint over those columns by bare name; nil when every row routes there.
    var qual: String?

    /// The constraint as SQL. Safe as raw text: the server deparsed it from its own
    /// stored bounds under the pinned search path, so anything outside pg_catalog is
    /// qualified, and the tool adds nothing to it.
    var condition: SQL? { qual.map { "(\(unsafeRaw: $0))" } }
}

extension LoadPlan {
    /// Staged columns an FK's check reads: its own, plus what routes a row to the
    /// partition that declares it.
    func checkedColumns(of fk: ForeignKey) -> [String] {
        guard let route = routes[fk.declaredOn] else { return fk.columns }
        return fk.columns + route.columns.filter { !fk.columns.contains($0) }
    }

    /// True for the staged rows (columns by bare name) the FK applies to; nil for all.
    func routeCondition(of fk: ForeignKey) -> SQL? {
        routes[fk.declaredOn]?.condition
    }
}

enum PartitionRoutes {
    /// Routes for the target's FKs declared on a partition, and the condition of rows no
    /// partition accepts (which the insert would refuse), when the routing columns are staged.
    static func read(plan: LoadPlan, catalog: Catalog, on session: Session) throws -> (routes: [TableName: PartitionRoute], unroutable: SQL?) {
        let target = plan.target
        guard target.kind == .partitioned else { return ([:], nil) }
        let staged = Set(plan.stagedColumns.map(\.name))
        var routes: [TableName: PartitionRoute] = [:]
        for partition in Set(catalog.foreignKeys(of: target.name).map(\.declaredOn)) where partition != target.name {
            guard let row = try session.execute(
                """
                SELECT pg_get_partition_constraintdef(c.oid) AS qual,
                       CAST(ARRAY(SELECT DISTINCT a.attname FROM pg_partition_ancestors(c.oid) AS an(relid)
                                  JOIN pg_partitioned_table pt ON pt.partrelid = an.relid
                                  CROSS JOIN LATERAL unnest(CAST(pt.partattrs AS int2[])) AS k(attnum)
                                  JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum
                                  WHERE an.relid <> c.oid) AS text) AS columns,
                       EXISTS (SELECT 1 FROM pg_partition_ancestors(c.oid) AS an(relid)
                               JOIN pg_partitioned_table pt ON pt.partrelid = an.relid
                               WHERE an.relid <> c.oid AND 0 = ANY (CAST(pt.partattrs AS int2[]))) AS expressions
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(bind: partition.schema) AND c.relname = \(bind: partition.name) AND c.relispartition
                """).rows.first else { continue }
            let columns = row.array("columns").compactMap { $0 }
            // A key on expressions, or routing columns the input leaves to defaults: the
            // staged rows cannot be routed here, so the FK is checked on every row, as before.
            guard !row.bool("expressions"), columns.allSatisfy(staged.contains) else { continue }
            routes[partition] = PartitionRoute(columns: columns, qual: row["qual"])
        }
        guard let unroutable = try unroutable(target, given: staged, on: session) else { return (routes, nil) }
        return (routes, unroutable)
    }

    /// The condition, over `table`'s columns by bare name, of a row no leaf partition of
    /// `table` accepts; nil when it cannot be told from `given` columns (a routing column
    /// not among them, or a key on an expression, which reads NULL here) or when a leaf
    /// takes every row (a lone default partition has no constraint).
    static func unroutable(_ table: Table, given: Set<String>, on session: Session) throws -> SQL? {
        let keys = try session.execute(
            """
            SELECT CAST(ARRAY(SELECT DISTINCT a.attname FROM pg_partition_tree(CAST(\(bind: String(table.oid)) AS oid)) t
                              JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
                              CROSS JOIN LATERAL unnest(CAST(pt.partattrs AS int2[])) AS k(attnum)
                              LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum) AS text) AS columns,
                   CAST(ARRAY(SELECT pg_get_partition_constraintdef(t.relid) FROM pg_partition_tree(CAST(\(bind: String(table.oid)) AS oid)) t
                              WHERE t.isleaf) AS text) AS quals
            """).rows[0]
        let keyColumns = keys.array("columns")
        let quals = keys.array("quals")
        guard !keyColumns.contains(where: { $0 == nil || !given.contains($0!) }), !quals.contains(where: { $0 == nil }) else {
            return nil
        }
        // Safe as raw text, as `PartitionRoute.condition`.
        let any: SQL = quals.isEmpty ? "false" : quals.map { "coalesce((\(unsafeRaw: $0!)), false)" as SQL }.joined(separator: " OR ")
        return "NOT (\(any))"
    }
}

extension PartitionRoutes {
    /// The partition constraint of `target` as a CHECK over the columns it reads, or nil
    /// when the target is no partition or some ancestor partitions by an expression: what
    /// the load sets aside (`LoadRun.markValueRejects`) and read-only evaluates per batch
    /// (Validator+PartitionBounds.swift) for a target that is itself a partition.
    static func bounds(of target: Table, on session: Session) throws -> TableFacts.Check? {
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
