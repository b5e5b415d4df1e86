import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The rules file examples of docs/rules.md and `fkbackfill init`, run for real.
@Suite struct RulesDocumentationTests {
    /// The YAML between the annuity-rules markers of docs/rules.md.
    static func documentedRules() throws -> String {
        let doc = try String(
            contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- annuity-rules:begin -->\n```yaml\n"))
        let end = try #require(doc.range(of: "```\n<!-- annuity-rules:end -->"))
        return String(doc[begin.upperBound..<end.lowerBound])
    }

    /// The annuity example's schema with its rules-schema extras, in the test's own
    /// schemas, and the documented rules naming them.
    static func annuityWithDocumentedRules(_ db: TestDatabase) throws -> (mapping: String, business: String, rules: Rules) {
        let (mapping, business) = try db.loadAnnuityExample()
        let extras = try String(
            contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("examples/annuity/rules-schema.sql"), encoding: .utf8)
            .replacingOccurrences(of: "mapping.", with: "\(mapping).")
        try db.run(extras)
        let yaml = try documentedRules()
            .replacingOccurrences(of: "mapping.", with: "\(mapping).")
            .replacingOccurrences(of: "business.", with: "\(business).")
        return (mapping, business, try RulesParser.parse(yaml, file: "docs/rules.md"))
    }

    @Test func theAnnuityExampleInTheDocsRuns() throws {
        let db = try TestDatabase()
        let (mapping, business, rules) = try Self.annuityWithDocumentedRules(db)
        try db.run("""
            INSERT INTO \(mapping).年金计划 (年金计划号, 计划全称) VALUES ('P0001', '存量计划');
            INSERT INTO \(mapping).组合计划 (组合代码, 年金计划号) VALUES ('F0001', 'P0001');
            INSERT INTO \(mapping).年金客户 (客户名称, 年金客户类型, tags) VALUES ('老客户', '存量', '["2401新建"]');
            """)
        let report = try db.load("\(business).规模明细", csv: """
            月度,业务类型,计划代码,计划名称,组合代码,组合名称,客户名称,期末资产规模,机构代码,机构名称,产品线代码
            2024-11-01,受托,P0100,,F0100,,新客户,100,G01,上海分公司,PL9
            2024-11-01,投管,P0100,新计划,F0100,新组合甲,新客户,900,G02,广州分公司,PL9
            2024-11-01,投管,P0100,新计划二,F0101,新组合乙,新客户,50,G01,上海分公司,PL9
            2024-11-01,受托,P0001,,F0001,,老客户,10,(空白),,PL9

            """) { $0.rules = rules }
        #expect(report.inserted == 4)
        #expect(try db.values("""
            SELECT 计划全称, 主拓代码, 主拓机构, 管理资格, tags::text, _source, _needs_review::text, _derived_at IS NOT NULL
            FROM \(mapping).年金计划 WHERE 年金计划号 = 'P0100'
            """) == [["新计划", "G02", "广州分公司", "受托+投管", #"["2411新建"]"#, "auto_derived", "true", "t"]])
        // The existing plan is untouched (insert_missing), marks only on inserted rows.
        #expect(try db.values("SELECT 计划全称, _source FROM \(mapping).年金计划 WHERE 年金计划号 = 'P0001'") == [["存量计划", nil]])
        #expect(try db.values("SELECT 组合代码, 年金计划号, 组合名称, 运作开始日::text FROM \(mapping).组合计划 WHERE 组合代码 >= 'F01' ORDER BY 1")
            == [["F0100", "P0100", "新组合甲", "2024-11-01"], ["F0101", "P0100", "新组合乙", "2024-11-01"]])
        #expect(try db.values("SELECT 产品线, 产品类别 FROM \(mapping).产品线") == [["PL9（待补充）", "年金"]])
        // (空白) is blank: NULL in the fact row, no organisation made for it.
        #expect(try db.values("SELECT 机构代码 FROM \(mapping).组织架构 ORDER BY 1") == [["G01"], ["G02"]])
        #expect(try db.count("\(business).规模明细", "机构代码 IS NULL") == 1)
        #expect(try db.values("SELECT 机构 FROM \(mapping).组织架构 WHERE 机构代码 = 'G01'") == [["上海分公司"]])
        // Customers through the declared relation: a new one, and NULLs filled on the old one.
        #expect(try db.values("SELECT 客户名称, 年金客户类型, 关联计划数::text, 主拓机构, tags::text, _source FROM \(mapping).年金客户 ORDER BY 1")
            == [["新客户", "新客", "1", "广州分公司", #"["2411新建"]"#, "auto_derived"],
                ["老客户", "存量", "1", nil, #"["2401新建", "2411新建"]"#, nil]])
        #expect(report.parent("年金客户")?.updated == 1)
    }

    /// The same example validated on the hot standby (issue #29): its rules' `sql:` tags,
    /// `on_blank: null` and declared relation run read-only, with the dry run's verdict and
    /// the staged validation's per-FK counts; a blank plan code (NOT NULL) fails both.
    @Test func theAnnuityExampleValidatesOnTheStandby() throws {
        let db = try TestDatabase()
        let (_, business, rules) = try Self.annuityWithDocumentedRules(db)
        let header = "月度,业务类型,计划代码,计划名称,组合代码,组合名称,客户名称,期末资产规模,机构代码,机构名称,产品线代码\n"
        let good = header + "2024-11-01,投管,P0100,新计划,F0100,新组合甲,新客户,900,G02,广州分公司,PL9\n2024-11-01,受托,P0100,,F0100,,新客户,10,(空白),,PL9\n"
        let blankPlan = header + "2024-11-01,投管,(空白),新计划,F0100,新组合甲,新客户,900,G02,广州分公司,PL9\n"
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for (csv, loads) in [(good, true), (blankPlan, false)] {
            let path = try db.csvFile(csv)
            var load = LoadOptions()
            load.dryRun = true
            load.rules = rules
            let loaded = (try? Loader(connection: db.connection).run(table: "\(business).规模明细", input: .csv(path: path, options: CSVOptions()), options: load)) != nil
            #expect(loaded == loads)
            var options = ValidateOptions()
            options.rules = rules
            let readOnly = try Validator(connection: standby).run(table: "\(business).规模明细", input: .csv(path: path, options: CSVOptions()), options: options)
            let staged = try Validator(connection: db.connection).run(table: "\(business).规模明细", input: .csv(path: path, options: CSVOptions()), options: options)
            #expect(readOnly.checkedInPlace && readOnly.wouldLoad == loads, "\(readOnly.foreignKeys) \(readOnly.notExact)")
            #expect(readOnly.foreignKeys.map { "\($0.name) \($0.violatingRows) \($0.missingKeys)" }
                == staged.foreignKeys.map { "\($0.name) \($0.violatingRows) \($0.missingKeys)" })
        }
    }

    /// The monthly reload as docs/backfill.md runs it (`--replace-by 月度`), with a bad row
    /// `--max-rejects 1` lets through: on the standby the dry run's verdict, the rows it
    /// deletes and sets aside; with no room for the bad row, "would not load" on both.
    @Test func theMonthlyReloadValidatesOnTheStandby() throws {
        let db = try TestDatabase()
        let (_, business, rules) = try Self.annuityWithDocumentedRules(db)
        let header = "月度,业务类型,计划代码,计划名称,组合代码,组合名称,客户名称,期末资产规模,机构代码,机构名称,产品线代码\n"
        let month = header + "2024-11-01,投管,P0100,新计划,F0100,新组合甲,新客户,900,G02,广州分公司,PL9\n2024-11-01,受托,P0100,,F0100,,新客户,10,(空白),,PL9\n"
        var first = LoadOptions()
        first.rules = rules
        _ = try Loader(connection: db.connection).run(table: "\(business).规模明细", input: .csv(path: try db.csvFile(month), options: CSVOptions()), options: first)
        let again = try db.csvFile(month + "2024-11-31,投管,P0101,,F0101,,另一客户,5,G02,,PL9\n")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for maxRejects in [1, 0] {
            var load = LoadOptions()
            load.dryRun = true
            load.rules = rules
            load.replaceBy = ["月度"]
            load.maxRejects = maxRejects
            let loaded = try? Loader(connection: db.connection).run(table: "\(business).规模明细", input: .csv(path: again, options: CSVOptions()), options: load)
            var options = ValidateOptions()
            options.rules = rules
            options.replaceBy = ["月度"]
            options.maxRejects = maxRejects
            let readOnly = try Validator(connection: standby).run(table: "\(business).规模明细", input: .csv(path: again, options: CSVOptions()), options: options)
            #expect(readOnly.wouldLoad == (loaded != nil) && (loaded != nil) == (maxRejects == 1), "\(readOnly.columns) \(readOnly.notExact)")
            // notExact names only the new plan's tags (a sql: rule's value), nothing of the options.
            #expect(readOnly.deleted == 2 && readOnly.rejected == (maxRejects > 0 ? 1 : nil), "\(readOnly.notExact)")
            #expect(readOnly.notExact.allSatisfy { !$0.contains("--") }, "\(readOnly.notExact)")
            if let loaded { #expect(loaded.deleted == 2 && loaded.rejected == 1) }
        }
    }

    @Test func initOutputParsesAndValidatesAsPrinted() throws {
        let db = try TestDatabase()
        let (_, business) = try db.loadAnnuityExample()
        try db.run("""
            CREATE TABLE region (code text PRIMARY KEY, opened date NOT NULL, headcount int NOT NULL, label text NOT NULL,
                                 "Odd: name" text);
            ALTER TABLE \(business).规模明细 ADD COLUMN region_code text REFERENCES region, ADD COLUMN labels text;
            """)
        let catalog = try CatalogReader.read(table: "\(business).规模明细", on: db.connection)
        let text = RulesScaffold.render(catalog: catalog, graph: DependencyGraph(catalog: catalog))
        #expect(text.contains("# UNCOVERED: opened is date NOT NULL with no default\n      # opened: { value: today }"))
        #expect(text.contains("# headcount: { value: 0 }"))
        #expect(text.contains("# label: { from: labels }"))
        #expect(text.contains("# 年金计划号: most frequent 计划代码 of the input rows (same parent)"))
        let rules = try RulesParser.parse(text, file: "init.yaml")
        #expect(rules.tables.count == 5)
        _ = try RulesValidator.validate(rules, catalog: catalog, stagedColumns: nil, on: db.connection)
        // Uncommenting the suggestions makes a load pass that the defaults could not.
        let edited = text.replacingOccurrences(of: "      # opened: {", with: "      opened: {")
            .replacingOccurrences(of: "      # headcount: {", with: "      headcount: {")
            .replacingOccurrences(of: "      # label: {", with: "      label: {")
        let parsed = try RulesParser.parse(edited, file: "init.yaml")
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("\(business).规模明细", csv: "月度,计划代码,region_code,labels\n2024-11-01,P1,R1,north\n")
        }
        #expect(error.kind == .blocked)
        let report = try db.load("\(business).规模明细", csv: "月度,计划代码,region_code,labels\n2024-11-01,P1,R1,north\n") {
            $0.rules = parsed
        }
        #expect(report.parent("region")?.inserted == 1)
        #expect(try db.values("SELECT opened = current_date, headcount::text, label FROM region") == [["t", "0", "north"]])
    }
}
