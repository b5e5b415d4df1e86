import Foundation
import PostgresClient

/// A second connection that finds the missing keys and derives the new parents' values
/// while the first inserts the fact rows (issue #25).
///
/// On the first load of a month every key is new, and deriving the new parents (the most
/// frequent customer of 200,000 rows, say) cost a third of the load after the fact
/// insert, on one core: a temporary table cannot be read by parallel workers, and the
/// stage must be one (it vanishes with the transaction, unlogged). So the input is staged
/// twice from one read (`CopyMirror`): here too, in a stage of the same definition, where
/// this session runs the very statements of "find missing keys" (a `LoadRun` of its own,
/// parents first from its stage) on the other core while the first inserts. The first
/// then takes a parent's keys and values from here only when they are provably its own:
/// its stage was not changed after the COPY, and this session's keys of that parent are
/// its own keys, each present or missing alike, value for value (`LoadRun.adopt`).
/// Anything else — a failed connection, a COPY this server refused, a parent row another
/// session committed in between — and the first computes that parent, and the rest, itself.
///
/// Nothing here writes outside temporary tables; its transaction is rolled back. Its
/// statements reach `--print-sql` when it closes, after a comment saying where they ran.
final class SecondSession: @unchecked Sendable {
    static let applicationName = "fkbackfill (second session)"
    /// Its own run of the load's statements, on its own session.
    let run: LoadRun
    /// Its COPY, fed with the first's.
    let mirror: CopyMirror
    private let canceller: Canceller?
    private let log: StatementLog
    private let condition = NSCondition()
    private var working = false
    private var succeeded = false
    /// Staging its spool: it has not begun the statements the first is about to run.
    private var replaying = false

    private init(run: LoadRun, mirror: CopyMirror, log: StatementLog) {
        self.run = run
        self.mirror = mirror
        self.log = log
        canceller = run.session.connection.makeCanceller()
    }

    /// Connects beside `first`, with its settings that shape a value's text (a date in a
    /// template, a float in `concat_distinct`), opens a transaction and creates the stage.
    /// Nil where any of that fails: the first then works alone.
    static func open(beside first: LoadRun, feed: CopyMirror.Feed) -> SecondSession? {
        let log = StatementLog()
        do {
            // What the text of a value depends on, as typed in the stage or cast by a rule.
            let names = ["DateStyle", "IntervalStyle", "TimeZone", "timezone_abbreviations", "extra_float_digits", "bytea_output",
                         "lc_monetary", "array_nulls", "xmlbinary", "xmloption", "standard_conforming_strings"]
            let row = try first.session.execute(
                "SELECT " + names.enumerated().map { "pg_catalog.current_setting(\(bind: $1)) AS s\(int: $0)" as SQL }.joined(separator: ", ")).rows[0]
            let connection = try first.session.connection.sibling(applicationName: applicationName)
            connection.onStatement = { log.append($0) }
            let session = try Session(connection)
            let values = try names.indices.map { try row.string("s\($0)") }
            // A lock wait here gives up within a second: the first may be what it waits
            // behind (its share lock on a parent, queued behind another's ALTER TABLE), and
            // the first, waiting for this session (`finished`), would never see that.
            try session.execute("SELECT " + names.enumerated().map { "pg_catalog.set_config(\(bind: $1), \(bind: values[$0]), false)" as SQL }
                .joined(separator: ", ") + ", pg_catalog.set_config('lock_timeout', '1s', false)")
            try session.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            try session.useSmallStatisticsSamples()
            let run = LoadRun(
                session: session, options: first.options, input: first.input, catalog: first.catalog, graph: first.graph,
                target: first.target, opened: first.opened, plan: first.plan, constraints: first.constraints, progress: nil)
            try session.execute(run.sql.createStage())
            let mirror = CopyMirror(connection, run.sql.copyStage(first.opened.csvOptions), feed: feed,
                                    spoolFolder: first.options.spoolFolder, spoolLimit: LoadRun.secondSessionSpoolLimit)
            return SecondSession(run: run, mirror: mirror, log: log)
        } catch {
            // What it ran before it failed is printed too (`--print-sql`).
            if let announce = first.session.connection.onStatement { log.statements.forEach(announce) }
            return nil
        }
    }

    /// After the first's COPY: starts the work on a thread of its own, which stages the
    /// spool first when the COPY was spooled, and goes on only when this session staged
    /// as many rows as the first; else leaves it idle (`finished` is then false).
    func start(staged: Int) {
        guard mirror.failure == nil, mirror.feed == .spooled || mirror.copied == staged else { return }
        run.report.staged = staged
        condition.withLock { working = true }
        condition.withLock { replaying = mirror.feed == .spooled }
        let thread = Thread { [self] in
            var done = false
            let replayed = mirror.feed == .live || mirror.replay()
            condition.withLock { replaying = false }
            if replayed, mirror.copied == staged {
                do {
                    try derive()
                    done = true
                } catch {}
            }
            condition.withLock {
                succeeded = done
                working = false
                condition.broadcast()
            }
        }
        thread.name = Self.applicationName
        thread.start()
    }

    /// The first's steps between its COPY and "find missing keys" that read the stage (its
    /// constants, its statistics), then that step; the last statement says so in
    /// `pg_stat_activity` while the session waits for the first to take its tables.
    private func derive() throws {
        let sql = run.sql
        if let analyze = sql.analyzeStage(columns: run.statisticsColumns) {
            try run.session.execute(analyze)
        } else {
            for statement in sql.sizeStage() { try run.session.execute(statement) }
        }
        if let constants = sql.createConstants() { try run.session.execute(constants) }
        if let constants = sql.insertConstants() { try run.session.execute(constants) }
        try run.findMissingKeys()
        try run.session.execute("SELECT CAST('derived values ready' AS pg_catalog.text) AS fkbackfill")
    }

    /// Whether the work went well, once it is done. Waiting is never slower than
    /// starting over: this session began the same statements before the fact insert, and
    /// gives up a lock wait within a second (`open`). One still staging its spool has
    /// begun none of them: under `auto` it is stopped, and the first works alone (that is
    /// rare: the first's fact insert alone takes longer than a COPY of the same rows);
    /// `always` waits for it, so that its tests take what it derives. A cancel of the
    /// `first` connection (SIGINT, which cancels only its running statement, and none
    /// runs while it waits here) is seen within a tenth of a second and cancels this
    /// session's statement too.
    func finished(cancelledWith first: Connection) -> Bool {
        condition.withLock {
            var cancelled = false
            if replaying, run.options.secondSession == .auto, !run.options.waitsForSpool {
                cancelled = true
                canceller?.cancel()
            }
            while working {
                if !cancelled, first.isCancelled {
                    cancelled = true
                    canceller?.cancel()
                }
                _ = condition.wait(until: Date().addingTimeInterval(0.1))
            }
            return succeeded && !cancelled
        }
    }

    /// The columns of one of its work tables as `CREATE TABLE` lists them, for a copy of it
    /// in the first session; nil when the table is missing or a column's type is not
    /// built-in (whose binary form both sessions read alike).
    func columns(of table: SQL) throws -> [SQL]? {
        let rows: [Row]
        do {
            rows = try run.session.execute(
                """
                SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                       a.atttypid OPERATOR(pg_catalog.<) CAST(16384 AS pg_catalog.oid) AS builtin,
                       CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation THEN n.nspname END AS collation_schema,
                       c.collname AS collation
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
                LEFT JOIN pg_catalog.pg_collation c ON c.oid OPERATOR(pg_catalog.=) a.attcollation
                LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.collnamespace
                WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(pg_catalog.to_regclass(\(bind: table.description)) AS pg_catalog.oid)
                  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """).rows
        } catch {
            return nil
        }
        guard !rows.isEmpty, rows.allSatisfy({ $0.bool("builtin") }) else { return nil }
        return try rows.map { row in
            // The type as format_type printed it under the pinned path: built-in, unqualified.
            var column: SQL = "\(ident: try row.string("name")) \(unsafeRaw: try row.string("type"))"
            if let schema = row["collation_schema"], let collation = row["collation"] {
                column = column + " COLLATE \(ident: schema).\(ident: collation)"
            }
            return column
        }
    }

    /// Streams one of its tables into `target` of the first session, in binary: built-in
    /// values arrive as they were, whatever either session's text settings.
    func copy(_ table: SQL, into target: SQL, on first: Session) throws {
        let source = run.session.connection
        try first.connection.copyIn("COPY \(target) FROM STDIN (FORMAT binary)") { writer in
            try source.copyOut("COPY \(table) TO STDOUT (FORMAT binary)") { bytes in try writer.write(bytes) }
        }
    }

    /// Stops the work if it still runs, rolls back, and hands its statements to the
    /// first connection's `--print-sql`. The connection closes when this is released.
    func close(announcingOn first: Connection) {
        if condition.withLock({ working }) { canceller?.cancel() }
        condition.withLock { while working { condition.wait() } }
        run.session.connection.rollbackQuietly()
        guard let announce = first.onStatement else { return }
        let statements = log.statements
        guard !statements.isEmpty else { return }
        announce(SQL(unsafeRaw: "-- what follows ran in a second session (\(Self.applicationName)), beside the statements above"))
        statements.forEach(announce)
    }
}

/// The statements a second session ran, in order, kept for `--print-sql`.
final class StatementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [SQL] = []

    func append(_ statement: SQL) { lock.withLock { kept.append(statement) } }
    var statements: [SQL] { lock.withLock { kept } }
}
