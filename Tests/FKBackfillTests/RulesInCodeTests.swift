import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Rules built in Swift code, through the public API only (this target does not use
/// `@testable`), load exactly like the same rules parsed from YAML.
@Suite struct RulesInCodeTests {
    @Test func rulesBuiltInCodeLoadLikeParsedOnes() throws {
        var built = Rules(file: "pipeline")
        built.blank = BlankRule(markers: ["(空白)"], onBlank: .null)
        built.tables = [TableRule(
            name: "plan", columns: [
                ColumnRule(column: "name", source: .from(column: "plan_name", pick: .first)),
                ColumnRule(column: "kind", source: .value("auto")),
                ColumnRule(column: "biggest", source: .from(column: "org", pick: .maxBy("amount"))),
            ], marks: [MarkRule(column: "source", value: "fkbackfill")])]
        let parsed = try RulesParser.parse("""
            blank: { markers: ['(空白)'], on_blank: "null" }
            tables:
              plan:
                columns:
                  name: { from: plan_name, pick: first }
                  kind: { value: auto }
                  biggest: { from: org, pick: { max_by: amount } }
                mark:
                  source: fkbackfill
            """, file: "rules.yaml")
        var tables: [[[String?]]] = []
        for rules in [built, parsed] {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE plan (code text PRIMARY KEY, name text, kind text, biggest text, source text);
                CREATE TABLE fact (plan_code text REFERENCES plan, plan_name text, org text, amount int);
                """)
            let report = try db.load("fact", csv: "plan_code,plan_name,org,amount\nP1,One,A,1\nP1,Uno,B,5\n(空白),x,C,2\n") {
                $0.rules = rules
            }
            #expect(report.inserted == 3)
            tables.append(try db.values("SELECT code, name, kind, biggest, source FROM plan ORDER BY code"))
        }
        #expect(tables[0] == [["P1", "One", "auto", "B", "fkbackfill"]])
        #expect(tables[0] == tables[1])
    }
}
