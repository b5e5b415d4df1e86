import PostgresClient

/// Step "find missing keys", and the refusal of a load that could not fill a new row.
extension LoadRun {
    /// Every staged key once; then what every parent lacks, children first. A cycle's
    /// tables feed each other, so its group repeats until no new key appears.
    func findMissingKeys() throws {
        do {
            try withAggregationSettings { try findMissingKeysUnderSettings() }
        } catch let error as PostgresError where error.isDataException {
            // A value derived for a new parent row that its column's type cannot take (an
            // input column shared by parents of different types, a rule's value): the
            // input's fault, a finding, in validate as in the load.
            throw FKBackfillError(
                "a value for new parent rows cannot be stored: \(error.message), nothing was written",
                details: error.detail.map { [$0] } ?? [],
                hint: "fix the input's values, or give the parent column a rule (docs/rules.md)", kind: .blocked, cause: error)
        }
    }

    /// The step's statements aggregate every staged row behind a new key, sorting each
    /// key's rows for the ordered aggregates: with the default `work_mem` (4 MB) those
    /// sorts went to disk from 100,000 rows at 100% new keys, and the larger ones are
    /// costed high enough to be JIT-compiled, 50–100 ms a statement that never paid back.
    /// So for this step only (then the session's own values again, in this transaction):
    /// JIT off, and `work_mem` at least 64 MB — one statement of one session, a few sorts
    /// or hash tables at most, each freed at the statement's end. Issue #25.
    func withAggregationSettings(_ body: () throws -> Void) throws {
        let row = try session.execute("SELECT pg_catalog.current_setting('jit') AS jit, pg_catalog.current_setting('work_mem') AS work_mem, "
            + "pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem')) < pg_catalog.pg_size_bytes('64MB') AS small").rows[0]
        let jit = try row.string("jit"), workMem = try row.string("work_mem"), small = row.bool("small")
        try session.execute("SELECT pg_catalog.set_config('jit', 'off', true)")
        if small { try session.execute("SELECT pg_catalog.set_config('work_mem', '64MB', true)") }
        try body()
        try session.execute("SELECT pg_catalog.set_config('jit', \(bind: jit), true)")
        if small { try session.execute("SELECT pg_catalog.set_config('work_mem', \(bind: workMem), true)") }
    }

    func findMissingKeysUnderSettings() throws {
        secondSessionDone()
        defer { closeSecondSession() }
        let fromStored = keysFromStored ? check.flatMap { sql.createSeen(fromStored: $0.keySets, byPartition: $0.byPartition) } : nil
        if let seen = fromStored ?? sql.createSeen() {
            try session.execute(seen)
            try session.execute("ANALYZE \(LoadStatements.seen)")
        }
        for fk in plan.matchFullKeys {
            let violations = try session.execute(sql.matchFullViolations(fk)).rows[0].int("violations") ?? 0
            if violations > 0 {
                // Where they are: the first few, by line, as the rejects are named.
                let partly = KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns))
                let rows = try session.execute(
                    "SELECT s._fkb_row FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND \(partly) "
                        + "ORDER BY s._fkb_row LIMIT \(int: max(options.samples, 1))").rows.compactMap { $0.int("_fkb_row") }
                let word = report.linesAreFileLines ? (rows.count == 1 ? "line" : "lines") : (rows.count == 1 ? "row" : "rows")
                let place = rows.isEmpty ? "" : ", \(word) \(rows.map { String(line(ofRow: $0)) }.joined(separator: ", "))"
                blockers.append("\(violations) staged rows have a partly NULL key for \(fk.name) (MATCH FULL: "
                    + "(\(fk.columns.joined(separator: ", "))) must be all NULL or all set\(place))")
            }
        }
        for group in plan.computeGroups {
            var previous = -1
            for round in 1...50 {
                for index in group { try findKeys(of: plan.parents[index]) }
                let total = group.reduce(0) { $0 + (parentStates[$1].counts?.candidates ?? 0) }
                if group.count == 1 && plan.parents[group[0]].cycle == nil || total == previous { break }
                previous = total
                if round == 50 {
                    throw FKBackfillError("keys in a cycle kept growing after 50 rounds", kind: .blocked)
                }
            }
        }
    }

    /// One parent's keys table, and where derived values need them, its refs and values.
    func findKeys(of parent: ParentPlan) throws {
        let index = parent.index
        // Only a cycle's later rounds find the tables of an earlier one. A parent that
        // feeds itself reads its last round's rows, kept as `_prev`, while it builds anew.
        let again = parentStates[index].available
        let previous: Set<Int> = again && sql.feedsItself(parent) ? [index] : []
        let keys = sql.sourceSelects(for: parent, available: availableParents, rows: false, previous: previous)
        guard !keys.isEmpty, !parent.keyColumns.isEmpty else { return }
        if !previous.isEmpty {
            for statement in sql.keepPrevious(parent) { try session.execute(statement) }
        } else if again {
            try session.execute(sql.dropWork(parent))
        }
        try session.execute(try createKeysStatement(parent, sources: keys))
        let row = try session.execute(sql.counts(parent)).rows[0]
        let count = (candidates: row.int("candidates") ?? 0, present: row.int("present") ?? 0)
        parentStates[index].counts = count
        // No key needs work: the tables are created, the staged rows are not read.
        let empty = parent.mode != .fillNullOnly && count.candidates == count.present
        if try adoptFromSecondSession(parent, empty: empty) {
            try session.execute("ANALYZE \(LoadStatements.keys(index))")
        } else {
            try makeValues(of: parent, empty: empty, count: count, previous: previous)
        }
        // Statistics matter where the new rows are joined to the parent table itself, and
        // where they feed another parent's keys: its keys and rows are read from this
        // parent's refs joined to its values, and unanalyzed the planner guessed both
        // sides' sizes (at 5% new keys that join took 1.9 s of a 3.5 s load, issue #16).
        if !empty {
            var analyze: [SQL] = []
            if sql.feedsParent(parent) && !sql.readsStageDirectly(parent) { analyze.append(LoadStatements.refs(index)) }
            if sql.feedsParent(parent) || parent.mode == .fillNullOnly || parent.columns.contains(where: \.deferredUntilCycleLoaded) {
                analyze.append(LoadStatements.values(index))
            }
            if !analyze.isEmpty { try session.execute("ANALYZE \(analyze.joined(separator: ", "))") }
        }
        parentStates[index].available = true
    }

    /// A parent's refs (where its rows are fetched by address) and values, computed here.
    func makeValues(of parent: ParentPlan, empty: Bool, count: (candidates: Int, present: Int), previous: Set<Int>) throws {
        let index = parent.index
        if sql.needsRefs(parent) {
            // The planner must know how few keys need work, to hash those and not the stage.
            if !empty { try session.execute("ANALYZE \(LoadStatements.keys(index))") }
            if !sql.readsStageDirectly(parent) {
                let rows = sql.sourceSelects(for: parent, available: availableParents, rows: true, previous: previous)
                try session.execute(sql.createRefs(parent, sources: rows, empty: empty))
            }
        }
        if !empty, let columns = sql.hashedModeColumns(parent), try fewValuesPerKey(parent, columns) {
            // The stage has no statistics of these columns: the planner takes every row for
            // a group of its own and sorts a million rows to group them (an external merge)
            // where a hash table of 10,000 groups does. Sorts off for this statement only.
            let mostRowsNew = 2 * (count.candidates - count.present) >= count.candidates
            try session.withLocalSetting("enable_sort", "off") {
                try session.execute(sql.createHashedValues(parent, columns: columns, mostRowsNew: mostRowsNew))
            }
        } else {
            try session.execute(sql.createValues(parent, empty: empty))
        }
    }

    /// Whether each of `columns` holds few values per key, so that counting each key's
    /// value combinations by hash beats `mode()`'s sorts (`LoadStatements+HashedModes`):
    /// at most 8 distinct values in a sample of the stage, or the staged key of a parent
    /// of this parent (a portfolio's plan code), which a key's rows share. A wrong guess
    /// costs time, never a different value.
    func fewValuesPerKey(_ parent: ParentPlan, _ columns: [String]) throws -> Bool {
        let shared = Set(sql.sharedKeyColumns(of: parent) ?? [])
        let sampled = columns.filter { !shared.contains($0) }
        guard !sampled.isEmpty else { return true }
        let row = try session.execute(sql.sampledDistinct(sampled, stagedRows: report.staged)).rows[0]
        return sampled.indices.allSatisfy { (row.int("n\($0 + 1)") ?? Int.max) <= 8 }
    }

    /// Refuses, before anything is written, a load where some new row cannot be filled;
    /// then checks the write privileges the keys found call for.
    func refuseUnfillable() throws {
        blockers += try unfillable()
        if !blockers.isEmpty {
            throw FKBackfillError(
                "cannot backfill \(target.name.display): \(blockers.count) "
                    + (blockers.count == 1 ? "problem" : "problems") + ", nothing was written",
                details: blockers, hint: Self.hint(for: blockers), kind: .blocked)
        }
        try checkWritePrivileges()
    }

    /// What to do about each kind of blocker there is, in the order they are listed; a
    /// partly NULL MATCH FULL key or a rule that says fail has nothing to do with columns.
    static func hint(for blockers: [String]) -> String {
        var hints: [String] = []
        func add(_ hint: String) { if !hints.contains(hint) { hints.append(hint) } }
        for blocker in blockers {
            if blocker.contains("(MATCH FULL:") {
                add("give every column of a MATCH FULL key a value, or none")
            } else if blocker.hasSuffix("and its rules say fail") {
                add("fix those keys, or let the rules set their rows aside (on_missing: reject)")
            } else if blocker.contains(" is in a cycle") || blocker.contains("but is in a cycle") {
                add("make one FK of the cycle nullable or DEFERRABLE, or add the cycle's rows first")
            } else if blocker.contains("its rules say mode:") {
                add("let the rules insert rows into that table (mode), or add its rows first")
            } else if blocker.contains("which no step of the load adds: ") {
                add("give the column a rule whose values the referenced table holds (docs/rules.md), or NULL")
            } else if blocker.contains(" cannot hold: ") {
                add("fix those values in the input, or give the column a rule in the rules file (docs/rules.md)")
            } else if blocker.contains("left to its DEFAULT, which gives NULL") {
                // A DEFAULT is already there and gives NULL: another DEFAULT is not the cure.
                add("give the column a rule in the rules file (a value: or a template), "
                    + "or set what its DEFAULT reads (a setting, a function's table) before the load")
            } else if blocker.contains("placeholder rows of the target itself") {
                add("give the column a rule (a value: or a template) or a DEFAULT, or make sure every key the rows reference is in the input or the table")
            } else {
                add("cover the column with a rule in the rules file (see `fkbackfill init`), give it a DEFAULT, "
                    + "or add a column of the same name to the input")
            }
        }
        return hints.joined(separator: "; ")
    }

    /// Why some parent's new rows could not be written: uncovered NOT NULL columns,
    /// derived values that come out NULL, a mode that forbids inserting, an unbreakable cycle.
    func unfillable() throws -> [String] {
        var blockers: [String] = targetCycleBlocker.map { [$0] } ?? []
        blockers += try derivedKeyBlockers() + placeholderKeyBlockers()
        if let own = plan.parents.first(where: \.isTarget), parentStates[own.index].hasMissingKeys {
            blockers += try PlaceholderKeys.unheld(own, plan: plan, foreignKeys: catalog.foreignKeys(of: target.name), on: session) {
                parentStates[$0.index].hasMissingKeys
            }
        }
        for parent in plan.parents {
            guard let count = parentStates[parent.index].counts, count.candidates > count.present else { continue }
            let before = blockers.count
            defer { if blockers.count > before { blockedTables.insert(parent.table.name) } }
            let missing = count.candidates - count.present
            let name = parent.table.name.display
            if let generated = PlaceholderKeys.generatedKey(parent) { blockers.append(generated) }
            let inserted = Set(parent.insertedColumns.map(\.column.name))
            for planned in parent.columns where planned.column.notNull && !inserted.contains(planned.column.name)
                && planned.column.defaultExpression == nil && !planned.column.domainDefault && !planned.column.isDatabaseGenerated
            && planned.source != .uncovered {
                blockers.append("\(name).\(quoteIdentifier(planned.column.name, style: .whenNeeded)) "
                    + "is NOT NULL but its rule leaves it NULL (\(counted(missing, "new row")) needed)")
            }
            var cache: [UInt32: Set<String>] = [:]
            for column in try NullDefaults.parentNames(parent, on: session, cache: &cache) {
                blockers.append(NullDefaults.parentReason(parent.table.name, column) + " (\(counted(missing, "new row")) needed)")
            }
            // A NOT NULL column a BEFORE INSERT trigger of the parent fills is the
            // trigger's (film.fulltext by tsvector_update_trigger): left out of the
            // insert, not a blocker; validate says it cannot be exact about it.
            let filledByTrigger = parent.uncoveredColumns.isEmpty ? [:]
                : try ParentColumnFacts.read([parent.table], on: session).triggerFilled[parent.table.name] ?? [:]
            for column in parent.uncoveredColumns {
                if let trigger = filledByTrigger[column.name] {
                    let note = "\(name).\(quoteIdentifier(column.name, style: .whenNeeded)) is NOT NULL and left to trigger \(trigger) to fill"
                    if !triggerFilledColumns.contains(note) { triggerFilledColumns.append(note) }
                    continue
                }
                // The target's own placeholder rows take no input column's value (rules 5
                // and 6 do not apply to them): an input column of that name does not help.
                let why = parent.isTarget
                    ? "is NOT NULL with no default and no rule, and placeholder rows of the target itself take no input column's value"
                    : "is NOT NULL with no default and no input column to fill it"
                blockers.append("\(name).\(quoteIdentifier(column.name, style: .whenNeeded)) \(why) (\(counted(missing, "new row")) needed)")
            }
            if let check = sql.nullDerivations(parent) {
                let row = try session.execute(check).rows[0]
                for (position, column) in parent.derivedColumns.enumerated() where column.column.notNull {
                    let nulls = row.int(LoadStatements.derivedColumnName(position)) ?? 0
                    guard nulls > 0, case .staged(let source, _) = column.source else { continue }
                    blockers.append("\(name).\(quoteIdentifier(column.column.name, style: .whenNeeded)) "
                        + "is NOT NULL but input column \(source) is NULL for all rows of \(nulls) new keys")
                }
            }
            if !parent.backfills {
                blockers.append("\(name) needs \(missing) new rows for new rows of its child tables, "
                    + "but its rules say mode: \(parent.mode.rawValue)")
            }
            if let cycle = parent.cycle, !graph.cycles[cycle].breakable {
                let names = graph.cycles[cycle].tables.map(\.display).joined(separator: ", ")
                blockers.append("\(name) needs \(missing) new rows but is in a cycle "
                    + "(\(names)) with no nullable or deferrable FK to break it")
            }
        }
        return blockers
    }
}
