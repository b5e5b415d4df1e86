/// New rows that all get the same values where a unique index looks: the second
/// collides with the first (or with a row there holding them).
extension Coverage {
    /// Unique indexes without key columns whose columns all get the same non-NULL value
    /// on every placeholder: the second new row would collide with the first.
    func collidingUniques(_ parent: ParentPlan) -> [String] {
        (facts.indexes[parent.table.name] ?? []).filter(\.unique).compactMap { index in
            guard !index.columns.contains(where: parent.keyColumns.contains) else { return nil }
            let constant = index.columns.allSatisfy { name in
                Self.alike(parent.columns.first { $0.column.name == name }, nullsNotDistinct: index.nullsNotDistinct)
            }
            guard constant else { return nil }
            return "placeholder rows of \(parent.table.name.display) would all get the same "
                + "(\(index.columns.joined(separator: ", "))), which unique index \(index.name) allows only once"
        }
    }

    /// Whether every new row gets the same value in `column` as far as a unique index
    /// sees: a mark, a constant rule, a DEFAULT that is no sequence, or NULL where NULLs
    /// clash (NULLS NOT DISTINCT).
    static func alike(_ column: ColumnPlan?, nullsNotDistinct: Bool) -> Bool {
        guard let column else { return false }
        if column.mark != nil { return true }
        switch column.source {
        case .databaseDefault: return column.column.defaultExpression.map { !$0.contains("nextval(") } ?? nullsNotDistinct
        // Left NULL: every placeholder alike only where NULLs clash (NULLS NOT DISTINCT).
        case .null: return nullsNotDistinct
        case .rule(let rule):
            if case .value = rule.source { return true }
            if case .null = rule.source { return nullsNotDistinct }
            return false
        default: return false
        }
    }
}
