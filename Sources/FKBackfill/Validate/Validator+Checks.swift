import Foundation
import PostgresClient

/// The two ways validate reads the input: staged as text and cast as a load would (the
/// prediction then runs over that stage), or, with `--in-place`, where it is.
extension Validator {
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
        if let constants = load.createConstants() { try session.execute(constants) }
        try session.execute(staging.createRaw())
        try session.execute(staging.createStage())
        try TextStaging.castsUnderUserPath(on: session) {
            for function in staging.createCastChecks() { try session.execute(function) }
        }

        // Stage as text.
        let tracker = opened.lineTracker()
        report.rows = try opened.stage(copy: staging.copyRaw, insert: staging.insertRaw(from:), lines: tracker, on: session, exactText: true)
        if let constants = load.insertConstants() { try session.execute(constants) }
        let lineOf: (Int) -> Int = { row in tracker?.line(ofRecord: row) ?? row }
        let samples = options.samples

        // Cast to the target's types: one statement when every value converts.
        var castFailed = false
        do {
            try TextStaging.castsUnderUserPath(on: session) { try session.savepoint { try session.execute(staging.castAll()) } }
        } catch let error as PostgresError where error.kind == .server && error.sqlState == OpenedInput.programLimitExceeded {
            throw staging.rowTooBig(error, input: opened.source.label, lines: tracker, on: session)
        } catch let error as PostgresError where error.kind == .server {
            castFailed = true
            for column in plan.stagedColumns {
                try addProblem(&report, column: column.name, problem: .conversion, detail: "not a valid \(column.type)",
                               sql.rawRows(where: staging.doesNotConvert(column), samples: samples), lineOf)
            }
            try TextStaging.castsUnderUserPath(on: session) { try session.execute(staging.castChecked()) }
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
            if column.refusesNull { checks.append((column.name, .notNull, "\(column.name) is NOT NULL", "\(name) IS NULL")) }
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
            for column in plan.blankColumns where !column.refusesNull { try session.execute(load.nullBlank(column)) }
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
    /// `keys`: the rows whose FK keys are checked, when not all of `sql`'s (`keptInPlace`).
    func checkInPlace(
        _ sql: InPlaceStatements, _ checked: [ForeignKey], _ report: inout ValidationReport, _ options: ValidateOptions,
        keys: InPlaceStatements? = nil
    ) throws -> [Findings] {
        // Nothing is written here (blank markers are bound, not looked up in a temporary
        // table): a run that began READ ONLY stays so; one that compiled a --query into a
        // temporary view turns read-only now.
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
        // With rows set aside, a partly NULL MATCH FULL key counts on the rows kept only.
        var partly = row
        if let keys, !matchFull.isEmpty { partly = try session.execute(keys.counts(notNull: [], matchFull: matchFull)).rows[0] }
        return try checked.map { fk in
            let result = try session.execute((keys ?? sql).foreignKey(fk, samples: options.samples)).rows[0]
            var found = Findings(
                violating: result.int("violating") ?? 0, missing: result.int("missing") ?? 0, blank: result.int("blank") ?? 0)
            if let index = matchFull.firstIndex(where: { $0.name == fk.name && $0.table == fk.table }) {
                found.partlyNull = partly.int("f\(index)") ?? 0
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
