import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What a plain role may not do is found before anything is written: the set-based check
/// falls back where the role could not make it exact, and a missing grant is a GRANT line.
@Suite struct RoleTests {
    /// Creates a role for the test, runs `grants` (with `ROLE` standing for its name) and
    /// switches the test's connection to it; `cleanup` undoes all of it.
    ///
    /// The first `GRANT SET ON PARAMETER` of a parameter inserts its `pg_parameter_acl` row,
    /// and dropping the last grantee deletes it: two tests doing either at once collide on
    /// that row's unique index (seen in CI). So grants and drops take a session advisory
    /// lock, released only after their transaction committed.
    func role(_ db: TestDatabase, _ suffix: String, _ grants: String) throws -> (name: String, cleanup: () -> Void) {
        let name = "\(db.schema)_\(suffix)"
        try db.run("SELECT pg_advisory_lock(2324)")
        defer { _ = try? db.connection.execute("SELECT pg_advisory_unlock(2324)") }
        try db.run("CREATE ROLE \(name); GRANT USAGE ON SCHEMA \(db.schema) TO \(name); "
            + grants.replacingOccurrences(of: "ROLE", with: name))
        try db.run("SET ROLE \(name)")
        return (name, {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.execute("SELECT pg_advisory_lock(2324)")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(name); DROP ROLE \(name)")
            _ = try? db.connection.execute("SELECT pg_advisory_unlock(2324)")
        })
    }

    /// A parent row hidden by row-level security from the role is still there for
    /// PostgreSQL's own FK check: the load must accept the row, as per-row does. (The FK
    /// is not backfilled here: a backfill cannot see a hidden key either, tries to insert
    /// it, and the policy refuses that insert; an error, never an orphan.)
    @Test(arguments: [FKCheckMode.auto, .setBased])
    func rowLevelSecurityOnAParentMeansPerRow(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY); INSERT INTO org VALUES ('HIDDEN'), ('SEEN');
            ALTER TABLE org ENABLE ROW LEVEL SECURITY;
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let (name, cleanup) = try role(db, "rls", """
            CREATE POLICY seen ON org FOR ALL TO ROLE USING (code <> 'HIDDEN') WITH CHECK (true);
            GRANT SELECT, INSERT, UPDATE ON org, fact TO ROLE; GRANT SET ON PARAMETER session_replication_role TO ROLE
            """)
        defer { cleanup() }
        _ = name
        let rules = try RulesParser.parse("foreign_keys:\n  fact_org_code_fkey: { skip: true }\n", file: "rules.yaml")
        if mode == .setBased {
            let error = try #require(throws: FKBackfillError.self) {
                _ = try db.load("fact", csv: "org_code,n\nHIDDEN,1\nSEEN,2\n") {
                    $0.fkCheck = .setBased
                    $0.rules = rules
                }
            }
            #expect(error.kind == .setBasedCheckUnsafe)
            #expect(error.details.contains { $0.contains("row-level security") }, "\(error.details)")
        } else {
            let report = try db.load("fact", csv: "org_code,n\nHIDDEN,1\nSEEN,2\n") { $0.rules = rules }
            #expect(report.fkCheck == .perRow)
            #expect(report.fkCheckNote?.contains("row-level security applies to") == true, "\(report.fkCheckNote ?? "")")
            #expect(report.inserted == 2)
        }
        try db.run("RESET ROLE")
        #expect(try db.count("org") == 2)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// `FOR KEY SHARE` needs UPDATE on the parent: a role that may insert but not lock
    /// gets PostgreSQL's own check (whose triggers run as the table owner), not an error
    /// after the parents were written.
    @Test func aRoleThatMayNotLockParentsGetsPerRow() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org, n int)")
        let (_, cleanup) = try role(db, "nolock", """
            GRANT SELECT, INSERT ON org, fact TO ROLE; GRANT SET ON PARAMETER session_replication_role TO ROLE
            """)
        defer { cleanup() }
        let report = try db.load("fact", csv: "org_code,n\nG1,1\n")
        #expect(report.fkCheck == .perRow)
        #expect(report.fkCheckNote?.contains("may not lock rows of") == true, "\(report.fkCheckNote ?? "")")
        #expect(report.inserted == 1)
        let refused = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,n\nG2,1\n") { $0.fkCheck = .setBased }
        }
        #expect(refused.kind == .setBasedCheckUnsafe)
    }

    /// A `--reject-table` to be created needs CREATE on its schema: said up front, as a
    /// GRANT, with nothing written, not found after the parents were inserted.
    @Test func aRejectTableTheRoleCannotCreateIsReportedFirst() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org, n int)")
        let (name, cleanup) = try role(db, "norejects", "GRANT SELECT, INSERT, UPDATE ON org, fact TO ROLE")
        defer { cleanup() }
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,n\nG1,1\nG2,x\n") {
                $0.maxRejects = 1
                $0.rejectTable = "rejects"
            }
        }
        #expect(error.kind == .missingPrivileges)
        #expect(error.details == ["GRANT CREATE ON SCHEMA \"\(db.schema)\" TO \"\(name)\";"], "\(error.details)")
        try db.run("RESET ROLE")
        #expect(try db.count("org") == 0)
    }

    /// No TEMPORARY on the database: a GRANT line before anything runs, not the server's
    /// raw error from the first temporary table. (A database of its own, so that
    /// revoking TEMPORARY from PUBLIC touches no other test.)
    @Test func withoutTemporaryTheGrantIsNamed() throws {
        let db = try TestDatabase()
        let csv = try db.csvFile("org_code\nG1\n")
        try db.withoutTemporary(grants: "GRANT SELECT, INSERT, UPDATE ON org, fact TO %ROLE%;") { connection, database, name in
            let error = try #require(throws: FKBackfillError.self) {
                _ = try Loader(connection: connection).run(table: "public.fact", input: .csv(path: csv, options: CSVOptions()), options: LoadOptions())
            }
            #expect(error.kind == .missingPrivileges)
            #expect(error.details == ["GRANT TEMPORARY ON DATABASE \"\(database)\" TO \"\(name)\";"], "\(error.details)")
        }
    }
}
