/// New rows that all get the same values where a unique index looks: the second
/// collides with the first (or with a row there holding them).
extension Coverage {
    /// Unique indexes without key columns whose columns all get the same non-NULL value
    /// on every placeholder: the second new row would collide with the first.
    func collidingUniques(_ parent: ParentPlan) -> [String] {
        (facts.indexes[parent.table.name] ?? []).filter(\.unique).compactMap { index in
            guard !index.columns.contains(where: parent.keyColumns.contains) else { return nil }
            let constant = index.columns.allSatisfy { name in
                Self.alike(parent.columns.first { $0.column.name == name }, nullsNotDistinct: index.nullsNotDistinct,
                           varying: facts.varyingDefaults[parent.table.name] ?? [])
            }
            guard constant else { return nil }
            return "placeholder rows of \(parent.table.name.display) would all get the same "
                + "(\(index.columns.joined(separator: ", "))), which unique index \(index.name) allows only once"
        }
    }

    /// Whether every new row gets the same value in `column` as far as a unique index
    /// sees: a mark, a constant rule, a DEFAULT (its own or its domain's) that calls nothing
    /// VOLATILE, or NULL where NULLs clash (NULLS NOT DISTINCT). `varying`: the table's
    /// columns whose DEFAULT does (`TableFacts.varyingDefaults`): `public_id uuid NOT NULL
    /// DEFAULT gen_random_uuid() UNIQUE` gives each row its own (hostile review 22: the
    /// standby and the audit called such a parent's keys unfixable; the load took them).
    static func alike(_ column: ColumnPlan?, nullsNotDistinct: Bool, varying: Set<String>) -> Bool {
        guard let column else { return false }
        if column.mark != nil { return true }
        switch column.source {
        case .databaseDefault:
            if column.column.isSequenceFed || column.column.generatedExpression != nil || varying.contains(column.column.name) { return false }
            return column.column.hasNonNullDefault || (column.column.defaultExpression == nil && column.column.domainDefault) || nullsNotDistinct
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
