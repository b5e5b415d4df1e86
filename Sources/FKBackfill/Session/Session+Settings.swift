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

    /// Lowers `default_statistics_target` to 10 for this transaction when it is higher: the
    /// only statements it changes are `ANALYZE`s, and the only tables a load or validate
    /// analyzes are its own work tables (the stage, the keys, the stored keys), whose
    /// columns the planner needs roughly (their sizes, keys that are unique). A sample of
    /// 3,000 rows instead of 30,000 took a 37,000-row month's five ANALYZEs from ~90 ms to
    /// ~20 ms (docs/performance.md). Local, so the session has its own back at the end.
    func useSmallStatisticsSamples() throws {
        try execute(
            "SELECT pg_catalog.set_config('default_statistics_target', '10', true) "
                + "WHERE CAST(pg_catalog.current_setting('default_statistics_target') AS pg_catalog.int4) OPERATOR(pg_catalog.>) 10")
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
    /// What of an input's values prints in a form that may not read back exactly under the
    /// session's own settings: floats (`extra_float_digits` below 1 cuts digits) and dates
    /// under a DateStyle other than ISO (Asia/Shanghai's `CST` reads back as US Central;
    /// 'German, MDY' prints 2026-03-04 as 04.03.2026, which MDY reads as April 3; 'SQL, YMD'
    /// prints what YMD cannot read: hostile reviews 8 and 10). Other types read back in the
    /// same session as printed.
    struct LossyText {
        var floats = false
        var dates = false
    }

    /// What of the types `seed` selects (one `oid` column) may print lossily: floats and
    /// dates, through domains and arrays; a range or composite may hold either. One
    /// reading for an input's columns (`OpenedInput.lossyText`) and the keys read-only
    /// validate carries between batches (`Validator.lossyText`).
    func lossyText(ofTypes seed: SQL) throws -> LossyText {
        let row = try execute(
            """
            WITH RECURSIVE t(oid) AS (
                \(seed)
                UNION
                SELECT CASE WHEN y.typtype OPERATOR(pg_catalog.=) 'd' THEN y.typbasetype ELSE y.typelem END
                FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid
                WHERE y.typtype OPERATOR(pg_catalog.=) 'd' OR y.typelem OPERATOR(pg_catalog.<>) 0
            )
            SELECT coalesce(pg_catalog.bool_or(y.typname OPERATOR(pg_catalog.=) ANY ('{float4,float8}')
                                               OR y.typtype OPERATOR(pg_catalog.=) ANY ('{c,r,m}')), false) AS floats,
                   coalesce(pg_catalog.bool_or(y.typname OPERATOR(pg_catalog.=) ANY ('{date,timestamp,timestamptz}')
                                               OR y.typtype OPERATOR(pg_catalog.=) ANY ('{c,r,m}')), false) AS dates
            FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid
            """).rows[0]
        return LossyText(floats: row.bool("floats"), dates: row.bool("dates"))
    }

    /// The statement that pins only the settings `lossy` needs to print exactly (every float
    /// digit, ISO dates with the session's field order; with `searchPath`, the path too), and
    /// the one that gives back the values now, each one statement (the read-only cursor runs
    /// them around every FETCH, `OpenedInput.stage` around its print); nil when nothing needs
    /// pinning. Those statements run the user's query too, which sees the pin: pinning
    /// everything always made a query's own `d::text` print ISO under `DateStyle = 'SQL,
    /// DMY'` and parse '-1 2:00:00' under another IntervalStyle (hostile review 9), so only
    /// what would be lost is pinned, and only for inputs with such columns.
    func exactTextSettings(_ lossy: LossyText, searchPath: (during: String, after: String)? = nil) throws -> (pin: SQL?, restore: SQL?) {
        let now = try execute(
            "SELECT pg_catalog.current_setting('DateStyle') AS d, pg_catalog.current_setting('extra_float_digits') AS f").rows[0]
        let (dates, floats) = (try now.string("d"), try now.string("f"))
        var pin: [(String, String)] = []
        var restore: [(String, String)] = []
        if lossy.floats, (Int(floats) ?? 1) < 1 {
            pin.append(("extra_float_digits", "1"))
            restore.append(("extra_float_digits", floats))
        }
        let parts = dates.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if lossy.dates, parts.first?.uppercased() != "ISO" {
            pin.append(("DateStyle", parts.count > 1 ? "ISO, \(parts[1])" : "ISO"))
            restore.append(("DateStyle", dates))
        }
        if let searchPath {
            pin.append(("search_path", searchPath.during))
            restore.append(("search_path", searchPath.after))
        }
        guard !pin.isEmpty else { return (nil, nil) }
        func set(_ settings: [(String, String)]) -> SQL {
            "SELECT " + settings.map { "pg_catalog.set_config(\(bind: $0.0), \(bind: $0.1), true)" as SQL }.joined(separator: ", ")
        }
        return (set(pin), set(restore))
    }
}
