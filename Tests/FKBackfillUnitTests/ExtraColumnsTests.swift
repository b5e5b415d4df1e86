@testable import FKBackfill
import Testing

/// Input columns the target lacks: how they are typed, what reads them, and the refusal
/// of one nothing reads (issue #24 item 9).
@Suite struct ExtraColumnsTests {
    /// rental → customer (first_name NOT NULL, last_name NOT NULL, created with a DEFAULT),
    /// rental → store (name NOT NULL varchar(20)); `customer.email` is text, `store.email` varchar.
    static var schema: Schema {
        var s = Schema()
        s.table("customer", col("id", "integer", notNull: true), col("first_name", notNull: true),
                col("last_name", notNull: true), col("created", "date", notNull: true, default: "CURRENT_DATE"),
                col("email"), col("score", "integer"))
        s.table("store", col("id", "integer", notNull: true), col("name", "character varying(20)", notNull: true),
                col("email", "character varying(50)"), col("serial", "bigint", identity: .always))
        s.table("rental", col("id", "integer"), col("customer_id", "integer"), col("store_id", "integer"))
        s.fk("rental_customer", "rental", ["customer_id"], "customer", ["id"])
        s.fk("rental_store", "rental", ["store_id"], "store", ["id"])
        return s
    }

    static let csv = InputSource.csv(path: "rental.csv", options: CSVOptions())

    func plan(_ input: [String], rules yaml: String? = nil, ignore: Bool = false) throws -> LoadPlan {
        let catalog = Self.schema.catalog(root: "rental")
        let target = try #require(catalog.table(catalog.root))
        let extra = ExtraColumns.typed(ExtraColumns.names(input, of: target), catalog: catalog)
        let resolved = try yaml.map(rules) ?? .none
        var plan = try LoadPlanner.plan(
            catalog: catalog, graph: DependencyGraph(catalog: catalog), stagedColumns: input, rules: resolved, extraColumns: extra)
        try ExtraColumns.resolve(&plan, rules: resolved, input: Self.csv, ignoreUnused: ignore)
        return plan
    }

    @Test func extraColumnsTakeTheTypeOfSameNamedParentColumnsOrText() throws {
        let catalog = Self.schema.catalog(root: "rental")
        let typed = ExtraColumns.typed(["first_name", "email", "score", "nowhere", "serial"], catalog: catalog)
        #expect(typed.map(\.type) == ["text", "text", "integer", "text", "text"])
        #expect(typed.allSatisfy { !$0.notNull })
        // Two parents disagree on email's type (text, varchar(50)): text.
        #expect(typed[1].type == "text")
    }

    @Test func aSameNamedParentColumnReadsIt() throws {
        let plan = try self.plan(["id", "customer_id", "first_name", "last_name"])
        let customer = try #require(plan.parent(Schema.name("customer")))
        #expect(customer.columns.first { $0.column.name == "first_name" }?.source == .staged(column: "first_name", reason: .sameName))
        #expect(customer.uncoveredColumns.isEmpty)
        #expect(plan.extraColumns == [
            ExtraInputColumn(column: "first_name", usedBy: ["s.customer.first_name"], ignored: false),
            ExtraInputColumn(column: "last_name", usedBy: ["s.customer.last_name"], ignored: false),
        ])
        // Staged, but not written to the target.
        #expect(plan.stagedColumns.map(\.name) == ["id", "customer_id", "first_name", "last_name"])
        #expect(plan.targetColumns.map(\.name) == ["id", "customer_id"])
    }

    @Test func aRuleReadsIt() throws {
        let yaml = "tables:\n  customer:\n    columns:\n      first_name: { from: given, pick: first }\n"
            + "      last_name: { template: \"{family} ({given})\" }\n"
        let planned = try plan(["customer_id", "given", "family"], rules: yaml)
        #expect(planned.extraColumns.map(\.column) == ["given", "family"])
        #expect(planned.extraColumns[0].usedBy == ["rule for s.customer.first_name", "rule for s.customer.last_name"])
        #expect(planned.extraColumns[1].usedBy == ["rule for s.customer.last_name"])
        var sqlRules = try rules("tables:\n  customer:\n    columns:\n      first_name: { sql: \"min(upper(nick))\" }\n")
        sqlRules.tables[0].columns[0].sqlReads = ["nick"]
        let ignored = try plan(["customer_id", "nick"], ignore: true)
        #expect(ExtraColumns.uses(of: "nick", plan: ignored, rules: sqlRules)
            == ["rule for s.customer.first_name"])
    }

    @Test func anOptionalRuleMissingAColumnReadsNothing() throws {
        // max_by's column is absent: the planner ignores the rule, so `given` is unread.
        let yaml = "tables:\n  customer:\n    columns:\n      email: { from: given, pick: { max_by: rank }, optional: true }\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try plan(["customer_id", "given"], rules: yaml) }
        #expect(error.kind == .unusedInputColumn(column: "given"))
        let read = try plan(["customer_id", "given", "rank"], rules: yaml)
        #expect(read.extraColumns.map(\.usedBy) == [["rule for s.customer.email"], ["rule for s.customer.email"]])
    }

    @Test func aColumnNothingReadsIsRefusedWithDidYouMean() throws {
        // A parent column with a DEFAULT takes its DEFAULT, not the input's value.
        for (input, column, hint) in [
            (["customer_id", "store_idd"], "store_idd", "did you mean store_id?"),
            (["customer_id", "created"], "created", "s.customer.created of new rows takes its DEFAULT or rule, not the input's value (a rule `from: created` would read it)"),
            (["customer_id", "zzz"], "zzz", "the target's columns are: id, customer_id, store_id"),
        ] {
            let error = try #require(throws: FKBackfillError.self) { _ = try plan(input) }
            #expect(error.kind == .unusedInputColumn(column: column))
            #expect(error.category == .usage)
            #expect(error.message == "rental.csv:1: column \(column) is not a column of s.rental, "
                + "and no parent column of that name nor any rule reads it")
            #expect(error.hint?.hasPrefix(hint + "; ") == true, "\(error.hint ?? "")")
            #expect(error.hint?.hasSuffix("or ignore extra columns") == true)
        }
    }

    @Test func aMisspeltParentColumnIsSuggestedWithItsTable() throws {
        let error = try #require(throws: FKBackfillError.self) { _ = try plan(["customer_id", "first_name", "last_nam"]) }
        #expect(error.kind == .unusedInputColumn(column: "last_nam"))
        #expect(error.hint?.hasPrefix("did you mean last_name? (a column of new s.customer rows); ") == true, "\(error.hint ?? "")")
    }

    @Test func ignoredColumnsAreStagedAsTextAndReported() throws {
        let plan = try self.plan(["customer_id", "first_name", "last_name", "created", "remark"], ignore: true)
        #expect(plan.extraColumns.filter(\.ignored).map(\.column) == ["created", "remark"])
        #expect(plan.stagedColumns.first { $0.name == "created" }?.type == "text")
        #expect(plan.targetColumns.map(\.name) == ["customer_id"])
        #expect(ExtraInputColumn.lines(plan.extraColumns) == [
            "input columns used only for parents/rules, not inserted: first_name (s.customer.first_name), last_name (s.customer.last_name)",
            "input columns ignored (not the target's, nothing reads them): created, remark",
        ])
        #expect(ExtraInputColumn.lines([]) == [])
    }

    @Test func aHeaderOfAnotherDialectIsStillADelimiterError() throws {
        let target = try #require(Self.schema.catalog(root: "rental").table(Schema.name("rental")))
        let error = try #require(throws: FKBackfillError.self) {
            try InputColumns.check(["id;customer_id"], of: target, input: Self.csv)
        }
        #expect(error.kind == .badInput(line: 1))
        #expect(error.hint?.hasPrefix("the header holds ';'") == true)
        #expect(throws: Never.self) { try InputColumns.check(["id", "first_name"], of: target, input: Self.csv) }
        // The work tables' own column names cannot be extra columns.
        let reserved = try #require(throws: FKBackfillError.self) {
            try InputColumns.check(["id", "_fkb_reject"], of: target, input: Self.csv)
        }
        #expect(reserved.kind == .badInput(line: 1))
        #expect(reserved.message.hasSuffix("names starting with _fkb_ are the tool's own"))
    }
}
