import PostgresClient

extension FKCheck {
    /// The `work_mem` the insert-returning statement runs with, at least.
    static let returningWorkMem = "64MB"
    /// The `hash_mem_multiplier` it runs with, at least: hash tables may take this many
    /// times `work_mem` before they spill.
    static let returningHashMemMultiplier = 4

    /// Runs the fact insert that reads the stored keys back (`insertReturning`) with
    /// `work_mem` at least 64 MB and `hash_mem_multiplier` at least 4, then sets the
    /// session's own values again (in the load's transaction; a rolled-back savepoint
    /// undoes them by itself). Issue #23's cost.
    ///
    /// Why: the `RETURNING` rows go into the data-modifying CTE's tuplestore and are
    /// grouped per key set. At the default 4 MB the planner, which has no statistics for
    /// a CTE (200 distinct values a column, times the partitions), costs the hashed
    /// `GROUPING SETS` over `hash_mem` and sorts instead: four external merge sorts of a
    /// million rows, 40 MB each, were +2.3 s of a 3.1 s load at 1M rows (docs/performance.md).
    /// With these values it hashes, in one pass, a few MB for a few thousand keys; a
    /// larger input still spills (hash aggregation and the tuplestore both can), it does
    /// not fail. One statement of one session; the memory is freed at its end.
    @discardableResult
    static func withReturningMemory<T>(on session: Session, _ body: () throws -> T) throws -> T {
        let row = try session.execute(
            """
            SELECT pg_catalog.current_setting('work_mem') AS work_mem,
                   pg_catalog.current_setting('hash_mem_multiplier', true) AS multiplier,
                   pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem'))
                       < pg_catalog.pg_size_bytes(\(bind: returningWorkMem)) AS small,
                   CAST(pg_catalog.current_setting('hash_mem_multiplier', true) AS pg_catalog.float8)
                       < CAST(\(bind: String(returningHashMemMultiplier)) AS pg_catalog.float8) AS low
            """).rows[0]
        // hash_mem_multiplier is PostgreSQL 13's: before it, hash tables took work_mem.
        let workMem = try row.string("work_mem"), multiplier = row["multiplier"]
        let small = row.bool("small"), low = multiplier != nil && row.bool("low")
        if small { try session.execute("SELECT pg_catalog.set_config('work_mem', \(bind: returningWorkMem), true)") }
        if low { try session.execute("SELECT pg_catalog.set_config('hash_mem_multiplier', \(bind: String(returningHashMemMultiplier)), true)") }
        let result = try body()
        if small { try session.execute("SELECT pg_catalog.set_config('work_mem', \(bind: workMem), true)") }
        if low, let multiplier { try session.execute("SELECT pg_catalog.set_config('hash_mem_multiplier', \(bind: multiplier), true)") }
        return result
    }
}
