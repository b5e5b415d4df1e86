import Foundation
import PostgresClient

/// The hot standby of the test cluster that `make test` starts beside it
/// (`scripts/pg-cluster.sh run --standby`: `pg_basebackup -R` from the primary, another
/// port, its own socket folder), named by `FKB_STANDBY_HOST` and `FKB_STANDBY_PORT`.
///
/// A test that needs it fails without it, as a database test fails without a database:
/// it never skips.
public enum Standby {
    /// A connection to the standby's `PGDATABASE` as `user` (default: `PGUSER`).
    public static func connect(user: String? = nil) throws -> Connection {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["FKB_STANDBY_HOST"], let port = environment["FKB_STANDBY_PORT"] else {
            throw PostgresError(
                kind: .connectionFailed,
                message: "no standby: FKB_STANDBY_HOST/FKB_STANDBY_PORT are not set — run the tests with `make test`, or "
                    + "`eval \"$(scripts/pg-cluster.sh start --standby)\"`, which start a hot standby of the test cluster")
        }
        var parts = ["host=\(quoted(host))", "port=\(quoted(port))"]
        if let database = environment["PGDATABASE"] { parts.append("dbname=\(quoted(database))") }
        if let user = user ?? environment["PGUSER"] { parts.append("user=\(quoted(user))") }
        let connection = try Connection(ConnectionString(parts.joined(separator: " ")), applicationName: "fkbackfill-standby-test")
        let recovering = try connection.execute("SELECT pg_catalog.pg_is_in_recovery() AS r").rows[0].bool("r")
        guard recovering else {
            throw PostgresError(kind: .connectionFailed, message: "FKB_STANDBY_HOST/PORT name a server that is not in recovery")
        }
        return connection
    }

    /// Waits until the standby has replayed everything `primary` had committed when this
    /// was called: `pg_last_wal_replay_lsn() >= ` the primary's `pg_current_wal_lsn()`,
    /// asked again every 10 ms for at most `seconds`. Throws when it never catches up.
    ///
    /// The test cluster runs with `synchronous_commit = off`, so a commit that returned
    /// may still sit in WAL buffers, past the write position (seen: a role just created
    /// was missing on a standby that had replayed up to it). A transaction that writes WAL
    /// (a transactional logical message, which changes no table) and commits with
    /// `synchronous_commit = on` flushes all WAL up to its commit first. (One that only
    /// takes an xid writes none before its commit record, and PostgreSQL commits it
    /// asynchronously whatever the setting.)
    public static func waitForReplay(of primary: Connection, on standby: Connection, within seconds: Double = 30) throws {
        try primary.executeScript(unsafeRaw: """
            BEGIN; SET LOCAL synchronous_commit = on;
            SELECT pg_catalog.pg_logical_emit_message(true, 'fkbackfill-test', 'flush'); COMMIT
            """)
        let lsn = try primary.execute("SELECT CAST(pg_catalog.pg_current_wal_lsn() AS text) AS lsn").rows[0].string("lsn")
        let caughtUp = try eventually(within: seconds) {
            try standby.execute(
                "SELECT pg_catalog.pg_last_wal_replay_lsn() >= CAST(\(bind: lsn) AS pg_catalog.pg_lsn) AS ok").rows[0].bool("ok")
        }
        if !caughtUp {
            throw PostgresError(kind: .connectionFailed, message: "the standby did not replay up to \(lsn) within \(seconds) s")
        }
    }

    /// A libpq key=value value in single quotes.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
