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
/// column), `RETURN NULL`, the built-in tsvector triggers' column.
///
/// Where a trigger may change those columns or skip rows (read so from its source, or
/// not readable: another language, a rule DO INSTEAD), only running it can tell what
/// PostgreSQL stores, which a read-only transaction cannot. The keys are still followed
/// as the input gives them — most such triggers fill a key only when it is NULL, or stamp
/// a column a condition reads — and notExact names the trigger and the columns, instead
/// of refusing the whole validation (exit 3) as before.
///
/// With `--max-rejects` and `--replace-by` too (refused, exit 3, until the tenth session):
/// a row the load sets aside gives no key, and the load's reject steps read the input's
/// values before any trigger runs — CHECKs, routing, unique keys' clashes and repeats —
/// so with `--max-rejects` the batches flag those rows whatever the triggers
/// (`StreamedStatements.rejects`), and the referenced key's tally is then a real one,
/// its repeats rows set aside. `--replace-by` deletes by the input's replace-by values,
/// which no BEFORE INSERT trigger changes, and its self-reference is resolved after the
/// last batch from the keys followed here (Validator+StreamedSelfReplace.swift); without
/// `--max-rejects` the load marks no clash, the insert meets it, after the triggers:
/// those stay unchecked, named as for any target with such a trigger.
extension Validator {
    /// One tally per self-referencing FK's referenced key that only follows the keys the
    /// input gives (`UniqueTally.tracksOnly`: its repeats are no finding, the triggers may
    /// change the rows that clash), where `tallied` (the batches' unique keys) has none by
    /// text for it: with `--max-rejects` it has, and that one follows them. Appends to
    /// `notExact`, per FK, the triggers that may change its columns or its key, or skip rows.
    ///
    /// With `--max-rejects` and more than one unique key tallied, triggers or not, a tracker
    /// too: the key's own tally groups every row kept, to count its repeats, and a row that
    /// repeats another key is set aside all the same and gives no key (a category whose
    /// slug repeats an earlier row's: its id was counted given, and a row referencing it
    /// found its parent where the load adds a placeholder). The tracker groups the rows
    /// whose FK keys are checked (`SetAside.forKeys`) instead.
    func selfKeyTrackers(
        _ checked: [ForeignKey], _ sql: StreamedStatements, _ constraints: TargetConstraints, tallied: [UniqueTally],
        notExact: inout [String]
    ) throws -> [UniqueTally] {
        let target = sql.plan.target
        let triggered = !constraints.beforeInsertTriggers.isEmpty
        let keptOnly = sql.rejects && tallied.count > 1
        guard triggered || keptOnly else { return [] }
        let selfForeignKeys = checked.filter { $0.referencedTable == target.name && !sql.plan.rejectsMissing($0) }
        guard !selfForeignKeys.isEmpty else { return [] }
        let facts = triggered ? try ParentColumnFacts.read([target], on: session) : ParentColumnFacts()
        let skippers = (facts.rowDroppers[target.name] ?? []).map { "\($0) may skip rows" }
            + (facts.unreadTriggers[target.name] ?? []).map { "trigger \($0) is not PL/pgSQL and is not read" }
        let assigned = facts.triggerFilled[target.name] ?? [:]
        let given = Set(sql.columns.map(\.name))
        var trackers: [UniqueTally] = []
        for fk in selfForeignKeys {
            guard let key = constraints.uniqueKeys.first(where: {
                !$0.partialOrExpression && $0.defaultOperatorClasses && $0.deterministic
                    && $0.columns.count == fk.referencedColumns.count && Set($0.columns) == Set(fk.referencedColumns)
            }), key.columns.allSatisfy(given.contains) else { continue }
            let byText = key.columns.allSatisfy { name in sql.columns.first { $0.name == name }.map { Self.oneText($0.type) } ?? false }
            guard byText else { continue }
            let followed = keptOnly ? trackers : tallied + trackers
            if !followed.contains(where: { $0.byText && $0.key.name == key.name }) {
                var tally = UniqueTally(key: key, byText: true)
                tally.tracksOnly = true
                trackers.append(tally)
            }
            let changed = Array(Set(fk.columns + fk.referencedColumns).filter { assigned[$0] != nil }).sorted()
            let byTrigger = Dictionary(grouping: changed) { assigned[$0] ?? "" }
                .sorted { $0.key < $1.key }.map { "trigger \($0.key) may assign \($0.value.joined(separator: ", "))" }
            guard triggered, !byTrigger.isEmpty || !skippers.isEmpty else { continue }
            notExact.append("\(fk.name): \((byTrigger + skippers).joined(separator: "; ")): the keys the input's rows give "
                + "are followed as the file has them, not as the insert would store them")
        }
        return trackers
    }
}
