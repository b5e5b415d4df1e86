@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 22: DEFAULTs the tool computed outside the insert (a VOLATILE built-in,
/// a domain's DEFAULT calling the user's code), a VOLATILE DEFAULT taken for one value
/// every new row shares, an FK between columns of two collations, and column privileges.
@Suite(.timeLimit(.minutes(30))) struct HostileReview22Tests {
    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    /// Session-level advisory locks this connection holds: a DEFAULT that takes one, run
    /// outside an insert, leaves it behind (a rollback does not release it).
    func advisoryLocks(_ db: TestDatabase) throws -> Int {
        Int(try db.values("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")[0][0] ?? "") ?? -1
    }

    /// A NOT NULL column's DEFAULT that calls a VOLATILE built-in (one a plain role may
    /// give its own table: `set_config('search_path', 'evil, pg_catalog', false)` repointed
    /// the tool's session) is not computed by validate or audit: the list of volatile names
    /// missed it, and PostgreSQL records no dependency on a built-in. Here the call takes
    /// an advisory lock, which outlives the rollback: before, validate and audit took it.
    @Test func aVolatileBuiltInDefaultIsNotComputedOutsideTheInsert() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE note (id int PRIMARY KEY, flag boolean NOT NULL DEFAULT pg_catalog.pg_try_advisory_lock(22022));
            CREATE TABLE plan (code text PRIMARY KEY, flag boolean NOT NULL DEFAULT pg_catalog.pg_try_advisory_lock(22023));
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            """)
        _ = try Validator(connection: db.connection).run(table: "\(db.schema).note", input: try csv(db, "id\n1\n"), options: ValidateOptions())
        _ = try Auditor(connection: db.connection).run(.table("\(db.schema).fact"))
        #expect(try advisoryLocks(db) == 0)
        // The load's insert runs it, as PostgreSQL does.
        #expect(try db.load("fact", csv: "id,plan\n1,P1\n").inserted == 1)
        #expect(try db.values("SELECT flag FROM plan") == [["t"]])
        _ = try db.values("SELECT pg_advisory_unlock_all()")
    }

    /// A NOT NULL DEFAULT calling the user's function (`created_by DEFAULT app.uid()`),
    /// a column's own or its domain's: the tool does not run it (its body finds its names
    /// on the user's path; a domain's was run when its name did not look like `schema.f(`),
    /// so the staged validate tries the insert and the standby names it. Before, both said
    /// would load where the load fails on the NULL.
    @Test func aDefaultOfTheUsersCodeIsTriedOrNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE FUNCTION "uid$now"() RETURNS text LANGUAGE sql STABLE AS 'SELECT NULL::text';
            CREATE DOMAIN stamp AS text NOT NULL DEFAULT "uid$now"();
            CREATE TABLE note (id int PRIMARY KEY, by_domain stamp);
            CREATE TABLE memo (id int PRIMARY KEY, by_column text NOT NULL DEFAULT "uid$now"());
            CREATE TABLE plan (code text PRIMARY KEY, created_by text NOT NULL DEFAULT "uid$now"());
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            """)
        for (table, column, text) in [("note", "by_domain", "id\n1\n"), ("memo", "by_column", "id\n1\n"), ("fact", "created_by", "id,plan\n1,P1\n")] {
            #expect(throws: FKBackfillError.self) { try db.load(table, csv: text) }
            let reports = try db.validateBothWays(table, input: try csv(db, text))
            #expect(reports[0].prediction?.wouldLoad == false, "\(table)")
            #expect(reports[1].notExact.contains { $0.contains("left to a DEFAULT that calls the user's code (\(column))") }, "\(table): \(reports[1].notExact)")
        }
        try db.run("CREATE OR REPLACE FUNCTION \"uid$now\"() RETURNS text LANGUAGE sql STABLE AS 'SELECT ''etl''::text'")
        #expect(try db.predict("\(db.schema).fact", csv: "id,plan\n1,P1\n").wouldLoad)
        #expect(try db.load("fact", csv: "id,plan\n1,P1\n").inserted == 1)
    }

    /// `public_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE`: each new row gets its
    /// own. The standby and the audit took it for one value all new rows share and called
    /// the keys unfixable; the load takes them. A constant DEFAULT there still clashes.
    @Test func aVolatileDefaultGivesEachNewRowItsOwn() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, public_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE);
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            CREATE TABLE tier (code text PRIMARY KEY, label text NOT NULL DEFAULT 'new' UNIQUE);
            CREATE TABLE fact2 (id int PRIMARY KEY, tier text REFERENCES tier);
            """)
        for report in try db.validateBothWays("fact", input: try csv(db, "id,plan\n1,A\n2,B\n")) {
            #expect(report.wouldLoad, "\(report.notExact)")
        }
        let audit = try Auditor(connection: db.connection).run(.table("\(db.schema).fact"))
        #expect(!audit.foreignKeys.isEmpty && audit.foreignKeys.allSatisfy { $0.status == .auto }, "\(audit.foreignKeys.map(\.reasons))")
        #expect(try db.load("fact", csv: "id,plan\n1,A\n2,B\n").inserted == 2)
        for report in try db.validateBothWays("fact2", input: try csv(db, "id,tier\n1,A\n2,B\n")) {
            #expect(!report.wouldLoad)
        }
    }

    /// An FK between columns of two collations, "C" and "en-x-icu" (PostgreSQL takes it
    /// where both are deterministic, and compares under the referenced column's): every
    /// load of it failed with SQLSTATE 42P22 (no collation to compare or hash under) where
    /// validate said would load. The comparisons name the referenced column's collation.
    @Test func keysOfAnotherCollationCompareUnderTheReferencedOnes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (code text COLLATE "C" PRIMARY KEY);
            INSERT INTO region VALUES ('eu');
            CREATE TABLE store (a text COLLATE "C", b text COLLATE "en-x-icu", PRIMARY KEY (a, b));
            CREATE TABLE fact (id int PRIMARY KEY, region text COLLATE "en-x-icu" REFERENCES region,
                               a text COLLATE "en-x-icu", b text COLLATE "C", FOREIGN KEY (a, b) REFERENCES store);
            """)
        let text = "id,region,a,b\n1,eu,x,Y\n2,EU,X,y\n3,eu,x,Y\n"
        for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact)") }
        let report = try db.load("fact", csv: text)
        #expect(report.inserted == 3)
        #expect(try db.values("SELECT code FROM region ORDER BY code COLLATE \"C\"") == [["EU"], ["eu"]])
        #expect(try db.count("store") == 2)
    }

    /// Column privileges are what PostgreSQL checks on an INSERT and a SELECT: a role
    /// granted `SELECT (code), INSERT (code, label)` on a parent backfills it; the load
    /// refused it for want of the table's. Without INSERT on a column the new rows take,
    /// the load still stops before writing.
    @Test func columnPrivilegesAreEnough() throws {
        let db = try TestDatabase()
        try db.underColumnGrants(insert: "code") { role in
            let text = "id,plan,label\n1,A,x\n2,B,y\n"
            let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: text) }
            #expect(error?.kind == .missingPrivileges)
            #expect(error?.details == ["GRANT INSERT ON \"\(db.schema)\".\"plan\" TO \"\(role)\";"])
            try db.run("RESET ROLE; GRANT INSERT (label) ON plan TO \(role); SET ROLE \(role);")
            #expect(try db.load("fact", csv: text).inserted == 2)
            try db.run("RESET ROLE")
            #expect(try db.values("SELECT code, label, secret FROM plan ORDER BY code") == [["A", "a", "s"], ["B", "y", nil]])
        }
    }

    /// Row-level security on the target for the loading role (its owner, under FORCE ROW
    /// LEVEL SECURITY): a policy's WITH CHECK refuses a fact row at the insert. The staged
    /// validate said would load with nothing named; it tries the insert now, and the
    /// standby names the policies whether or not the target has a unique key.
    @Test func aTargetPolicysWithCheckIsTriedOrNamed() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_rls"
        try db.run("""
            CREATE ROLE \(role) LOGIN;
            GRANT USAGE, CREATE ON SCHEMA \(db.schema) TO \(role);
            SET ROLE \(role);
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan text REFERENCES plan, amount int);
            ALTER TABLE fact ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY seen ON fact FOR SELECT USING (true);
            CREATE POLICY positive ON fact FOR INSERT WITH CHECK (amount >= 0);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let text = "plan,amount\nA,5\nB,-1\n"
        #expect(throws: FKBackfillError.self) { try db.load("fact", csv: text) }
        #expect(try !db.predict("\(db.schema).fact", csv: text).wouldLoad)
        try Standby.waitForReplay(of: db.connection, on: try Standby.connect())
        let report = try Validator(connection: try Standby.connect(user: role)).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(report.notExact.contains("row-level security on \(db.schema).fact applies to this role: its policies' WITH CHECK on the rows are not evaluated"),
                "\(report.notExact)")
        #expect(try db.load("fact", csv: "plan,amount\nA,5\n").inserted == 1)
    }
}
