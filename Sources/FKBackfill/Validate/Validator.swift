import Foundation
import Logging
import PostgresClient

/// Options of `fkbackfill validate`.
public struct ValidateOptions: Sendable {
    /// How many missing keys to list per FK, and rows per key and per column problem.
    public var samples = 5
    /// Count every missing key as a failure, even one a backfill would fix.
    public var strict = false
    /// The rules file, so fixable keys are judged as a load with these rules would (`relations:` included).
    public var rules: Rules = .none
    /// The load's `--max-rejects`: how many rows the predicted load may set aside.
    public var maxRejects = 0
    /// The load's `--replace-by`: target rows it would delete before inserting, so their
    /// keys do not clash.
    public var replaceBy: [String] = []
    /// Check a `--source` or `--query` with the target's types where it is, FKs and NOT
    /// NULL only, without predicting the load (fast on large tables; see docs/validate.md).
    public var inPlace = false
    /// Called with each statement before it runs (for `--print-sql`).
    public var onStatement: (@Sendable (SQL) -> Void)?

    /// The defaults: 5 samples, not strict, no rules.
    public init() {}
}

/// Runs `fkbackfill validate`: stages the input as a load would, then checks it with one
/// set-based query per FK and per column, following PostgreSQL's own equality and MATCH
/// rules. Everything happens in a transaction that turns read-only before the data
/// arrives and is rolled back: nothing is written.
public final class Validator {
    let connection: Connection
    var pinned: Session?
    /// The session of the run under way.
    var session: Session!

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
            try session.execute("BEGIN")
            defer { connection.rollbackQuietly() }
            return try validate(table: table, input: input, options: options)
        }
    }

    func validate(table: String, input: InputSource?, options: ValidateOptions) throws -> ValidationReport {
        var planError: String?
        let prepared = try Preparation.prepare(
            table: table, input: input, rules: options.rules, on: session, planWithoutRules: { planError = $0.message })
        let (catalog, target, opened, rules, graph) = (prepared.catalog, prepared.target, prepared.opened, prepared.rules, prepared.graph)
        var plan = prepared.plan
        plan.replaceBy = options.replaceBy
        let source = opened.source
        let columns = opened.columns
        let load = LoadStatements(plan: plan)
        let isFile: Bool = if case .csv = source { true } else { false }
        var report = ValidationReport(table: target.name, input: source.label, linesAreFileLines: isFile)
        report.strict = options.strict
        let staged = Set(columns)
        let checked = catalog.foreignKeys(of: target.name).filter { fk in
            fk.columns.allSatisfy(staged.contains) && !(fk.declared && rules.foreignKey(fk)?.skip == true)
        }

        // A table or query with the target's types needs no staging: nothing to convert or
        // cut, so it is checked where it is. Blanks loaded as NULL and self-references
        // (whose keys may come from the input itself) need the staged copy.
        let inPlace = try opened.select != nil && (input == nil || options.inPlace)
            && !(plan.blank.onBlank == .null && !plan.blankColumns.isEmpty)
            && !checked.contains(where: { $0.referencedTable == target.name })
            && opened.hasTypes(of: target, on: session)
        for column in options.replaceBy where !columns.contains(column) {
            throw FKBackfillError(
                "replace-by column \(column) is not in the input",
                hint: "choose columns of \(target.name.display) that the input has: " + columns.joined(separator: ", "),
                kind: .invalidOptions)
        }
        if let constants = load.createConstants() { try session.execute(constants) }
        let constraints = try TargetConstraints.read(target, on: session)
        var findings: [Findings]
        var predicted: LoadRun?
        if inPlace, let select = opened.select {
            report.checkedInPlace = true
            findings = try checkInPlace(InPlaceStatements(plan: plan, load: load, source: select), checked, &report, options)
        } else {
            // On Citus, a distributed parent is read through a coordinator copy of its keys.
            let standIns = try citusStandIns(checked, target: target.name, catalog: catalog)
            let staged = try checkStaged(opened, ValidationStatements(plan: plan, load: load), standIns, &report, options)
            findings = staged.findings
            var loadOptions = LoadOptions()
            loadOptions.rules = options.rules
            loadOptions.maxRejects = options.maxRejects
            loadOptions.replaceBy = options.replaceBy
            loadOptions.samples = options.samples
            loadOptions.dryRun = true
            let run = LoadRun(
                session: session, options: loadOptions, input: source, catalog: catalog, graph: graph, target: target,
                opened: opened, plan: plan, constraints: constraints, progress: nil)
            run.report.staged = report.rows
            report.prediction = try run.predict(tracker: staged.tracker, castFailed: staged.castFailed, staging: TextStaging(plan: plan))
            if let planError {
                report.prediction?.blockers.insert(planError, at: 0)
                report.prediction?.wouldLoad = false
            }
            predicted = run
        }
        // A BEFORE INSERT trigger may fill a column the input lacks.
        for column in target.columns where column.notNull && column.defaultExpression == nil && !column.isDatabaseGenerated
            && !columns.contains(column.name) && constraints.beforeInsertTriggers.isEmpty {
            report.columns.append(.init(
                column: column.name, problem: .missingColumn, detail: "\(column.name) is NOT NULL, has no default and is not in the input",
                rows: report.rows, sampleLines: []))
        }

        let facts = try TableFacts.read(Array(catalog.tables.values), on: session)
        var coverage = Coverage(plan: plan, graph: graph, rules: rules, facts: facts, session: session)
        if let predicted {
            // The load decides what is fixable; the rules' own words say why a key is not backfilled.
            report.foreignKeys = try zip(checked, findings).map { fk, found in
                let status = try coverage.result(for: fk)
                return predicted.validationResult(fk, found, planError: planError, skipped: status.status == .skipped ? status.reasons : [])
            }
            return report
        }
        // Checked in place: what the catalog and rules say a backfill would make of each FK's missing keys.
        for (fk, found) in zip(checked, findings) {
            var result = ValidationReport.ForeignKeyResult(
                name: fk.name, table: fk.table, referencedTable: fk.referencedTable, declared: fk.declared,
                violatingRows: found.violating + found.partlyNull, missingKeys: found.missing, fixableKeys: 0,
                unfixableKeys: 0, reasons: [], samples: found.samples)
            let status = try coverage.result(for: fk)
            if let planError {
                result.reasons.append(planError)
            } else if status.status == .uncovered || status.status == .skipped {
                if found.missing > 0 { result.reasons += status.reasons }
            } else {
                result.fixableKeys = found.missing - found.blank
            }
            result.unfixableKeys = found.missing - result.fixableKeys
            result.reasons += found.neverBackfilled(onBlank: plan.blank.onBlank)
            report.foreignKeys.append(result)
        }
        return report
    }

    /// What the checks found for one FK.
    struct Findings {
        var violating = 0
        var missing = 0
        var blank = 0
        var partlyNull = 0
        var samples: [ValidationReport.Sample] = []

        /// Why some of its keys are never backfilled, whatever the parent: blank keys and
        /// partly NULL MATCH FULL keys.
        func neverBackfilled(onBlank: BlankRule.OnBlank) -> [String] {
            var reasons: [String] = []
            if blank > 0 {
                reasons.append("\(blank) missing \(blank == 1 ? "key is" : "keys are") blank, which is never backfilled"
                    + (onBlank == .reject ? " (on_blank: reject rejects those rows)" : ""))
            }
            if partlyNull > 0 {
                reasons.append("\(partlyNull) \(partlyNull == 1 ? "row has" : "rows have") a partly NULL key (MATCH FULL): never backfilled")
            }
            return reasons
        }
    }

    /// Stages the input as text, casts it as a load would (reporting values that do not
    /// convert, are too long or NULL), then checks each FK over the staged rows, with the
    /// line numbers of the rows behind each sample.
    func checkStaged(
        _ opened: OpenedInput, _ sql: ValidationStatements, _ checked: [ForeignKey],
        _ report: inout ValidationReport, _ options: ValidateOptions
    ) throws -> (findings: [Findings], tracker: CSVLineTracker?, castFailed: Bool) {
        let plan = sql.plan, load = sql.load
        // The prediction runs the load's own steps, which build temporary work tables as
        // they go: the transaction cannot turn read-only, but only pg_temp is written,
        // and it is rolled back.
        let staging = TextStaging(plan: plan)
        try session.execute(staging.createRaw())
        try session.execute(staging.createStage())
        for function in staging.createCastChecks() { try session.execute(function) }

        // Stage as text.
        let tracker = opened.lineTracker()
        report.rows = try opened.stage(copy: staging.copyRaw, insert: staging.insertRaw(from:), lines: tracker, on: session)
        if let constants = load.insertConstants() { try session.execute(constants) }
        let lineOf: (Int) -> Int = { row in tracker?.line(ofRecord: row) ?? row }
        let samples = options.samples

        // Cast to the target's types: one statement when every value converts.
        var castFailed = false
        do {
            try session.savepoint { try session.execute(staging.castAll()) }
        } catch let error as PostgresError where error.kind == .server {
            castFailed = true
            for column in plan.stagedColumns {
                try addProblem(&report, column: column.name, problem: .conversion, detail: "not a valid \(column.type)",
                               sql.rawRows(where: staging.doesNotConvert(column), samples: samples), lineOf)
            }
            try session.execute(staging.castChecked())
        }
        try session.execute("ANALYZE \(LoadStatements.stage)")
        // Length and NOT NULL checks of every column in one scan.
        var checks: [(column: String, problem: ValidationReport.ColumnProblem.Problem, detail: String, condition: SQL)] = []
        for column in plan.stagedColumns {
            let name: SQL = "r.\(ident: column.name)"
            if let length = TextStaging.maxLength(column) {
                checks.append((column.name, .tooLong, "longer than \(length) characters (\(column.type))",
                               "char_length(rtrim(\(name), ' ')) > \(int: length)"))
            }
            if column.notNull { checks.append((column.name, .notNull, "\(column.name) is NOT NULL", "\(name) IS NULL")) }
        }
        if !checks.isEmpty {
            let row = try session.execute(sql.rawChecks(checks.map(\.condition), samples: samples)).rows[0]
            for (index, check) in checks.enumerated() {
                let count = row.int("n\(index)") ?? 0
                guard count > 0 else { continue }
                report.columns.append(.init(
                    column: check.column, problem: check.problem, detail: check.detail, rows: count,
                    sampleLines: Self.integers(row, "s\(index)").map(lineOf)))
            }
        }

        // Blank keys under on_blank: null load as NULL; they are not violations then.
        if plan.blank.onBlank == .null {
            for column in plan.blankColumns where !column.notNull { try session.execute(load.nullBlank(column)) }
        }

        let findings = try checked.map { fk in
            let row = try session.execute(sql.foreignKeyCounts(fk)).rows[0]
            var found = Findings(violating: row.int("violating") ?? 0, missing: row.int("missing") ?? 0, blank: row.int("blank") ?? 0)
            if fk.match == .full && fk.columns.count > 1 {
                found.partlyNull = try session.execute(sql.partlyNull(fk)).rows[0].int("n") ?? 0
            }
            if found.missing > 0 && options.samples > 0 {
                found.samples = try session.execute(sql.samples(fk, keys: samples, rows: samples)).rows.map { row in
                    ValidationReport.Sample(
                        key: fk.columns.indices.map { row["k\($0 + 1)"] },
                        lines: Self.integers(row, "sample").map(lineOf))
                }
            }
            return found
        }
        return (findings, tracker, castFailed)
    }

    /// Checks a table or query where it is: one scan for rows, NULLs and partly NULL keys,
    /// then one grouped anti-join per FK. Samples are keys; a table has no row order to
    /// number.
    func checkInPlace(
        _ sql: InPlaceStatements, _ checked: [ForeignKey], _ report: inout ValidationReport, _ options: ValidateOptions
    ) throws -> [Findings] {
        if let constants = sql.load.insertConstants() { try session.execute(constants) }
        try session.execute("SET LOCAL transaction_read_only = on")
        try session.execute("SET LOCAL jit = off")
        let notNull = sql.plan.stagedColumns.filter(\.notNull)
        let matchFull = checked.filter { $0.match == .full && $0.columns.count > 1 }
        let row = try session.execute(sql.counts(notNull: notNull, matchFull: matchFull)).rows[0]
        report.rows = row.int("rows") ?? 0
        for (index, column) in notNull.enumerated() {
            let count = row.int("z\(index)") ?? 0
            guard count > 0 else { continue }
            report.columns.append(.init(
                column: column.name, problem: .notNull, detail: "\(column.name) is NOT NULL", rows: count, sampleLines: []))
        }
        return try checked.map { fk in
            let result = try session.execute(sql.foreignKey(fk, samples: options.samples)).rows[0]
            var found = Findings(
                violating: result.int("violating") ?? 0, missing: result.int("missing") ?? 0, blank: result.int("blank") ?? 0)
            if let index = matchFull.firstIndex(where: { $0.name == fk.name && $0.table == fk.table }) {
                found.partlyNull = row.int("f\(index)") ?? 0
            }
            let keys = (try? JSONDecoder().decode([[String?]].self, from: Data(result.string("samples").utf8))) ?? []
            found.samples = options.samples > 0 ? keys.map { ValidationReport.Sample(key: $0, lines: []) } : []
            return found
        }
    }

    func addProblem(
        _ report: inout ValidationReport, column: String, problem: ValidationReport.ColumnProblem.Problem, detail: String,
        _ statement: SQL, _ lineOf: (Int) -> Int
    ) throws {
        let row = try session.execute(statement).rows[0]
        let count = row.int("n") ?? 0
        guard count > 0 else { return }
        report.columns.append(.init(
            column: column, problem: problem, detail: detail, rows: count, sampleLines: Self.integers(row, "sample").map(lineOf)))
    }

    /// An integer array column: `{1,2,3}` → [1, 2, 3].
    static func integers(_ row: Row, _ column: String) -> [Int] {
        row.array(column).compactMap { $0.flatMap { Int($0) } }
    }

}
