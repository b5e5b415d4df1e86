import PostgresClient

/// A target that references itself, validated read-only. The load finds a key present when
/// the table has it or a row of the input carries it (rows of one load may reference each
/// other: `ValidationStatements.missingCondition`). A batch sees its own rows only, so
/// each says which keys neither the table nor the batch has; those wait in the client, by
/// text, until the last batch, and the ones the input carries anywhere are dropped. What
/// the input carries is what the unique key the FK references has already collected to
/// find repeats (`UniqueTally`, by text, every row): no second set is held.
/// With `--replace-by` the table's keys wait too: which rows the DELETE removes is known
/// only once every batch's values are in (Validator+StreamedSelfReplace.swift).
extension Validator {
    /// A missing key of an FK of the target to itself, waiting for the last batch.
    struct PendingKey {
        var key: [String?]
        var merge: [String?]
        var rows: Int
        var lines: [Int]
        var blank: Bool
        /// A target row holds it (read-only `--replace-by`): missing only if every such row
        /// is one the DELETE removes (`StreamedStatements.selfTableLater`).
        var stored = false
    }

    /// Keys held waiting at most, per FK (a file whose rows reference rows of later
    /// batches has them; each is a few values and lines).
    static let pendingSelfKeys = 100_000

    /// Per FK of `checked` that references the target: its index, and the index in
    /// `repeats` of the unique key it references. Throws `MustStage` where the batches
    /// cannot resolve it as the load does: a referenced key whose
    /// repeats are not followed across batches by their text (a
    /// type whose equal values differ in text, an operator class not the type's default);
    /// child columns of another type than the key's. (A target in a cycle with its parents
    /// streams too: `placeholdersAfterTarget` says where the load's order stops it.)
    func selfReferences(
        _ checked: [ForeignKey], _ sql: StreamedStatements, repeats: [UniqueTally], _ options: ValidateOptions, singleBatch: Bool = false
    ) throws -> [(fk: Int, key: Int)] {
        let target = sql.plan.target
        var found: [(fk: Int, key: Int)] = []
        // A key of an FK `on_missing: reject` guards is missing unless the table has it, as
        // the load's guard reads it: nothing waits for later batches.
        for (index, fk) in checked.enumerated() where fk.referencedTable == target.name && !sql.plan.rejectsMissing(fk) {
            let why: String?
            let same = { (tally: UniqueTally) in Set(tally.key.columns) == Set(fk.referencedColumns) && tally.key.columns.count == fk.referencedColumns.count }
            // A tracker first: it follows the rows kept, where the key's own tally counts repeats.
            let key = repeats.firstIndex { $0.tracksOnly && same($0) } ?? repeats.firstIndex { $0.byText && same($0) }
            let sameTypes = zip(fk.columns, fk.referencedColumns).allSatisfy { Self.sameText(target.column($0)?.type, target.column($1)?.type) }
            // Rows --max-rejects sets aside give no key: the batch's own are its rows kept
            // (`StreamedStatements.missingKeys`), the referenced key's texts those of rows
            // kept (`SetAside.kept`). Rows --replace-by deletes give none: with it the
            // table's keys wait for the last batch too (Validator+StreamedSelfReplace.swift).
            // A file no bigger than one batch's records (a record takes a byte at least) is
            // one batch: its keys are compared in the statement, with the FK's operators,
            // and nothing needs following across batches (review 17: a citext
            // self-reference of two rows was refused).
            if (key == nil || !sameTypes) && !singleBatch {
                why = "the target references itself, and the keys its rows give are not followed across batches by their text"
            } else {
                why = nil
            }
            if let why { throw MustStage(reason: Self.stages(why)) }
            if let key, sameTypes || !singleBatch { found.append((index, key)) }
        }
        return found
    }

    /// Whether a child column of type `child` and a key column of type `key` print equal
    /// values alike, so a waiting key's text is the text the key's tally holds: the same
    /// type, or two integer types (`up bigint` referencing `id integer`: the FK compares
    /// them as integers, each prints its digits), or `text` and `varchar` (compared as
    /// text). Not `char(n)`, whose padding prints and which the FK compares trimmed.
    static func sameText(_ child: String?, _ key: String?) -> Bool {
        guard let child, let key else { return false }
        if child == key { return true }
        let integers: Set<String> = ["smallint", "integer", "bigint"]
        if integers.contains(child) && integers.contains(key) { return true }
        func text(_ type: String) -> Bool { type == "text" || type.hasPrefix("character varying") }
        return text(child) && text(key)
    }

    /// Whether the input gave `entry`'s key, as far as the referenced unique key's texts go.
    static func given(_ entry: PendingKey, _ fk: ForeignKey, _ tally: UniqueTally) -> Bool {
        let positions = tally.key.columns.compactMap { fk.referencedColumns.firstIndex(of: $0) }
        let values = positions.map { entry.merge[$0] }
        return tally.seen.contains(CompactKeySet.tuple(values))
    }

    /// After each batch: drops the waiting keys the input has given so far, while the
    /// referenced key's texts are still held (past the budget they are let go: hostile
    /// review 7, a key given long before was then counted missing).
    func dropGivenSelfKeys(_ selfKeys: [(fk: Int, key: Int)], _ checked: [ForeignKey], _ tallies: inout [KeyTally], repeats: [UniqueTally]) {
        for (fkIndex, keyIndex) in selfKeys where !repeats[keyIndex].full {
            guard let waiting = tallies[fkIndex].pending, !waiting.isEmpty else { continue }
            let left = waiting.filter { !Self.given($0.value, checked[fkIndex], repeats[keyIndex]) }
            guard left.count < waiting.count else { continue }
            tallies[fkIndex].pending = left
            tallies[fkIndex].pendingBytes = left.reduce(0) { $0 + 2 * $1.key.utf8.count + 160 }
        }
    }

    /// After the last batch: drops from each self-referencing FK's waiting keys those the
    /// input gives, and merges the rest as missing. Returns what it could not resolve.
    /// With `replace` (`--replace-by`), the waiting keys a target row holds are missing
    /// only where every row holding them is one the DELETE removes; those that only rows
    /// its ON DELETE CASCADE removes hold go into `stops` (by FK name): the load finds
    /// them before the DELETE, and PostgreSQL's check then refuses the rows.
    func resolveSelfReferences(
        _ selfKeys: [(fk: Int, key: Int)], _ checked: [ForeignKey], _ tallies: inout [KeyTally], repeats: [UniqueTally], samples: Int,
        replace: ReplaceTally? = nil, sql: StreamedStatements, stops: inout [String: [String]]
    ) throws -> [String] {
        var notExact: [String] = []
        for (fkIndex, keyIndex) in selfKeys {
            let tally = repeats[keyIndex]
            let fk = checked[fkIndex]
            let given: (PendingKey) -> Bool = { Self.given($0, fk, tally) }
            if tally.full || tallies[fkIndex].pendingOverflow {
                notExact.append("\(fk.name): keys of the target's own rows in other batches are followed only while the keys held stay under "
                    + "\(Validator.repeatBudget >> 20) MiB and \(Validator.pendingSelfKeys) keys wait: some counted missing may be in the input "
                    + "(or counted once per batch), so their placeholders may not be needed"
                    + (replace == nil ? "" : "; some a target row holds were not held, and counted present, though the rows holding them may be "
                        + "ones --replace-by deletes"))
            }
            let stored = tallies[fkIndex].pending?.values.filter { $0.stored && !given($0) } ?? []
            let gone = try replace.map { try storedSelfKeysGone(fk, stored, held: $0.values, sql) }
            try tallies[fkIndex].resolvePending(given: given, samples: samples) { gone?.missing.contains(Self.pendingText($0.merge)) ?? false }
            if let cascaded = gone?.cascaded, !cascaded.isEmpty {
                stops[fk.name, default: []].append(Self.cascadedKeysStop(fk, cascaded, samples: samples))
            }
        }
        return notExact
    }
}

extension Validator.KeyTally {
    /// A key past the limit or the budget is counted missing at once, not held (hostile
    /// review 7: it was dropped, and a key nobody gave went uncounted); notExact says some
    /// such may be in the input after all, and counted more than once.
    /// A `stored` key past them is counted present (notExact says so too).
    mutating func addPending(_ key: [String?], merge: [String?], rows: Int, lines: [Int], blank: Bool, samples: Int, budget: Int, stored: Bool = false) throws {
        let text = Validator.pendingText(merge)
        if var entry = pending?[text] {
            entry.rows += rows
            entry.lines = Array((entry.lines + lines).sorted().prefix(samples))
            pending?[text] = entry
        } else if (pending?.count ?? 0) < Validator.pendingSelfKeys, pendingBytes < budget {
            pending?[text] = Validator.PendingKey(key: key, merge: merge, rows: rows, lines: Array(lines.prefix(samples)), blank: blank, stored: stored)
            pendingBytes += 2 * text.utf8.count + 160
        } else if stored {
            pendingOverflow = true
        } else {
            // Not held (that is what the budget is for): its rows count, and it counts as a
            // missing key, once per batch that has it.
            pendingOverflow = true
            violating += rows
            unheldMissing += 1
            if blank { unheldBlank += 1 }
        }
    }

    /// The waiting keys the input does not give, merged as missing, by first line; of
    /// those a target row holds, only the ones `gone` says the DELETE leaves to no row.
    mutating func resolvePending(given: (Validator.PendingKey) -> Bool, samples: Int, gone: (Validator.PendingKey) -> Bool = { _ in false }) throws {
        guard let waiting = pending else { return }
        pending = nil
        let left = waiting.values.filter { !given($0) && (!$0.stored || gone($0)) }.sorted { ($0.lines.first ?? 0) < ($1.lines.first ?? 0) }
        for entry in left {
            try add(entry.key, merge: entry.merge, rows: entry.rows, lines: entry.lines, blank: entry.blank, known: nil, samples: samples)
        }
    }
}

extension Validator {
    /// Read-only, a target that references itself and sits in a cycle with its parents.
    /// Where the load puts the fact rows before the cycle's parents (`LoadRun.targetFirst`:
    /// the plan says `targetFirst` and another table of the cycle gets new rows), the
    /// target's own placeholder rows come after the fact rows, and PostgreSQL's check of a
    /// non-deferrable FK to itself refuses a row whose key is new: the load stops
    /// (`TargetCycleSelfReferenceTests`; the staged path tries that insert). Returns why
    /// `fk`'s `missing` keys stop the load, or, where only derived values could bring the
    /// cycle new rows (a parent of the cycle fed by another parent), what is not exact.
    static func placeholdersAfterTarget(
        _ fk: ForeignKey, plan: LoadPlan, newRows: [TableName: Int], missing: Int
    ) -> (reason: String?, notExact: String?) {
        let target = plan.target
        // A declared relation has no check of PostgreSQL's to stop anything; a column of
        // the FK that goes in NULL for the cycle (MATCH SIMPLE: any; FULL: all) is checked
        // only by the UPDATE that sets it, once the placeholders are in.
        let nulled = plan.targetCycle?.nulledTargetColumns ?? []
        let waits = fk.match == .full ? fk.columns.allSatisfy(nulled.contains) : fk.columns.contains(where: nulled.contains)
        guard fk.referencedTable == target.name, !fk.deferrable, !fk.declared, !waits, missing > 0,
              let cycle = plan.targetCycle, cycle.order == .targetFirst,
              !cycle.nulledTargetColumns.isEmpty || !cycle.deferred.isEmpty,
              let own = plan.parents.first(where: \.isTarget), let index = own.cycle, !own.keyColumns.isEmpty,
              own.keyColumns.allSatisfy({ name in plan.stagedColumns.contains { $0.name == name } })
        else { return (nil, nil) }
        let members = plan.parents.filter { !$0.isTarget && $0.cycle == index && $0.backfills }
        let order = "\(target.name.display) goes in before the other tables of its cycle (\(cycle.display))"
        if let fed = members.first(where: { (newRows[$0.table.name] ?? 0) > 0 }) {
            return ("\(order), as \(fed.table.name.display) gets new rows: its own placeholder rows follow the fact rows, "
                + "and PostgreSQL's check of \(fk.name) refuses a row whose key of it is new", nil)
        }
        guard members.contains(where: { $0.sources.contains { $0.origin != .staged } }) else { return (nil, nil) }
        return (nil, "\(fk.name): if values derived for new rows bring \(cycle.display) new rows, \(order) and its own placeholder "
            + "rows follow the fact rows, so PostgreSQL's check of \(fk.name) refuses a row whose key of it is new: not evaluated")
    }
}
