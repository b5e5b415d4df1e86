import Foundation
import PostgresClient

/// Validate's prediction: a load's own run (`LoadRun`, its state and its steps) over
/// validate's staged copy, driven up to the first write. Validate holds the run instead
/// of extending Load's type: what it adds (the trial, the verdict) is its own, and the
/// steps it calls are the load's.
struct Prediction {
    /// The load's run, built from validate's preparation with the load's options.
    let run: LoadRun
    /// How the load's refusal of a derived value begins (`LoadRun.findMissingKeys`).
    static let unstorable = "a value for new parent rows cannot be stored"
}

/// The prediction itself: the load's own steps over validate's staged copy, up to the
/// first write. Rows are set aside by the same statements a load with rejects runs
/// (types, lengths, NULLs, CHECKs, blank keys, `on_missing`, unique keys), missing keys
/// are found by the same statements, and what would stop the backfill is decided by the
/// same code. What the load would then write is read from its work tables instead:
/// parents' new rows (checked against their NOT NULL and CHECK constraints), and the
/// rows whose keys would still be missing after the backfill (the FK check's refusal).
/// Only temporary tables are written.
extension Prediction {
    func predict(tracker: CSVLineTracker?, castFailed: Bool, staging: TextStaging) throws -> ValidationReport.Prediction {
        run.lines = tracker
        run.stagedAsText = true
        run.stageUpdated = true
        var prediction = ValidationReport.Prediction()
        prediction.maxRejects = run.options.maxRejects
        if case .csv(_, let csv) = run.input, csv.header, run.report.staged == 0 {
            run.blockers.append("\(run.input.label): the file has a header but no rows, nothing to load")
        }
        // What stops a load before it stages (Preparation.notNullColumnsMissing).
        for column in try Preparation.notNullColumnsMissing(from: run.opened.columns, of: run.target, constraints: run.constraints, on: run.session) {
            run.blockers.append(Preparation.notNullColumnMissingMessage(column, of: run.target))
        }
        if castFailed { try run.markUnconvertible(staging) }
        try run.markValueRejects(typed: false, constraints: run.options.checksValues || run.constraints.beforeInsertTriggers.isEmpty)
        // Without rejects the load sets nothing aside for a unique key: it gives every row
        // to the insert and names the first PostgreSQL refuses. Where the fact insert is
        // tried (its triggers may skip or change the rows), the trial finds that row.
        try run.markKeyRejects(uniqueKeys: run.options.checksValues || run.constraints.inexactness.isEmpty)
        do {
            try run.session.savepoint { try run.findMissingKeys() }
        } catch let error as FKBackfillError where error.kind == .blocked && error.message.hasPrefix(Self.unstorable) {
            // A derived value no column of its type can hold (a sum past an int, a
            // template into a date): the load stops on it; validate says would not load,
            // with the load's words, instead of failing (review 20). Nothing after it can run.
            let message = error.message.replacingOccurrences(of: ", nothing was written", with: "")
            run.blockers.append(([message] + error.details).joined(separator: ": "))
            prediction.blockers = run.blockers
            prediction.wouldLoad = false
            return prediction
        }
        try run.warnNearDuplicates()
        prediction.nearDuplicates = run.nearDuplicates
        run.blockers += try run.unfillable()
        run.blockers += try run.newParentRowProblems()
        // The fact rows' FK check: what the insert would store, unless the insert is tried.
        var factBlockers = try remainingViolations()
        let defaulted = try defaultedKeyViolations()
        factBlockers += defaulted.blockers
        // What only PostgreSQL can tell: the parents' and the target's own code and
        // constraints on INSERT, tried in a savepoint below (Prediction+Trial.swift).
        let parentReasons = try parentTrialReasons()
        // A target loaded before its cycle's parents that also references itself: whether
        // each row's self-reference finds its row in time is the order's, PostgreSQL's to
        // judge (differential seed 2312009 case 548).
        let selfFirst = run.targetFirst && run.plan.parents.contains(where: \.isTarget)
            ? ["\(run.target.name.display) references itself and goes in before its cycle's parents"] : []
        let given = Set(run.plan.stagedColumns.map(\.name))
        let uncomputed = try NullDefaults.uncomputed(of: run.target, on: run.session).filter { !given.contains($0) }
        // Indexes whose expressions or predicate the insert evaluates (Prediction+IndexExpressions.swift).
        let indexes = run.options.loadTarget ? try indexExpressionOutcome() : (blockers: [], trial: [])
        run.blockers += indexes.blockers
        let targetReasons = run.constraints.inexactness + indexes.trial + defaulted.notExact + (try replaceByTrialReasons()) + selfFirst
            + (try parentWritesReasons()) + (uncomputed.isEmpty ? [] : [NullDefaults.uncomputedReason(run.target.name, uncomputed, rows: "the fact rows")])
            + (try targetRowSecurity())

        let samples = max(run.options.samples, 1)
        for row in try run.session.execute(run.sql.rejections(samples: samples)).rows {
            prediction.rejections.append(.init(
                reason: try row.string("reason"), rows: row.int("n") ?? 0,
                sampleLines: row.array("sample").compactMap { $0.flatMap { Int($0) } }.map(run.line(ofRow:))))
        }
        prediction.rejected = prediction.rejections.reduce(0) { $0 + $1.rows }
        if !run.options.replaceBy.isEmpty {
            let existing = try run.readable(run.target.name, oid: run.target.oid, columns: run.options.replaceBy)
            prediction.deleted = try run.session.execute(replacedCount(in: existing)).rows[0].int("n") ?? 0
        }
        for parent in run.plan.parents where run.parentStates[parent.index].available && parent.backfills {
            guard run.parentStates[parent.index].hasMissingKeys else { continue }
            let row = try run.session.execute(newKeys(parent, samples: run.options.samples, collations: try keyCollations(parent))).rows[0]
            let keys = row["sample"].flatMap { try? JSONDecoder().decode([[String?]].self, from: Data($0.utf8)) } ?? []
            prediction.parents.append(.init(table: parent.table.name, inserted: row.int("n") ?? 0, sampleKeys: keys))
        }
        var inserted = run.report.staged - prediction.rejected
        if !parentReasons.isEmpty || !targetReasons.isEmpty {
            // A tried fact insert decides the FK check itself (a trigger may skip or change
            // the rows whose keys the statements above read as missing).
            if targetReasons.isEmpty || !run.options.loadTarget { run.blockers += factBlockers; factBlockers = [] }
            if run.blockers.isEmpty && prediction.rejected <= run.options.maxRejects {
                run.report.rejected = prediction.rejected
                let trial = try trialWrite(target: targetReasons)
                prediction.tried = (parentReasons.isEmpty ? [] : ["the new parent rows' INSERT, for " + parentReasons.joined(separator: "; ")])
                    + (targetReasons.isEmpty ? [] : ["the fact rows' INSERT, for " + targetReasons.joined(separator: "; ")])
                run.blockers += trial.stopped ?? []
                if let untried = trial.untried {
                    prediction.notExact += [untried] + parentReasons.map { "\($0): not evaluated on the new rows" } + targetReasons
                }
                if trial.stopped == nil, !trial.parents.isEmpty {
                    // What the tried backfill inserted: a parent's trigger may have written some rows first.
                    prediction.parents = prediction.parents.compactMap { parent in
                        var tried = parent
                        tried.inserted = trial.parents[parent.table] ?? parent.inserted
                        return tried.inserted > 0 ? tried : nil
                    }
                }
                // A key left to a volatile default was tried with one value; the load's call gives another.
                prediction.notExact += defaulted.notExact
                if let stored = trial.inserted {
                    inserted = stored
                    prediction.skipped = trial.skipped
                    if let deleted = trial.deleted, !run.options.replaceBy.isEmpty { prediction.deleted = deleted }
                }
            } else {
                // The load stops anyway; what might also stop it is only named.
                prediction.notExact += parentReasons.map { "\($0): not evaluated on the new rows" } + targetReasons
                run.blockers += factBlockers
            }
        } else {
            run.blockers += factBlockers
        }
        prediction.blockers = run.blockers
        prediction.wouldLoad = run.blockers.isEmpty && prediction.rejected <= run.options.maxRejects
        prediction.inserted = prediction.wouldLoad ? inserted : 0
        return prediction
    }

    /// Rows whose key would still be missing once the backfill ran: what PostgreSQL's FK
    /// check would refuse (blank keys kept as they are, keys of a parent the tool may not
    /// fill). Declared relations are not the database's to enforce.
    func remainingViolations() throws -> [String] {
        var violations: [String] = []
        let staged = Set(run.plan.stagedColumns.map(\.name))
        for fk in run.catalog.foreignKeys(of: run.target.name) where !fk.declared && fk.columns.allSatisfy(staged.contains) {
            let row = try run.session.execute(remaining(fk, parent: run.readable(fk))).rows[0]
            let rows = row.int("n") ?? 0
            guard rows > 0 else { continue }
            violations.append("\(rows) input rows would violate \(fk.name): key (\(fk.columns.joined(separator: ", "))) "
                + "missing from \(fk.referencedTable.display) and not backfilled")
        }
        return violations
    }

    /// `parent`: `fk` reading its parent where it can be joined (`readable`).
    func remaining(_ fk: ForeignKey, parent readableFK: ForeignKey) -> SQL {
        let keys = KeyPredicates.columns("g", fk.columns)
        var condition: SQL = keys.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ") + " AND "
            + KeyPredicates.missing(readableFK, child: keys)
        if let parent = run.plan.parent(fk.referencedTable), run.parentStates[parent.index].available {
            // The keys table's operators (`keyJoin`): its values are of the UNION of every
            // source's types, which this FK's own may not hold (hostile review 24).
            let stored = run.sql.keyPositions(parent, fk).map { column -> SQL in "g.\(ident: fk.columns[column])" }
            let join = run.sql.keyJoin(left: run.sql.kList("k", parent), right: stored, parent)
            let filled: SQL = parent.backfills ? "" : " AND k.present"
            condition += " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.keys(parent.index)) k WHERE " + join + filled + ")"
        }
        return "SELECT coalesce(sum(g._fkb_n), 0) AS n FROM \(run.sql.seenKeys(for: fk)) AND \(condition)"
    }

    /// Target rows `--replace-by` would delete.
    func replacedCount(in existing: TableName) -> SQL {
        "SELECT count(*) AS n FROM \(existing.sql) t WHERE EXISTS (SELECT 1 FROM \(LoadStatements.stage) s "
            + "WHERE s._fkb_reject IS NULL AND \(run.sql.replaceMatch("t", "s")))"
    }

}
