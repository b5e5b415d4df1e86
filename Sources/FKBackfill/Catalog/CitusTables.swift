import PostgresClient

/// What Citus does with each table of the database, read from its metadata
/// (`pg_dist_partition`) on the coordinator. Without the Citus extension there is no
/// metadata and `read` returns nil: everything else in the tool runs as on plain
/// PostgreSQL.
///
/// The load and the audit need it because on Citus a table's rows may live on other
/// servers: a statement on the coordinator can lock and read a reference table's rows
/// in its own copy, but not a distributed table's, and a setting of the coordinator's
/// session does not reach the sessions Citus opens on the workers.
public struct CitusTables: Sendable, Equatable {
    /// How Citus places one table's rows.
    public enum Kind: String, Sendable, Codable {
        /// Sharded by a distribution column across the workers (`create_distributed_table`).
        case distributed
        /// One shard on one worker: a table of a schema-based sharded (tenant) schema, or
        /// `create_distributed_table` without a distribution column.
        case singleShard = "single-shard"
        /// A full copy on every node (`create_reference_table`).
        case reference
        /// A table on the coordinator that Citus tracks (`citus_add_local_table_to_metadata`,
        /// or added on its own when an FK ties it to a reference table).
        case local
    }

    /// One table in Citus's metadata.
    public struct Entry: Sendable, Equatable {
        public var kind: Kind
        /// The distribution column of a `distributed` table.
        public var distributionColumn: String?
        /// Tables with the same id are co-located: rows with equal distribution values
        /// share a worker, so FKs and joins between them stay on it.
        public var colocation: Int
        /// Whether the coordinator holds a copy (a reference table's, or a local table's rows).
        public var onCoordinator: Bool
    }

    /// By `pg_class` OID.
    public var tables: [UInt32: Entry]

    /// The entry of a table, nil for a plain PostgreSQL table.
    public func entry(_ oid: UInt32) -> Entry? { tables[oid] }

    /// Whether `a` and `b` are distributed tables whose rows with equal distribution
    /// values are on the same worker.
    public func colocated(_ a: UInt32, _ b: UInt32) -> Bool {
        guard let x = tables[a], let y = tables[b], x.kind != .reference, x.kind != .local else { return false }
        return x.kind == y.kind && x.colocation == y.colocation && x.colocation != 0
    }

    /// The metadata, or nil where Citus is not installed in this database.
    static func read(on session: Session) throws -> CitusTables? {
        let installed = try session.execute(
            "SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL AS citus").rows.first?.bool("citus") ?? false
        guard installed else { return nil }
        // partmethod h: hash-distributed; n with repmodel t: reference; n with a
        // colocation id: single shard; n without: local. The coordinator's group is 0.
        let rows = try session.execute(
            """
            SELECT CAST(CAST(p.logicalrelid AS oid) AS text) AS oid, p.partmethod, p.repmodel, p.colocationid,
                   CASE WHEN p.partkey IS NOT NULL THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END AS dist_column,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_dist_placement pl ON pl.shardid = s.shardid
                           WHERE s.logicalrelid = p.logicalrelid AND pl.groupid = 0) AS on_coordinator
            FROM pg_catalog.pg_dist_partition p
            """).rows
        var tables: [UInt32: Entry] = [:]
        for row in rows {
            guard let oid = UInt32(try row.string("oid")) else { continue }
            let colocation = row.int("colocationid") ?? 0
            let kind: Kind = switch (try row.string("partmethod"), try row.string("repmodel")) {
            case ("n", "t"): .reference
            case ("n", _): colocation == 0 ? .local : .singleShard
            default: .distributed
            }
            tables[oid] = Entry(kind: kind, distributionColumn: row["dist_column"], colocation: colocation,
                                onCoordinator: row.bool("on_coordinator"))
        }
        return CitusTables(tables: tables)
    }
}
