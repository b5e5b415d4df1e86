import PostgresClient

/// New parent rows' NOT NULL columns on a read-only session. The load fills such a column
/// with an aggregate of an input column over the rows that reference the key; the
/// aggregates the rules offer (the most frequent value, first, last, min, max, sum,
/// concat_distinct) skip NULLs, so the value is NULL exactly when every one of those rows
/// has NULL there — which each batch can say of its own rows (`bool_or(x IS NOT NULL)`
/// per missing key) and the client merge exactly, as it merges the keys. The staged path
/// finds the same with the derived values (`LoadRun.unfillable`, `newParentRowProblems`):
/// the parent cannot be backfilled, and the FK's missing keys are unfixable.
extension Validator {
    /// One such column: `column` of the parent, from input column `input`; `staged` when
    /// it is the default derivation (a same-named or same-parent column), not a rule.
    struct NullableDerivation: Equatable {
        var column: String
        var input: String
        var staged: Bool
    }

    /// The parent whose new rows come from `fk` alone (its only source, not the target,
    /// not in a cycle), whose derivations a batch can follow; nil otherwise.
    static func derivedParent(of fk: ForeignKey, plan: LoadPlan) -> ParentPlan? {
        plan.parents.first { parent in
            parent.backfills && !parent.isTarget && parent.cycle == nil && parent.sources.count == 1
                && parent.sources[0].origin == .staged && parent.sources[0].foreignKey.name == fk.name
                && parent.sources[0].foreignKey.table == fk.table
        }
    }

    /// The NOT NULL columns of `fk`'s parent whose value is NULL exactly when the input
    /// column is NULL on every row of the key, and may be (`neverNull` is false).
    static func nullableDerivations(of fk: ForeignKey, plan: LoadPlan) -> [NullableDerivation] {
        guard let parent = derivedParent(of: fk, plan: plan) else { return [] }
        let staged = Set(plan.stagedColumns.map(\.name))
        return parent.derivedColumns.compactMap { derived in
            guard derived.column.notNull, !neverNull(derived, plan: plan), !derived.deferredUntilCycleLoaded else { return nil }
            switch derived.source {
            case .staged(let input, _) where staged.contains(input):
                return NullableDerivation(column: derived.column.name, input: input, staged: true)
            case .rule(let rule):
                guard case .from(let input, let pick) = rule.source, staged.contains(input), !rule.jsonAppend else { return nil }
                switch pick {
                case .first, .last, .min, .max, .mostFrequent, .sum, .concatDistinct:
                    return NullableDerivation(column: derived.column.name, input: input, staged: false)
                default:
                    return nil
                }
            default:
                return nil
            }
        }
    }

    /// Why `fk`'s missing keys cannot be fixed: the NOT NULL columns that come out NULL
    /// (`nulls[j]` new keys for derivation j), in the staged path's words.
    static func nullDerivationReasons(_ fk: ForeignKey, plan: LoadPlan, nulls: [Int]) -> [String] {
        guard let parent = derivedParent(of: fk, plan: plan) else { return [] }
        let name = parent.table.name.display
        return zip(nullableDerivations(of: fk, plan: plan), nulls).compactMap { derivation, keys in
            guard keys > 0 else { return nil }
            let column = "\(name).\(quoteIdentifier(derivation.column, style: .whenNeeded))"
            return derivation.staged
                ? "\(column) is NOT NULL but input column \(derivation.input) is NULL for all rows of \(keys) new keys"
                : "\(keys) new rows of \(name): \(derivation.column) is NOT NULL but its rule gives NULL"
        }
    }
}

extension Validator {
    /// The parents that get at most one new row: every source of their keys is a target
    /// FK in `checked` (its new keys counted in `newRows`) or a parent's column taken
    /// from such an FK's own input column (a new portfolio's plan from the fact's plan
    /// code: no key beyond that FK's), and those FKs bring one new key at most.
    static func atMostOneNewRow(plan: LoadPlan, newRows: [TableName: Int], checked: [ForeignKey]) -> Set<TableName> {
        var result: Set<TableName> = []
        for parent in plan.parents where !parent.isTarget {
            var ok = true
            for source in parent.sources {
                switch source.origin {
                case .staged:
                    ok = ok && checked.contains { $0.name == source.foreignKey.name && $0.table == source.foreignKey.table }
                case .parent(let index):
                    let feeder = plan.parents[index]
                    guard source.foreignKey.columns.count == 1,
                          let column = feeder.columns.first(where: { $0.column.name == source.foreignKey.columns[0] }),
                          case .staged(let input, _) = column.source else { ok = false; break }
                    ok = ok && checked.contains {
                        $0.referencedTable == parent.table.name && $0.columns == [input] && $0.referencedColumns == source.foreignKey.referencedColumns
                    }
                }
            }
            if ok, (newRows[parent.table.name] ?? 0) <= 1 { result.insert(parent.table.name) }
        }
        return result
    }
}

extension Validator {
    /// Checked in place or streamed, what the catalog says a parent's BEFORE INSERT triggers
    /// fill, as the load's planner reads it (`LoadRun.triggerFilledColumns`): a NOT NULL
    /// column no rule or input column covers is left to the trigger, not a reason the keys
    /// cannot be fixed (the real-schema sweep: `projects.path`, `namespaces.path`, filled by
    /// triggers, made every load into them "would not load" on the standby). Whether the
    /// trigger does fill it only the insert can tell: `notes` says so. A trigger that
    /// assigns a parent's key column, and what may drop a new row (a DO INSTEAD rule, a
    /// BEFORE trigger's RETURN NULL), are named in notExact, as every trigger and rule of
    /// a parent is, not a reason: they mostly leave the new keys as they are (`upper` of
    /// keys already upper-case in the second sweep's natural-key dimensions; a rule
    /// `WHERE NEW.name IS NULL`: differential 9191/60), which only the insert tells (the
    /// staged path tries it; the first sweep's lower-case codes stop the load).
    static func triggerFilledColumns(_ plan: LoadPlan, on session: Session) throws -> (facts: ParentColumnFacts, notes: [String]) {
        var facts = try ParentColumnFacts.read(plan.parents.map(\.table), on: session)
        facts.rowDroppers = [:]
        var notes: [String] = []
        for parent in plan.parents where parent.backfills {
            let name = parent.table.name
            guard var filled = facts.triggerFilled[name] else { continue }
            for key in parent.keyColumns { filled[key] = nil }
            facts.triggerFilled[name] = filled
            for column in parent.uncoveredColumns {
                guard let trigger = filled[column.name] else { continue }
                notes.append("\(name.display).\(quoteIdentifier(column.name, style: .whenNeeded)) is NOT NULL and left to trigger \(trigger) "
                    + "to fill on new rows: whether it does only their insert can tell, which is not tried")
            }
        }
        return (facts, notes)
    }
}
