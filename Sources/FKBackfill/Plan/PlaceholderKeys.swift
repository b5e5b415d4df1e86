import PostgresClient

/// The target's own placeholder rows (a target that references itself gets one for each
/// key no row gives) and their other FKs. Rules 5 and 6 do not apply to them, so those
/// columns take a rule's `value:`, a mark, a DEFAULT or NULL, and no step of the load adds
/// a parent row for such a value: a key the parent lacks fails PostgreSQL's check at the
/// placeholders' insert (hostile review 11: `c1: { value: N7 }`, a bare 23503, exit 3,
/// where both validates said "would load"). The load refuses before its first write, with
/// the FK and the value; validate and audit give the same reason.
enum PlaceholderKeys {
    /// The value every placeholder row gets in `column`, known before the load: NULL, a
    /// DEFAULT that calls no sequence, a constant (a mark or a `value:` rule). Nil when it
    /// depends on the data.
    static func value(_ column: ColumnPlan) -> SQL? {
        let type = column.column.pinnedType
        if let mark = column.mark { return "CAST(CAST(\(bind: mark) AS text) AS \(type))" }
        switch column.source {
        case .null, .uncovered:
            // A column of a domain may take the domain's DEFAULT, not NULL (hostile review 16).
            if column.column.domainDefault && column.column.defaultExpression == nil { return nil }
            return "CAST(NULL AS \(type))"
        case .databaseDefault:
            guard let expression = column.column.defaultSQL, !expression.description.contains("nextval(") else { return nil }
            return "CAST((\(expression)) AS \(type))"
        case .rule(let rule):
            guard case .value(let value) = rule.source else { return nil }
            return "CAST(CAST(\(bind: value) AS text) AS \(type))"
        default:
            return nil
        }
    }

    /// Why the target's placeholder rows (`own`, the target as a parent) cannot be written:
    /// per FK of the target to another table that no step of the load feeds from them, a
    /// known value no row of that table holds. Empty when each is NULL, held, or unknown.
    /// `addsTo`: whether the load adds rows to a parent of the plan (its new keys, or the
    /// input's keys for it): a value among them is held by the time the placeholders go in
    /// (review 13: a DEFAULT 'C9' the input's own rows backfill), so only a parent it adds
    /// nothing to is asked.
    static func unheld(
        _ own: ParentPlan, plan: LoadPlan, foreignKeys: [ForeignKey], on session: Session, addsTo: (ParentPlan) -> Bool
    ) throws -> [String] {
        try check(own, plan: plan, foreignKeys: foreignKeys, on: session, addsTo: addsTo).unheld
    }

    /// `unheld`, and apart: the FKs whose known value the parent lacks now but may get from
    /// the rows the load adds to it (review 15: a DEFAULT 'ZZ' where the input adds 'A'):
    /// validate tries the placeholders' insert for them, read-only names them.
    static func check(
        _ own: ParentPlan, plan: LoadPlan, foreignKeys: [ForeignKey], on session: Session, addsTo: (ParentPlan) -> Bool
    ) throws -> (unheld: [String], unsure: [String]) {
        var reasons: [String] = []
        var unsure: [String] = []
        for fk in foreignKeys where fk.referencedTable != plan.target.name && !fk.declared {
            let parent = plan.parent(fk.referencedTable)
            if let parent, parent.sources.contains(where: { if case .parent(let index) = $0.origin { index == own.index } else { false } }) { continue }
            var values: [SQL] = []
            for name in fk.columns {
                guard let column = own.columns.first(where: { $0.column.name == name }), let value = value(column) else { break }
                values.append(value)
            }
            guard values.count == fk.columns.count else { continue }
            // A NULL column: MATCH SIMPLE checks nothing (MATCH FULL's partly NULL key is the row's own refusal).
            let complete: SQL = values.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            let query: SQL = "SELECT (\(complete)) AND NOT \(KeyPredicates.parentHas(fk, child: values)) AS unheld"
            // A value the column's type refuses (NULL in a NOT NULL domain) is another reason's.
            guard (try? session.savepoint { try session.execute(query).rows[0].bool("unheld") }) == true else { continue }
            if let parent, addsTo(parent) {
                unsure.append("placeholder rows of \(plan.target.name.display) give \(fk.name) a key \(fk.referencedTable.display) lacks now: "
                    + "whether its new rows hold it is not looked for")
                continue
            }
            reasons.append("placeholder rows of \(plan.target.name.display) would give \(fk.name) (\(fk.columns.joined(separator: ", "))) "
                + "a key \(fk.referencedTable.display) lacks, which no step of the load adds: give the column a rule value "
                + "\(fk.referencedTable.display) holds, or NULL")
        }
        return (reasons, unsure)
    }

    /// A parent whose referenced key is a generated column (`GENERATED ALWAYS AS (…)
    /// STORED`): PostgreSQL computes it from the row's other columns, so no new row can be
    /// given a key (the second sweep: `sku_key`, a raw 428C9 and exit 3; the standby said
    /// "would load"). The load refuses before its first write; audit and validate say so.
    static func generatedKey(_ parent: ParentPlan) -> String? {
        let generated = parent.keyColumns.filter { parent.table.column($0)?.generatedExpression != nil }
        guard !generated.isEmpty else { return nil }
        return "\(parent.table.name.display).\(generated.joined(separator: ", ")) is a generated column, computed from the row's "
            + "other columns: a new row cannot be given the key (backfill it yourself, or mode: skip)"
    }
}
