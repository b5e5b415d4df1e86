import PostgresClient

/// A target that is itself a partition (`load fact_2024_11`): PostgreSQL refuses a row
/// outside its bounds ("violates partition constraint"). The load sets such rows aside as
/// it sets aside a CHECK's (`LoadRun.markValueRejects`: stopped, with lines, unless
/// `--max-rejects` allows them), and read-only each batch evaluates the bounds as it
/// evaluates a CHECK (hostile reviews 17 and 18). The bounds are the server's own
/// `pg_get_partition_constraintdef`, over the partition keys of every ancestor; a key on an
/// expression stays named.
extension Validator {
    /// The partition constraint of `target` as a CHECK over the columns it reads, or nil
    /// when the target is no partition or some ancestor partitions by an expression.
    func partitionBoundsCheck(_ target: Table) throws -> TableFacts.Check? {
        try PartitionRoutes.bounds(of: target, on: session)
    }

}
