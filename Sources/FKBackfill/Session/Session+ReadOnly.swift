import PostgresClient

extension Session {
    /// Why this session cannot write, or nil when it can: a hot standby (in recovery), or
    /// transactions that start READ ONLY (`default_transaction_read_only`, set for the
    /// role, the database or in PGOPTIONS, or a caller's own READ ONLY transaction). Asked
    /// before the run's transaction begins, so it reads what that transaction will get.
    func readOnlyReason() throws -> String? {
        let row = try execute(
            """
            SELECT pg_catalog.pg_is_in_recovery() AS recovery,
                   pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.=) 'on' AS read_only
            """).rows[0]
        if row.bool("recovery") { return "the server is a hot standby" }
        guard row.bool("read_only") else { return nil }
        return inTransaction ? "the caller's transaction is READ ONLY" : "its transactions are read-only (default_transaction_read_only is on)"
    }

    /// Why a hot standby's data may be older than the primary's on purpose, or nil: its
    /// replay paused (`pg_wal_replay_pause()`, a recovery target's pause), or delayed
    /// (`recovery_min_apply_delay`). A validate there reads the state replayed: a fact row
    /// the primary took since made the dry run fail on its key while the paused standby
    /// said would load, with nothing in notExact (hostile review 26). The ordinary lag of
    /// streaming (received, not yet replayed) is not named: it passes in moments, and the
    /// primary's latest commits are unknown to the standby either way.
    func standbyBehindReason() throws -> String? {
        let row = try execute(
            """
            SELECT pg_catalog.pg_is_in_recovery() AS recovery,
                   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_get_wal_replay_pause_state() END AS pause,
                   pg_catalog.current_setting('recovery_min_apply_delay') AS delay,
                   CAST(pg_catalog.pg_last_xact_replay_timestamp() AS pg_catalog.text) AS replayed
            """).rows[0]
        guard row.bool("recovery") else { return nil }
        let since = (try? row.string("replayed")).map { " (last transaction replayed: \($0))" } ?? ""
        let pause = (try? row.string("pause")) ?? "not paused"
        if pause != "not paused" {
            return "the standby's replay of the primary is paused (\(pause))\(since): what the primary committed since is not seen, "
                + "its verdict may differ from load --dry-run's there"
        }
        let delay = (try? row.string("delay")) ?? "0"
        if delay != "0" {
            return "the standby replays the primary \(delay) late (recovery_min_apply_delay)\(since): what the primary committed "
                + "since is not seen, its verdict may differ from load --dry-run's there"
        }
        return nil
    }

    /// The error of a run that must write on a session that cannot: kind
    /// `.database(sqlState: 25006)`, PostgreSQL's own `read_only_sql_transaction`, raised
    /// before any statement that writes, so nothing was written.
    static func readOnlyRefusal(_ message: String, hint: String) -> FKBackfillError {
        FKBackfillError(message, hint: hint, kind: .database(sqlState: SQLState.readOnlySQLTransaction))
    }
}
