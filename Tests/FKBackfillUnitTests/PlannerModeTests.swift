@testable import FKBackfill
import Testing

/// The run's mode, table modes, FK rules that guard keys instead of backfilling them,
/// and the blank rule, as the planner turns them into a plan.
@Suite struct PlannerModeTests {
    /// fact → plan, fact → org, fact → (declared) product: three independent parents.
    static var schema: Schema {
        var s = Schema()
        s.table("plan", col("code", notNull: true), col("name"))
        s.table("org", col("id", "integer", notNull: true))
        s.table("product", col("id", "integer", notNull: true))
        s.table("fact", col("plan_code"), col("org_id", "integer"), col("product_id", "integer"), col("note"))
        s.fk("fact_org", "fact", ["org_id"], "org", ["id"])
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("product_id -> s.product", "fact", ["product_id"], "product", ["id"], declared: true)
        return s
    }

    static let staged = ["plan_code", "org_id", "product_id", "note"]

    func plan(_ yaml: String? = nil, mode: BackfillMode = .insertMissing) throws -> LoadPlan {
        try Self.schema.plan(root: "fact", staged: Self.staged, rules: yaml.map(rules) ?? .none, mode: mode)
    }

    func guarded(_ plan: LoadPlan) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: plan.guardedKeys.map { ($0.foreignKey.name, $0.reject) })
    }

    @Test func theRunsModeIsEveryTablesModeWithoutARule() throws {
        #expect(try plan().parents.map(\.mode) == [.insertMissing, .insertMissing, .insertMissing])
        let filling = try plan(mode: .fillNullOnly)
        #expect(filling.parents.map(\.mode) == [.fillNullOnly, .fillNullOnly, .fillNullOnly])
        #expect(filling.parents.allSatisfy { $0.backfills })
    }

    @Test func aTableModeOverridesTheRunsMode() throws {
        let plan = try plan("tables:\n  org:\n    mode: insert_missing\n", mode: .fillNullOnly)
        #expect(plan.parent(Schema.name("org"))?.mode == .insertMissing)
        #expect(plan.parent(Schema.name("plan"))?.mode == .fillNullOnly)
    }

    @Test func modeSkipRejectsRowsInsteadOfBackfilling() throws {
        let plan = try plan("tables:\n  plan:\n    mode: skip\n")
        let parent = try #require(plan.parent(Schema.name("plan")))
        #expect(parent.mode == .skip)
        #expect(!parent.backfills)
        #expect(parent.sources.isEmpty)
        #expect(guarded(plan) == ["fact_plan": true])
        // Still a staged key: the load reads it from the staged rows to find the missing ones.
        #expect(plan.stagedKeys.map(\.name).contains("fact_plan"))
    }

    @Test func modeFailStopsTheLoadInsteadOfBackfilling() throws {
        let plan = try plan("tables:\n  org:\n    mode: fail\n")
        #expect(plan.parent(Schema.name("org"))?.backfills == false)
        #expect(plan.parent(Schema.name("org"))?.sources.isEmpty == true)
        #expect(guarded(plan) == ["fact_org": false])
    }

    @Test func onMissingRejectAndFailGuardTheKey() throws {
        let plan = try plan("""
            foreign_keys:
              fact_plan: { on_missing: reject }
              fact_org: { on_missing: fail }
            """)
        #expect(guarded(plan) == ["fact_plan": true, "fact_org": false])
        #expect(plan.parent(Schema.name("plan"))?.sources.isEmpty == true)
        #expect(plan.parent(Schema.name("org"))?.sources.isEmpty == true)
        // The table itself still backfills (another FK could reach it).
        #expect(plan.parent(Schema.name("plan"))?.backfills == true)
        #expect(plan.guardedKeys.map(\.foreignKey.name) == ["fact_org", "fact_plan"])
    }

    @Test func onMissingOverridesTheParentsTableMode() throws {
        let plan = try plan("""
            tables:
              plan:
                mode: skip
            foreign_keys:
              fact_plan: { on_missing: fail }
            """)
        #expect(guarded(plan) == ["fact_plan": false])
    }

    @Test func aSkippedKeyIsNeitherBackfilledNorGuarded() throws {
        let plan = try plan("tables:\n  plan:\n    mode: fail\nforeign_keys:\n  fact_plan: { skip: true }\n")
        #expect(plan.guardedKeys.isEmpty)
        #expect(plan.parent(Schema.name("plan"))?.sources.isEmpty == true)
    }

    @Test func declaredRelationsAreGuardedByTheirName() throws {
        let plan = try plan("foreign_keys:\n  product_id -> s.product: { on_missing: reject }\n")
        #expect(guarded(plan) == ["product_id -> s.product": true])
        #expect(plan.parent(Schema.name("product"))?.sources.isEmpty == true)
    }

    @Test func anFKRuleResolvedToAnotherTableDoesNotApply() throws {
        var rules = try rules("foreign_keys:\n  fact_plan: { on_missing: reject }\n")
        rules.foreignKeys[0].resolvedTable = Schema.name("elsewhere")
        let plan = try Self.schema.plan(root: "fact", staged: Self.staged, rules: rules)
        #expect(plan.guardedKeys.isEmpty)
        #expect(plan.parent(Schema.name("plan"))?.sources.map(\.foreignKey.name) == ["fact_plan"])
    }

    @Test func aKeyNotInTheInputIsNeverGuarded() throws {
        let plan = try Self.schema.plan(root: "fact", staged: ["org_id"], rules: rules("tables:\n  plan:\n    mode: skip\n"))
        #expect(plan.guardedKeys.isEmpty)
    }

    @Test func blankColumnsAreTheStagedFKColumnsOnceEach() throws {
        var s = Self.schema
        // A second FK over org_id must not list the column twice.
        s.fk("fact_org_again", "fact", ["org_id"], "org", ["id"])
        let plan = try s.plan(root: "fact", staged: ["note", "plan_code", "org_id"])
        // By FK name (fact_org, fact_org_again, fact_plan), not input order; note is no FK column.
        #expect(plan.blankColumns.map(\.name) == ["org_id", "plan_code"])
    }

    @Test func theBlankRuleIsCarriedIntoThePlan() throws {
        let plan = try plan("blank:\n  markers: ['(空白)', '-']\n  on_blank: reject\n")
        #expect(plan.blank.markers == ["(空白)", "-"])
        #expect(plan.blank.onBlank == .reject)
        #expect(try self.plan().blank == BlankRule())
    }
}
