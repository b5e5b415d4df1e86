import Foundation
import PostgresClient

/// Step "stage input": the input into `pg_temp.fkb_stage`, with blanks and rejects.
extension LoadRun {
    func stageInput() throws {
        try session.useSmallStatisticsSamples()
        if options.checksValues {
            lines = try stageCheckingValues()
        } else {
            try session.execute(sql.createStage())
            // Lines are tracked here too, so an error about a row can name its line.
            lines = opened.lineTracker()
            let mirror = try openSecondSession()
            report.staged = try namingInputColumns {
                try opened.stage(copy: sql.copyStage, insert: sql.insertStage(from:), lines: lines, on: session, progress: progress, mirror: mirror)
            }
            secondSession?.start(staged: report.staged)
        }
        if case .csv(_, let csvOptions) = input, csvOptions.header, report.staged == 0 {
            throw FKBackfillError("\(input.label): the file has a header but no rows, nothing to load",
                                  hint: "check that the export wrote its rows", kind: .badInput(line: nil))
        }
        // The common path never joins the stage in a way its statistics could change: it is
        // scanned whole, once into `fkb_seen` and once per parent that needs its rows, each
        // time against a small analyzed table. Statistics are gathered only where the
        // planner compares the stage with a table of unknown size (guarded keys,
        // --replace-by, self-references, fill mode), and only for the columns those joins
        // read: every column of a 28-column stage took 1.4 s for 37,000 rows, four times
        // its COPY, where one column takes 30–70 ms.
        let analyze = sql.analyzeStage(columns: statisticsColumns)
        if let analyze { try session.execute(analyze) }
        if let constants = sql.createConstants() { try session.execute(constants) }
        if let constants = sql.insertConstants() { try session.execute(constants) }
        try markKeyRejects(uniqueKeys: options.checksValues) {
            // Otherwise the stage's size, from a small sample, after the rejects are known
            // (the later reject steps join the stage to the target and parents by it).
            if analyze == nil { for statement in sql.sizeStage() { try session.execute(statement) } }
        }
    }

    /// The reject steps that follow the values' own, in their one order for the load and
    /// validate's prediction (which must set aside the same rows): blank keys, guarded
    /// keys (`on_missing`), keys that cannot fit their parent, near duplicates, and with
    /// `uniqueKeys` the target's unique keys. `afterGuards` runs between the guards and
    /// the rest (the load sizes its stage there).
    func markKeyRejects(uniqueKeys: Bool, afterGuards: () throws -> Void = {}) throws {
        try handleBlankKeys()
        try guardKeys()
        try afterGuards()
        try markKeysThatCannotFit()
        try rejectNearDuplicates()
        if uniqueKeys { try markUniqueRejects() }
    }

    /// The staged columns a later statement joins or filters the stage on, where the
    /// planner needs their statistics; empty when no statement does.
    var statisticsColumns: [String] {
        var columns = plan.guardedKeys.flatMap(\.foreignKey.columns) + options.replaceBy
        for parent in plan.parents where parent.isTarget { columns += parent.keyColumns }
        if plan.parents.contains(where: { $0.mode == .fillNullOnly }) { columns.append("_fkb_row") }
        return columns
    }

    /// COPY's CONTEXT names the stage's column, which for a blank key made NULL on staging
    /// is its input column `_fkb_in_N` (`LoadStatements.stagedInput`), and so does its
    /// message for a short row (`missing data for column "_fkb_in_N"`, hostile review 28):
    /// the error names the input's column instead.
    func namingInputColumns<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as FKBackfillError {
            for column in sql.blanksNulledOnStaging {
                let input = sql.stagedInput(column.name)
                error.message = error.message
                    .replacingOccurrences(of: "(column \(input):", with: "(column \(column.name):")
                    .replacingOccurrences(of: "column \"\(input)\"", with: "column \"\(column.name)\"")
            }
            throw error
        }
    }

    /// Stages with rejects instead of failures: each row whose value does not convert, is
    /// too long, is NULL in a NOT NULL column or fails a CHECK is set aside with a reason.
    ///
    /// A file is first copied straight into the typed stage, inside a savepoint: a clean
    /// file costs one scan for the NULL and CHECK tests, nothing more. Only when COPY finds
    /// a bad value (or for standard input, which cannot be read twice) is the input staged
    /// as text, cast in one statement, and checked value by value where that fails.
    func stageCheckingValues() throws -> CSVLineTracker? {
        var tracker: CSVLineTracker?
        var typed = false
        if case .csv(let path, _) = opened.source, path != "-", let lines = opened.lineTracker() {
            try session.execute(sql.createStage())
            do {
                report.staged = try namingInputColumns {
                    try session.savepoint {
                        try opened.stage(copy: sql.copyStage, insert: sql.insertStage(from:), lines: lines, on: session, progress: progress)
                    }
                }
                tracker = lines
                typed = true
            } catch let error as FKBackfillError where error.category == .usage {
                // A value the typed stage cannot hold: start again from text, where it becomes a reject.
                try session.execute("DROP TABLE \(LoadStatements.stage)")
                let reopened = try OpenedInput.open(opened.source, target: plan.target, on: session)
                tracker = try stageAsText(reopened)
            }
        } else {
            tracker = try stageAsText(opened)
        }
        try markValueRejects(typed: typed)
        return tracker
    }

    /// NULLs in NOT NULL columns, overlong values (only text staging can hold one) and
    /// CHECK failures of the staged rows: one scan, the first reason per row.
    /// `constraints`: also NULLs in NOT NULL columns and failed CHECKs. Without rejects,
    /// a target with BEFORE INSERT triggers leaves those to PostgreSQL, which checks
    /// them after the triggers ran (a trigger may fill the column, or skip the row):
    /// validate then asks the server by its trial instead.
    func markValueRejects(typed: Bool, constraints checked: Bool = true) throws {
        // NOT NULL and CHECKs read the row after its BEFORE INSERT triggers ran: a NULL a
        // trigger fills (a warehouse's unknown member, `coalesce(NEW.customer_sk, -1)`) or a
        // value it mends is PostgreSQL's to judge at the insert, not a reject (real-schema
        // sweep 4: `--max-rejects` set such rows aside, PostgreSQL takes them). Over columns
        // no trigger assigns the input's values are the row's (a trigger may only skip it).
        let unassigned: Set<String>? = checked && !constraints.beforeInsertTriggers.isEmpty
            ? try ParentColumnFacts.read([plan.target], on: session).neverAssigned(plan.target) : nil
        func kept(_ columns: [String]) -> Bool { unassigned.map { columns.allSatisfy($0.contains) } ?? true }
        var conditions: [(condition: SQL, reason: String)] = []
        for column in plan.stagedColumns {
            let name: SQL = "s.\(ident: column.name)"
            if !typed, let length = TextStaging.maxLength(column) {
                conditions.append(("pg_catalog.char_length(pg_catalog.rtrim(CAST(\(name) AS pg_catalog.text), ' ')) OPERATOR(pg_catalog.>) \(int: length)", "\(column.name): longer than \(length) characters"))
            }
            if column.refusesNull && checked && kept([column.name]) { conditions.append(("\(name) IS NULL", "\(column.name): NULL in a NOT NULL column")) }
        }
        if let unroutable = plan.unroutable {
            // Partition bounds by bare column name; the stage has the target's names.
            conditions.append((unroutable, "no partition of \(plan.target.name.display) accepts the row"))
        }
        let staged = Set(plan.stagedColumns.map(\.name))
        // A target that is itself a partition refuses a row outside its bounds ("violates
        // partition constraint", with no line): set aside and named like a CHECK's
        // (hostile review 18: validate said would load under --max-rejects, the load failed).
        if checked, let bounds = try PartitionRoutes.bounds(of: plan.target, on: session), bounds.columns.allSatisfy(staged.contains) {
            conditions.append(("NOT (\(bounds.sql))", "outside the bounds of partition \(plan.target.name.display)"))
        }
        // A CHECK that calls code which may read other tables is PostgreSQL's to evaluate,
        // at the insert, after the backfill (validate tries it: `TargetConstraints`).
        var checks: [(condition: SQL, reason: String)] = []
        for check in checked ? try TableFacts.checks(of: [plan.target], on: session)[plan.target.name] ?? [] : []
        where check.columns.allSatisfy(staged.contains) && !check.callsCode && kept(check.columns) {
            // The CHECK refers to the target's columns by bare name; the stage has the same names.
            checks.append(("NOT (\(check.sql))", "fails CHECK \(check.name)"))
        }
        let stored = checks.isEmpty ? nil : storedShape
        if stored == nil { conditions += checks }
        if !conditions.isEmpty {
            let cases = conditions.map { "WHEN \($0.condition) THEN \(bind: $0.reason)" as SQL }.joined(separator: " ")
            try updateStage(
                "UPDATE \(LoadStatements.stage) s SET _fkb_reject = CASE \(cases) END WHERE s._fkb_reject IS NULL AND ("
                    + conditions.map { "(\($0.condition))" as SQL }.joined(separator: " OR ") + ")")
        }
        if let stored {
            // The stage holds a column's value in its type's collation and unsized: the
            // CHECKs (last in the order, so this second statement keeps each row's first
            // reason) see it as the table will, over a projection where nothing else is in scope.
            try updateStage(
                "UPDATE \(LoadStatements.stage) s SET _fkb_reject = x.reason FROM (SELECT c._fkb_row, CASE "
                    + checks.map { "WHEN \($0.condition) THEN \(bind: $0.reason)" as SQL }.joined(separator: " ") + " END AS reason "
                    + "FROM (SELECT \(stored) FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL) c) x "
                    + "WHERE x._fkb_row OPERATOR(pg_catalog.=) s._fkb_row AND x.reason IS NOT NULL AND s._fkb_reject IS NULL")
        }
    }

    /// The stage's columns as the table will store them, for its CHECKs: under the
    /// column's own collation where its type's differs, varchar(n)/char(n) cast to their
    /// length (spaces beyond it cut, char(n) padded; a longer value is a reject of its
    /// own first). Nil when every column already compares as stored.
    /// A blank key that `on_blank: null` loads as NULL is NULL here too: the CHECK sees the
    /// NULL the table will hold (hostile review 7: it saw the marker, and let through a row
    /// the INSERT then refused).
    var storedShape: SQL? {
        var changed = false
        let columns = plan.stagedColumns.map { column -> SQL in
            var value: SQL = "s.\(ident: column.name)"
            if TextStaging.maxLength(column) != nil, column.domainBaseType == nil, !column.type.hasSuffix("]") {
                value = "CAST(\(value) AS \(column.sqlType))"
                changed = true
            }
            if plan.blank.onBlank == .null, !column.refusesNull, plan.blankColumns.contains(where: { $0.name == column.name }) {
                // Markers bound: the constants table the blank step reads comes later.
                value = "CASE WHEN \(plan.isBlankBound(value)) THEN NULL ELSE \(value) END"
                changed = true
            }
            if let collation = column.collation, collation.count == 2 {
                value = "\(value) COLLATE \(ident: collation[0]).\(ident: collation[1])"
                changed = true
            }
            return "\(value) AS \(ident: column.name)"
        }
        return changed ? (["s._fkb_row"] + columns).joined(separator: ", ") : nil
    }

    /// Text staging for rejects: nothing can fail on the way in; the cast finds bad values.
    func stageAsText(_ opened: OpenedInput) throws -> CSVLineTracker? {
        let checks = TextStaging(plan: plan)
        stagedAsText = true
        try session.execute(checks.createRaw())
        try session.execute(checks.createStage())
        // A malformed row (not a bad value) still stops the run: there is no row to reject.
        let tracker = opened.lineTracker()
        report.staged = try opened.stage(copy: checks.copyRaw, insert: checks.insertRaw(from:), lines: tracker, on: session, progress: progress, exactText: true)
        do {
            try TextStaging.castsUnderUserPath(on: session) { try session.savepoint { try session.execute(checks.castAll()) } }
        } catch let error as PostgresError where error.kind == .server && error.sqlState == OpenedInput.programLimitExceeded {
            throw checks.rowTooBig(error, input: opened.source.label, lines: tracker, on: session)
        } catch let error as PostgresError where error.kind == .server {
            stageUpdated = true  // the rolled-back cast left dead rows; do not count on physical order
            try TextStaging.castsUnderUserPath(on: session) {
                for function in checks.createCastChecks() { try session.execute(function) }
                try session.execute(checks.castChecked())
            }
            try markUnconvertible(checks)
        }
        return tracker
    }

    /// Rows with a value that does not convert to its column's type (the cast-check
    /// functions of `checks` exist by now), the first bad column per row.
    func markUnconvertible(_ checks: TextStaging) throws {
        for column in plan.stagedColumns {
            try updateStage(
                "UPDATE \(LoadStatements.stage) s SET _fkb_reject = \(bind: "\(column.name): not a valid \(column.type)") "
                    + "FROM \(TextStaging.raw) r WHERE r._fkb_row = s._fkb_row AND s._fkb_reject IS NULL AND \(checks.doesNotConvert(column))")
        }
    }

    /// `blank: on_blank`: blank FK keys of the input become NULL or reject their row, in
    /// one UPDATE (one scan of the stage) for every column.
    func handleBlankKeys() throws {
        var nulled: [Column] = []
        var rejected: [(column: Column, reason: String)] = []
        // Made NULL as they were staged, where the typed stage has them as generated columns.
        let nulledOnStaging = stagedAsText ? [] : Set(sql.blanksNulledOnStaging.map(\.name))
        for column in plan.blankColumns {
            switch plan.blank.onBlank {
            case .keep:
                break
            case .null where !column.refusesNull:
                if !nulledOnStaging.contains(column.name) { nulled.append(column) }
            case .null, .reject:
                rejected.append((column, "blank key in \(column.name)" + (column.refusesNull && plan.blank.onBlank == .null ? " (NOT NULL)" : "")))
            }
        }
        if let statement = sql.blankKeys(nulled: nulled, rejected: rejected) { try updateStage(statement) }
    }

    /// `on_missing: reject|fail` (or a parent's `mode: skip|fail`): rows whose key the
    /// parent lacks are rejected, or stop the load.
    func guardKeys() throws {
        for guarded in plan.guardedKeys {
            let fk = guarded.foreignKey
            let condition = sql.missingKeyCondition(fk)
            let what = "key (\(fk.columns.joined(separator: ", "))) missing from \(fk.referencedTable.display) (\(fk.name))"
            if guarded.reject {
                try updateStage(sql.reject(where: condition, reason: what))
            } else if let rows = try session.execute(sql.countWhere(condition)).rows.first?.int("n"), rows > 0 {
                blockers.append("\(counted(rows, "input row")) \(rows == 1 ? "has" : "have") a \(what), and its rules say fail")
            }
        }
    }
}
