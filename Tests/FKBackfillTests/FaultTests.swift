import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Faults in the middle of a load: each leaves no parent and no fact row behind, and a
/// rerun succeeds.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct FaultTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    func schema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
    }

    /// The environment for a load whose session is named after the test's schema, so a
    /// test can find (and terminate) its own backend among parallel tests.
    func environment(_ db: TestDatabase) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PGAPPNAME"] = db.schema
        return env
    }

    /// Runs `fkbackfill load fact --csv` on its own thread; the result is its exit status.
    func startLoad(_ db: TestDatabase, csv: String) -> OwnThread<Int32> {
        let (binary, schema, env) = (self.binary, db.schema, environment(db))
        return OwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["load", "\(schema).fact", "--csv", csv]
            process.environment = env
            process.standardError = Pipe()
            process.standardOutput = Pipe()
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Waits until a statement matching `pattern` is active in the test's own load.
    func waitFor(_ db: TestDatabase, _ pattern: String) throws -> Bool {
        try db.waitUntilActive(application: db.schema, where: "a.query LIKE '\(pattern)' AND a.state <> 'idle'")
    }

    @Test func backendTerminatedMidCopyLeavesNothingAndARerunSucceeds() throws {
        let db = try TestDatabase()
        try schema(db)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["load", "\(db.schema).fact", "--csv", "-"]
        process.environment = environment(db)
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = Pipe()
        try process.run()
        // Send part of the file and keep the COPY open.
        stdin.fileHandleForWriting.write(Data("org_code,n\nG1,1\nG2,2\n".utf8))
        #expect(try waitFor(db, "COPY pg_temp.fkb_stage%"))
        try db.connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(bind: db.schema)")
        stdin.fileHandleForWriting.write(Data("G3,3\n".utf8))
        try? stdin.fileHandleForWriting.close()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 4, "\(message)")
        #expect(message.contains("lost the connection"))
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
        #expect(try db.load("fact", csv: "org_code,n\nG1,1\nG2,2\nG3,3\n").inserted == 3)
    }

    @Test func backendTerminatedMidBackfillLeavesNothing() throws {
        let db = try TestDatabase()
        try schema(db)
        // A slow default makes the parent insert a statement we can catch.
        try db.run("""
            CREATE FUNCTION \(db.schema).slow() RETURNS text LANGUAGE sql AS $$ SELECT pg_sleep(30)::text $$;
            ALTER TABLE org ADD COLUMN note text DEFAULT \(db.schema).slow();
            """)
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let load = startLoad(db, csv: csv)
        #expect(try waitFor(db, "WITH i AS (INSERT INTO \"\(db.schema)\".\"org\"%"))
        try db.connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(bind: db.schema)")
        let status = try load.wait().get()
        #expect(status == 4)
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
        try db.run("ALTER TABLE org ALTER COLUMN note DROP DEFAULT")
        #expect(try db.load("fact", csv: "org_code,n\nG1,1\n").inserted == 1)
    }

    @Test func statementTimeoutLeavesNothing() throws {
        let db = try TestDatabase()
        try schema(db)
        let env = ProcessInfo.processInfo.environment
        let conninfo = "host=\(env["PGHOST"] ?? "") port=\(env["PGPORT"] ?? "5432") dbname=\(env["PGDATABASE"] ?? "") "
            + "user=\(env["PGUSER"] ?? "") options='-c statement_timeout=300'"
        let result = try run(binary, ["load", "\(db.schema).fact", "--db", conninfo, "--query",
                                      "SELECT 'G' || n AS org_code, n FROM generate_series(1, 2) AS n, pg_sleep(5) AS s"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("canceling statement due to statement timeout"))
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
    }

    @Test func backendTerminatedMidInsertLeavesNothing() throws {
        let db = try TestDatabase()
        try schema(db)
        // A slow row trigger on the target keeps the fact insert running (and the check per-row).
        try db.run("""
            CREATE FUNCTION \(db.schema).slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$;
            CREATE TRIGGER fact_slow BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION \(db.schema).slow_row();
            """)
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let load = startLoad(db, csv: csv)
        #expect(try waitFor(db, "%INSERT INTO \"\(db.schema)\".\"fact\"%"))
        try db.connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(bind: db.schema)")
        #expect(try load.wait().get() == 4)
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
        try db.run("DROP TRIGGER fact_slow ON fact")
        #expect(try db.load("fact", csv: "org_code,n\nG1,1\n").inserted == 1)
    }

    @Test func unknownDatabaseAndWrongPasswordAreClearAndExitThree() throws {
        let env = ProcessInfo.processInfo.environment
        let port = env["PGPORT"] ?? "5432"
        let unknown = try run(binary, ["fks", "x", "--db", "host=\(env["PGHOST"] ?? "") port=\(port) dbname=no_such_database_here"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("database \"no_such_database_here\" does not exist"))
        #expect(unknown.stderr.split(separator: "\n").count == 2)  // the error line and the hint
        let wrong = try run(binary, ["fks", "x", "--db", "postgresql://postgres:not-the-password@127.0.0.1:\(port)/postgres"])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("password authentication failed"))
        #expect(!wrong.stderr.contains("not-the-password"))
    }
}
