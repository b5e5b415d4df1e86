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

    /// The error of a run that must write on a session that cannot: kind
    /// `.database(sqlState: 25006)`, PostgreSQL's own `read_only_sql_transaction`, raised
    /// before any statement that writes, so nothing was written.
    static func readOnlyRefusal(_ message: String, hint: String) -> FKBackfillError {
        FKBackfillError(message, hint: hint, kind: .database(sqlState: SQLState.readOnlySQLTransaction))
    }
}
