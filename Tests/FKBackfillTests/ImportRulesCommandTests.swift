import FKBackfill
import Foundation
import Testing
import TestSupport

/// `fkbackfill import-rules` as a user runs it, and `optional:` in a real load.
@Suite struct ImportRulesCommandTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test func writesTheFileListsWhatNeedsAHumanAndExitsOne() throws {
        let (db, mapping, business) = try ImportRulesTests.annuity()
        let config = try db.csvFile(ImportRulesTests.legacyExample
            .replacingOccurrences(of: "target_schema: \"mapping\"", with: "target_schema: \"\(mapping)\""))
        let output = config + ".rules.yaml"
        // --db with only an application name: the rest comes from the PG* variables of `make test`.
        let result = try run(binary, ["import-rules", config, "--domain", "annuity_performance", "--table", "\(business).规模明细",
                                      "--db", "application_name=fkb_import_test", "-o", output])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("fkbackfill: 1 derivation needs a human (commented out in the rules):\n"
            + "  - \(config):150:21: \(mapping).年金客户._source (from 计划代码): lambda code of no known shape\n"))
        #expect(result.stderr.contains("fkbackfill: note: depends_on disagrees"))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("relations:\n  - from: \"\(business).规模明细 (客户名称)\"   # fk_customer: the database declares no such FK"))
        // The file is a normal rules file: `validate` takes it.
        let validate = try run(binary, ["validate", "\(business).规模明细", "--rules", output])
        #expect(validate.status == 0, "\(validate.stderr)\(validate.stdout)")
    }

    @Test func withoutADatabaseEveryEntryIsARelationAndAnUnknownDomainIsUsage() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("fkb-legacy-\(UUID().uuidString).yml").path
        try ImportRulesTests.legacyExample.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try run(binary, ["import-rules", config, "--domain", "annuity_performance", "--table", "business.规模明细"])
        #expect(result.status == 1)
        #expect(result.stdout.components(separatedBy: "  - from: ").count == 6)
        #expect(result.stderr.contains("note: relations: not checked against a database (no --db)"))
        let unknown = try run(binary, ["import-rules", config, "--domain", "nope", "--table", "t"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("error: \(config) has no domain nope"))
        let broken = try run(binary, ["import-rules", "/dev/null/nothing", "--domain", "d", "--table", "t"])
        #expect(broken.status == 2)
    }

    /// `optional: true` (new with the import): a rule on a column the input lacks is skipped.
    @Test func anOptionalRuleIsSkippedWhenTheInputLacksItsColumn() throws {
        let (db, mapping, business) = try ImportRulesTests.annuity()
        let rules = try RulesParser.parse("""
            tables:
              \(mapping).年金计划:
                columns:
                  计划全称: { from: 计划名称, pick: first, optional: true }
                  company_id: { from: company_id, optional: true }
            """, file: "rules.yaml")
        let catalog = try CatalogReader.read(table: "\(business).规模明细", on: db.connection)
        _ = try RulesValidator.validate(rules, catalog: catalog, stagedColumns: ["月度", "计划代码"], on: db.connection)
        let strict = try RulesParser.parse("tables:\n  \(mapping).年金计划:\n    columns:\n      计划全称: { from: 计划名称 }\n",
                                           file: "rules.yaml")
        let error = try #require(throws: FKBackfillError.self) {
            _ = try RulesValidator.validate(strict, catalog: catalog, stagedColumns: ["月度", "计划代码"], on: db.connection)
        }
        #expect(error.kind == .rulesProblems)
        _ = try db.load("\(business).规模明细", csv: "月度,计划代码\n2024-11-01,P9001\n") { $0.rules = rules }
        _ = try db.load("\(business).规模明细", csv: "月度,计划代码,计划名称\n2024-11-01,P9002,有名字\n") { $0.rules = rules }
        #expect(try db.values("SELECT 年金计划号, 计划全称 FROM \(mapping).年金计划 WHERE 年金计划号 >= 'P9' ORDER BY 1")
            == [["P9001", nil], ["P9002", "有名字"]])
    }
}
