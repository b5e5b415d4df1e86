import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The report's step times add up to the run (issue #25: "report each step's time in the
/// JSON report"): the first step, "read catalog", counts from the start of the run, so
/// what a small load pays before staging (the session's checks, the catalog read, the
/// plan, the target's lock) shows in it rather than in no step at all.
@Suite(.timeLimit(.minutes(5))) struct StepTimeTests {
    /// A load held at the target's lock by another session, before it stages anything:
    /// the test releases it only once PostgreSQL reports it waiting for half a second, and
    /// that half second must be in the first step's time (it was not: the clock started
    /// after the catalog read and the lock, and the step said 0.00 s).
    ///
    /// Synchronous on purpose: an `await` here hands the rest of the test back to the
    /// cooperative pool, behind every test Swift Testing has queued, and on two cores it
    /// waited there past the time limit (CI, stop 47).
    @Test func theFirstStepCountsTheWaitBeforeStaging() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (month date, org_code text REFERENCES org, n int);
            """)
        let schema = db.schema
        let tag = "steps_\(schema)"
        let gate = try Connection()
        try gate.execute("SET search_path TO \(ident: schema)")
        try gate.execute("BEGIN")
        try gate.execute("LOCK TABLE fact IN SHARE MODE")
        let path = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/\(tag).csv").path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "month,org_code,n\n2024-11-01,G1,1\n2024-11-01,G2,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let load = OwnThread { () throws -> LoadReport in
            let connection = try Connection(applicationName: tag)
            try connection.execute("SET search_path TO \(ident: schema)")
            return try Loader(connection: connection).run(table: "fact", input: .csv(path: path, options: CSVOptions()), options: LoadOptions())
        }
        let waited = try db.waitUntilActive(
            application: tag, where: "a.wait_event_type = 'Lock' AND pg_catalog.clock_timestamp() - a.query_start >= interval '0.5 s'")
        try gate.execute("COMMIT")
        #expect(waited, "the load was never seen waiting on the target's lock for half a second")
        let report = try load.wait().get()
        #expect(report.inserted == 2)
        let first = try #require(report.steps.first)
        #expect(first.name == "read catalog")
        #expect(first.seconds >= 0.5, "the wait before staging is missing from the first step: \(report.steps)")
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }
}
