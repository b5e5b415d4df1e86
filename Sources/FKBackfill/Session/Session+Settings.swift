import Foundation
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
        return try restoring("SELECT pg_catalog.set_config(\(bind: name), \(bind: previous), true)", body)
    }

    /// Runs `body`, then `restore` — also when `body` throws.
    func restoring<T>(_ restore: SQL, _ body: () throws -> T) throws -> T {
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

extension Session {
    /// Runs `body` with the settings that decide how a value prints pinned to a form that
    /// reads back exactly whatever the session's own: dates as ISO (the field order kept,
    /// for the input's own dates), floats with every digit, intervals as ISO 8601. For the
    /// statements that print a table's or query's typed values as text, to be cast back
    /// (`TextStaging.insertRaw`, the read-only cursor's FETCH): under a role's `DateStyle =
    /// 'Postgres'` a timestamptz printed Asia/Shanghai's `CST`, which reads back as US
    /// Central, 14 hours off, and `extra_float_digits = 0` cut 0.30000000000000004 to 0.3
    /// (hostile review 8). Given back afterwards, for the user's code that runs later.
    func withExactText<T>(_ body: () throws -> T) throws -> T {
        let (pin, restore) = try exactTextSettings()
        try execute(pin)
        return try restoring(restore, body)
    }

    /// The statement that pins the settings `withExactText` pins, and the one that gives
    /// back their values now, each one statement (the read-only cursor runs them around
    /// every FETCH).
    func exactTextSettings() throws -> (pin: SQL, restore: SQL) {
        let now = try execute(
            """
            SELECT pg_catalog.current_setting('DateStyle') AS d, pg_catalog.current_setting('extra_float_digits') AS f,
                   pg_catalog.current_setting('IntervalStyle') AS i
            """).rows[0]
        let (dates, floats, intervals) = (try now.string("d"), try now.string("f"), try now.string("i"))
        let order = dates.split(separator: ",").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        func set(_ d: String, _ f: String, _ i: String) -> SQL {
            "SELECT pg_catalog.set_config('DateStyle', \(bind: d), true), pg_catalog.set_config('extra_float_digits', \(bind: f), true), "
                + "pg_catalog.set_config('IntervalStyle', \(bind: i), true)"
        }
        return (set(order.isEmpty ? "ISO" : "ISO, \(order)", "3", "iso_8601"), set(dates, floats, intervals))
    }
}
