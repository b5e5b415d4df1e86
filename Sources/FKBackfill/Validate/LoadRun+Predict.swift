import Foundation
import PostgresClient

/// Validate's prediction: the load's own steps over validate's staged copy, up to the
/// first write. Rows are set aside by the same statements a load with rejects runs
/// (types, lengths, NULLs, CHECKs, blank keys, `on_missing`, unique keys), missing keys
/// are found by the same statements, and what would stop the backfill is decided by the
/// same code. What the load would then write is read from its work tables instead:
/// parents' new rows (checked against their NOT NULL and CHECK constraints), and the
/// rows whose keys would still be missing after the backfill (the FK check's refusal).
/// Only temporary tables are written.
extension LoadRun {
    func predict(tracker: CSVLineTracker?, castFailed: Bool, staging: TextStaging) throws -> ValidationReport.Prediction {
        lines = tracker
        stagedAsText = true
        stageUpdated = true
        var prediction = ValidationReport.Prediction()
        prediction.maxRejects = options.maxRejects
        if case .csv(_, let csv) = input, csv.header, report.staged == 0 {
            blockers.append("\(input.label): the file has a header but no rows, nothing to load")
        }
        // What stops a load before it stages (Preparation.notNullColumnsMissing).
        for column in Preparation.notNullColumnsMissing(from: opened.columns, of: target, constraints: constraints) {
            blockers.append(Preparation.notNullColumnMissingMessage(column, of: target))
        }
        if castFailed { try markUnconvertible(staging) }
        try markValueRejects(typed: false, constraints: options.checksValues || constraints.beforeInsertTriggers.isEmpty)
        // Without rejects the load sets nothing aside for a unique key: it gives every row
        // to the insert and names the first PostgreSQL refuses. Where the fact insert is
        // tried (its triggers may skip or change the rows), the trial finds that row.
        try markKeyRejects(uniqueKeys: options.checksValues || constraints.inexactness.isEmpty)
        try findMissingKeys()
        try warnNearDuplicates()
        prediction.nearDuplicates = nearDuplicates
        blockers += try unfillable()
        blockers += try newParentRowProblems()
        // The fact rows' FK check: what the insert would store, unless the insert is tried.
        var factBlockers = try remainingViolations()
        let defaulted = try defaultedKeyViolations()
        factBlockers += defaulted.blockers
        // What only PostgreSQL can tell: the parents' and the target's own code and
        // constraints on INSERT, tried in a savepoint below (LoadRun+Trial.swift).
        let parentReasons = try parentTrialReasons()
        let targetReasons = constraints.inexactness + defaulted.notExact + (try replaceByTrialReasons())

        let samples = max(options.samples, 1)
        for row in try session.execute(sql.rejections(samples: samples)).rows {
            prediction.rejections.append(.init(
                reason: try row.string("reason"), rows: row.int("n") ?? 0,
                sampleLines: row.array("sample").compactMap { $0.flatMap { Int($0) } }.map(line(ofRow:))))
        }
        prediction.rejected = prediction.rejections.reduce(0) { $0 + $1.rows }
        if !options.replaceBy.isEmpty {
            let existing = try readable(target.name, oid: target.oid, columns: options.replaceBy)
            prediction.deleted = try session.execute(replacedCount(in: existing)).rows[0].int("n") ?? 0
        }
        for parent in plan.parents where parentStates[parent.index].available && parent.backfills {
            guard parentStates[parent.index].hasMissingKeys else { continue }
            let row = try session.execute(newKeys(parent, samples: options.samples)).rows[0]
            let keys = row["sample"].flatMap { try? JSONDecoder().decode([[String?]].self, from: Data($0.utf8)) } ?? []
            prediction.parents.append(.init(table: parent.table.name, inserted: row.int("n") ?? 0, sampleKeys: keys))
        }
        var inserted = report.staged - prediction.rejected
        if !parentReasons.isEmpty || !targetReasons.isEmpty {
            // A tried fact insert decides the FK check itself (a trigger may skip or change
            // the rows whose keys the statements above read as missing).
            if targetReasons.isEmpty || !options.loadTarget { blockers += factBlockers; factBlockers = [] }
            if blockers.isEmpty && prediction.rejected <= options.maxRejects {
                report.rejected = prediction.rejected
                let trial = try trialWrite(target: targetReasons)
                prediction.tried = (parentReasons.isEmpty ? [] : ["the new parent rows' INSERT, for " + parentReasons.joined(separator: "; ")])
                    + (targetReasons.isEmpty ? [] : ["the fact rows' INSERT, for " + targetReasons.joined(separator: "; ")])
                blockers += trial.stopped ?? []
                if let untried = trial.untried {
                    prediction.notExact += [untried] + parentReasons.map { "\($0): not evaluated on the new rows" } + targetReasons
                }
                // A key left to a volatile default was tried with one value; the load's call gives another.
                prediction.notExact += defaulted.notExact
                if let stored = trial.inserted {
                    inserted = stored
                    prediction.skipped = trial.skipped
                }
            } else {
                // The load stops anyway; what might also stop it is only named.
                prediction.notExact += parentReasons.map { "\($0): not evaluated on the new rows" } + targetReasons
                blockers += factBlockers
            }
        } else {
            blockers += factBlockers
        }
        prediction.blockers = blockers
        prediction.wouldLoad = blockers.isEmpty && prediction.rejected <= options.maxRejects
        prediction.inserted = prediction.wouldLoad ? inserted : 0
        return prediction
    }

    /// The input line of staged row `row`: the file's own line (header = 1) for a CSV.
    func line(ofRow row: Int) -> Int {
        lines?.line(ofRecord: row) ?? row
    }

    /// New parent rows the insert would refuse: a NULL in a NOT NULL column that a rule
    /// derives (input columns are `unfillable`'s), or a CHECK that fails.
    func newParentRowProblems() throws -> [String] {
        var problems: [String] = []
        let allChecks = try TableFacts.checks(of: plan.parents.map(\.table), on: session)
        for parent in plan.parents where parentStates[parent.index].available && parent.backfills {
            guard parentStates[parent.index].hasMissingKeys else { continue }
            let columns = parent.insertedColumns
            let names = Set(columns.map(\.column.name))
            var tests: [(what: String, condition: SQL)] = []
            for column in columns where column.column.notNull && !column.deferredUntilCycleLoaded {
                if case .staged = column.source { continue }
                tests.append(("\(column.column.name) is NOT NULL but its rule gives NULL", "p.\(ident: column.column.name) IS NULL"))
            }
            // A column the backfill leaves out gets its default, as the insert gives it.
            var leftOut: [String] = []
            for check in allChecks[parent.table.name] ?? [] {
                let missing = check.columns.filter { !names.contains($0) }
                guard missing.allSatisfy({ name in parent.table.columns.contains { $0.name == name } }) else { continue }
                for name in missing where !leftOut.contains(name) { leftOut.append(name) }
                tests.append(("fails CHECK \(check.name)", "NOT (\(check.sql))"))
            }
            guard !tests.isEmpty else { continue }
            let defaults = leftOut.map { name -> SQL in
                let column = parent.table.columns.first { $0.name == name }
                return ", CAST(\(column?.defaultSQL ?? "NULL") AS \(column?.sqlType ?? "text")) AS \(ident: name)"
            }
            // Typed as the columns, as the insert would assign them (a bare NULL would be text).
            let values = zip(columns, sql.insertedValues(parent)).map { column, value -> SQL in
                "CAST(\(value) AS \(column.column.sqlType)) AS \(ident: column.column.name)"
            }
            let counted = tests.enumerated().map { index, test -> SQL in "count(*) FILTER (WHERE \(test.condition)) AS c\(int: index)" }
            let row = try session.execute(
                "SELECT \(counted.joined(separator: ", ")) FROM (SELECT \(values.joined(separator: ", "))\(defaults.joined()) "
                    + "FROM \(LoadStatements.values(parent.index)) v WHERE v._fkb_missing) p").rows[0]
            for (index, test) in tests.enumerated() {
                let n = row.int("c\(index)") ?? 0
                if n > 0 {
                    problems.append("\(n) new rows of \(parent.table.name.display): \(test.what)")
                    blockedTables.insert(parent.table.name)
                }
            }
        }
        return problems
    }

    /// Rows whose key would still be missing once the backfill ran: what PostgreSQL's FK
    /// check would refuse (blank keys kept as they are, keys of a parent the tool may not
    /// fill). Declared relations are not the database's to enforce.
    func remainingViolations() throws -> [String] {
        var violations: [String] = []
        let staged = Set(plan.stagedColumns.map(\.name))
        for fk in catalog.foreignKeys(of: target.name) where !fk.declared && fk.columns.allSatisfy(staged.contains) {
            let row = try session.execute(remaining(fk, parent: readable(fk))).rows[0]
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
        if let parent = plan.parent(fk.referencedTable), parentStates[parent.index].available {
            let positions = sql.keyPositions(parent, fk)
            let join = positions.enumerated().map { position, column -> SQL in
                fk.childEquality[column].compare("k.\(LoadStatements.k(position))", "g.\(ident: fk.columns[column])")
            }
            let filled: SQL = parent.backfills ? "" : " AND k.present"
            condition += " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.keys(parent.index)) k WHERE "
                + join.joined(separator: " AND ") + filled + ")"
        }
        return "SELECT coalesce(sum(g._fkb_n), 0) AS n FROM \(sql.seenKeys(for: fk)) AND \(condition)"
    }

    /// Target rows `--replace-by` would delete.
    func replacedCount(in existing: TableName) -> SQL {
        "SELECT count(*) AS n FROM \(existing.sql) t WHERE EXISTS (SELECT 1 FROM \(LoadStatements.stage) s "
            + "WHERE s._fkb_reject IS NULL AND \(sql.replaceMatch("t", "s")))"
    }

    /// How many new rows the parent would get, and up to `samples` of their keys, as text
    /// of the parent's own column types, in key order: as `insertParent` reports them.
    func newKeys(_ parent: ParentPlan, samples: Int) -> SQL {
        let keys = parent.keyColumns.enumerated().map { position, name -> SQL in
            let type = parent.table.columns.first { $0.name == name }?.sqlType ?? "text"
            return "CAST(CAST(v.\(LoadStatements.k(position)) AS \(type)) AS text)"
        }
        let order = parent.keyColumns.enumerated().map { position, name -> SQL in
            let type = parent.table.columns.first { $0.name == name }?.sqlType ?? "text"
            return "CAST(v.\(LoadStatements.k(position)) AS \(type))"
        }
        return "SELECT (SELECT count(*) FROM \(LoadStatements.values(parent.index)) v WHERE v._fkb_missing) AS n, "
            + "CAST((SELECT jsonb_agg(s.k ORDER BY s.o) FROM (SELECT jsonb_build_array(\(keys.joined(separator: ", "))) AS k, "
            + "row_number() OVER (ORDER BY \(order.joined(separator: ", "))) AS o FROM \(LoadStatements.values(parent.index)) v "
            + "WHERE v._fkb_missing ORDER BY o LIMIT \(bind: max(samples, 0))) s) AS text) AS sample"
    }
}
