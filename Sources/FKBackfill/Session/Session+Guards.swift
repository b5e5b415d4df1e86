import PostgresClient

extension Session {
    /// Sets again what the tool's own checks rely on, right before the statements whose
    /// meaning depends on it (the fact insert, the verify): the pinned `search_path`,
    /// `session_replication_role = origin` (replica would switch off every FK trigger,
    /// PostgreSQL's per-row check included), and READ COMMITTED, the isolation the RI
    /// check itself reads under. Anything evaluated earlier in the transaction (a rule's
    /// function, a trigger, a DEFAULT) could have changed the first two with `set_config`;
    /// the isolation level cannot change after the first statement, so it is only checked.
    /// (The role is set only when it is not origin: setting it at all needs a privilege
    /// the per-row path does not otherwise need.)
    func reassertLoadSettings() throws {
        let row = try execute(
            """
            SELECT pg_catalog.set_config('search_path', \(bind: Self.pinnedSearchPath), true) AS path,
                   CASE WHEN pg_catalog.current_setting('session_replication_role') <> 'origin'
                        THEN pg_catalog.set_config('session_replication_role', 'origin', true) END AS role,
                   pg_catalog.current_setting('transaction_isolation') AS isolation
            """).rows[0]
        guard try row.string("isolation") == "read committed" else {
            throw FKBackfillError(
                "the load's transaction runs at \(try row.string("isolation")) isolation, not read committed, nothing was written",
                hint: "the load opens its own READ COMMITTED transaction; do not start one at another level around it",
                kind: .invalidOptions)
        }
    }
}
