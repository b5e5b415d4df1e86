import Foundation
import Logging
import PostgresClient

/// Runs `fkbackfill validate`: stages the input as a load would, then checks it with one
/// set-based query per FK and per column, following PostgreSQL's own equality and MATCH
/// rules, in a transaction that is rolled back: nothing but temporary tables is written.
/// Reading in place (the target's own rows, a table with its types) writes nothing at
/// all and runs in a READ ONLY transaction, on a hot standby too.
public final class Validator {
    let connection: Connection
    var pinned: Session?
    /// The session of the run under way.
    var session: Session!
    /// The session cannot write (a hot standby, a read-only role): what would be staged on
    /// the primary is checked in place where that can be exact (a self-reference).
    var sessionCannotWrite = false

    /// A validator on a connection of the caller's: each run pins the search path and
    /// gives the connection its own back afterwards.
    public init(connection: Connection) {
        self.connection = connection
    }

    /// A validator on a session already pinned (the command line's).
    public init(session: Session) {
        connection = session.connection
        pinned = session
    }

    /// Validates `input` for `table`; with no input, the rows already in the table.
    public func run(table: String, input: InputSource?, options: ValidateOptions) throws(FKBackfillError) -> ValidationReport {
        try Session.run(pinned, over: connection, onStatement: options.onStatement) { session in
            try run(table: table, input: input, options: options, on: session)
        }
    }

    func run(table: String, input: InputSource?, options: ValidateOptions, on session: Session) throws(FKBackfillError) -> ValidationReport {
        self.session = session
        return try FKBackfillError.mapping {
            // Reading in place writes nothing, so its transaction begins READ ONLY and runs
            // on a standby too; staging writes temporary tables (Validator+ReadOnly.swift).
            let readOnlySession = try session.readOnlyReason()
            sessionCannotWrite = readOnlySession != nil
            // A CSV cannot be staged on such a session: it is streamed as bound arrays
            // instead (Validator+Streamed.swift), unless its options need the staged prediction.
            let writes = Self.alwaysWrites(input, options, streamed: readOnlySession != nil)
            if let readOnlySession, let writes {
                throw Self.stagingRefused(table: table, input: input, because: writes, session: readOnlySession)
            }
            let readOnly = writes == nil
            do {
                var report = try session.transaction(readOnly: readOnly, ending: .rollback) {
                    try validate(table: table, input: input, options: options, readOnly: readOnly)
                }
                if readOnlySession != nil, let behind = try session.standbyBehindReason() { report.notExact.append(behind) }
                return report
            } catch let staging as MustStage {
                if let readOnlySession {
                    throw Self.stagingRefused(table: table, input: input, because: staging.reason, session: readOnlySession)
                }
                return try session.transaction(ending: .rollback) {
                    try validate(table: table, input: input, options: options, readOnly: false)
                }
            }
        }
    }

    /// One validation; with `readOnly` (its transaction began READ ONLY), throws
    /// `MustStage` before any write when the input cannot be read in place after all.
    func validate(table: String, input: InputSource?, options: ValidateOptions, readOnly: Bool) throws -> ValidationReport {
        // Without an input, validate checks the rows already in the table: nothing replaces them.
        if input == nil, !options.replaceBy.isEmpty {
            throw FKBackfillError(
                "--replace-by needs an input: without --csv, --source or --query, validate checks the rows already in \(table)",
                hint: "pass the input the load will take, or leave out --replace-by", kind: .invalidOptions)
        }
        var planError: String?
        let prepared = try Preparation.prepare(
            table: table, input: input, rules: options.rules, mode: options.mode, on: session, planWithoutRules: { planError = $0.message },
            ignoreExtraColumns: options.ignoreExtraColumns, needsTemporary: !readOnly)
        let (catalog, target, opened, rules, graph) = (prepared.catalog, prepared.target, prepared.opened, prepared.rules, prepared.graph)
        var plan = prepared.plan
        plan.replaceBy = options.replaceBy
        // Compared as the load compares them: each column's own equality (citext case-blind).
        plan.replaceEquality = try Preparation.replaceEquality(options.replaceBy, of: target, input: opened.columns, on: session)
        plan.replaceNotNull = try Preparation.replaceNotNull(options.replaceBy, of: target, on: session)
        let source = opened.source
        let columns = opened.columns
        let load = LoadStatements(plan: plan)
        let isFile: Bool = if case .csv = source { true } else { false }
        var report = ValidationReport(table: target.name, input: source.label, linesAreFileLines: isFile)
        report.extraColumns = plan.extraColumns
        report.strict = options.strict
        let staged = Set(columns)
        var checked = catalog.foreignKeys(of: target.name).filter { fk in
            fk.columns.allSatisfy(staged.contains) && !(fk.declared && rules.foreignKey(fk)?.skip == true)
        }
        // What validate reads itself: the referenced key of every FK it checks. PostgreSQL's
        // own check reads it as the parent's owner, so a role without SELECT on it inserts,
        // but validate cannot look: it said "database error: permission denied" (exit 3)
        // with no hint; it names the GRANT, as the load does (hostile review 27).
        var reads = Privileges()
        for fk in checked {
            if let parent = catalog.table(fk.referencedTable) { reads.require("SELECT", on: parent, columns: fk.referencedColumns) }
        }
        let grants = try reads.missingGrants(on: session)
        if !grants.isEmpty { throw Privileges.error(grants) }

        // A table or query with the target's types needs no staging: nothing to convert or
        // cut, so it is checked where it is. Blanks loaded as NULL and self-references
        // (whose keys may come from the input itself) need the staged copy.
        var inPlace = opened.select != nil && (input == nil || options.inPlace)
        // Read-only, a self-reference is checked in place too: the input's own keys are the
        // relation's (`InPlaceStatements.provided`), unless rows set aside or deleted change
        // them (in a cycle with its parents: `placeholdersAfterTarget`).
        let selfReference = checked.contains(where: { $0.referencedTable == target.name })
        let selfInPlace = readOnly && sessionCannotWrite && options.maxRejects == 0 && options.replaceBy.isEmpty
        if inPlace, let reason = Self.stagingNeeded(
            hasTypes: try opened.hasTypes(of: target, on: session),
            blanksBecomeNull: plan.blank.onBlank == .null && !plan.blankColumns.isEmpty,
            selfReference: selfReference && !selfInPlace, plansUserSQL: input != nil && opened.plansUserSQL) {
            // On a session that cannot write, a --source is streamed as text instead.
            if readOnly && !(sessionCannotWrite && input != nil) { throw MustStage(reason: reason) }
            inPlace = false
        }
        // Read-only, an input not read in place is streamed: a CSV in batches, a query or a
        // table to cast as text through a cursor (Validator+StreamedCursor.swift).
        let streamed = readOnly && input != nil && (opened.csv != nil || (sessionCannotWrite && !inPlace))
        try Preparation.checkReplaceByColumns(options.replaceBy, in: columns, of: target)
        var constraints = try TargetConstraints.read(target, on: session)
        // Read-only, the checks over columns the target's triggers leave alone still run (Validator+TriggerSafeColumns).
        if readOnly && !constraints.beforeInsertTriggers.isEmpty {
            (constraints.untouchedByTriggers, constraints.unassignedByTriggers, constraints.neverAssignedByTriggers) = try triggerSafeColumns(target)
        }
        var findings: [Findings]
        var predicted: Prediction?
        if streamed {
            // A CSV on a session that cannot write: streamed, checked as in place.
            // An FK of the target to itself is resolved across the batches (Validator+StreamedSelf.swift).
            if let reason = Self.streamingNeedsStaging(plan: plan, selfReference: false) {
                throw MustStage(reason: reason)
            }
            report.checkedInPlace = true
            report.rowsNumbered = opened.csv == nil
            var statements = StreamedStatements(plan: plan, load: load)
            if !constraints.beforeInsertTriggers.isEmpty {
                statements.nullsLeftToTriggers = Set(plan.stagedColumns.map(\.name).filter { !constraints.setAsideOnInput([$0]) })
            }
            // FKs given in part, the rest at DEFAULTs each batch computes (Validator+StreamedComputedKeys).
            let computed = try computedKeys(plan: plan, catalog: catalog, constraints: constraints, given: staged)
            statements.computed = computed.columns
            checked += computed.foreignKeys
            report.evaluatedDefaults.formUnion(computed.foreignKeys.map(\.name))
            findings = try checkStreamed(opened, statements, checked, &report, options, constraints: constraints, catalog: catalog)
            report.notExact += try hiddenSourceRows(input, opened)
        } else if inPlace, let select = opened.select {
            report.checkedInPlace = true
            var statements = InPlaceStatements(plan: plan, load: load, source: select)
            statements.provided = select
            // --max-rejects: the FKs of the rows the load keeps (Validator+InPlaceSetAside.swift).
            let kept = input != nil && options.maxRejects > 0 ? try keptInPlace(statements, constraints: constraints) : nil
            findings = try checkInPlace(statements, checked, &report, options, keys: kept.map { InPlaceStatements(plan: plan, load: load, source: $0) })
            if input != nil { try checkTargetRowsInPlace(statements, &report, constraints: constraints) }
            report.notExact += try hiddenSourceRows(input, opened)
            if let kept { try countSetAsideInPlace(statements, kept: kept, constraints: constraints, &report, maxRejects: options.maxRejects) }
        } else {
            // On Citus, a distributed parent is read through a coordinator copy of its keys.
            let standIns = try citusStandIns(checked, target: target.name, catalog: catalog)
            let staged = try checkStaged(opened, ValidationStatements(plan: plan, load: load), standIns, &report, options)
            findings = staged.findings
            var loadOptions = LoadOptions()
            loadOptions.rules = options.rules
            loadOptions.maxRejects = options.maxRejects
            loadOptions.replaceBy = options.replaceBy
            loadOptions.mode = options.mode
            loadOptions.samples = options.samples
            loadOptions.dryRun = true
            let run = LoadRun(
                session: session, options: loadOptions, input: source, catalog: catalog, graph: graph, target: target,
                opened: opened, plan: plan, constraints: constraints, progress: nil)
            run.report.staged = report.rows
            report.prediction = try Prediction(run: run).predict(tracker: staged.tracker, castFailed: staged.castFailed, staging: TextStaging(plan: plan))
            if let planError {
                report.prediction?.blockers.insert(planError, at: 0)
                report.prediction?.wouldLoad = false
            }
            predicted = Prediction(run: run)
        }
        for column in try Preparation.notNullColumnsMissing(from: columns, of: target, constraints: constraints, on: session) {
            let filled = column.hasNonNullDefault || column.domainDefault ? "its DEFAULT gives NULL in this session" : "has no default"
            report.columns.append(.init(
                column: column.name, problem: .missingColumn, detail: "\(column.name) is NOT NULL, \(filled) and is not in the input",
                rows: report.rows, sampleLines: []))
        }

        var facts = try TableFacts.read(Array(catalog.tables.values), on: session)
        // Privileges are not predicted (docs/validate.md): validate may run as a read-only
        // CI role, and the load, as another role, checks its own before writing. So the
        // validating role's missing INSERT or UPDATE makes no key unfixable.
        facts.canInsert = [:]
        facts.canUpdate = [:]
        var coverage = Coverage(plan: plan, graph: graph, rules: rules, facts: facts, session: session)
        coverage.targetForeignKeys = catalog.foreignKeys(of: target.name)
        let filled = predicted == nil ? try Self.triggerFilledColumns(plan, on: session) : nil
        if let filled { coverage.columnFacts = filled.facts }
        // Checked in place, the input's own keys say which parents need no new rows.
        coverage.presentThrough = Set(zip(checked, findings).filter { predicted == nil && $1.missing == 0 }
            .map { Coverage.presentKey($0.0.referencedTable, $0.0.columns, $0.0.referencedColumns) })
        if let predicted {
            // The load decides what is fixable; the rules' own words say why a key is not backfilled.
            report.foreignKeys = try zip(checked, findings).map { fk, found in
                let status = try coverage.result(for: fk)
                return predicted.validationResult(fk, found, planError: planError, skipped: status.status == .skipped ? status.reasons : [])
            }
            return report
        }
        // A CSV streamed, or a --source table checked in place: what was not evaluated.
        if report.checkedInPlace && input != nil {
            Self.leaveNullsToTriggers(&report, constraints: constraints, maxRejects: options.maxRejects)
            report.notExact = try notEvaluatedReadOnly(
                plan: plan, catalog: catalog, constraints: constraints, facts: facts, findings: findings, streamed: streamed,
                rejects: streamed && options.maxRejects > 0, evaluatedDefaults: report.evaluatedDefaults,
                evaluatedReplaceChildren: report.evaluatedReplaceChildren) + report.notExact
        }
        // Checked in place: what the catalog and rules say a backfill would make of each FK's missing keys.
        // Read-only, a parent that gets one new row at most cannot collide with its own
        // placeholders; whether an existing row holds the same values only its insert can
        // tell, which the staged path tries: not a finding here, but not exact.
        let newRows = Dictionary(zip(checked, findings).map { ($0.referencedTable, $1.missing - $1.blank) }, uniquingKeysWith: +)
        if predicted == nil { coverage.atMostOneNewRow = Self.atMostOneNewRow(plan: plan, newRows: newRows, checked: checked) }
        coverage.evaluatesPartialUniques = predicted == nil
        coverage.keyChainsNotLookedUp = predicted == nil
        coverage.addsRows = { (newRows[$0.table.name] ?? 0) > 0 }
        let cycle = predicted == nil ? try targetCycleFindings(plan, graph: graph, newRows: newRows) : TargetCycleFindings()
        report.notExact += cycle.notExact
        for (fk, found) in zip(checked, findings) {
            var result = ValidationReport.ForeignKeyResult(
                name: fk.name, table: fk.table, referencedTable: fk.referencedTable, declared: fk.declared,
                violatingRows: found.violating + found.partlyNull, missingKeys: found.missing, fixableKeys: 0,
                unfixableKeys: 0, reasons: [], samples: found.samples)
            let status = try coverage.result(for: fk)
            if let planError {
                result.reasons.append(planError)
            } else if status.status == .uncovered, streamed, (newRows[fk.referencedTable] ?? 0) <= 1,
                      let parent = plan.parent(fk.referencedTable), !status.reasons.isEmpty,
                      Set(status.reasons).isSubset(of: coverage.collidingUniques(parent)) {
                result.fixableKeys = found.missing - found.blank
                if found.missing > found.blank {
                    report.notExact += status.reasons.map { "\($0), but it gets one new row: whether an existing row holds the same values only its insert can tell, which is not tried" }
                }
            } else if status.status == .uncovered || status.status == .skipped {
                if found.missing > 0 { result.reasons += status.reasons }
            } else {
                result.fixableKeys = found.missing - found.blank
            }
            // New parent rows a NOT NULL column of would be NULL: the parent cannot be
            // backfilled, as the staged path's unfillable() says (Validator+StreamedDerivations).
            let nulls = Self.nullDerivationReasons(fk, plan: plan, nulls: found.nullDerived)
            if !nulls.isEmpty || found.changedByTrigger != nil || !found.refusedNewRows.isEmpty {
                result.reasons += nulls + (found.changedByTrigger.map { [$0] } ?? []) + found.refusedNewRows
                result.fixableKeys = 0
            }
            let order = Self.placeholdersAfterTarget(fk, plan: plan, newRows: newRows, missing: found.missing - found.blank)
            if let reason = order.reason { result.reasons.append(reason); result.fixableKeys = 0 }
            report.notExact += order.notExact.map { [$0] } ?? []
            result.unfixableKeys = found.missing - result.fixableKeys
            result.reasons += found.neverBackfilled(onBlank: plan.blank.onBlank) + (report.stops[fk.name] ?? [])
            report.foreignKeys.append(result)
        }
        report.foreignKeys += Self.unlistedStops(report.stops, listed: checked, of: catalog.foreignKeys(of: target.name)) + report.replaceRefusals
        if let filled, findings.contains(where: { $0.missing > $0.blank }) { report.notExact += filled.notes }
        if report.checkedInPlace { report.notExact += coverage.notes }
        for reason in coverage.once where report.checkedInPlace {
            report.notExact.append("\(reason), but it gets one new row: whether an existing row holds the same values only its insert can tell, which is not tried")
        }
        return report
    }
}
