@testable import FKBackfill
import Testing

/// `fkbackfill init`'s starter file: what it says per column, the rules it suggests,
/// YAML keys quoted only when needed, and that it parses as printed.
@Suite struct RulesScaffoldTests {
    static var text: String {
        let catalog = PlannerGraphTests.chain.catalog(root: "fact")
        return RulesScaffold.render(catalog: catalog, graph: DependencyGraph(catalog: catalog))
    }

    @Test func eachParentColumnSaysHowItIsFilled() {
        let text = Self.text
        #expect(text.hasPrefix("# Rules for loading s.fact, written by `fkbackfill init`.\n"))
        #expect(text.contains("""
              s.plan:
                mode: insert_missing     # insert_missing | fill_null_only | skip | fail
                columns:
                  # code: the key
                  # name: NULL
                  # kind: DEFAULT 'std'::text
                  # UNCOVERED: company_id is integer NOT NULL with no default
                  # NEEDS A HUMAN: a key of s.company that exists there (or from: an input column holding one)
                  #   company_id: { value: CHANGE_ME }
                # mark:                  # set only on rows fkbackfill inserts, to review later
                #   _source: auto_derived

            """))
        #expect(text.contains("      # plan: most frequent plan_code of the input rows (same parent)\n"))
    }

    @Test func everyForeignKeyIsListedAndTheFileParses() throws {
        let text = Self.text
        for fk in ["fact_plan", "fact_portfolio", "plan_company", "portfolio_plan"] {
            #expect(text.contains("  # \(fk): { on_missing: backfill }"), "\(fk)")
        }
        #expect(text.contains("  # plan_company: { on_missing: backfill }   # s.plan → s.company; backfill | reject | fail\n"))
        let rules = try RulesParser.parse(text, file: "init.yaml")
        #expect(rules.tables.map(\.name) == ["s.company", "s.plan", "s.portfolio"])
        #expect(rules.tables.allSatisfy { $0.mode == .insertMissing && $0.columns.isEmpty })
        #expect(rules.foreignKeys.isEmpty)
        #expect(rules.blank == BlankRule(markers: [], onBlank: .keep, location: rules.blank.location))
    }

    @Test(arguments: [
        ("timestamp with time zone", "{ value: now }"), ("date", "{ value: today }"), ("boolean", "{ value: false }"),
        ("integer", "{ value: 0 }"), ("numeric(18,4)", "{ value: 0 }"), ("double precision", "{ value: 0 }"),
        ("jsonb", "{ value: '[]' }"),
    ])
    func suggestionsByType(type: String, rule: String) {
        #expect(RulesScaffold.suggestion(for: col("zzzzzz", type, notNull: true), staged: [col("a"), col("b")]) == .rule(rule))
    }

    @Test func textWithNoCloseInputColumnNeedsAHuman() {
        #expect(RulesScaffold.suggestion(for: col("zzzzzz", "text", notNull: true), staged: [col("a")])
            == .needsHuman("the text value new rows should get"))
    }

    @Test func aCloseInputColumnIsSuggestedFirst() {
        #expect(RulesScaffold.suggestion(for: col("plan_name", notNull: true), staged: [col("plan_nme"), col("x")]) == .rule("{ from: plan_nme }"))
        #expect(RulesScaffold.suggestion(for: col("计划名称", notNull: true), staged: [col("计划名"), col("y")]) == .rule("{ from: 计划名 }"))
        #expect(RulesScaffold.suggestion(for: col("name", "integer", notNull: true), staged: [col("other")]) == .rule("{ value: 0 }"))
    }

    /// `invoice_date: { from: invoice_id }` failed the load with "cannot cast type
    /// integer to timestamp": a close name of a type the column cannot take is no suggestion.
    @Test func aCloseInputColumnOfAnotherTypeIsNotSuggested() {
        let column = col("invoice_date", "timestamp without time zone", notNull: true)
        #expect(RulesScaffold.suggestion(for: column, staged: [col("invoice_id", "integer")]) == .rule("{ value: now }"))
        #expect(RulesScaffold.suggestion(for: col("amount", "bigint", notNull: true), staged: [col("amounts", "integer")])
            == .rule("{ from: amounts }"))
        #expect(RulesScaffold.suggestion(for: col("amount", "integer", notNull: true), staged: [col("amounts", "bigint")])
            == .rule("{ value: 0 }"))
    }

    /// An FK column never gets a constant key (`0` named no parent row in `init rental`).
    @Test func anFKColumnGetsAnInputColumnOrAHuman() {
        let parent = TableName(schema: "s", name: "store")
        #expect(RulesScaffold.suggestion(for: col("store_id", "integer", notNull: true), staged: [col("x", "integer")], references: parent)
            == .needsHuman("a key of s.store that exists there (or from: an input column holding one)"))
        #expect(RulesScaffold.suggestion(for: col("store_id", "integer", notNull: true), staged: [col("store_ids", "integer")], references: parent)
            == .rule("{ from: store_ids }"))
    }

    @Test(arguments: [
        ("plain", "plain"), ("规模明细", "规模明细"), ("s.plan", "s.plan"), ("a b", "a b"),
        ("", "\"\""), ("null", "\"null\""), ("Yes", "\"Yes\""), ("-x", "\"-x\""), ("#x", "\"#x\""), ("a: b", "\"a: b\""),
        ("a #b", "\"a #b\""), ("x ", "\"x \""), ("say \"hi\"", "\"say \\\"hi\\\"\""), ("a\\b\nc", "a\\b\nc".debugDescription),
    ])
    func yamlKeysAreQuotedOnlyWhenYAMLWouldMisreadThem(key: String, expected: String) throws {
        #expect(RulesScaffold.yamlKey(key) == expected)
        // Whatever the form, YAML reads the name back.
        let rules = try RulesParser.parse("tables:\n  \(RulesScaffold.yamlKey(key.isEmpty ? "x" : key)):\n", file: "k.yaml")
        #expect(rules.tables.first?.name == (key.isEmpty ? "x" : key))
    }
}
