import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Parallel loads on Citus: lined up behind one lock on the coordinator (seen waiting in
/// pg_stat_activity), released together, and every one must commit.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct CitusConcurrencyTests {
    /// Load `index`'s month of facts: the same month for all (so `--replace-by` must leave
    /// one copy), new plans and regions overlapping with the next load's.
    static func csv(_ index: Int) -> String {
        "month,plan_code,region_code,org_code,amount\n" + (0..<10).map { row in
            let plan = index * 2 + row % 4 + 2
            return "2024-11-01,P\(plan),R\(plan / 3),G\((index + row) % 3 + 1),\(row)"
        }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [CitusCommandTests.referenceParents, CitusCommandTests.colocatedParent])
    func fourParallelReloadsWithOverlappingNewKeys(layout: String) async throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("conc")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: layout)
        let tag = "citus_reload_\(s)"
        let gate = try Connection()
        try gate.execute("BEGIN")
        try gate.execute("LOCK TABLE \(ident: s).fact IN SHARE MODE")
        let loads = (0..<4).map { index in
            OwnThread { () throws -> LoadReport in
                let connection = try Connection(applicationName: tag)
                var options = LoadOptions()
                options.replaceBy = ["month"]
                let path = TestFiles.url(suffix: ".csv").path
                try Self.csv(index).write(toFile: path, atomically: true, encoding: .utf8)
                return try Loader(connection: connection).run(table: "\(s).fact", input: .csv(path: path, options: CSVOptions()), options: options)
            }
        }
        // The overlap is observed, not assumed: all four wait on the gate's lock together.
        let lined = try eventually(within: 20) {
            try db.count("pg_stat_activity a", "a.application_name = '\(tag)' AND a.wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(a.pid)) > 0") >= 4
        }
        #expect(lined, "the four loads never waited together")
        try gate.execute("COMMIT")
        var deleted = 0
        for load in loads {
            let report = try await load.result().get()
            #expect(report.inserted == 10)
            deleted += report.deleted
        }
        #expect(deleted == 30, "each reload but the first replaced the previous one's 10 rows")
        let plans = Set((0..<4).flatMap { index in (0..<10).map { index * 2 + $0 % 4 + 2 } })
        #expect(try db.count("\(s).fact") == 10)
        #expect(try db.count("\(s).plan") == plans.count + 1)
        #expect(try db.count("\(s).region") == Set(plans.map { $0 / 3 }).union([1]).count)
        #expect(try db.count("\(s).org") == 3)
        try db.expectNoOrphans([s])
    }
}
