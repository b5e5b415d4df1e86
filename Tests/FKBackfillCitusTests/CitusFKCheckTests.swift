import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What `session_replication_role` does on Citus, which decides the set-based path there
/// (docs/scale-out.md, FKCheck+Citus.swift). If Citus changes it, these fail first.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct CitusFKCheckTests {
    func orphanInsert(_ db: TestDatabase, _ s: String, settings: [String]) throws -> String? {
        try db.connection.execute("BEGIN")
        defer { _ = try? db.connection.execute("ROLLBACK") }
        for setting in settings { try db.connection.execute(SQL(unsafeRaw: setting)) }
        do {
            try db.connection.execute("INSERT INTO \(ident: s).fact (month, plan_code, amount) VALUES ('2024-11-01', 'NOPE', 1)")
            return nil
        } catch {
            return error.sqlState
        }
    }

    @Test func theCoordinatorsReplicaModeDoesNotReachTheWorkersUnlessPropagated() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("role")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: CitusCommandTests.referenceParents)
        // Origin: the shard's FK trigger on the worker refuses the orphan.
        #expect(try orphanInsert(db, s, settings: []) == "23503")
        // Replica mode on the coordinator only (what the set-based path does on plain
        // PostgreSQL): the workers' triggers still fire.
        #expect(try orphanInsert(db, s, settings: ["SELECT set_config('session_replication_role', 'replica', true)"]) == "23503")
        #expect(try orphanInsert(db, s, settings: ["SET LOCAL session_replication_role = replica"]) == "23503")
        // Propagated to the workers' sessions: the triggers are off there too.
        #expect(try orphanInsert(db, s, settings: [
            "SET LOCAL citus.propagate_set_commands = 'local'", "SET LOCAL session_replication_role = replica",
        ]) == nil)
        #expect(try db.count("\(s).fact") == 0)
        // The orphan oracle works on Citus: an orphan committed that way is found.
        try db.connection.execute("BEGIN")
        try db.connection.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        try db.connection.execute("SET LOCAL session_replication_role = replica")
        try db.connection.execute("INSERT INTO \(ident: s).fact (month, plan_code, amount) VALUES ('2024-11-01', 'NOPE', 1)")
        try db.connection.execute("COMMIT")
        #expect(try OrphanOracle.orphans(in: [s], on: db.connection) == ["fact_plan_code_fkey on \(s).fact: 1 rows"])
        try db.connection.execute("DELETE FROM \(ident: s).fact")
    }

    /// A load racing a DELETE of a parent it references, on a reference table: the load
    /// is seen waiting for the deleter, the DELETE commits, and the load fails the same
    /// way every time — set-based: its verify finds the key gone (the FOR KEY SHARE on the
    /// coordinator's copy waited for the DELETE, which writes every copy); per-row: the
    /// worker's FK trigger raises the violation. No orphan either way.
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func aConcurrentDeleteOfAReferenceParentNeverLeavesAnOrphan(mode: FKCheckMode) async throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("race")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: CitusCommandTests.referenceParents)
        let tag = "citus_race_\(s)"
        let csv = try db.csvFile("month,plan_code,region_code,org_code,amount\n2024-11-01,P1,R1,G1,1\n")
        let deleter = try Connection()
        try deleter.execute("BEGIN")
        try deleter.execute("DELETE FROM \(ident: s).org WHERE code = 'G1'")
        let deleterGPID = try deleter.execute("SELECT citus_backend_gpid() AS gpid").rows[0].string("gpid")
        let load = OwnThread {
            let connection = try Connection(applicationName: tag)
            var options = LoadOptions()
            options.fkCheck = mode
            return try Loader(connection: connection).run(table: "\(s).fact", input: .csv(path: csv, options: CSVOptions()), options: options)
        }
        // Where the load waits depends on the mode (its lock on the coordinator's copy of
        // org, or the FK trigger of a shard on a worker); Citus's view of lock waits across
        // the cluster sees both, by the deleter's global process id.
        let waited = try eventually(within: 20) {
            try db.count("citus_lock_waits w", "w.blocking_gpid = \(deleterGPID)") > 0
        }
        #expect(waited, "the load never waited on the concurrent DELETE")
        try deleter.execute("COMMIT")
        let result = await load.result()
        let error = try #require(throws: FKBackfillError.self) { try result.get() }
        if mode == .setBased {
            #expect(error.kind == .foreignKeyViolations, "\(error)")
        } else {
            // Citus relays the worker's 23503 from the shard COPY of an INSERT … SELECT as
            // XX000, with the worker's message.
            #expect(error.kind == .database(sqlState: SQLState.foreignKeyViolation) || error.kind == .database(sqlState: "XX000"), "\(error)")
            #expect(error.message.contains("violates foreign key constraint \"fact_org_code_fkey"), "\(error)")
        }
        #expect(try db.count("\(s).fact") == 0)
        try db.expectNoOrphans([s])
    }

    /// The set-based path on Citus, with the workers' triggers off, still stops a key no
    /// backfill creates: the rules skip the FK to org, so G9 is never inserted, and the
    /// verify on the coordinator's copy of org finds it. Nothing is written.
    @Test func theVerifyStopsWhatTheWorkersNoLongerCheck() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("verify")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: CitusCommandTests.referenceParents)
        let rules = TestFiles.url(suffix: ".yaml").path
        try "foreign_keys:\n  fact_org_code_fkey: { skip: true }\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let csv = try db.csvFile("month,plan_code,region_code,org_code,amount\n2024-11-01,P1,R1,G1,1\n2024-11-01,P2,R1,G9,2\n")
        let tables = ["region", "plan", "org", "fact"].map { "\(s).\($0)" }
        let before = try db.checksum(tables)
        for mode in ["set-based", "auto"] {
            let result = try Binary.run(["load", "\(s).fact", "--csv", csv, "--rules", rules, "--fk-check", mode])
            #expect(result.status == 1 && result.stderr.contains("1 rows violate fact_org_code_fkey"), "\(mode): \(result.stdout) \(result.stderr)")
        }
        #expect(try db.checksum(tables) == before)
        // Without the rule the same file loads, org G9 backfilled.
        #expect(try Binary.run(["load", "\(s).fact", "--csv", csv]).status == 0)
        #expect(try db.count("\(s).org") == 2)
        #expect(try db.count("\(s).fact") == 2)
        try db.expectNoOrphans([s])
    }
}

