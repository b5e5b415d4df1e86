import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The annuity example with the rules file of docs/rules.md, distributed the way the
/// issue's first try did: the fact table by 计划代码 (its identity primary key replaced
/// by a sequence, which Citus needs), every mapping table a reference table.
@Suite struct CitusAnnuityTests {
    static func documentedRules() throws -> String {
        let doc = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- annuity-rules:begin -->\n```yaml\n"))
        let end = try #require(doc.range(of: "```\n<!-- annuity-rules:end -->"))
        return String(doc[begin.upperBound..<end.lowerBound])
    }

    @Test func theAnnuityExampleWithItsRulesOnCitus() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let (mapping, business) = try db.loadAnnuityExample()
        try db.run(try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("examples/annuity/rules-schema.sql"), encoding: .utf8)
            .replacingOccurrences(of: "mapping.", with: "\(mapping)."))
        try db.run("""
            INSERT INTO \(mapping).年金计划 (年金计划号, 计划全称) VALUES ('P0001', '存量计划');
            INSERT INTO \(mapping).组合计划 (组合代码, 年金计划号) VALUES ('F0001', 'P0001');
            INSERT INTO \(mapping).年金客户 (客户名称, 年金客户类型, tags) VALUES ('老客户', '存量', '["2401新建"]');
            """)
        let fact = "\(business).规模明细"
        let references = ["年金计划", "组合计划", "产品线", "组织架构", "年金客户"].map { "SELECT create_reference_table('\(mapping).\($0)')" }
        let statements: [String] = [
            "ALTER TABLE \(fact) DROP CONSTRAINT 规模明细_pkey",
            "ALTER TABLE \(fact) ALTER COLUMN id DROP IDENTITY",
            "CREATE SEQUENCE \(business).规模明细_id_seq OWNED BY \(fact).id",
            "ALTER TABLE \(fact) ALTER COLUMN id SET DEFAULT nextval('\(business).规模明细_id_seq')",
        ] + references + ["SELECT create_distributed_table('\(fact)', '计划代码')"]
        for statement in statements { try db.run(statement) }
        #expect(try db.citusKind(fact) == "hs")
        let rules = TestFiles.url(suffix: ".yaml").path
        try Self.documentedRules().replacingOccurrences(of: "mapping.", with: "\(mapping).")
            .replacingOccurrences(of: "business.", with: "\(business).")
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let csv = try db.csvFile("""
            月度,业务类型,计划代码,计划名称,组合代码,组合名称,客户名称,期末资产规模,机构代码,机构名称,产品线代码
            2024-11-01,受托,P0100,,F0100,,新客户,100,G01,上海分公司,PL9
            2024-11-01,投管,P0100,新计划,F0100,新组合甲,新客户,900,G02,广州分公司,PL9
            2024-11-01,投管,P0100,新计划二,F0101,新组合乙,新客户,50,G01,上海分公司,PL9
            2024-11-01,受托,P0001,,F0001,,老客户,10,(空白),,PL9

            """)
        let tables = ["年金计划", "组合计划", "产品线", "组织架构", "年金客户"].map { "\(mapping).\($0)" } + [fact]
        func counts() throws -> [Int] { try tables.map { try db.count($0) } }

        #expect(try Binary.run(["fks", fact]).status == 0)
        #expect(try Binary.run(["graph", fact, "--rules", rules]).status == 0)
        _ = try Binary.json(["audit", "--schema", business, "--rules", rules], status: 0...1)
        _ = try Binary.json(["validate", fact, "--csv", csv, "--rules", rules], status: 0...1)
        let before = try db.checksum(tables)
        _ = try Binary.json(["load", fact, "--csv", csv, "--rules", rules, "--dry-run"])
        #expect(try db.checksum(tables) == before)

        let backfill = try Binary.json(["backfill", fact, "--csv", csv, "--rules", rules])
        #expect((backfill["target"] as? [String: Any])?["inserted"] as? Int == 0)
        #expect(try counts() == [2, 3, 1, 2, 2, 0])
        try db.expectNoOrphans([mapping, business])

        let perRow = try Binary.json(["load", fact, "--csv", csv, "--rules", rules, "--fk-check", "per-row"])
        #expect(perRow["fkCheck"] as? String == "per-row")
        let setBased = try Binary.json(["load", fact, "--csv", csv, "--rules", rules, "--fk-check", "set-based", "--replace-by", "月度"])
        #expect(setBased["fkCheck"] as? String == "set-based")
        #expect((setBased["target"] as? [String: Any])?["deleted"] as? Int == 4)
        let auto = try Binary.json(["load", fact, "--csv", csv, "--rules", rules, "--replace-by", "月度"])
        #expect(auto["fkCheck"] as? String == "set-based", "\(auto["fkCheckNote"] ?? "")")
        #expect(try counts() == [2, 3, 1, 2, 2, 4])
        #expect(try db.values("SELECT 主拓代码, 主拓机构, _source FROM \(mapping).年金计划 WHERE 年金计划号 = 'P0100'")
            == [["G02", "广州分公司", "auto_derived"]])
        #expect(try db.values("SELECT tags::text FROM \(mapping).年金客户 WHERE 客户名称 = '老客户'") == [[#"["2401新建", "2411新建"]"#]])
        try db.expectNoOrphans([mapping, business])
    }
}
