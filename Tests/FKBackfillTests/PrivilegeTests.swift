import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The privilege check before anything is written.
@Suite struct PrivilegeTests {
    @Test func missingGrantsAreReportedAtOnceAsGrantStatements() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_limited"
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE product (code text PRIMARY KEY);
            INSERT INTO product VALUES ('X1');
            CREATE TABLE fact (org_code text REFERENCES org, product_code text REFERENCES product, n int);
            CREATE ROLE \(role);
            GRANT USAGE ON SCHEMA \(db.schema) TO \(role);
            GRANT SELECT ON product TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let everything = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,product_code,n\nG1,X1,1\n") { $0.replaceBy = ["n"] }
        }
        #expect(everything.kind == .missingPrivileges)
        #expect(everything.category == .database)
        #expect(everything.message == "the current role lacks privileges this run needs, nothing was written")
        #expect(everything.details == [
            "GRANT SELECT, INSERT ON \"\(db.schema)\".\"org\" TO \"\(role)\";",
            "GRANT SELECT, INSERT, DELETE ON \"\(db.schema)\".\"fact\" TO \"\(role)\";",
            "GRANT INSERT ON \"\(db.schema)\".\"product\" TO \"\(role)\";",
        ])
        // With reading and the fact insert granted, only the parent that gets rows needs INSERT.
        try db.run("""
            RESET ROLE;
            GRANT SELECT ON org TO \(role);
            GRANT SELECT, INSERT ON fact TO \(role);
            SET ROLE \(role);
            """)
        let parents = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "org_code,product_code,n\nG1,X1,1\n") }
        #expect(parents.kind == .missingPrivileges)
        #expect(parents.details == ["GRANT INSERT ON \"\(db.schema)\".\"org\" TO \"\(role)\";"])
        // No new keys, no INSERT needed on the parents.
        try db.run("RESET ROLE; INSERT INTO org VALUES ('G1'); SET ROLE \(role);")
        #expect(try db.load("fact", csv: "org_code,product_code,n\nG1,X1,1\n").inserted == 1)
    }

    /// Issue #23, break 7: a new parent row's DEFAULT takes a sequence value and calls a
    /// function; the target's CHECK calls another. Without USAGE and EXECUTE the load
    /// would fail at its first write (exit 3); instead the grants are named up front.
    @Test func sequencesAndFunctionsTheNewRowsUseAreGranted() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_coder"
        let s = db.schema
        try db.run("""
            CREATE SEQUENCE org_no;
            CREATE FUNCTION label() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'new' $$;
            CREATE FUNCTION positive(n int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT n > 0 $$;
            REVOKE EXECUTE ON FUNCTION label(), positive(int) FROM PUBLIC;
            CREATE TABLE org (code text PRIMARY KEY, no bigint DEFAULT nextval('org_no'), name text DEFAULT label());
            CREATE TABLE fact (org_code text REFERENCES org, n int CHECK (positive(n)));
            CREATE ROLE \(role);
            GRANT USAGE ON SCHEMA \(s) TO \(role);
            GRANT SELECT, INSERT ON org, fact TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,n\nG1,1\n") { $0.fkCheck = .perRow }
        }
        #expect(error.kind == .missingPrivileges, "\(error)")
        #expect(error.details.contains("GRANT EXECUTE ON FUNCTION \(s).positive(integer) TO \"\(role)\";"), "\(error.details)")
        try db.run("RESET ROLE; GRANT EXECUTE ON FUNCTION positive(int) TO \(role); SET ROLE \(role)")
        let parents = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,n\nG1,1\n") { $0.fkCheck = .perRow }
        }
        #expect(parents.kind == .missingPrivileges, "\(parents)")
        #expect(Set(parents.details) == [
            "GRANT USAGE ON SEQUENCE \(s).org_no TO \"\(role)\";",
            "GRANT EXECUTE ON FUNCTION \(s).label() TO \"\(role)\";",
        ], "\(parents.details)")
        try db.run("RESET ROLE; GRANT USAGE ON SEQUENCE org_no TO \(role); GRANT EXECUTE ON FUNCTION label() TO \(role); SET ROLE \(role)")
        #expect(try db.load("fact", csv: "org_code,n\nG1,1\n") { $0.fkCheck = .perRow }.inserted == 1)
        #expect(try db.values("SELECT name, no FROM org") == [["new", "1"]])
    }
}
