@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 8 (issue #29): read-only `validate --query` and `--source` read through
/// a cursor (77db49a), held against `load --dry-run` on the primary (PostgreSQL is the
/// oracle). Each test failed when written against 77db49a; the mends followed the same
/// day (a SQL_ASCII database's other bytes stay a known issue). The read-only time of
/// wide rows (100,000 of 4 kB: 4.1× the staged validate, a batch per 256 rows) is measured,
/// not tested: docs/validate.md.
@Suite(.timeLimit(.minutes(30))) struct HostileReadOnly8Tests {
    /// `validate` on the standby (as `user`), under the test schema's search path and the
    /// session `settings` a role or database may carry, after it replayed the schema.
    func standby(
        _ db: TestDatabase, _ input: InputSource, table: String = "fact", user: String? = nil, settings: [String: String] = [:]
    ) throws -> ValidationReport {
        try Standby.waitForReplay(of: db.connection, on: try Standby.connect())
        let standby = try Standby.connect(user: user)
        for (name, value) in ["search_path": db.schema].merging(settings, uniquingKeysWith: { $1 }) {
            _ = try standby.execute("SELECT pg_catalog.set_config(\(bind: name), \(bind: value), false)")
        }
        return try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: ValidateOptions())
    }

    /// `load --dry-run` on the primary: whether it would commit (the oracle's verdict).
    func dryRunLoads(_ db: TestDatabase, _ input: InputSource, table: String = "fact") -> Bool {
        (try? db.load("\(db.schema).\(table)", input: input) { $0.dryRun = true }) != nil
    }

    /// A SELECT-only role whose transactions are read-only (ReadOnlyValidateTests'); `cleanup` drops it.
    func readOnlyRole(_ db: TestDatabase) throws -> (name: String, cleanup: () -> Void) {
        try ReadOnlyValidateTests().readOnlyRole(db)
    }

    /// An org parent holding 'G1', a fact, and a source whose 'g1' a function `norm`
    /// (`norm`'s language and body given) makes 'G1' through `helper`, named unqualified.
    static func normalizedOrgs(_ db: TestDatabase, norm: String) throws {
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (id int PRIMARY KEY, org_code text REFERENCES org);
            CREATE TABLE src (id int, org_code text);
            INSERT INTO src VALUES (1, 'g1');
            CREATE FUNCTION helper(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(t)';
            CREATE FUNCTION norm(t text) RETURNS text \(norm);
            """)
    }

    /// An inlinable SQL function's body is parsed when the query is planned. The cursor is
    /// DECLAREd (so planned) under the user's path, where `helper` resolves; the primary
    /// planned the INSERT from the temporary view under the pinned path, where it did not:
    /// the load stopped with 42883, the standby said "would load" with `notExact` empty.
    /// Now both plan under the user's path, as the user's own INSERT … SELECT would: both load.
    @Test func anInlinedFunctionBodyResolvesUnderTheUsersPathOnlyOnTheStandby() throws {
        let db = try TestDatabase()
        try Self.normalizedOrgs(db, norm: "LANGUAGE sql IMMUTABLE AS 'SELECT helper(t)'")
        let input = InputSource.query("SELECT id, norm(org_code) AS org_code FROM src")
        #expect(dryRunLoads(db, input))
        let report = try standby(db, input)
        #expect(report.wouldLoad && report.rows == 1 && report.notExact.isEmpty, "\(report.notExact)")
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions())
        #expect(staged.wouldLoad && staged.prediction?.wouldLoad == true)
    }

    /// `SELECT …; -- comment`: trimmedQuery strips trailing semicolons and blanks but not a
    /// comment after them, so the cursor's `(query\n)` holds a `;`: a bare syntax error
    /// (exit 3) on the standby where the primary validates and loads the query.
    @Test func aSemicolonBeforeATrailingCommentIsASyntaxErrorOnlyOnTheStandby() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, org_code text REFERENCES org);
            CREATE TABLE src (id int, org_code text);
            INSERT INTO src VALUES (1, 'G1');
            """)
        let input = InputSource.query("SELECT id, org_code FROM src; -- the month")
        #expect(dryRunLoads(db, input))
        let report = try standby(db, input)
        #expect(report.rows == 1 && report.wouldLoad)
    }

    /// Row-level security hides rows from the read-only role through a `--query` and
    /// through a `security_invoker` view given as `--source`: the `--source` table's note
    /// (`hiddenSourceRows`) looks only at a table named as the source, so the standby says
    /// "would load" over the one row it sees, `notExact` empty, where the load (as the
    /// superuser that owns the table) sees the row with a missing key nothing can backfill and stops.
    @Test func rowLevelSecurityThroughAQueryOrAnInvokerViewIsNotNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, owner text NOT NULL);
            INSERT INTO plan VALUES ('P1', 'me');
            CREATE TABLE fact (id int PRIMARY KEY, plan_code text REFERENCES plan);
            CREATE TABLE src (id int, plan_code text, secret bool);
            INSERT INTO src VALUES (1, 'P1', false), (2, 'P9', true);
            ALTER TABLE src ENABLE ROW LEVEL SECURITY;
            CREATE POLICY visible ON src FOR SELECT USING (NOT secret);
            CREATE VIEW src_view WITH (security_invoker = true) AS SELECT id, plan_code FROM src;
            """)
        let (role, cleanup) = try readOnlyRole(db)
        defer { cleanup() }
        for input in [InputSource.query("SELECT id, plan_code FROM src"), .table("\(db.schema).src_view")] {
            #expect(!dryRunLoads(db, input), "\(input.label)")
            let report = try standby(db, input, user: role)
            #expect(!report.wouldLoad || !report.notExact.isEmpty, "\(input.label): rows \(report.rows), notExact empty")
        }
    }

    /// The cursor's text is the session's output of each value, read back under the same
    /// session's settings: lossy where those settings are a role's or database's (a CI
    /// runner in China: DateStyle Postgres prints Asia/Shanghai's `CST`, which reads back
    /// as US Central, 14 hours off; `extra_float_digits = 0` prints 15 digits). The load
    /// without --max-rejects casts the typed values directly: the key is present and the
    /// CHECK holds, it commits; read-only reports a missing key nothing can backfill and a
    /// failed CHECK, "would not load", `notExact` empty.
    @Test func theCursorsTextRoundTripFollowsTheSessionsSettings() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE period (start timestamptz PRIMARY KEY, label text NOT NULL);
            INSERT INTO period VALUES ('2024-01-01 00:00+08', 'Jan');
            CREATE TABLE fact (id int PRIMARY KEY, period_start timestamptz REFERENCES period, ratio float8 CHECK (ratio > 0.3));
            CREATE TABLE src (id int, period_start timestamptz, ratio float8);
            INSERT INTO src VALUES (1, '2024-01-01 00:00+08', 0.1::float8 + 0.2);
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(dryRunLoads(db, input))
        let settings = [["DateStyle": "Postgres, MDY", "TimeZone": "Asia/Shanghai"], ["extra_float_digits": "0"]]
        for setting in settings {
            let report = try standby(db, input, settings: setting)
            #expect(report.wouldLoad || !report.notExact.isEmpty, "\(setting): \(report.foreignKeys.map(\.missingKeys)) \(report.columns.map(\.problem))")
        }
    }

    /// The same round trip in the load itself: with --max-rejects a `--source` is staged as
    /// text (TextStaging.insertRaw) and cast back under the session's settings, so the
    /// committed rows hold 0.3 for 0.30000000000000004 and a timestamp 14 hours off, with
    /// exit 0 and nothing rejected: silent corruption (without --max-rejects it is exact).
    @Test func aMaxRejectsLoadStoresWhatTheSessionsTextReadsBack() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, at timestamptz, ratio float8);
            CREATE TABLE src (id int, at timestamptz, ratio float8);
            INSERT INTO src VALUES (1, '2024-01-01 00:00+08', 0.1::float8 + 0.2);
            SET DateStyle = 'Postgres, MDY'; SET TimeZone = 'Asia/Shanghai'; SET extra_float_digits = 0;
            """)
        defer { _ = try? db.run("RESET DateStyle; RESET TimeZone; RESET extra_float_digits") }
        let report = try db.load("\(db.schema).fact", input: .table("\(db.schema).src")) { $0.maxRejects = 5 }
        #expect(report.rejected == 0)
        try db.run("RESET DateStyle; RESET TimeZone; RESET extra_float_digits")
        let stored = try db.values("SELECT f.at::text, f.ratio::text, s.at::text, s.ratio::text FROM fact f, src s")
        #expect(try db.count("fact f JOIN src s USING (id)", "f.at = s.at AND f.ratio = s.ratio") == 1, "stored, source: \(stored)")
    }

    /// `load --source` (and `--query`) without --max-rejects stages with explicit casts
    /// (`CAST(q.v3 AS character varying(3))`), which cut 'abcdef' to 'abc' and 1234 to
    /// '123' and commit, exit 0, where PostgreSQL's own INSERT … SELECT refuses the value
    /// (22001) and `load --max-rejects` sets the row aside ("longer than 3 characters").
    /// Validate (staged and read-only) says "too long", would not load: the load disagrees
    /// with its own prediction and loses data.
    @Test func aLoadFromASourceCutsTextToTheColumnsLength() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, v3 varchar(3), c2 char(2));
            CREATE TABLE src (id int, v3 text, c2 text);
            INSERT INTO src VALUES (1, 'abcdef', 'x'), (2, '1234', 'xyz');
            """)
        let input = InputSource.table("\(db.schema).src")
        let report = try standby(db, input)
        #expect(!report.wouldLoad && report.columns.contains { $0.problem == .tooLong })
        let loaded = try? db.load("\(db.schema).fact", input: input)
        let stored = try db.values("SELECT * FROM fact ORDER BY id")
        #expect(loaded == nil, "the load committed \(String(describing: loaded?.inserted)) rows: \(stored)")
    }

    /// A source of another type is judged by its text (`CAST(col AS text)`, then the
    /// target's type), the load by its explicit cast, under default settings. A real 0.1 is
    /// float8 0.10000000149011612 to the load, missing from the parent and not backfillable,
    /// but 0.1 as text: validate says "would load", the load stops. The other way, float8
    /// 0.1+0.2 is numeric 0.3 to the load (present) but 0.30000000000000004 as text, and
    /// numeric 2.5 rounds to 3 but "does not convert": the load commits, validate says no.
    @Test func aSourceOfAnotherTypeIsJudgedByItsTextNotByTheLoadsCast() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE rate (r float8 PRIMARY KEY, label text NOT NULL);
            INSERT INTO rate VALUES (0.1, 'x');
            CREATE TABLE fact (id int PRIMARY KEY, r float8 REFERENCES rate);
            CREATE TABLE src (id int, r real);
            INSERT INTO src VALUES (1, 0.1);
            CREATE TABLE rate2 (r numeric PRIMARY KEY, label text NOT NULL);
            INSERT INTO rate2 VALUES (0.3, 'x');
            CREATE TABLE fact2 (id int PRIMARY KEY, r numeric REFERENCES rate2, n int);
            CREATE TABLE src2 (id int, r float8, n numeric);
            INSERT INTO src2 VALUES (1, 0.1::float8 + 0.2, 2.5);
            """)
        for (table, source) in [("fact", "src"), ("fact2", "src2")] {
            let input = InputSource.table("\(db.schema).\(source)")
            let loads = dryRunLoads(db, input, table: table)
            let report = try standby(db, input, table: table)
            #expect(report.wouldLoad == loads || !report.notExact.isEmpty,
                    "\(table): load \(loads), \(report.foreignKeys.map(\.samples)) \(report.columns.map(\.problem))")
        }
    }

    /// A target column named `_fkb_row` collides with the staging table's own row number:
    /// the load (and staged validate) stop with a bare 42701; the standby reads the query
    /// through the cursor and says "would load", `notExact` empty.
    @Test func aTargetColumnNamedLikeTheStagesRowNumberLoadsOnlyOnTheStandby() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (id int PRIMARY KEY, _fkb_row int)")
        let input = InputSource.query("SELECT 1 AS id, 7 AS _fkb_row")
        #expect(!dryRunLoads(db, input))
        let report = try? standby(db, input)
        #expect(report == nil || !report!.wouldLoad || !report!.notExact.isEmpty)
    }

    /// A SQL_ASCII database (which EncodingTests holds load and validate to) storing bytes
    /// that are not UTF-8, as legacy GBK data is: the primary stages and loads them as they
    /// are, but the cursor ships them to a UTF-8 client, and the FETCH stops with a bare
    /// 22021 "invalid byte sequence for encoding UTF8" (exit 3) on a read-only session.
    @Test func aSQLASCIIDatabasesOtherBytesStopTheFetch() throws {
        let db = try TestDatabase()
        let name = "\(db.schema)_ascii"
        try db.connection.execute("CREATE DATABASE \(ident: name) ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        defer { _ = try? db.connection.execute("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)") }
        let other = try Connection(ConnectionString(name), applicationName: db.schema)
        try other.executeScript(unsafeRaw: """
            CREATE TABLE org (code text PRIMARY KEY);
            INSERT INTO org VALUES (convert_from('\\xc4e3bac3', 'SQL_ASCII'));
            CREATE TABLE fact (id int PRIMARY KEY, org_code text REFERENCES org);
            CREATE TABLE src (id int, org_code text);
            INSERT INTO src SELECT 1, code FROM org;
            """)
        #expect((try? Loader(connection: other).run(table: "fact", input: .table("src"), options: { var o = LoadOptions(); o.dryRun = true; return o }())) != nil)
        let readOnly = try Connection(ConnectionString("dbname=\(name) options='-c default_transaction_read_only=on'"), applicationName: db.schema)
        withKnownIssue("a SQL_ASCII database's bytes that are not UTF-8 cannot reach the UTF-8 client the cursor fetches into") {
            let report = try Validator(connection: readOnly).run(table: "fact", input: .table("src"), options: ValidateOptions())
            #expect(report.wouldLoad && report.rows == 1)
        }
    }

    /// FETCH took 1,000 rows whatever their width, and the batch's 1 MiB limit only cut
    /// after them: 150 rows of 1 MiB were one fetch, 150 MiB held at once (343 MB peak
    /// measured for 300 such rows, against 29 MB staged on the primary; 136 MB for 3,000
    /// rows of 100 kB). Now a fetch takes what fits 1 MiB at the widest row seen. Here 100
    /// rows of 1 MiB (150 until make test's time ran short): one fetch of them all is 100 MiB.
    @Test func wideRowsAreFetchedAThousandAtATime() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (id int PRIMARY KEY, payload text)")
        let query = "SELECT g AS id, repeat('x', 1048576) AS payload FROM generate_series(1, 100) g"
        let (status, output, peak, _) = try cliValidate(db, table: "fact", query: query)
        #expect(status == 0, "\(status) \(output.prefix(300))")
        #expect(peak < 64, "peak \(peak) MiB")
    }

    /// The CLI validating `query`, `readOnly` (`default_transaction_read_only = on`, so it is
    /// read through the cursor) or staged, under GNU time: status, JSON, peak RSS in MiB (as
    /// PeakMemory), wall seconds.
    func cliValidate(_ db: TestDatabase, table: String, query: String, readOnly: Bool = true) throws -> (status: Int32, output: String, peakMiB: Int, seconds: Double) {
        let environment = ProcessInfo.processInfo.environment
        let binary = try #require(environment["FKBACKFILL_BIN"], "FKBACKFILL_BIN names the built CLI")
        let peakFile = try db.csvFile("")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", peakFile, binary, "validate", "\(db.schema).\(table)", "--query", query, "--format", "json"]
        var childEnvironment = environment
        if readOnly { childEnvironment["PGOPTIONS"] = "-c default_transaction_read_only=on" }
        process.environment = childEnvironment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let lastLine = try String(contentsOfFile: peakFile, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        let peak = (Int(lastLine.trimmingCharacters(in: .whitespaces)) ?? Int.max) / 1024
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), peak, seconds)
    }
}
