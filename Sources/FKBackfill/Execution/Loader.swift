import Foundation
import Logging
import PostgresClient

/// Runs a backfill and load: stage the input, find the keys every parent lacks, insert
/// them parents first, then load the fact rows — all in one transaction, all set-based
/// inside PostgreSQL. The fact rows never pass through this process's memory except as
/// COPY chunks on their way in.
public final class Loader {
    let connection: Connection
    let logger: Logger
    /// Called while a file streams in, with bytes read and total size when known.
    public var progress: ((Int, Int?) -> Void)?
    /// Whether an UPDATE changed staged rows: moved them (only an ORDER BY keeps input
    /// order then) or set some aside (only then are rejections counted).
    var stageUpdated = false

    public init(connection: Connection, logger: Logger = Logger(label: "fkbackfill.load")) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs the whole job for `table` and returns the report. Throws `FKBackfillError`;
    /// on any error the transaction is rolled back and nothing is left behind.
    public func run(table: String, input: InputSource, options: LoadOptions) throws(FKBackfillError) -> LoadReport {
        do throws(FKBackfillError) {
            return try FKBackfillError.mapping {
                try execute("BEGIN", options)
                let report = try runInTransaction(table: table, input: input, options: options)
                try execute(options.dryRun ? "ROLLBACK" : "COMMIT", options)
                return report
            }
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    func runInTransaction(table: String, input: InputSource, options: LoadOptions) throws -> LoadReport {
        var clock = StepClock()
        stageUpdated = false
        if let timeout = options.lockTimeout {
            try execute("SELECT set_config('lock_timeout', $1, true)", options, [timeout])
        }
        let catalog = try CatalogReader.read(table: table, rules: options.rules, on: connection)
        let graph = DependencyGraph(catalog: catalog)
        guard let target = catalog.table(catalog.root) else {
            throw FKBackfillError("\(catalog.root.display) disappeared", exitStatus: .database)
        }
        if options.exclusive {
            // One load of this table at a time; released at COMMIT or ROLLBACK.
            try execute("SELECT pg_advisory_xact_lock(hashtextextended('fkbackfill load ' || $1, 0))", options, [String(target.oid)])
        }
        let opened = try OpenedInput.open(input, target: target, on: connection)
        let inputColumns = opened.columns
        if options.loadTarget {
            let where_ = if case .csv = input { "\(input.label):1" } else { input.label }
            for column in target.columns where column.notNull && column.defaultExpression == nil && !column.isDatabaseGenerated
                && !inputColumns.contains(column.name) {
                throw FKBackfillError(
                    "\(where_): column \(column.name) of \(target.name.display) is NOT NULL and has no default, but the input has no such column",
                    hint: "add \(column.name) to the input")
            }
        }
        for column in options.replaceBy where !inputColumns.contains(column) {
            throw FKBackfillError(
                "--replace-by column \(column) is not in the input",
                hint: "choose columns of \(target.name.display) that the input has: " + inputColumns.joined(separator: ", "))
        }
        let rules = try RulesValidator.validate(options.rules, catalog: catalog, stagedColumns: inputColumns, on: connection)
        let plan = try LoadPlanner.plan(
            catalog: catalog, graph: graph, stagedColumns: inputColumns, rules: rules, mode: options.mode)
        let sql = LoadStatements(plan: plan)
        try checkPrivileges(plan, options, counts: nil)
        var report = LoadReport(
            target: target.name, input: input.label, mode: options.mode, dryRun: options.dryRun,
            loadedTarget: options.loadTarget)
        clock.lap("read catalog", into: &report)

        // Stage.
        var lines: CSVLineTracker?
        if options.checksValues {
            lines = try stageCheckingValues(opened, plan: plan, sql: sql, options, report: &report)
        } else {
            try stageDirectly(opened, sql: sql, options, report: &report)
        }
        if case .csv(_, let csvOptions) = input, csvOptions.header, report.staged == 0 {
            throw FKBackfillError("\(input.label): the file has a header but no rows, nothing to load",
                                  hint: "check that the export wrote its rows")
        }
        // The common path never joins the stage in a way its statistics could change: it is
        // scanned whole, once into `fkb_seen` and once per parent that needs its rows, each
        // time against a small analyzed table. Sampling a large stage costs as much as one
        // of those scans, so it is paid only where the planner compares the stage with a
        // table of unknown size: guarded keys, --replace-by, self-references, fill mode.
        if !plan.guardedKeys.isEmpty || !options.replaceBy.isEmpty
            || plan.parents.contains(where: { $0.isTarget || $0.mode == .fillNullOnly }) {
            try execute("ANALYZE \(LoadStatements.stage)", options)
        }
        clock.lap("stage input", into: &report)

        if let constants = sql.createConstants() { try execute(constants, options) }
        if let constants = sql.insertConstants() { try execute(constants.sql, options, constants.parameters) }
        var blockers: [String] = []
        try handleBlankKeys(plan, sql, options)
        try guardKeys(plan, sql, options, blockers: &blockers)

        // Every staged key once; then find what every parent lacks, children first.
        if let seen = sql.createSeen() {
            try execute(seen, options)
            try execute("ANALYZE \(LoadStatements.seen)", options)
        }
        for fk in plan.matchFullKeys {
            let violations = try execute(sql.matchFullViolations(fk), options).rows[0].int("violations") ?? 0
            if violations > 0 {
                blockers.append("\(violations) staged rows have a partly NULL key for \(fk.name) (MATCH FULL: "
                    + "(\(fk.columns.joined(separator: ", "))) must be all NULL or all set)")
            }
        }
        var counts: [Int: (candidates: Int, present: Int)] = [:]
        var available = Set<Int>()
        for group in plan.computeGroups {
            var previous = -1
            for round in 1...50 {
                for index in group {
                    let parent = plan.parents[index]
                    let keys = sql.sourceSelects(for: parent, available: available, rows: false)
                    guard !keys.isEmpty, !parent.keyColumns.isEmpty else { continue }
                    // Only a cycle's later rounds find the tables of an earlier one.
                    if available.contains(index) { try execute(sql.dropWork(parent), options) }
                    try execute(sql.createKeys(parent, sources: keys), options)
                    let row = try execute(sql.counts(parent), options).rows[0]
                    let count = (candidates: row.int("candidates") ?? 0, present: row.int("present") ?? 0)
                    counts[index] = count
                    // No key needs work: the tables are created, the staged rows are not read.
                    let empty = parent.mode != .fillNullOnly && count.candidates == count.present
                    if sql.needsRefs(parent) {
                        // The planner must know how few keys need work, to hash those and not the stage.
                        if !empty { try execute("ANALYZE \(LoadStatements.keys(index))", options) }
                        let rows = sql.sourceSelects(for: parent, available: available, rows: true)
                        try execute(sql.createRefs(parent, sources: rows, empty: empty), options)
                    }
                    try execute(sql.createValues(parent, empty: empty), options)
                    // Statistics matter where the new rows are joined to the parent table itself.
                    if !empty && (parent.mode == .fillNullOnly || parent.columns.contains(where: \.deferredUntilCycleLoaded)) {
                        try execute("ANALYZE \(LoadStatements.values(index))", options)
                    }
                    available.insert(index)
                }
                // A cycle's tables feed each other: repeat until no new key appears.
                let total = group.reduce(0) { $0 + (counts[$1]?.candidates ?? 0) }
                if group.count == 1 && plan.parents[group[0]].cycle == nil || total == previous { break }
                previous = total
                if round == 50 {
                    throw FKBackfillError("keys in a cycle kept growing after 50 rounds", exitStatus: .findings)
                }
            }
        }
        clock.lap("find missing keys", into: &report)

        // Refuse before writing anything if some new row cannot be filled.
        for parent in plan.parents {
            guard let count = counts[parent.index], count.candidates > count.present else { continue }
            let missing = count.candidates - count.present
            for column in parent.uncoveredColumns {
                blockers.append("\(parent.table.name.display).\(quoteIdentifier(column.name, style: .whenNeeded)) "
                    + "is NOT NULL with no default and no input column to fill it (\(missing) new rows needed)")
            }
            if let check = sql.nullDerivations(parent) {
                let row = try execute(check, options).rows[0]
                for (position, column) in parent.derivedColumns.enumerated() where column.column.notNull {
                    let nulls = row.int(LoadStatements.d(position)) ?? 0
                    guard nulls > 0, case .staged(let source, _) = column.source else { continue }
                    blockers.append("\(parent.table.name.display).\(quoteIdentifier(column.column.name, style: .whenNeeded)) "
                        + "is NOT NULL but input column \(source) is NULL for all rows of \(nulls) new keys")
                }
            }
            if !parent.backfills {
                blockers.append("\(parent.table.name.display) needs \(missing) new rows for new rows of its child tables, "
                    + "but its rules say mode: \(parent.mode.rawValue)")
            }
            if let cycle = parent.cycle, !graph.cycles[cycle].breakable {
                let names = graph.cycles[cycle].tables.map(\.display).joined(separator: ", ")
                blockers.append("\(parent.table.name.display) needs \(missing) new rows but is in a cycle "
                    + "(\(names)) with no nullable or deferrable FK to break it")
            }
        }
        if !blockers.isEmpty {
            throw FKBackfillError(
                "cannot backfill \(target.name.display): \(blockers.count) "
                    + (blockers.count == 1 ? "problem" : "problems") + ", nothing was written",
                details: blockers,
                hint: "cover the column with a rule in --rules (see `fkbackfill init`), give it a DEFAULT, "
                    + "or add a column of the same name to the input",
                exitStatus: .findings)
        }

        try checkPrivileges(plan, options, counts: counts)

        // Write: parents first.
        if let deferConstraints = sql.setConstraintsDeferred() { try execute(deferConstraints, options) }
        var inserted: [Int: Int] = [:]
        var updated: [Int: Int] = [:]
        for parent in plan.parents where available.contains(parent.index) {
            guard let count = counts[parent.index], count.candidates > count.present else { continue }
            inserted[parent.index] = try execute(sql.insertParent(parent), options).affectedRows
        }
        for parent in plan.parents where available.contains(parent.index) {
            if let restore = sql.restoreDeferredColumns(parent) { try execute(restore, options) }
        }
        do {
            for parent in plan.parents where available.contains(parent.index) && parent.mode == .fillNullOnly {
                guard let fill = sql.fillNulls(parent) else { continue }
                updated[parent.index] = try execute(fill, options).affectedRows
            }
        }
        clock.lap("backfill parents", into: &report)

        // Only an UPDATE of the stage sets rows aside; without one there is nothing to count.
        let rejected = stageUpdated ? try execute(sql.rejections(), options, ["5"]).rows : []
        for row in rejected {
            let sample = row.string("sample").trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
            report.rejections.append(.init(
                reason: row.string("reason"), rows: row.int("n") ?? 0,
                sampleRows: sample.split(separator: ",").compactMap { Int($0) }))
        }
        report.rejected = report.rejections.reduce(0) { $0 + $1.rows }
        if report.rejected > 0 { try writeRejects(opened, lines: lines, options) }
        if report.rejected > options.maxRejects {
            throw FKBackfillError(
                "\(report.rejected) input rows rejected (at most \(options.maxRejects) allowed), nothing was written",
                details: report.rejections.map { "\($0.rows) rows: \($0.reason) (rows \($0.sampleRows.map(String.init).joined(separator: ", ")))" },
                hint: "fix those rows, or allow them with --max-rejects N to load the rest",
                exitStatus: .findings)
        }

        if options.loadTarget {
            if !options.replaceBy.isEmpty {
                report.deleted = try execute(sql.deleteReplaced(options.replaceBy), options).affectedRows
                clock.lap("delete replaced rows", into: &report)
            }
            let check = FKCheck(plan: plan, catalog: catalog, sql: sql)
            report.fkCheck = options.fkCheck == .perRow ? .perRow : .setBased
            if options.fkCheck != .perRow {
                let blockers = try check.blockers(on: connection)
                if !blockers.isEmpty {
                    if options.fkCheck == .setBased {
                        throw FKBackfillError(
                            "--fk-check set-based is not safe for \(target.name.display), nothing was written", details: blockers,
                            hint: "use --fk-check auto (falls back to per-row) or per-row", exitStatus: .usage)
                    }
                    report.fkCheck = .perRow
                    report.fkCheckNote = "per-row because " + blockers.joined(separator: "; ")
                }
            }
            if report.fkCheck == .setBased {
                try insertSetBased(check, sql, options, report: &report, clock: &clock)
            } else {
                report.inserted = try execute(sql.insertTarget(ordered: stageUpdated), options).affectedRows
                clock.lap("insert target rows", into: &report)
            }
        }

        for parent in plan.parents {
            let count = counts[parent.index] ?? (0, 0)
            var samples: [[String?]] = []
            if options.samples > 0, available.contains(parent.index), count.candidates > count.present {
                let result = try execute(sql.sampleKeys(parent), options, [String(options.samples)])
                samples = (0..<result.rowCount).map { row in parent.keyColumns.indices.map { result.value(row, $0) } }
            }
            report.parents.append(LoadReport.Parent(
                table: parent.table.name, candidates: count.candidates, present: count.present,
                inserted: inserted[parent.index] ?? 0, updated: updated[parent.index] ?? 0, sampleKeys: samples))
        }
        clock.lap(options.dryRun ? "report (then roll back)" : "report", into: &report)
        return report
    }

    /// Straight into the typed stage: the fast path, where any bad value fails the run.
    func stageDirectly(_ opened: OpenedInput, sql: LoadStatements, _ options: LoadOptions, report: inout LoadReport) throws {
        try execute(sql.createStage(), options)
        report.staged = try opened.stage(
            copy: sql.copyStage, insert: sql.insertStage(from:), on: connection, run: { try execute($0, options) },
            onStatement: options.onStatement, progress: progress)
    }

    /// Stages with rejects instead of failures: each row whose value does not convert, is
    /// too long, is NULL in a NOT NULL column or fails a CHECK is set aside with a reason.
    ///
    /// A file is first copied straight into the typed stage, inside a savepoint: a clean
    /// file costs one scan for the NULL and CHECK tests, nothing more. Only when COPY finds
    /// a bad value (or for standard input, which cannot be read twice) is the input staged
    /// as text, cast in one statement, and checked value by value where that fails.
    func stageCheckingValues(
        _ opened: OpenedInput, plan: LoadPlan, sql: LoadStatements, _ options: LoadOptions, report: inout LoadReport
    ) throws -> CSVLineTracker? {
        var tracker: CSVLineTracker?
        var typed = false
        if case .csv(let path, _) = opened.source, path != "-", let lines = opened.lineTracker() {
            try execute(sql.createStage(), options)
            try execute("SAVEPOINT fkb_stage", options)
            do {
                report.staged = try opened.stage(
                    copy: sql.copyStage, insert: sql.insertStage(from:), lines: lines, on: connection,
                    run: { try execute($0, options) }, onStatement: options.onStatement, progress: progress)
                try execute("RELEASE SAVEPOINT fkb_stage", options)
                tracker = lines
                typed = true
            } catch let error as FKBackfillError where error.exitStatus == .usage {
                // A value the typed stage cannot hold: start again from text, where it becomes a reject.
                try execute("ROLLBACK TO SAVEPOINT fkb_stage", options)
                try execute("DROP TABLE \(LoadStatements.stage)", options)
                let reopened = try OpenedInput.open(opened.source, target: plan.target, on: connection)
                tracker = try stageAsText(reopened, plan: plan, sql: sql, options, report: &report)
            }
        } else {
            tracker = try stageAsText(opened, plan: plan, sql: sql, options, report: &report)
        }
        // NULLs, lengths (only text staging can hold an overlong value) and CHECKs: one scan.
        var conditions: [(condition: String, reason: String)] = []
        for column in plan.stagedColumns {
            let name = "s.\(quoteIdentifier(column.name))"
            if !typed, let length = ValidationStatements.maxLength(column) {
                conditions.append(("char_length(rtrim(CAST(\(name) AS text), ' ')) > \(length)", "\(column.name): longer than \(length) characters"))
            }
            if column.notNull { conditions.append(("\(name) IS NULL", "\(column.name): NULL in a NOT NULL column")) }
        }
        let staged = Set(plan.stagedColumns.map(\.name))
        for check in try TableFacts.checks(of: [plan.target], on: connection)[plan.target.name] ?? []
        where check.columns.allSatisfy(staged.contains) {
            conditions.append(("NOT (\(check.expression))", "fails CHECK \(check.name)"))
        }
        if !conditions.isEmpty {
            let cases = conditions.enumerated().map { "WHEN \($1.condition) THEN $\($0 + 1)" }.joined(separator: " ")
            try updateStage(
                "UPDATE \(LoadStatements.stage) s SET _fkb_reject = CASE \(cases) END WHERE s._fkb_reject IS NULL AND ("
                    + conditions.map { "(\($0.condition))" }.joined(separator: " OR ") + ")",
                options, conditions.map(\.reason))
        }
        return tracker
    }

    /// Text staging for rejects: nothing can fail on the way in; the cast finds bad values.
    func stageAsText(
        _ opened: OpenedInput, plan: LoadPlan, sql: LoadStatements, _ options: LoadOptions, report: inout LoadReport
    ) throws -> CSVLineTracker? {
        let checks = ValidationStatements(plan: plan, load: sql)
        try execute(checks.createRaw(), options)
        try execute(checks.createStage(), options)
        // A malformed row (not a bad value) still stops the run: there is no row to reject.
        let tracker = opened.lineTracker()
        report.staged = try opened.stage(
            copy: checks.copyRaw, insert: checks.insertRaw(from:), lines: tracker, on: connection,
            run: { try execute($0, options) }, onStatement: options.onStatement, progress: progress)
        try execute("SAVEPOINT fkb_cast", options)
        do {
            try execute(checks.castAll(), options)
            try execute("RELEASE SAVEPOINT fkb_cast", options)
        } catch let error as PostgresError where error.kind == .server {
            try execute("ROLLBACK TO SAVEPOINT fkb_cast", options)
            stageUpdated = true  // the rolled-back cast left dead rows; do not count on physical order
            for function in checks.createCastChecks() { try execute(function, options) }
            try execute(checks.castChecked(), options)
            for column in plan.stagedColumns {
                try updateStage(
                    "UPDATE \(LoadStatements.stage) s SET _fkb_reject = $1 FROM \(ValidationStatements.raw) r "
                        + "WHERE r._fkb_row = s._fkb_row AND s._fkb_reject IS NULL AND \(checks.doesNotConvert(column))",
                    options, ["\(column.name): not a valid \(column.type)"])
            }
        }
        return tracker
    }

    /// `--reject-file` (CSV: line, reason, the row's fields) and `--reject-table`.
    func writeRejects(_ opened: OpenedInput, lines: CSVLineTracker?, _ options: LoadOptions) throws {
        guard options.rejectFile != nil || options.rejectTable != nil else { return }
        // Input line of each rejected row: CSV lines (multi-line records counted), else row numbers.
        try execute("CREATE TEMP TABLE fkb_lines (record bigint PRIMARY KEY, line bigint NOT NULL) ON COMMIT DROP", options)
        if let lines {
            for (record, line) in lines.breakpoints {
                try execute("INSERT INTO pg_temp.fkb_lines VALUES ($1, $2)", options, [String(record), String(line)])
            }
        }
        let first = lines?.firstLine ?? 1
        let line = "coalesce((SELECT l.line + (s._fkb_row - l.record) FROM pg_temp.fkb_lines l WHERE l.record <= s._fkb_row "
            + "ORDER BY l.record DESC LIMIT 1), \(first) + s._fkb_row - 1)"
        // The row's fields as read: from the text copy when there is one, else from the stage.
        let hasRaw = try connection.execute("SELECT to_regclass('pg_temp.fkb_raw') IS NOT NULL AS raw").rows[0].bool("raw")
        let fields = opened.columns.map { "r.\(quoteIdentifier($0))" }.joined(separator: ", ")
        let rows = hasRaw
            ? "FROM \(LoadStatements.stage) s JOIN \(ValidationStatements.raw) r ON r._fkb_row = s._fkb_row WHERE s._fkb_reject IS NOT NULL"
            : "FROM \(LoadStatements.stage) s CROSS JOIN LATERAL (SELECT s.*) r WHERE s._fkb_reject IS NOT NULL"
        if let path = options.rejectFile {
            guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                throw FKBackfillError("cannot write the reject file \(path)", hint: "check the folder exists and is writable")
            }
            defer { try? file.close() }
            try connection.copyOut(
                "COPY (SELECT \(line) AS line, s._fkb_reject AS reason, \(fields) \(rows) ORDER BY s._fkb_row) TO STDOUT WITH (FORMAT csv, HEADER)"
            ) { bytes in file.write(Data(bytes)) }
        }
        if let table = options.rejectTable {
            let name = try TableResolver.parse(table)
            let target = name.schema.map { quoteQualified(schema: $0, name: name.name) } ?? quoteIdentifier(name.name)
            try execute("CREATE TABLE IF NOT EXISTS \(target) (line bigint, reason text, original jsonb, "
                + "rejected_at timestamptz NOT NULL DEFAULT now())", options)
            try execute("INSERT INTO \(target) (line, reason, original) SELECT \(line), s._fkb_reject, to_jsonb(r) - '_fkb_row' - '_fkb_reject' "
                + "\(rows) ORDER BY s._fkb_row", options)
        }
    }

    /// Before staging (`counts` nil): what reading and the fact insert need, plus INSERT
    /// on every parent that may be backfilled if something is missing already, so every
    /// grant is reported at once. After the keys are known: INSERT and UPDATE on the
    /// parents that really get rows.
    func checkPrivileges(_ plan: LoadPlan, _ options: LoadOptions, counts: [Int: (candidates: Int, present: Int)]?) throws {
        var privileges = Privileges()
        let parents = plan.parents.filter { !$0.sources.isEmpty && $0.backfills }
        if let counts {
            for parent in parents {
                guard let count = counts[parent.index] else { continue }
                if count.candidates > count.present {
                    privileges.require("INSERT", on: parent.table)
                    if parent.columns.contains(where: \.deferredUntilCycleLoaded) { privileges.require("UPDATE", on: parent.table) }
                }
                if parent.mode == .fillNullOnly && count.present > 0 { privileges.require("UPDATE", on: parent.table) }
            }
            let grants = try privileges.missingGrants(on: connection)
            if !grants.isEmpty { throw Privileges.error(grants) }
            return
        }
        for parent in parents { privileges.require("SELECT", on: parent.table) }
        if options.loadTarget {
            privileges.require("SELECT", on: plan.target)
            privileges.require("INSERT", on: plan.target)
            if !options.replaceBy.isEmpty { privileges.require("DELETE", on: plan.target) }
        }
        var grants = try privileges.missingGrants(on: connection)
        if !grants.isEmpty {
            var writes = Privileges()
            for parent in parents { writes.require("INSERT", on: parent.table) }
            grants = try Privileges(needs: privileges.needs + writes.needs).missingGrants(on: connection)
            throw Privileges.error(grants)
        }
    }

    /// Locks the referenced parents, verifies every staged row with one anti-join per FK,
    /// then inserts with the RI triggers off for that statement only.
    func insertSetBased(
        _ check: FKCheck, _ sql: LoadStatements, _ options: LoadOptions, report: inout LoadReport, clock: inout StepClock
    ) throws {
        let keys = check.checkedKeys
        for fk in keys { try execute(check.lock(fk), options) }
        clock.lap("lock referenced parents", into: &report)
        var violations: [String] = []
        for fk in keys {
            let row = try execute(check.violations(fk), options, [String(max(options.samples, 1))]).rows[0]
            let count = row.int("n") ?? 0
            guard count > 0 else { continue }
            let sample = row.string("sample").trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
            violations.append("\(count) rows violate \(fk.name) → \(fk.referencedTable.display) (keys \(sample))")
        }
        if !violations.isEmpty {
            throw FKBackfillError(
                "the set-based FK check found violations, nothing was written", details: violations,
                hint: "`fkbackfill validate` shows every violating row; a rule (on_missing: reject) can set them aside",
                exitStatus: .findings)
        }
        clock.lap("verify foreign keys", into: &report)
        let previous = try execute("SELECT current_setting('session_replication_role') AS role", options).rows[0].string("role")
        try execute("SELECT set_config('session_replication_role', 'replica', true)", options)
        report.inserted = try execute(sql.insertTarget(ordered: stageUpdated), options).affectedRows
        try execute("SELECT set_config('session_replication_role', $1, true)", options, [previous])
        clock.lap("insert target rows", into: &report)
    }

    /// `blank: on_blank`: blank FK keys of the input become NULL or reject their row.
    func handleBlankKeys(_ plan: LoadPlan, _ sql: LoadStatements, _ options: LoadOptions) throws {
        for column in plan.blankColumns {
            switch plan.blank.onBlank {
            case .keep:
                break
            case .null where !column.notNull:
                try updateStage(sql.nullBlank(column), options)
            case .null, .reject:
                let reason = "blank key in \(column.name)" + (column.notNull && plan.blank.onBlank == .null ? " (NOT NULL)" : "")
                try updateStage(sql.reject(where: sql.blankCondition(column)), options, [reason])
            }
        }
    }

    /// `on_missing: reject|fail` (or a parent's `mode: skip|fail`): rows whose key the
    /// parent lacks are rejected, or stop the load.
    func guardKeys(_ plan: LoadPlan, _ sql: LoadStatements, _ options: LoadOptions, blockers: inout [String]) throws {
        for guarded in plan.guardedKeys {
            let fk = guarded.foreignKey
            let condition = sql.missingKeyCondition(fk)
            let what = "key (\(fk.columns.joined(separator: ", "))) missing from \(fk.referencedTable.display) (\(fk.name))"
            if guarded.reject {
                try updateStage(sql.reject(where: condition), options, [what])
            } else if let rows = try execute(sql.countWhere(condition), options).rows.first?.int("n"), rows > 0 {
                blockers.append("\(rows) input rows have a \(what), and its rules say fail")
            }
        }
    }

    /// An UPDATE of the stage; notes when it moved rows.
    func updateStage(_ statement: String, _ options: LoadOptions, _ parameters: [String?] = []) throws {
        if try execute(statement, options, parameters).affectedRows > 0 { stageUpdated = true }
    }

    @discardableResult
    func execute(_ statement: String, _ options: LoadOptions, _ parameters: [String?] = []) throws -> QueryResult {
        options.onStatement?(statement)
        logger.debug("sql", metadata: ["statement": "\(statement)"])
        return try connection.execute(statement, parameters)
    }

}

/// Times the steps of a run.
struct StepClock {
    var last = ContinuousClock.now

    mutating func lap(_ name: String, into report: inout LoadReport) {
        let now = ContinuousClock.now
        let duration = now - last
        report.steps.append(.init(
            name: name, seconds: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
        last = now
    }
}
