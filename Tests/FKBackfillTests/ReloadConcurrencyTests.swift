import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Parallel loads of overlapping data: lined up behind one lock (the test sees all of
/// them waiting in pg_stat_activity), then released together.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct ReloadConcurrencyTests {
    /// Starts `count` loads of `csv` into `fact`, each on its own thread and connection,
    /// while `gate` holds SHARE on the target: every load waits on it before anything of
    /// its own is read. Returns once all are seen waiting, and the loads.
    func lineUp(
        _ db: TestDatabase, count: Int, tag: String, environment: String? = nil,
        csv: @escaping @Sendable (Int) -> String, configure: @escaping @Sendable (inout LoadOptions) -> Void
    ) throws -> (gate: Connection, loads: [OwnThread<LoadReport>]) {
        let schema = db.schema
        let gate = try Connection()
        try gate.execute("SET search_path TO \(ident: schema)")
        try gate.execute("BEGIN")
        try gate.execute("LOCK TABLE fact IN SHARE MODE")
        let loads = (0..<count).map { index in
            OwnThread { () throws -> LoadReport in
                let connection = try Connection(applicationName: tag)
                try connection.execute("SET search_path TO \(ident: schema)")
                if let environment { try connection.execute(SQL(unsafeRaw: environment)) }
                var options = LoadOptions()
                configure(&options)
                let path = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/\(tag)-\(index).csv").path
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try csv(index).write(toFile: path, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: path) }
                return try Loader(connection: connection).run(table: "fact", input: .csv(path: path, options: CSVOptions()), options: options)
            }
        }
        return (gate, loads)
    }

    @Test(arguments: ["SET default_transaction_isolation = 'read committed'", "SET default_transaction_isolation = 'repeatable read'"],
          [false, true])
    func parallelReloadsLeaveExactlyOneCopy(isolation: String, exclusive: Bool) async throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (month date, org_code text REFERENCES org, n int);
            """)
        let tag = "reload_\(db.schema)_\(exclusive)"
        let month = "month,org_code,n\n" + (1...50).map { "2024-11-01,G\($0 % 7),\($0)" }.joined(separator: "\n") + "\n"
        let (gate, loads) = try lineUp(db, count: 4, tag: tag, environment: isolation, csv: { _ in month }) {
            $0.replaceBy = ["month"]
            $0.exclusive = exclusive
        }
        #expect(try db.waitUntilBlocked(application: tag, count: 4), "the four loads never waited together")
        try gate.execute("COMMIT")
        for load in loads {
            let report = try await load.result().get()
            #expect(report.inserted == 50)
        }
        #expect(try db.count("fact") == 50)
        #expect(try db.count("org") == 7)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// Eight fill-null-only loads updating the same parents in different orders: they
    /// wait for each other in key order instead of deadlocking.
    @Test func parallelFillNullOnlyLoadsNeverDeadlock() async throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text, region text);
            INSERT INTO org (code) SELECT 'G' || i FROM generate_series(1, 40) AS i;
            CREATE TABLE fact (org_code text REFERENCES org, name text, region text);
            """)
        let tag = "fill_\(db.schema)"
        let (gate, loads) = try lineUp(db, count: 8, tag: tag, csv: { index in
            // Each load names the same parents, in its own order.
            let codes = (1...40).map { ($0 * (index * 2 + 3)) % 41 }.filter { $0 > 0 }
            return "org_code,name,region\n" + codes.map { "G\($0),name\(index),region\(index)" }.joined(separator: "\n") + "\n"
        }) { $0.mode = .fillNullOnly }
        #expect(try db.waitUntilBlocked(application: tag, count: 8), "the eight loads never waited together")
        try gate.execute("COMMIT")
        for load in loads {
            let result = await load.result()
            #expect((try? result.get()) != nil, "\(result)")
        }
        #expect(try db.count("org", "name IS NULL OR region IS NULL") == 0)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }
}
