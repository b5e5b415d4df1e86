@testable import FKBackfill
import Testing

/// `optional: true` on a column rule: parsed only where the rule reads input columns,
/// and ignored by the planner when the input lacks one of them.
@Suite struct OptionalColumnTests {
    static let schema = PlannerDerivationTests.schema(col("title"), col("branch"), col("label"), col("flag", default: "'x'"))

    @Test func parsesOnFromAndTemplate() throws {
        let parsed = try RulesParser.parse("""
            tables:
              t:
                columns:
                  a: { from: x, optional: true }
                  b: { from: x, pick: { max_by: y }, optional: true }
                  c: { template: "{x}-{y}", optional: true }
                  d: { from: x, optional: false }
            """, file: "r.yaml")
        let columns = parsed.tables[0].columns
        #expect(columns.map(\.optional) == [true, true, true, false])
        #expect(columns.map(\.inputColumns) == [["x"], ["x", "y"], ["x", "y"], ["x"]])
    }

    @Test func isAProblemWhereTheRuleReadsNoInputColumn() throws {
        let problems = try RulesParserColumnErrorTests.problems(columns: "a: { value: 1, optional: true }")
        #expect(problems == [
            "r.yaml:4:32: optional goes with from or template: it skips the rule when the input lacks a column it reads "
                + "(remove optional: a reads no input column)",
        ], "\(problems)")
        #expect(try RulesParserColumnErrorTests.problems(columns: "a: { from: x, optional: maybe }") == [
            "r.yaml:4:31: optional must be true or false",
        ])
    }

    @Test func appliesWhenTheInputHasTheColumn() throws {
        let plan = try Self.schema.plan(root: "fact", staged: PlannerDerivationTests.staged, rules: rules("""
            tables:
              plan:
                columns:
                  title: { from: name, pick: first, optional: true }
            """))
        #expect(plan.source("plan", "title") == .rule(ColumnRule(
            column: "title", location: SourceLocation(file: "rules.yaml", line: 4, column: 7),
            source: .from(column: "name", pick: .first), optional: true)))
    }

    /// Without the column the rule is as if absent: the default, a same-name column, NULL.
    @Test func isSkippedWhenTheInputLacksAColumnItReads() throws {
        let plan = try Self.schema.plan(root: "fact", staged: ["plan_code", "amount"], rules: rules("""
            tables:
              plan:
                columns:
                  title: { from: name, optional: true }
                  branch: { from: amount, pick: { max_by: missing }, optional: true }
                  label: { template: "{name}!", optional: true }
                  flag: { from: name, optional: true }
            """))
        #expect(plan.source("plan", "title") == .null)
        #expect(plan.source("plan", "branch") == .null)
        #expect(plan.source("plan", "label") == .null)
        #expect(plan.source("plan", "flag") == .databaseDefault)
    }
}
