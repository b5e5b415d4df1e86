import PostgresClient

/// The pre-write checks on the input's columns that load, validate's report and
/// validate's prediction all make, written once so the three cannot drift apart: each
/// caller only decides whether a finding stops it (load) or is reported (validate).
extension Preparation {
    /// The target's NOT NULL columns with no default that the input lacks. A BEFORE INSERT
    /// trigger may set any column: with one, such a column is the trigger's to fill, and
    /// PostgreSQL's to refuse if it does not, so none is named.
    /// One whose DEFAULT gives NULL in this session (`NullDefaults`) is among them.
    static func notNullColumnsMissing(
        from inputColumns: [String], of target: Table, constraints: TargetConstraints, on session: Session
    ) throws -> [Column] {
        guard constraints.beforeInsertTriggers.isEmpty else { return [] }
        // A column with no DEFAULT of its own takes its domain's, when the domain has one.
        let left = target.columns.filter { $0.notNull && !$0.isDatabaseGenerated && !inputColumns.contains($0.name) }
        // Filled by a DEFAULT: its own, or its domain's where it has none.
        func defaulted(_ column: Column) -> Bool { column.hasNonNullDefault || (column.defaultExpression == nil && column.domainDefault) }
        // A rule on INSERT may put the row elsewhere, DEFAULT and all (review 18): not judged.
        let rules = constraints.otherHooks.contains { $0.hasPrefix("rule ") }
        let givingNull = left.contains(where: defaulted) && !rules ? try NullDefaults.names(of: target, on: session) : []
        return left.filter { !defaulted($0) || givingNull.contains($0.name) }
    }

    /// What a load says of such a column (validate's prediction says the same).
    static func notNullColumnMissingMessage(_ column: Column, of target: Table) -> String {
        let filled = column.hasNonNullDefault || column.domainDefault ? "its DEFAULT gives NULL in this session" : "has no default (or DEFAULT NULL)"
        return "column \(column.name) of \(target.name.display) is NOT NULL and \(filled), but the input has no such column"
    }

    /// `--replace-by` names columns of the target that the input has: the rows to delete
    /// are matched on them.
    static func checkReplaceByColumns(_ replaceBy: [String], in inputColumns: [String], of target: Table) throws {
        // Named twice, a column made every statement that compares them ambiguous (42702).
        if let twice = replaceBy.first(where: { name in replaceBy.filter { $0 == name }.count > 1 }) {
            let once = replaceBy.enumerated().filter { index, name in replaceBy.firstIndex(of: name) == index }.map(\.element)
            throw FKBackfillError(
                "replace-by column \(twice) is named twice", hint: "name each column once: --replace-by \(once.joined(separator: ","))",
                kind: .invalidOptions)
        }
        let targetColumns = inputColumns.filter { target.column($0) != nil }
        for column in replaceBy where !targetColumns.contains(column) {
            throw FKBackfillError(
                "replace-by column \(column) is not in the input",
                hint: "choose columns of \(target.name.display) that the input has: " + targetColumns.joined(separator: ", "),
                kind: .replaceByColumnMissing)
        }
    }
}
