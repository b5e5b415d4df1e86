/// An input column that is not a column of the target: staged with the rest, never
/// inserted into the target, there only for what the backfill reads from it.
public struct ExtraInputColumn: Sendable, Equatable {
    /// The input's name for it.
    public var column: String
    /// What reads it: `schema.table.column` of each parent column it fills by name, and
    /// `rule for schema.table.column` of each rule that reads it; empty when ignored.
    public var usedBy: [String]
    /// Nothing reads it and `--ignore-extra-columns` let the run go on: staged as text
    /// (a CSV's columns must all be read) and never read.
    public var ignored: Bool

    public init(column: String, usedBy: [String], ignored: Bool) {
        self.column = column
        self.usedBy = usedBy
        self.ignored = ignored
    }
}

/// Input columns that are not the target's: a rental CSV carrying `first_name,last_name`
/// for the new customers its rows create. They may feed same-named parent columns and
/// rules (docs/backfill.md, "Extra input columns"); one that nothing reads is a mistake
/// (a misspelt target column, most often) unless the caller says to ignore it.
enum ExtraColumns {
    /// The input's columns the target does not have, in input order.
    static func names(_ input: [String], of target: Table) -> [String] {
        input.filter { target.column($0) == nil }
    }

    /// Each extra column as a staged column: typed like the parent columns of the same
    /// name when they all share one type (the column they fill then takes its values as
    /// they are, and `pick: max` orders numbers as numbers), otherwise as text (a `sql:`
    /// rule casts it as it needs). Nullable: the target's NOT NULL does not apply.
    static func typed(_ names: [String], catalog: Catalog) -> [Column] {
        names.map { name in
            var types = Set<String>()
            for (table, info) in catalog.tables where table != catalog.root {
                if let column = info.column(name), !column.isDatabaseGenerated { types.insert(column.type) }
            }
            return Column(name: name, type: types.count == 1 ? types.first ?? "text" : "text", notNull: false)
        }
    }

    /// What reads `name` in `plan`, by the rules in `rules` (resolved): the parent columns
    /// it fills by name, and the rules whose `from:`, `max_by`/`min_by`, template or `sql:`
    /// read it. A rule counts even when the plan fell back to no rules (validate), so the
    /// verdict on a column does not depend on whether the rules could be planned.
    static func uses(of name: String, plan: LoadPlan, rules: Rules) -> [String] {
        var uses: [String] = []
        for parent in plan.parents where !parent.isTarget {
            for planned in parent.columns {
                if case .staged(let source, _) = planned.source, source == name {
                    uses.append("\(parent.table.name.display).\(planned.column.name)")
                }
            }
        }
        let staged = Set(plan.stagedColumns.map(\.name))
        for table in rules.tables {
            // An optional rule missing one of its columns is ignored by the planner: it reads nothing.
            for rule in table.columns where rule.inputColumns.contains(name) || rule.sqlReads.contains(name) {
                if rule.optional && !rule.inputColumns.allSatisfy(staged.contains) { continue }
                let owner = table.resolved?.display ?? table.name
                uses.append("rule for \(owner).\(rule.column)")
            }
        }
        return uses
    }

    /// Marks each extra column of `plan` as used (by what) or ignored; refuses one that
    /// nothing reads unless `ignoreUnused`. The error names the header line (a CSV) and
    /// the column, with the target's closest column.
    static func resolve(
        _ plan: inout LoadPlan, rules: Rules, input: InputSource, ignoreUnused: Bool
    ) throws(FKBackfillError) {
        let target = plan.target
        plan.extraColumns = []
        for column in plan.stagedColumns where target.column(column.name) == nil {
            let uses = uses(of: column.name, plan: plan, rules: rules)
            if uses.isEmpty && !ignoreUnused {
                let names = target.columns.map(\.name)
                throw FKBackfillError(
                    "\(location(of: input)): column \(column.name) is not a column of \(target.name.display), "
                        + "and no parent column of that name nor any rule reads it",
                    hint: (didYouMean(column.name, in: names) ?? parentSuggestion(column.name, plan: plan)
                        ?? "the target's columns are: " + names.joined(separator: ", "))
                        + "; an input column the target lacks must fill a same-named column of new parent rows "
                        + "or be read by a rule: leave it out, or ignore extra columns",
                    kind: .unusedInputColumn(column: column.name))
            }
            plan.extraColumns.append(ExtraInputColumn(column: column.name, usedBy: uses, ignored: uses.isEmpty))
        }
        // An ignored column is staged as text: its values can then never fail the run.
        let ignored = Set(plan.extraColumns.filter(\.ignored).map(\.column))
        plan.stagedColumns = plan.stagedColumns.map { column in
            ignored.contains(column.name) ? Column(name: column.name, type: "text", notNull: false) : column
        }
    }

    /// "did you mean last_name? (of new s.customer rows)" for a misspelt column meant for a
    /// parent: the closest column a new parent row could take from the input by name.
    static func parentSuggestion(_ name: String, plan: LoadPlan) -> String? {
        var candidates: [(distance: Int, column: String, table: String)] = []
        for parent in plan.parents where !parent.isTarget {
            for planned in parent.columns {
                switch planned.source {
                case .key, .generatedByDatabase: continue
                default: break
                }
                // Case counts: `First_Name` is not the column first_name (PostgreSQL folds
                // only unquoted names), so it is one edit away, a did-you-mean.
                let distance = planned.column.name == name ? 0 : max(1, editDistance(planned.column.name.lowercased(), name.lowercased()))
                if distance <= max(1, name.count / 3) {
                    candidates.append((distance, planned.column.name, parent.table.name.display))
                }
            }
        }
        guard let best = candidates.min(by: { ($0.distance, $0.column, $0.table) < ($1.distance, $1.column, $1.table) }) else { return nil }
        // The very name: that parent column is filled otherwise (its DEFAULT, a rule).
        if best.distance == 0 {
            return "\(best.table).\(best.column) of new rows takes its DEFAULT or rule, not the input's value "
                + "(a rule `from: \(best.column)` would read it)"
        }
        return "did you mean \(best.column)? (a column of new \(best.table) rows)"
    }

    /// Where the header is: `FILE:1` for a CSV with one, the input's name otherwise.
    static func location(of input: InputSource) -> String {
        if case .csv(let path, let options) = input, options.header {
            return "\(path == "-" ? "<stdin>" : path):1"
        }
        return input.label
    }
}
