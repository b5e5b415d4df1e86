@testable import FKBackfill
import Testing

/// Where a new parent row's columns come from, in the planner's order: key, identity or
/// generated, rule, DEFAULT, same-name staged column, FK column through the same parent,
/// NULL, uncovered. Each test puts two adjacent steps against each other, so a swap of
/// the order fails one of them.
@Suite struct PlannerDerivationTests {
    /// plan(code) referenced by fact.plan_code; region referenced by plan and by fact.
    static func schema(_ planColumns: Column...) -> Schema {
        var s = Schema()
        s.table("region", col("id", "integer", notNull: true))
        s.table("plan", [col("code", notNull: true)] + planColumns)
        s.table("fact", col("plan_code"), col("name"), col("amount", "numeric"), col("region_code", "integer"),
                col("other_region", "integer"))
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("fact_region", "fact", ["region_code"], "region", ["id"])
        return s
    }

    static let staged = ["plan_code", "name", "amount", "region_code"]

    @Test func theKeyIsTheKeyWhateverElseApplies() throws {
        let s = Self.schema(col("name"))
        let plan = try s.plan(root: "fact", staged: Self.staged, rules: rules("""
            tables:
              plan:
                columns:
                  code: { value: X }
            """))
        #expect(plan.source("plan", "code") == .key(position: 0))
    }

    @Test func identityAndGeneratedColumnsBeatRules() throws {
        let s = Self.schema(col("seq", "bigint", notNull: true, identity: .byDefault),
                            col("upper_name", generated: "upper(name)"))
        let plan = try s.plan(root: "fact", staged: Self.staged, rules: rules("""
            tables:
              plan:
                columns:
                  seq: { value: 1 }
                  upper_name: { value: X }
            """))
        #expect(plan.source("plan", "seq") == .generatedByDatabase)
        #expect(plan.source("plan", "upper_name") == .generatedByDatabase)
    }

    @Test func aRuleBeatsTheDefault() throws {
        let s = Self.schema(col("status", notNull: true, default: "'new'::text"))
        let rule = try rules("tables:\n  plan:\n    columns:\n      status: { value: imported }\n")
        let plan = try s.plan(root: "fact", staged: Self.staged, rules: rule)
        guard case .rule(let columnRule) = plan.source("plan", "status") else {
            Issue.record("expected a rule, got \(String(describing: plan.source("plan", "status")))")
            return
        }
        #expect(columnRule.source == .value("imported"))
        #expect(try Self.schema(col("status", notNull: true, default: "'new'::text"))
            .plan(root: "fact", staged: Self.staged).source("plan", "status") == .databaseDefault)
    }

    @Test func ruleDefaultAndRuleNullAreSourcesOfTheirOwn() throws {
        // `default` on a column without DEFAULT, `null` on a NOT NULL one: the rule says so.
        let s = Self.schema(col("name", notNull: true), col("amount", "numeric"))
        let plan = try s.plan(root: "fact", staged: Self.staged, rules: rules("""
            tables:
              plan:
                columns:
                  name: null
                  amount: default
            """))
        #expect(plan.source("plan", "name") == .null)
        #expect(plan.source("plan", "amount") == .databaseDefault)
    }

    @Test func theDefaultBeatsASameNameInputColumn() throws {
        let plan = try Self.schema(col("amount", "numeric", default: "0")).plan(root: "fact", staged: Self.staged)
        #expect(plan.source("plan", "amount") == .databaseDefault)
    }

    @Test func aSameNameInputColumnIsTheMostFrequentValue() throws {
        let plan = try Self.schema(col("name", notNull: true)).plan(root: "fact", staged: Self.staged)
        #expect(plan.source("plan", "name") == .staged(column: "name", reason: .sameName))
        // Not staged: nothing derives it.
        let unstaged = try Self.schema(col("name", notNull: true)).plan(root: "fact", staged: ["plan_code"])
        #expect(unstaged.source("plan", "name") == .uncovered)
    }

    @Test func sameNameBeatsSameParent() throws {
        // plan.region_code → region, and fact has a staged region_code → region too.
        var s = Self.schema(col("region_code", "integer", notNull: true))
        s.fk("plan_region", "plan", ["region_code"], "region", ["id"])
        let plan = try s.plan(root: "fact", staged: Self.staged)
        #expect(plan.source("plan", "region_code") == .staged(column: "region_code", reason: .sameName))
    }

    @Test func anFKColumnTakesTheStagedColumnThatReferencesTheSameParent() throws {
        var s = Self.schema(col("region", "integer", notNull: true))
        s.fk("plan_region", "plan", ["region"], "region", ["id"])
        let plan = try s.plan(root: "fact", staged: Self.staged)
        #expect(plan.source("plan", "region") == .staged(column: "region_code", reason: .sameParent))
        // The staged column must be in the input.
        let unstaged = try s.plan(root: "fact", staged: ["plan_code"])
        #expect(unstaged.source("plan", "region") == .uncovered)
    }

    @Test func twoStagedColumnsToTheSameParentAreAmbiguous() throws {
        var s = Self.schema(col("region", "integer"))
        s.fk("plan_region", "plan", ["region"], "region", ["id"])
        s.fk("fact_other_region", "fact", ["other_region"], "region", ["id"])
        let plan = try s.plan(root: "fact", staged: Self.staged + ["other_region"])
        #expect(plan.source("plan", "region") == .null)
    }

    @Test func sameParentMatchesTheReferencedColumnOfACompositeKey() throws {
        var s = Schema()
        s.table("period", col("year", "integer", notNull: true), col("month", "integer", notNull: true))
        s.table("plan", col("code", notNull: true), col("y", "integer", notNull: true), col("m", "integer", notNull: true))
        s.table("fact", col("plan_code"), col("fact_month", "integer"), col("fact_year", "integer"))
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("fact_period", "fact", ["fact_month", "fact_year"], "period", ["month", "year"])
        s.fk("plan_period", "plan", ["y", "m"], "period", ["year", "month"])
        let plan = try s.plan(root: "fact", staged: ["plan_code", "fact_month", "fact_year"])
        #expect(plan.source("plan", "y") == .staged(column: "fact_year", reason: .sameParent))
        #expect(plan.source("plan", "m") == .staged(column: "fact_month", reason: .sameParent))
    }

    @Test func nullWhenNullableElseUncovered() throws {
        let plan = try Self.schema(col("note"), col("owner", notNull: true)).plan(root: "fact", staged: Self.staged)
        #expect(plan.source("plan", "note") == .null)
        #expect(plan.source("plan", "owner") == .uncovered)
        #expect(plan.parent(Schema.name("plan"))?.uncoveredColumns.map(\.name) == ["owner"])
    }

    @Test func marksAreKeptPerColumnTheLastOneWinning() throws {
        var rule = try rules("tables:\n  plan:\n    mark:\n      origin: auto\n")
        let location = SourceLocation(file: "rules.yaml", line: 9, column: 7)
        rule.tables[0].marks.append(MarkRule(column: "origin", value: "again", location: location))
        let plan = try Self.schema(col("origin"), col("note")).plan(root: "fact", staged: Self.staged, rules: rule)
        let parent = try #require(plan.parent(Schema.name("plan")))
        #expect(parent.columns.first { $0.column.name == "origin" }?.mark == "again")
        #expect(parent.columns.first { $0.column.name == "note" }?.mark == nil)
    }

    @Test func insertedAndDerivedColumnsFollowTheSources() throws {
        let s = Self.schema(
            col("name"), col("status", default: "'x'"), col("seq", "bigint", identity: .always), col("note"),
            col("origin"), col("kind"), col("flag", default: "true"))
        let plan = try s.plan(root: "fact", staged: Self.staged, rules: rules("""
            tables:
              plan:
                columns:
                  kind: { value: k }
                  flag: null
                mark:
                  origin: auto
            """))
        let parent = try #require(plan.parent(Schema.name("plan")))
        // Keys, staged, rules, marks, and NULL forced over a DEFAULT; in table order.
        #expect(parent.insertedColumns.map(\.column.name) == ["code", "name", "origin", "kind", "flag"])
        #expect(parent.derivedColumns.map(\.column.name) == ["name", "kind"])
        #expect(parent.uncoveredColumns.isEmpty)
        #expect(!parent.keyIsIdentity)
    }

    @Test func anIdentityKeyNeedsOverridingSystemValue() throws {
        var s = Schema()
        s.table("plan", col("id", "bigint", notNull: true, identity: .always))
        s.table("fact", col("plan_id", "bigint"))
        s.fk("fact_plan", "fact", ["plan_id"], "plan", ["id"])
        let plan = try s.plan(root: "fact", staged: ["plan_id"])
        #expect(plan.source("plan", "id") == .key(position: 0))
        #expect(plan.parent(Schema.name("plan"))?.keyIsIdentity == true)
        var byDefault = s
        byDefault.table("plan", col("id", "bigint", notNull: true, identity: .byDefault))
        #expect(try byDefault.plan(root: "fact", staged: ["plan_id"]).parent(Schema.name("plan"))?.keyIsIdentity == false)
    }
}
