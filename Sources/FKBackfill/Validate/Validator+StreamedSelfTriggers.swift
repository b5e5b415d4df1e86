import PostgresClient

/// A target that references itself and has BEFORE INSERT triggers, validated read-only.
///
/// With such triggers the batches check none of the target's unique keys (a trigger may
/// change the row first: `StreamedStatements.checkedUniqueKeys`), so the keys the input
/// gives had no texts to follow across batches and the validation was refused (exit 3) —
/// a tree of categories with an `updated_at` trigger could not be validated on a replica.
/// The load finds a self-referenced key present when a staged row carries it, and
/// PostgreSQL stores what the triggers leave: where no trigger can change a column of
/// the FK or of the key it references, nor skip a row, those are the keys the input
/// gives. The triggers are read from their source, not run (`ParentColumnFacts`): a
/// PL/pgSQL body's `NEW.column :=` assignments (a whole-row assignment counts as every
/// column), `RETURN NULL`, the built-in tsvector triggers' column; any other trigger
/// language, or a rule DO INSTEAD, leaves the refusal as it was.
extension Validator {
    /// One tally per self-referencing FK's referenced key that only follows the keys the
    /// input gives (`UniqueTally.tracksOnly`: its repeats are no finding, the triggers may
    /// change the rows that clash); none where the triggers may change those keys. Only
    /// without `--max-rejects` and `--replace-by`, whose batches would set rows aside or
    /// delete by those keys as the staged path, which leaves them to the trial, does not.
    func selfKeyTrackers(
        _ checked: [ForeignKey], _ sql: StreamedStatements, _ constraints: TargetConstraints, _ options: ValidateOptions
    ) throws -> [UniqueTally] {
        let target = sql.plan.target
        guard !constraints.beforeInsertTriggers.isEmpty, options.maxRejects == 0, sql.plan.replaceBy.isEmpty else { return [] }
        let selfForeignKeys = checked.filter { $0.referencedTable == target.name && !sql.plan.rejectsMissing($0) }
        guard !selfForeignKeys.isEmpty else { return [] }
        let facts = try ParentColumnFacts.read([target], on: session)
        guard (facts.rowDroppers[target.name] ?? []).isEmpty, (facts.unreadTriggers[target.name] ?? []).isEmpty else { return [] }
        let assigned = Set((facts.triggerFilled[target.name] ?? [:]).keys)
        let given = Set(sql.columns.map(\.name))
        var trackers: [UniqueTally] = []
        for fk in selfForeignKeys where assigned.isDisjoint(with: fk.columns + fk.referencedColumns) {
            guard let key = constraints.uniqueKeys.first(where: {
                !$0.partialOrExpression && $0.defaultOperatorClasses && $0.deterministic
                    && $0.columns.count == fk.referencedColumns.count && Set($0.columns) == Set(fk.referencedColumns)
            }), key.columns.allSatisfy(given.contains), !trackers.contains(where: { $0.key.name == key.name }) else { continue }
            let byText = key.columns.allSatisfy { name in sql.columns.first { $0.name == name }.map { Self.oneText($0.type) } ?? false }
            guard byText else { continue }
            var tally = UniqueTally(key: key, byText: true)
            tally.tracksOnly = true
            trackers.append(tally)
        }
        return trackers
    }
}
