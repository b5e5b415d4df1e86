@testable import FKBackfill
import Foundation
import Testing

/// Reading the legacy per-FK config: every key, and every problem at `FILE:LINE:COL`.
@Suite struct LegacyConfigParserTests {
    /// Tests/Fixtures/legacy-foreign-keys.yml: a copy of ../shared/examples/, so these
    /// tests run without shared/ (`theFixtureIsTheSharedExample` keeps them in step).
    static var fixtureURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/legacy-foreign-keys.yml")
    }

    static func example() throws -> String { try String(contentsOf: fixtureURL, encoding: .utf8) }

    static func problems(_ yaml: String) throws -> [String] {
        try #require(throws: FKBackfillError.self) { _ = try LegacyConfigParser.parse(yaml, file: "c.yml") }.details
    }

    /// One domain `d` with one entry whose extra lines are `body` (indented under it).
    static func entry(_ body: String) -> String {
        "domains:\n  d:\n    foreign_keys:\n      - name: a\n        source_column: x\n        target_schema: s\n"
            + "        target_table: t\n        target_key: k\n"
            + body.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n") + "\n"
    }

    @Test func theFixtureIsTheSharedExample() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/examples/legacy-foreign-keys.yml")
        guard let original = try? String(contentsOf: shared, encoding: .utf8) else { return }  // no shared/ beside the clone
        #expect(try Self.example() == original)
    }

    @Test func readsEveryKeyOfTheExample() throws {
        let config = try LegacyConfigParser.parse(Self.example(), file: "legacy.yml")
        #expect(config.schemaVersion == "1.2")
        let domain = try #require(config.domain("annuity_performance"))
        #expect(domain.entries.map(\.name) == ["fk_plan", "fk_portfolio", "fk_product_line", "fk_organization", "fk_customer"])
        let plan = try #require(domain.entry("fk_plan"))
        #expect(plan.sourceColumn == "计划代码" && plan.target == TableName(schema: "mapping", name: "年金计划") && plan.targetKey == "年金计划号")
        #expect(plan.mode == .insertMissing && plan.location == SourceLocation(file: "legacy.yml", line: 10, column: 9))
        #expect(domain.entry("fk_customer")?.mode == .fillNullOnly)
        #expect(domain.entry("fk_portfolio")?.dependsOn.map(\.name) == ["fk_plan"])
        #expect(domain.entry("fk_organization")?.skipBlankValues == true && plan.skipBlankValues == false)
        #expect(plan.columns.map(\.optional) == [false, true, true, true, true, true, true, true])
        #expect(plan.columns.map { $0.aggregation?.kind } == [
            nil, nil, .first, .maxBy(orderColumn: "期末资产规模"), .maxBy(orderColumn: "期末资产规模"),
            .concatDistinct(separator: "+", sort: true),
            .jsonbAppend(code: #"lambda g: [pd.to_datetime(g["月度"].dropna().iloc[0]).strftime("%y%m") + "新建"] if len(g["月度"].dropna()) > 0 else []"#),
            nil,
        ])
        let product = try #require(domain.entry("fk_product_line"))
        #expect(product.columns.map { $0.aggregation?.kind } == [nil, .template("{产品线代码}（待补充）", fields: ["产品线代码"]), .template("年金", fields: nil)])
        let customer = try #require(domain.entry("fk_customer"))
        #expect(customer.columns[2].aggregation?.kind == .countDistinct)
        #expect(customer.columns[5].aggregation?.kind == .lambda(code: #"lambda g: "auto_derived" if len(g) > 0 else None"#))
        #expect(customer.columns[5].aggregation?.valueLocation == SourceLocation(file: "legacy.yml", line: 150, column: 21))
    }

    @Test func concatDistinctDefaultsArePlusAndSorted() throws {
        let config = try LegacyConfigParser.parse(Self.entry("""
            backfill_columns:
              - { source: y, target: z, aggregation: { type: concat_distinct } }
              - { source: y, target: w, aggregation: { type: concat_distinct, separator: "/", sort: false } }
            """), file: "c.yml")
        #expect(config.domains[0].entries[0].columns.map { $0.aggregation?.kind } == [
            .concatDistinct(separator: "+", sort: true), .concatDistinct(separator: "/", sort: false),
        ])
    }

    @Test func problemsAreReportedAtTheirPlaceAllAtOnce() throws {
        let error = try #require(throws: FKBackfillError.self) {
            _ = try LegacyConfigParser.parse(Self.entry("""
                mode: upsert
                depends_on: [fk_nope]
                skip_blank_values: maybe
                colour: red
                backfill_columns:
                  - { source: y, target: z, aggregation: { type: max_by } }
                  - { source: y, target: z, aggregation: { type: lamda, code: x } }
                  - { source: y, aggregation: { type: first, separator: "," } }
                """), file: "c.yml")
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.message == "c.yml: 9 problems in the config, nothing was imported")
        #expect(error.category == .usage)
        #expect(error.details == [
            "c.yml:9:15: mode must be insert_missing or fill_null_only, not 'upsert'",
            "c.yml:11:28: skip_blank_values must be true or false",
            "c.yml:12:9: unknown key colour in an FK entry (the keys are name, source_column, target_schema, target_table, "
                + "target_key, mode, depends_on, skip_blank_values, backfill_columns)",
            "c.yml:14:58: max_by needs order_column",
            "c.yml:15:58: unknown aggregation type 'lamda' (did you mean lambda?)",
            "c.yml:16:65: separator does not go with type first",
            "c.yml:16:13: a backfill column needs both source and target",
            "c.yml:15:13: target z appears twice in entry a (keep one derivation per parent column)",
            "c.yml:10:22: depends_on: domain d has no entry fk_nope",
        ])
    }

    @Test func anEntryNeedsItsNamesAndTheFileMustBeYAML() throws {
        #expect(try Self.problems("domains:\n  d:\n    foreign_keys:\n      - name: a\n        source_column: x\n") == [
            "c.yml:4:9: entry a has no target_schema, target_table, target_key",
        ])
        #expect(try Self.problems("domains: [a\n").count == 1)
        #expect(try Self.problems("- a\n") == ["c.yml:1:1: the config must be a mapping with schema_version and domains"])
        #expect(try Self.problems("domains:\n  d:\n    foreign_keys:\n      - name: a\n      - name: a\n").count == 2)
    }

    @Test func anUnknownDomainNamesTheOthers() throws {
        let error = try #require(throws: FKBackfillError.self) {
            _ = try RulesImporter.importRules(text: Self.example(), file: "legacy.yml", domain: "annuity_performanc",
                                              factTable: "business.规模明细", output: "r.yaml", on: nil)
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.message == "legacy.yml has no domain annuity_performanc")
        #expect(error.hint == "did you mean annuity_performance?")
    }
}
