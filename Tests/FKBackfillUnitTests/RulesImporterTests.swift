@testable import FKBackfill
import Testing

/// Legacy config → rules file, without a database: each key and each aggregation type,
/// relations and `depends_on` against an in-memory catalog, and the output parses.
@Suite struct RulesImporterTests {
    /// The rule line of a one-column entry whose column is `column` (a flow mapping).
    static func convert(_ column: String, key: String = "k") throws -> ColumnConversion {
        let config = try LegacyConfigParser.parse(LegacyConfigParserTests.entry("backfill_columns:\n  - \(column)")
            .replacingOccurrences(of: "target_key: k", with: "target_key: \(key)"), file: "c.yml")
        let entry = config.domains[0].entries[0]
        return RulesImporter.convert(entry.columns[0], of: entry)
    }

    static func rule(_ column: String) throws -> String? {
        if case .rule(let text, _) = try convert(column) { text } else { nil }
    }

    @Test func everyAggregationTypeBecomesAPick() throws {
        #expect(try Self.rule("{ source: a, target: b }") == "{ from: a, pick: first }")
        #expect(try Self.rule("{ source: a, target: b, aggregation: { type: first } }") == "{ from: a, pick: first }")
        #expect(try Self.rule("{ source: a, target: b, aggregation: { type: max_by, order_column: size } }")
            == "{ from: a, pick: { max_by: size } }")
        #expect(try Self.rule("{ source: a, target: b, aggregation: { type: concat_distinct } }")
            == #"{ from: a, pick: concat_distinct, separator: "+", sorted: true }"#)
        #expect(try Self.rule(#"{ source: a, target: b, aggregation: { type: concat_distinct, separator: ", ", sort: false } }"#)
            == #"{ from: a, pick: concat_distinct, separator: ", ", sorted: false }"#)
        #expect(try Self.rule("{ source: a, target: b, aggregation: { type: count_distinct } }") == "{ from: a, pick: count_distinct }")
        #expect(try Self.rule(#"{ source: a, target: b, aggregation: { type: template, template: "{a}-{c}", template_fields: [a, c] } }"#)
            == #"{ template: "{a}-{c}" }"#)
        #expect(try Self.convert(#"{ source: a, target: b, aggregation: { type: template, template: "固定" } }"#)
            == .rule(#"{ value: "固定" }"#, comment: "a template without placeholders"))
        #expect(try Self.convert(#"{ source: a, target: b, aggregation: { type: lambda, code: 'lambda g: g["a"].nunique()' } }"#)
            == .rule(#"{ sql: "count(DISTINCT \"a\")" }"#, comment: "from lambda code"))
        #expect(try Self.convert(#"{ source: a, target: b, aggregation: { type: lambda, code: 'lambda g: g["a"].dropna().iloc[0]' } }"#)
            == .rule("{ from: a, pick: first }", comment: "from lambda code"))
        #expect(try Self.rule(#"{ source: d, target: b, aggregation: { type: jsonb_append, code: 'lambda g: [g["d"].max()]' } }"#)
            == #"{ sql: "jsonb_build_array(max(\"d\"))", json_append: true }"#)
        #expect(try Self.convert(#"{ source: a, target: b, aggregation: { type: lambda, code: "lambda g: 1" } }"#)
            == .human(reason: "lambda code of no known shape"))
        #expect(try Self.convert(#"{ source: a, target: b, aggregation: { type: jsonb_append, code: "lambda g: []" } }"#)
            == .human(reason: "jsonb_append code of no known shape"))
    }

    @Test func optionalKeepsItsMeaningWhereTheRuleReadsAColumn() throws {
        #expect(try Self.rule("{ source: a, target: b, optional: true }") == "{ from: a, pick: first, optional: true }")
        #expect(try Self.rule(#"{ source: a, target: b, optional: true, aggregation: { type: template, template: "{a}!" } }"#)
            == #"{ template: "{a}!", optional: true }"#)
        #expect(try Self.convert(#"{ source: a, target: b, optional: true, aggregation: { type: template, template: "x" } }"#)
            == .rule(#"{ value: "x" }"#, comment: "a template without placeholders; optional dropped, a constant reads no input column"))
        #expect(try Self.convert(#"{ source: a, target: b, optional: true, aggregation: { type: lambda, code: 'lambda g: g["a"].sum()' } }"#)
            == .rule(#"{ sql: "sum(\"a\")" }"#, comment: "from lambda code; optional dropped: sql: reads a, the input must have it"))
    }

    @Test func theKeyColumnIsNeverARule() throws {
        #expect(try Self.convert("{ source: x, target: k }") == .key(comment: "k is the key: its value is the fact row's x"))
        #expect(try Self.convert("{ source: y, target: k }")
            == .key(comment: "k is the key: its value is the fact row's x (the config named y; the key column wins)"))
    }

    /// fact(plan_code → plan, port_code → port, region_code → region); port → plan.
    static func catalog() -> Catalog {
        var s = Schema()
        s.table("plan", col("code", notNull: true), col("name"))
        s.table("port", col("code", notNull: true), col("plan", notNull: true))
        s.table("region", col("id", notNull: true))
        s.table("fact", col("plan_code"), col("port_code"), col("region_code"), col("client"))
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("fact_port", "fact", ["port_code"], "port", ["code"])
        s.fk("fact_region", "fact", ["region_code"], "region", ["id"])
        s.fk("port_plan", "port", ["plan"], "plan", ["code"])
        return s.catalog(root: "fact")
    }

    static let config = """
        schema_version: "1.0"
        domains:
          d:
            foreign_keys:
              - { name: plan, source_column: plan_code, target_schema: s, target_table: plan, target_key: code,
                  mode: insert_missing, skip_blank_values: true, backfill_columns: [{ source: client, target: name }] }
              - { name: port, source_column: port_code, target_schema: s, target_table: port, target_key: code }
              - { name: region, source_column: region_code, target_schema: s, target_table: region, target_key: id,
                  mode: fill_null_only, depends_on: [plan] }
              - { name: client, source_column: client, target_schema: s, target_table: client, target_key: name }
        """

    static func imported(catalog: Catalog?) throws -> RulesImport {
        let config = try LegacyConfigParser.parse(Self.config, file: "c.yml")
        return RulesImporter.convert(config.domains[0], file: "c.yml", factTable: "s.fact", catalog: catalog)
    }

    @Test func modeAndSkipBlankValuesAndTheOutputParses() throws {
        let result = try Self.imported(catalog: Self.catalog())
        let rules = try RulesParser.parse(result.text, file: "r.yaml")
        #expect(rules.blank.markers == ["(空白)"] && rules.blank.onBlank == .null)
        #expect(rules.tables.map(\.name) == ["s.plan", "s.port", "s.region", "s.client"])
        #expect(rules.tables.map(\.mode) == [.insertMissing, nil, .fillNullOnly, nil])
        #expect(rules.tables[0].columns == [ColumnRule(
            column: "name", location: SourceLocation(file: "r.yaml", line: rules.tables[0].columns.first?.location.line ?? 0, column: 7),
            source: .from(column: "client", pick: .first))])
        #expect(result.notes.contains { $0.hasPrefix("blank: skip_blank_values was per entry") && $0.hasSuffix("it now applies to port, region, client too") })
        #expect(result.needsHuman.isEmpty)
    }

    @Test func onlyFKsTheCatalogLacksBecomeRelations() throws {
        let checked = try Self.imported(catalog: Self.catalog())
        #expect(checked.relations.map(\.name) == ["client -> s.client"])
        #expect(try RulesParser.parse(checked.text, file: "r.yaml").relations.map(\.name) == ["client -> s.client"])
        let unchecked = try Self.imported(catalog: nil)
        #expect(unchecked.relations.map(\.fromTable) == ["s.fact", "s.fact", "s.fact", "s.fact"])
        #expect(unchecked.notes.first?.hasPrefix("relations: not checked against a database (no --db)") == true)
        #expect(unchecked.text.contains(#"  - from: "s.fact (plan_code)"   # plan: not checked"#))
    }

    @Test func dependsOnIsComparedWithTheGraphNeverCopied() throws {
        let result = try Self.imported(catalog: Self.catalog())
        #expect(result.notes.filter { $0.hasPrefix("depends_on") } == [
            "depends_on disagrees (c.yml:7:9): s.port references s.plan, so fkbackfill backfills plan before port, "
                + "which the config did not say",
            "depends_on disagrees (c.yml:9:46): region depends on plan, but s.region does not reference s.plan, so "
                + "fkbackfill backfills them independently; not copied (declare a relation if the dependency is real)",
        ])
        #expect(!result.text.contains("depends_on:"))
        #expect(try Self.imported(catalog: nil).notes.contains("depends_on not compared (no --db) and not copied: region → plan; "
            + "fkbackfill orders parents by the catalog's FKs"))
    }

    @Test func codeLeftToAHumanIsCommentedOutWithItsSourceLine() throws {
        let text = try LegacyConfigParserTests.example()
        let result = try RulesImporter.importRules(text: text, file: "legacy.yml", domain: "annuity_performance",
                                                   factTable: "business.规模明细", output: "r.yaml", on: nil)
        #expect(result.needsHuman == [.init(location: SourceLocation(file: "legacy.yml", line: 150, column: 21),
                                            what: "mapping.年金客户._source (from 计划代码): lambda code of no known shape")])
        #expect(result.text.contains("""
                  # NEEDS A HUMAN: legacy.yml:150:21 lambda code of no known shape; fkbackfill runs no code. It was:
                  #   lambda g: "auto_derived" if len(g) > 0 else None
            """))
        let rules = try RulesParser.parse(result.text, file: "r.yaml")
        let customer = try #require(rules.tables.first { $0.name == "mapping.年金客户" })
        #expect(customer.mode == .fillNullOnly && customer.column("_source") == nil)
        #expect(customer.column("tags")?.source == .sql(
            #"CASE WHEN count("月度") > 0 THEN jsonb_build_array(to_char(min("月度"), 'YYMM') || '新建') ELSE CAST('[]' AS jsonb) END"#))
        #expect(customer.column("tags")?.jsonAppend == true)
    }
}
