@testable import FKBackfill
import Testing

/// `LoadPlanner.plan` on the shape of the graph: parents of parents, composite keys,
/// self-references and cycles. What each column is filled from is in
/// PlannerDerivationTests.
@Suite struct PlannerGraphTests {
    /// fact → plan, fact → portfolio → plan → company: the annuity example's shape,
    /// with a parent (company) reached only through another parent.
    static var chain: Schema {
        var s = Schema()
        s.table("company", col("id", "integer", notNull: true), col("name", notNull: true))
        s.table("plan", col("code", notNull: true), col("name"), col("kind", notNull: true, default: "'std'::text"),
                col("company_id", "integer", notNull: true))
        s.table("portfolio", col("code", notNull: true), col("plan", notNull: true), col("label"))
        s.table("fact", col("plan_code"), col("portfolio_code"), col("amount", "numeric"))
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("fact_portfolio", "fact", ["portfolio_code"], "portfolio", ["code"])
        s.fk("portfolio_plan", "portfolio", ["plan"], "plan", ["code"])
        s.fk("plan_company", "plan", ["company_id"], "company", ["id"])
        return s
    }

    @Test func parentsComeInLoadOrderWithoutTheTarget() throws {
        let plan = try Self.chain.plan(root: "fact", staged: ["plan_code", "portfolio_code", "amount"])
        #expect(plan.parents.map(\.table.name.name) == ["company", "plan", "portfolio"])
        #expect(plan.parents.map(\.index) == [0, 1, 2])
        #expect(plan.parents.allSatisfy { !$0.isTarget && $0.cycle == nil })
        #expect(plan.target.name == Schema.name("fact"))
        #expect(plan.stagedColumns.map(\.name) == ["plan_code", "portfolio_code", "amount"])
    }

    @Test func computeGroupsRunChildrenFirstOneTableEach() throws {
        let plan = try Self.chain.plan(root: "fact", staged: ["plan_code", "portfolio_code"])
        #expect(plan.computeGroups == [[2], [1], [0]])
    }

    @Test func keysReachAParentFromStagedRowsAndFromOtherParents() throws {
        let plan = try Self.chain.plan(root: "fact", staged: ["plan_code", "portfolio_code"])
        let planTable = try #require(plan.parent(Schema.name("plan")))
        #expect(planTable.keyColumns == ["code"])
        #expect(planTable.sources.map(\.foreignKey.name) == ["fact_plan", "portfolio_plan"])
        #expect(planTable.sources.map(\.origin) == [.staged, .parent(index: 2)])
        // company is a parent's parent: its keys come only from new plan rows.
        let company = try #require(plan.parent(Schema.name("company")))
        #expect(company.keyColumns == ["id"])
        #expect(company.sources.map(\.origin) == [.parent(index: 1)])
        #expect(company.uncoveredColumns.map(\.name) == ["name"])
    }

    @Test func aTargetKeyNotFullyStagedIsNoSourceNorStagedKey() throws {
        let plan = try Self.chain.plan(root: "fact", staged: ["portfolio_code", "amount"])
        #expect(plan.parent(Schema.name("plan"))?.sources.map(\.foreignKey.name) == ["portfolio_plan"])
        #expect(plan.stagedKeys.map(\.name) == ["fact_portfolio"])
        #expect(plan.blankColumns.map(\.name) == ["portfolio_code"])
    }

    @Test func stagedKeysAreTheTargetsFullyStagedFKsByName() throws {
        let plan = try Self.chain.plan(root: "fact", staged: ["portfolio_code", "plan_code"])
        #expect(plan.stagedKeys.map(\.name) == ["fact_plan", "fact_portfolio"])
        #expect(plan.matchFullKeys.isEmpty)
        #expect(plan.guardedKeys.isEmpty)
        #expect(plan.deferredConstraints.isEmpty)
        #expect(plan.unbreakableCycles.isEmpty)
    }

    @Test func compositeKeysFollowTheReferencedColumnsOrder() throws {
        var s = Schema()
        s.table("plan", col("year", "integer", notNull: true), col("name"), col("code", notNull: true))
        s.table("fact", col("plan_code"), col("plan_year", "integer"))
        // The FK lists (year, code); the table has them in another order.
        s.fk("fact_plan", "fact", ["plan_year", "plan_code"], "plan", ["year", "code"], match: .full)
        let plan = try s.plan(root: "fact", staged: ["plan_code", "plan_year"])
        let parent = try #require(plan.parent(Schema.name("plan")))
        #expect(parent.keyColumns == ["year", "code"])
        #expect(plan.source("plan", "year") == .key(position: 0))
        #expect(plan.source("plan", "code") == .key(position: 1))
        #expect(plan.source("plan", "name") == .null)
        #expect(plan.matchFullKeys.map(\.name) == ["fact_plan"])
        // Blank columns in FK column order, not input order.
        #expect(plan.blankColumns.map(\.name) == ["plan_year", "plan_code"])
    }

    @Test func aPartlyStagedCompositeKeyIsNotBackfilled() throws {
        var s = Schema()
        s.table("plan", col("code", notNull: true), col("year", "integer", notNull: true))
        s.table("fact", col("plan_code"), col("plan_year", "integer"), col("x"))
        s.fk("fact_plan", "fact", ["plan_code", "plan_year"], "plan", ["code", "year"], match: .full)
        let plan = try s.plan(root: "fact", staged: ["plan_code", "x"])
        #expect(plan.parent(Schema.name("plan"))?.sources.isEmpty == true)
        #expect(plan.parent(Schema.name("plan"))?.keyColumns == [])
        #expect(plan.stagedKeys.isEmpty)
        #expect(plan.matchFullKeys.isEmpty)
        // Still looked at for blanks: the staged half of the key.
        #expect(plan.blankColumns.map(\.name) == ["plan_code"])
    }

    @Test func aSelfReferencingTargetIsItsOwnParent() throws {
        var s = Schema()
        s.table("node", col("id", "integer", notNull: true), col("parent_id", "integer"), col("name", notNull: true))
        s.fk("node_parent", "node", ["parent_id"], "node", ["id"])
        let plan = try s.plan(root: "node", staged: ["id", "parent_id", "name"])
        #expect(plan.parents.count == 1)
        let node = plan.parents[0]
        #expect(node.isTarget)
        #expect(node.cycle == 0)
        #expect(node.keyColumns == ["id"])
        #expect(node.sources.map(\.origin) == [.staged])
        #expect(plan.computeGroups == [[0]])
        // A placeholder's staged children say nothing about it: no same-name derivation.
        #expect(plan.source("node", "name") == .uncovered)
        #expect(plan.source("node", "parent_id") == .null)
        #expect(node.columns.first { $0.column.name == "parent_id" }?.deferredUntilCycleLoaded == true)
        #expect(node.columns.first { $0.column.name == "name" }?.deferredUntilCycleLoaded == false)
    }

    /// employee.department → department (NOT NULL), department.manager → employee
    /// (nullable): a cycle broken at the manager key; fact references employee.
    static var cycle: Schema {
        var s = Schema()
        s.table("department", col("id", "integer", notNull: true), col("manager_id", "integer"), col("name"))
        s.table("employee", col("id", "integer", notNull: true), col("department_id", "integer", notNull: true))
        s.table("fact", col("employee_id", "integer"), col("dept", "integer"))
        s.fk("dept_manager", "department", ["manager_id"], "employee", ["id"])
        s.fk("emp_dept", "employee", ["department_id"], "department", ["id"])
        s.fk("fact_emp", "fact", ["employee_id"], "employee", ["id"])
        return s
    }

    @Test func aCycleIsComputedAsOneGroupChildrenFirst() throws {
        let plan = try Self.cycle.plan(root: "fact", staged: ["employee_id"])
        #expect(plan.parents.map(\.table.name.name) == ["department", "employee"])
        #expect(plan.parents.map(\.cycle) == [0, 0])
        #expect(plan.computeGroups == [[1, 0]])
        #expect(plan.parent(Schema.name("department"))?.sources.map(\.origin) == [.parent(index: 1)])
        #expect(plan.parent(Schema.name("employee"))?.sources.map(\.foreignKey.name) == ["dept_manager", "fact_emp"])
    }

    @Test func theNullableColumnOfABrokenEdgeWaitsUntilTheCycleIsLoaded() throws {
        let plan = try Self.cycle.plan(root: "fact", staged: ["employee_id"])
        let department = try #require(plan.parent(Schema.name("department")))
        #expect(department.columns.filter(\.deferredUntilCycleLoaded).map(\.column.name) == ["manager_id"])
        #expect(plan.parent(Schema.name("employee"))?.columns.contains(where: \.deferredUntilCycleLoaded) == false)
        #expect(plan.deferredConstraints.isEmpty)
    }

    @Test func aFactColumnToTheSameParentFillsTheCyclesNotNullKey() throws {
        // fact.dept → department too: a new employee's department is the fact row's.
        var s = Self.cycle
        s.fk("fact_dept", "fact", ["dept"], "department", ["id"])
        let plan = try s.plan(root: "fact", staged: ["employee_id", "dept"])
        #expect(plan.source("employee", "department_id") == .staged(column: "dept", reason: .sameParent))
        #expect(plan.parent(Schema.name("department"))?.sources.map(\.foreignKey.name) == ["emp_dept", "fact_dept"])
        // Without that FK nothing says which department: the NOT NULL column is uncovered.
        let without = try Self.cycle.plan(root: "fact", staged: ["employee_id", "dept"])
        #expect(without.source("employee", "department_id") == .uncovered)
    }

    @Test func aDeferrableBreakIsDeferredNotNulled() throws {
        var s = Schema()
        s.table("a", col("id", "integer", notNull: true), col("b_id", "integer", notNull: true))
        s.table("b", col("id", "integer", notNull: true), col("a_id", "integer", notNull: true))
        s.table("fact", col("a_id", "integer"))
        s.fk("ab", "a", ["b_id"], "b", ["id"])
        s.fk("ba", "b", ["a_id"], "a", ["id"], deferrable: true)
        s.fk("fact_a", "fact", ["a_id"], "a", ["id"])
        let plan = try s.plan(root: "fact", staged: ["a_id"])
        #expect(plan.deferredConstraints.map(\.name) == ["ba"])
        #expect(plan.parents.allSatisfy { !$0.columns.contains(where: \.deferredUntilCycleLoaded) })
        #expect(plan.unbreakableCycles.isEmpty)
    }

    @Test func anUnbreakableCycleIsPlannedAndListed() throws {
        var s = Schema()
        s.table("a", col("id", "integer", notNull: true), col("b_id", "integer", notNull: true))
        s.table("b", col("id", "integer", notNull: true), col("a_id", "integer", notNull: true))
        s.table("fact", col("a_id", "integer"))
        s.fk("ab", "a", ["b_id"], "b", ["id"])
        s.fk("ba", "b", ["a_id"], "a", ["id"])
        s.fk("fact_a", "fact", ["a_id"], "a", ["id"])
        let plan = try s.plan(root: "fact", staged: ["a_id"])
        #expect(plan.unbreakableCycles.count == 1)
        #expect(plan.unbreakableCycles[0].tables.map(\.name) == ["a", "b"])
        #expect(plan.computeGroups == [[1, 0]])
    }

    @Test func aParentReferencedThroughTwoDifferentKeysCannotBeBackfilled() throws {
        var s = Schema()
        s.table("plan", col("id", "integer", notNull: true), col("code", notNull: true))
        s.table("portfolio", col("code", notNull: true), col("plan_id", "integer"))
        s.table("fact", col("plan_code"), col("portfolio_code"), col("plan_id", "integer"))
        s.fk("fact_plan", "fact", ["plan_code"], "plan", ["code"])
        s.fk("fact_portfolio", "fact", ["portfolio_code"], "portfolio", ["code"])
        s.fk("portfolio_plan", "portfolio", ["plan_id"], "plan", ["id"])
        // New portfolios take plan_id from the input's column of that name: plans by id too.
        let error = try #require(throws: FKBackfillError.self) {
            _ = try s.plan(root: "fact", staged: ["plan_code", "portfolio_code", "plan_id"])
        }
        #expect(error.kind == .blocked)
        #expect(error.message == "s.plan is referenced through different keys (code) and (id); "
            + "a new row would need values for all of them")
        #expect(error.hint == "backfill this table by hand or load it before the facts")
        #expect(error.category == .findings)
        // Skipping one of the keys leaves one key set: planned.
        let skipped = try s.plan(root: "fact", staged: ["plan_code", "portfolio_code"],
                                 rules: rules("foreign_keys:\n  portfolio_plan: { skip: true }\n"))
        #expect(skipped.parent(Schema.name("plan"))?.keyColumns == ["code"])
        // Without it, new portfolios' plan_id is NULL (MATCH SIMPLE asks nothing): that FK
        // gives plan no key, which is made by code alone (LoadPlanner+LiveKeys.swift).
        let byCode = try s.plan(root: "fact", staged: ["plan_code", "portfolio_code"])
        #expect(byCode.parent(Schema.name("plan"))?.keyColumns == ["code"])
        #expect(byCode.parent(Schema.name("plan"))?.sources.map(\.foreignKey.name) == ["fact_plan"])
    }

    @Test func anInputColumnTheTargetLacksIsAUsageError() throws {
        let error = try #require(throws: FKBackfillError.self) {
            _ = try Self.chain.plan(root: "fact", staged: ["plan_code", "nope"])
        }
        #expect(error.kind == .badInput(line: 1))
        #expect(error.message == "input column nope is not a column of s.fact")
        #expect(error.category == .usage)
    }

    @Test func aTargetMissingFromTheCatalogIsADatabaseError() throws {
        var s = Self.chain
        s.tables[Schema.name("fact")] = nil
        let error = try #require(throws: FKBackfillError.self) { _ = try s.plan(root: "fact", staged: []) }
        #expect(error.kind == .catalogChanged)
        #expect(error.message == "target s.fact is missing from the catalog")
        #expect(error.category == .database)
    }

    @Test func aDeclaredRelationIsPlannedLikeACatalogFK() throws {
        var s = Schema()
        s.table("plan", col("code", notNull: true), col("name"))
        s.table("fact", col("plan_code"), col("plan_name"))
        s.fk("plan_code -> s.plan", "fact", ["plan_code"], "plan", ["code"], declared: true)
        let plan = try s.plan(root: "fact", staged: ["plan_code", "plan_name"])
        #expect(plan.parent(Schema.name("plan"))?.sources.map(\.foreignKey.declared) == [true])
        #expect(plan.stagedKeys.map(\.name) == ["plan_code -> s.plan"])
    }
}
