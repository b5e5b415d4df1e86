import PostgresClient

/// FKs whose key the input gives in part, the rest left to DEFAULTs, validated read-only:
/// the multi-tenant shape, `(tenant_id DEFAULT 1, org) REFERENCES org (tenant_id, code)`
/// with only `org` in the input (hostile review 17: the standby named the FK and said would
/// load where PostgreSQL's check stops the load). Each batch computes the defaulted
/// columns as the insert does (`StreamedStatements.computed`), and the FK is checked as one
/// the input gives. Only where the DEFAULT is the insert's value alone: built-in code that
/// is not VOLATILE and no sequence, under no BEFORE INSERT trigger of the target (it runs
/// first and may change the row), an FK declared on the target itself (not on one
/// partition). A key wholly defaulted is evaluated once instead
/// (Validator+StreamedDefaultedKeys.swift); a generated column, which may fail per row (a
/// division by a zero the input gives), stays named.
extension Validator {
    /// The FKs so checked, and the columns each batch computes for them.
    func computedKeys(plan: LoadPlan, catalog: Catalog, constraints: TargetConstraints, given: Set<String>)
        throws -> (foreignKeys: [ForeignKey], columns: [(name: String, expression: SQL)]) {
        let target = plan.target
        guard constraints.beforeInsertTriggers.isEmpty else { return ([], []) }
        let candidates = catalog.foreignKeys(of: target.name).filter { fk in
            !fk.declared && !fk.columns.allSatisfy(given.contains) && fk.declaredOn == target.name && plan.routeCondition(of: fk) == nil
                && fk.columns.contains(where: given.contains)
        }
        guard !candidates.isEmpty else { return ([], []) }
        let reads = try ColumnExpressions.facts(of: target, on: session)
        var foreignKeys: [ForeignKey] = []
        var columns: [(name: String, expression: SQL)] = []
        for fk in candidates {
            var computed: [(name: String, expression: SQL)] = []
            for name in fk.columns where !given.contains(name) {
                guard let column = target.column(name), let facts = reads[name], facts.safe, facts.reads.isSubset(of: given) else { break }
                if column.isDatabaseGenerated || column.domainDefault && column.defaultExpression == nil {
                    break
                } else if column.hasNonNullDefault, let values = try defaultValues([column]) {
                    // A DEFAULT reads no column: one value for every row, evaluated once
                    // (one that raises, `current_setting('app.tenant')` unset, would fail
                    // every batch: review 18; left to the insert, and named).
                    computed.append((name, "CAST(\(bind: values[0]) AS \(column.pinnedType))"))
                } else {
                    break
                }
            }
            guard computed.count == fk.columns.filter({ !given.contains($0) }).count else { continue }
            foreignKeys.append(fk)
            for column in computed where !columns.contains(where: { $0.name == column.name }) { columns.append(column) }
        }
        return (foreignKeys, columns)
    }
}
