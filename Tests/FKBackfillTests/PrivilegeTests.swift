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
            GRANT TEMPORARY ON DATABASE \(try db.values("SELECT current_database()")[0][0]!) TO \(role);
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
}
