import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `fkbackfill import-rules` on the shared legacy example (Tests/Fixtures keeps a copy, so
/// no shared/ is needed): against the catalog it writes only the relation the database
/// lacks, and a load of the demo month with the imported rules makes the same parent
/// rows as the hand-written rules of docs/rules.md.
@Suite struct ImportRulesTests {
    static var legacyExample: String {
        get throws {
            try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures/legacy-foreign-keys.yml"),
                       encoding: .utf8)
        }
    }

    /// The annuity example with the rules-file additions and the reference rows, plus an
    /// existing customer with NULL columns (so fill_null_only has something to fill).
    static func annuity() throws -> (db: TestDatabase, mapping: String, business: String) {
        let db = try TestDatabase()
        let (mapping, business) = try db.loadAnnuityExample()
        for file in ["examples/annuity/rules-schema.sql", "examples/annuity/reference-data.sql"] {
            try db.run(String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent(file), encoding: .utf8)
                .replacingOccurrences(of: "mapping.", with: "\(mapping)."))
        }
        try db.run("INSERT INTO \(mapping).年金客户 (客户名称, 年金客户类型, tags) VALUES ('存量客户', '存量', '[\"2401新建\"]')")
        return (db, mapping, business)
    }

    /// The demo month as `make demo` makes it: examples/annuity/monthly-facts.sql, 3000 rows of 2024-11.
    static func demoMonth(on connection: Connection) throws -> String {
        let script = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("examples/annuity/monthly-facts.sql"),
                                encoding: .utf8)
        let copy = try #require(script.range(of: "COPY ("))
        let statement = String(script[copy.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: ":rows", with: "3000").replacingOccurrences(of: ":'month'", with: "'2024-11-01'")
            .replacingOccurrences(of: ";", with: "")
        try connection.execute("SELECT setseed(0.2024)")
        var bytes = Data()
        _ = try connection.copyOut(SQL(unsafeRaw: statement)) { bytes.append(contentsOf: $0) }
        return try #require(String(data: bytes, encoding: .utf8))
    }

    static func importExample(mapping: String, business: String, on connection: Connection) throws -> RulesImport {
        let text = try legacyExample.replacingOccurrences(of: "target_schema: \"mapping\"", with: "target_schema: \"\(mapping)\"")
        return try Session.scoped(connection) { session in
            try RulesImporter.importRules(text: text, file: "legacy-foreign-keys.yml", domain: "annuity_performance",
                                          factTable: "\(business).规模明细", output: "rules.yaml", on: session)
        }
    }

    @Test func importsAgainstTheCatalog() throws {
        let (db, mapping, business) = try Self.annuity()
        let result = try Self.importExample(mapping: mapping, business: business, on: db.connection)
        // Only the customer FK is missing from the database.
        #expect(result.relations.map(\.name) == ["客户名称 -> \(mapping).年金客户"])
        #expect(!result.notes.contains { $0.hasPrefix("relations: not checked") })
        #expect(result.notes.filter { $0.hasPrefix("depends_on") } == [
            "depends_on disagrees (legacy-foreign-keys.yml:118:22): fk_customer depends on fk_plan, but \(mapping).年金客户 "
                + "does not reference \(mapping).年金计划, so fkbackfill backfills them independently; not copied "
                + "(declare a relation if the dependency is real)",
        ])
        #expect(result.needsHuman.map(\.location.description) == ["legacy-foreign-keys.yml:150:21"])
    }

    @Test func aBadNameInTheConfigIsReportedAtItsLine() throws {
        let (db, mapping, business) = try Self.annuity()
        let text = try Self.legacyExample.replacingOccurrences(of: "target_schema: \"mapping\"", with: "target_schema: \"\(mapping)\"")
            .replacingOccurrences(of: "target: \"计划全称\"", with: "target: \"计划全名\"")
        let error = try #require(throws: FKBackfillError.self) {
            try Session.scoped(db.connection) { session in
                _ = try RulesImporter.importRules(text: text, file: "legacy.yml", domain: "annuity_performance",
                                                  factTable: "\(business).规模明细", output: "rules.yaml", on: session)
            }
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.details.count == 1)
        #expect(error.details.first?.hasPrefix("legacy.yml:19:13: \(mapping).年金计划 has no column 计划全名 (imported as rules.yaml:") == true)
    }

    /// The issue's proof: the same parent rows, column for column, for every column the
    /// legacy config derives, except `_source` of customers (code left to a human) and
    /// 组合类型 of portfolios, where the two files mean different things: the config says
    /// `first` (its default), docs/rules.md has no rule, so fkbackfill's default, the most
    /// frequent value, applies. The imported file keeps the config's meaning, checked
    /// against the fact rows' first value in file order.
    @Test func aLoadOfTheDemoMonthMakesTheSameParentsAsTheDocumentedRules() throws {
        let (imported, mapping, business) = try Self.annuity()
        let (documented, mapping2, business2) = try Self.annuity()
        let month = try Self.demoMonth(on: imported.connection)
        #expect(month.split(separator: "\n").count == 3001)

        let result = try Self.importExample(mapping: mapping, business: business, on: imported.connection)
        let importedRules = try RulesParser.parse(result.text, file: "rules.yaml")
        let importedReport = try imported.load("\(business).规模明细", csv: month) { $0.rules = importedRules }
        let yaml = try RulesDocumentationTests.documentedRules()
            .replacingOccurrences(of: "mapping.", with: "\(mapping2).").replacingOccurrences(of: "business.", with: "\(business2).")
        let documentedRules = try RulesParser.parse(yaml, file: "docs/rules.md")
        let documentedReport = try documented.load("\(business2).规模明细", csv: month) { $0.rules = documentedRules }
        #expect(importedReport.inserted == 3000 && documentedReport.inserted == 3000)

        let legacy = try Self.derivedColumns()
        for (table, key) in [("年金计划", "年金计划号"), ("组合计划", "组合代码"), ("产品线", "产品线代码"), ("组织架构", "机构代码"),
                             ("年金客户", "客户名称")] {
            let columns = ([key] + (legacy[table] ?? []))
                .filter { !(table == "年金客户" && $0 == "_source") && !(table == "组合计划" && $0 == "组合类型") }
            let list = columns.map { "\"\($0)\"::text" }.joined(separator: ", ")
            let query = { (schema: String) in "SELECT \(list) FROM \(schema).\"\(table)\" ORDER BY 1" }
            let mine = try imported.values(query(mapping))
            let theirs = try documented.values(query(mapping2))
            #expect(mine == theirs, "\(table): \(columns)")
            #expect(!mine.isEmpty)
        }
        #expect(try imported.count("\(mapping).年金计划", "年金计划号 LIKE 'P01%'") > 0)
        let firstInFileOrder = """
            SELECT DISTINCT ON (组合代码) 组合代码, 组合类型 FROM \(business).规模明细
            WHERE 组合代码 LIKE 'F01%' AND 组合类型 IS NOT NULL ORDER BY 组合代码, id
            """
        #expect(try imported.values("SELECT 组合代码, 组合类型 FROM \(mapping).组合计划 WHERE 组合代码 LIKE 'F01%' ORDER BY 1")
            == imported.values(firstInFileOrder))
        #expect(try imported.values("SELECT tags::text FROM \(mapping).年金客户 WHERE 客户名称 = '存量客户'") == [[#"["2401新建", "2411新建"]"#]])
    }

    /// The parent columns each legacy entry derives, by parent table (from the config itself).
    static func derivedColumns() throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        var table: String?
        for line in try legacyExample.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("target_table:") { table = text.components(separatedBy: "\"")[1] }
            if text.hasPrefix("target: "), let table {
                result[table, default: []].append(text.components(separatedBy: "\"")[1])
            }
        }
        return result
    }
}

extension ImportRulesTests {
    /// The "old behaviour" rules docs/migrating.md gives pass the rules checks as written.
    @Test func theMigrationGuidesWorkaroundsValidate() throws {
        let (db, mapping, business) = try Self.annuity()
        let rules = try RulesParser.parse("""
            tables:
              \(mapping).年金计划:
                columns:
                  管理资格: { sql: "string_agg(DISTINCT CAST(\\"业务类型\\" AS text) COLLATE \\"C\\", '+' ORDER BY CAST(\\"业务类型\\" AS text) COLLATE \\"C\\")" }
                  主拓机构: { sql: "max(btrim(\\"机构名称\\"))" }
            """, file: "rules.yaml")
        let catalog = try CatalogReader.read(table: "\(business).规模明细", on: db.connection)
        _ = try RulesValidator.validate(rules, catalog: catalog, stagedColumns: nil, on: db.connection)
        _ = try db.load("\(business).规模明细", csv: "月度,计划代码,业务类型,机构名称\n2024-11-01,P9,b,x \n2024-11-01,P9,B,\n") {
            $0.rules = rules
        }
        #expect(try db.values("SELECT 管理资格, 主拓机构 FROM \(mapping).年金计划 WHERE 年金计划号 = 'P9'") == [["B+b", "x"]])
    }
}

extension ImportRulesTests {
    /// A relation the database cannot have (an unknown parent) is reported at its entry.
    @Test func anEntryThatCannotBeARelationIsReportedAtItsLine() throws {
        let (db, mapping, business) = try Self.annuity()
        let text = try Self.legacyExample.replacingOccurrences(of: "target_schema: \"mapping\"", with: "target_schema: \"\(mapping)\"")
            .replacingOccurrences(of: "target_table: \"年金客户\"", with: "target_table: \"年金客护\"")
        let error = try #require(throws: FKBackfillError.self) {
            try Session.scoped(db.connection) { session in
                _ = try RulesImporter.importRules(text: text, file: "legacy.yml", domain: "annuity_performance",
                                                  factTable: "\(business).规模明细", output: "rules.yaml", on: session)
            }
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.message == "legacy.yml: an entry cannot become a relation, nothing was imported")
        #expect(error.details.count == 1)
        #expect(error.details.first?.hasPrefix("legacy.yml:112:9: ") == true, "\(error.details)")
    }
}
