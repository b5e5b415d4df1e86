import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The set-based FK check: used when safe, falls back when not, never lets an orphan in.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct FKCheckTests {
    func setup() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            INSERT INTO org VALUES ('G1', 'one');
            CREATE TABLE fact (org_code text CONSTRAINT f_org REFERENCES org, n int);
            """)
        return db
    }

    @Test func autoUsesSetBasedWhenSafe() throws {
        let db = try setup()
        let report = try db.load("fact", csv: "org_code,n\nG1,1\nG2,2\n")
        #expect(report.fkCheck == .setBased)
        #expect(report.fkCheckNote == nil)
        #expect(report.steps.map(\.name).contains("lock and verify stored rows"))
        #expect(try db.count("fact") == 2)
        #expect(try db.count("org") == 2)
        // Only the fact insert ran in replica mode.
        #expect(try db.values("SELECT current_setting('session_replication_role')") == [["origin"]])
    }

    /// The insert that reads the stored keys back runs with `work_mem` at least 64 MB and
    /// `hash_mem_multiplier` at least 4, so that its grouping hashes instead of sorting a
    /// million rows to disk (issue #23's cost); it never lowers what the session set, and
    /// sets nothing beyond the load's transaction. A DEFAULT of built-in code shows what
    /// the insert ran with.
    @Test func theStoredKeysInsertRaisesMemoryForItselfOnly() throws {
        let db = try setup()
        try db.run("""
            ALTER TABLE fact ADD COLUMN wm text DEFAULT pg_catalog.current_setting('work_mem'),
                ADD COLUMN hm text DEFAULT pg_catalog.current_setting('hash_mem_multiplier');
            SET work_mem = '1MB';
            SET hash_mem_multiplier = 1;
            """)
        let low = try db.load("fact", csv: "org_code,n\nG1,1\n")
        #expect(low.fkCheck == .setBased)
        #expect(try db.values("SELECT wm, hm FROM fact") == [["64MB", "4"]])
        #expect(try db.values("SELECT current_setting('work_mem'), current_setting('hash_mem_multiplier')") == [["1MB", "1"]])
        try db.run("TRUNCATE fact; SET work_mem = '256MB'; SET hash_mem_multiplier = 8;")
        let high = try db.load("fact", csv: "org_code,n\nG1,2\n")
        #expect(high.fkCheck == .setBased)
        #expect(try db.values("SELECT wm, hm FROM fact") == [["256MB", "8"]])
    }

    @Test func everyFailedPreconditionFallsBackToPerRow() throws {
        // A user trigger on the target.
        let triggered = try setup()
        try triggered.run("""
            CREATE FUNCTION \(triggered.schema).noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER fact_noop BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION \(triggered.schema).noop();
            """)
        let withTrigger = try triggered.load("fact", csv: "org_code,n\nG1,1\n")
        #expect(withTrigger.fkCheck == .perRow)
        #expect(withTrigger.fkCheckNote?.contains("trigger fact_noop") == true)
        // ENABLE ALWAYS triggers fire in replica mode too, where they could change the key
        // or write to a table whose own FK triggers are off: fallback too.
        try triggered.run("ALTER TABLE fact ENABLE ALWAYS TRIGGER fact_noop")
        let always = try triggered.load("fact", csv: "org_code,n\nG1,1\n")
        #expect(always.fkCheck == .perRow)
        #expect(always.fkCheckNote?.contains("trigger fact_noop (ENABLE ALWAYS)") == true)
        // A disabled trigger is no reason.
        try triggered.run("ALTER TABLE fact DISABLE TRIGGER fact_noop")
        #expect(try triggered.load("fact", csv: "org_code,n\nG1,1\n").fkCheck == .setBased)
        let explicit = try #require(throws: FKBackfillError.self) {
            try triggered.run("ALTER TABLE fact ENABLE TRIGGER fact_noop")
            _ = try triggered.load("fact", csv: "org_code,n\nG1,1\n") { $0.fkCheck = .setBased }
        }
        #expect(explicit.kind == .setBasedCheckUnsafe)
        #expect(explicit.category == .usage)

        // A rule on the target, which replica mode would not change but the check must not guess about.
        let ruled = try setup()
        try ruled.run("CREATE TABLE audit_log (n int); CREATE RULE fact_log AS ON INSERT TO fact DO ALSO INSERT INTO audit_log VALUES (NEW.n)")
        let withRule = try ruled.load("fact", csv: "org_code,n\nG1,1\n")
        #expect(withRule.fkCheck == .perRow)
        #expect(withRule.fkCheckNote?.contains("rule fact_log") == true)

        // What once forced per-row is now verified on the rows as stored (issue #23): an FK
        // declared on one partition only, a composite FK partly left to a DEFAULT, and a
        // target that references itself all load set-based, and PostgreSQL's FKs hold
        // (the orphan oracle checks each database at teardown).
        let partitioned = try TestDatabase()
        try partitioned.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (month date, org_code text) PARTITION BY RANGE (month);
            CREATE TABLE fact_2024 PARTITION OF fact FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            ALTER TABLE fact_2024 ADD CONSTRAINT f_2024_org FOREIGN KEY (org_code) REFERENCES org;
            INSERT INTO org VALUES ('G1');
            """)
        let onPartition = try partitioned.load("fact", csv: "month,org_code\n2024-03-01,G1\n")
        #expect(onPartition.fkCheck == .setBased, "\(onPartition.fkCheckNote ?? "")")


        // A composite FK the input sets only part of.
        let composite = try TestDatabase()
        try composite.run("""
            CREATE TABLE region (yr int, code text, PRIMARY KEY (yr, code));
            INSERT INTO region VALUES (2024, 'a');
            CREATE TABLE fact (yr int DEFAULT 2024, code text, CONSTRAINT f_region FOREIGN KEY (yr, code) REFERENCES region);
            """)
        let partly = try composite.load("fact", csv: "code\na\n")
        #expect(partly.fkCheck == .setBased, "\(partly.fkCheckNote ?? "")")
        #expect(try composite.count("fact") == 1)

        // A self-referencing target.
        let selfRef = try TestDatabase()
        try selfRef.run("CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node)")
        let tree = try selfRef.load("node", csv: "id,parent_id\n1,\n2,1\n")
        #expect(tree.fkCheck == .setBased, "\(tree.fkCheckNote ?? "")")
        #expect(try selfRef.count("node") == 2)

        // A role that may not set session_replication_role.
        let db = try setup()
        let role = "\(db.schema)_loader"
        try db.run("""
            CREATE ROLE \(role);
            GRANT USAGE, CREATE ON SCHEMA \(db.schema) TO \(role);
            GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA \(db.schema) TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let limited = try db.load("fact", csv: "org_code,n\nG3,3\n")
        #expect(limited.fkCheck == .perRow)
        #expect(limited.fkCheckNote?.contains("session_replication_role") == true)
        #expect(limited.inserted == 1)
    }

    /// A concurrent DELETE of a referenced parent: the load must wait for it (the test
    /// sees it waiting on that transaction's lock in pg_stat_activity, so the race really
    /// happened), then fail cleanly once the delete commits; no orphan, on either path.
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func concurrentDeleteOfAReferencedParentNeverLeavesAnOrphan(mode: FKCheckMode) async throws {
        let db = try setup()
        let schema = db.schema
        let tag = "race_\(schema)_\(mode.rawValue)"
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let deleter = try Connection()
        try deleter.execute("SET search_path TO \(ident: schema)")
        try deleter.execute("BEGIN")
        try deleter.execute("DELETE FROM org WHERE code = 'G1'")
        let deleterPID = try deleter.execute("SELECT pg_backend_pid() AS pid").rows[0].string("pid")
        // The load blocks inside libpq, so it gets a thread of its own rather than one of
        // the few threads of Swift's cooperative pool.
        let load = OwnThread {
            let connection = try Connection(applicationName: tag)
            try connection.execute("SET search_path TO \(ident: schema)")
            var options = LoadOptions()
            options.fkCheck = mode
            return try Loader(connection: connection).run(table: "fact", input: .csv(path: csv, options: CSVOptions()), options: options)
        }
        // Wait until the load is blocked by the deleter's transaction, and no longer.
        #expect(try db.waitUntilBlocked(application: tag, by: deleterPID), "the load never waited on the concurrent DELETE")
        try deleter.execute("COMMIT")
        let result = await load.result()
        let error = try #require(throws: FKBackfillError.self) { try result.get() }
        if mode == .setBased {
            #expect(error.kind == .foreignKeyViolations, "\(error)")
        } else {
            // PostgreSQL's own check refused it; the error names the row's line.
            #expect(error.kind == .rowRefused(line: 2), "\(error)")
        }
        #expect(try db.count("fact") == 0)
        #expect(try OrphanOracle.orphans(in: [schema], on: db.connection) == [])
    }
}
