import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A rule on a parent's self-referencing column: the new rows' own parent comes from the
/// rule, and is backfilled too.
@Suite struct SelfReferenceRuleTests {
    @Test(arguments: ["{ value: ELEC }", "{ sql: \"'ELEC'\" }"])
    func aRuleOnASelfReferencingColumnLoads(rule: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE category (code text PRIMARY KEY, parent_category text REFERENCES category);
            CREATE TABLE product (sku text PRIMARY KEY, category_code text NOT NULL REFERENCES category);
            """)
        let rules = try RulesParser.parse("tables:\n  category:\n    columns:\n      parent_category: \(rule)\n", file: "rules.yaml")
        let report = try db.load("product", csv: "sku,category_code\nS1,TV\nS2,PHONE\n") { $0.rules = rules }
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT code, parent_category FROM category ORDER BY code")
            == [["ELEC", "ELEC"], ["PHONE", "ELEC"], ["TV", "ELEC"]] || db.values("SELECT code, parent_category FROM category ORDER BY code")
            == [["ELEC", nil], ["PHONE", "ELEC"], ["TV", "ELEC"]])
    }
}
