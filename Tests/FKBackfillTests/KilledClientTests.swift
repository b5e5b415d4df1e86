import FKBackfill
import Foundation
import Testing
import TestSupport

/// `kill -9` of the client mid-run: its backend must notice the dead connection and end
/// within 3 seconds (the session sets client_connection_check_interval), releasing its
/// row and advisory locks, instead of running its statement to the end.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct KilledClientTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test(arguments: ["org", "fact"])
    func theBackendEndsSoonAfterTheClientIsKilled(sleepingTable: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$;
            CREATE TRIGGER slow BEFORE INSERT ON \(sleepingTable) FOR EACH ROW EXECUTE FUNCTION slow();
            """)
        let tag = "killed_\(db.schema)_\(sleepingTable)"
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["load", "\(db.schema).fact", "--csv", csv, "--exclusive"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PGAPPNAME": tag]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Mid-backfill (the org trigger sleeps) or mid-insert (the fact trigger sleeps).
        let sleeping = try db.waitUntilActive(application: tag, where: "a.wait_event = 'PgSleep'")
        #expect(sleeping, "the load never reached the sleeping trigger")
        let pid = try #require(try db.values(
            "SELECT pid::text FROM pg_stat_activity WHERE application_name = '\(tag)' AND wait_event = 'PgSleep'").first?.first ?? nil)
        // It holds the load's advisory lock (--exclusive) and row locks while it sleeps.
        #expect(try db.count("pg_locks", "pid = \(pid) AND locktype = 'advisory'") == 1)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let gone = try eventually(within: 3) { try db.count("pg_stat_activity", "pid = \(pid)") == 0 }
        #expect(gone, "the backend still ran 3 s after its client was killed")
        #expect(try db.count("pg_locks", "pid = \(pid)") == 0)
        #expect(try db.count("fact") == 0 && db.count("org") == 0)
    }
}
