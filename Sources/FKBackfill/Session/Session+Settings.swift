import PostgresClient

extension Session {
    /// Runs `body` with the server setting `name` at `value` for this transaction only
    /// (`set_config(…, true)`), then gives it back the value it had — also when `body`
    /// throws, since a finding may let the run go on in the same transaction. For the
    /// planner switches a few statements need (JIT off for catalog queries, sorts off for
    /// a grouping the planner cannot size), not for the session's own settings.
    @discardableResult
    func withLocalSetting<T>(_ name: String, _ value: String, _ body: () throws -> T) throws -> T {
        let previous = try execute("SELECT pg_catalog.current_setting(\(bind: name)) AS value").rows[0].string("value")
        try execute("SELECT pg_catalog.set_config(\(bind: name), \(bind: value), true)")
        let restore: SQL = "SELECT pg_catalog.set_config(\(bind: name), \(bind: previous), true)"
        let result: T
        do {
            result = try body()
        } catch {
            _ = try? execute(restore)  // in an aborted transaction this fails too; the rollback restores it
            throw error
        }
        try execute(restore)
        return result
    }
}
