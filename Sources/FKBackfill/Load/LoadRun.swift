import Foundation
import PostgresClient

/// Everything one load knows, read and written by its steps in order (see
/// `Loader.runSteps`): the shared first half (catalog, graph, input, rules, plan), then
/// what staging, key finding and backfilling learn on the way.
final class LoadRun {
    let session: Session
    let options: LoadOptions
    let input: InputSource
    let catalog: Catalog
    let graph: DependencyGraph
    let target: Table
    let opened: OpenedInput
    let plan: LoadPlan
    let sql: LoadStatements
    let progress: ((Int, Int?) -> Void)?
    var report: LoadReport
    var clock = StepClock()
    /// NOT NULL parent columns left to a BEFORE INSERT trigger to fill (`unfillable`).
    var triggerFilledColumns: [String] = []
    /// Told when a step, or a parent's part of one, starts: the command line's progress line.
    var stepStarted: ((String) -> Void)?

    /// Line numbers of the staged records, when the input is a file.
    var lines: CSVLineTracker?
    /// Whether an UPDATE changed staged rows: moved them (only an ORDER BY keeps input
    /// order then) or set some aside (only then are rejections counted).
    var stageUpdated = false
    /// Whether the input went through the text stage `fkb_raw` (its fields as read).
    var stagedAsText = false
    /// Problems that stop the load before it writes, all reported at once.
    var blockers: [String] = []
    /// New keys that look like another key, found by `rejectNearDuplicates` or `warnNearDuplicates`.
    var nearDuplicates: [LoadReport.NearDuplicate] = []
    /// Coordinator copies of tables Citus keeps on its workers, by table and columns.
    var coordinatorCopies: [String: TableName] = [:]
    /// Citus's metadata once read (`citus()`); `.some(nil)` off Citus.
    var citusTables: CitusTables??
    var copies = 0
    /// Parents whose new rows could not be written (`unfillable`, and validate's checks of new rows).
    var blockedTables = Set<TableName>()
    /// What the steps learn per parent, indexed like `plan.parents`.
    var parentStates: [ParentState]
    /// `--reject-table`, resolved to its schema before anything is written.
    var rejectTable: TableName?
    /// The set-based check, once chosen.
    var check: FKCheck?
    /// The fact rows went in before the backfill, and `fkb_seen` is read from the keys
    /// they stored (`LoadRun+StoredKeysFirst`).
    var keysFromStored = false
    /// The target's unique keys, exclusion constraints and triggers.
    let constraints: TargetConstraints

    init(session: Session, options: LoadOptions, input: InputSource, catalog: Catalog, graph: DependencyGraph,
         target: Table, opened: OpenedInput, plan: LoadPlan, constraints: TargetConstraints,
         progress: ((Int, Int?) -> Void)?) {
        self.session = session
        self.constraints = constraints
        self.options = options
        self.input = input
        self.catalog = catalog
        self.graph = graph
        self.target = target
        self.opened = opened
        self.plan = plan
        self.progress = progress
        sql = LoadStatements(plan: plan)
        parentStates = Array(repeating: ParentState(), count: plan.parents.count)
        report = LoadReport(
            target: target.name, input: input.label, mode: options.mode, dryRun: options.dryRun, loadedTarget: options.loadTarget)
        if case .csv = input { report.linesAreFileLines = true }
        report.extraColumns = plan.extraColumns
    }

    /// The shared first half: catalog → graph → input → rules → plan, and the checks that
    /// need nothing staged (missing NOT NULL columns, --replace-by columns, privileges).
    static func prepare(
        table: String, input: InputSource, options: LoadOptions, on session: Session, progress: ((Int, Int?) -> Void)?
    ) throws -> LoadRun {
        if let timeout = options.lockTimeout {
            try session.execute("SELECT pg_catalog.set_config('lock_timeout', \(bind: timeout), true)")
        }
        let prepared = try Preparation.prepare(
            table: table, input: input, rules: options.rules, mode: options.mode, on: session, lockTarget: options.loadTarget,
            afterCatalog: { target in
                if options.exclusive {
                    // One load of this table at a time; released at COMMIT or ROLLBACK.
                    try session.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended('fkbackfill load ' || \(bind: String(target.oid)), 0))")
                }
            }, ignoreExtraColumns: options.ignoreExtraColumns)
        let (catalog, graph, target, opened) = (prepared.catalog, prepared.graph, prepared.target, prepared.opened)
        var plan = prepared.plan
        plan.replaceBy = options.replaceBy
        plan.replaceEquality = try OperatorCatalog.columnEquality(target.oid, options.replaceBy, on: session)
        // The target's columns in the input (an extra one is never written to it).
        let inputColumns = opened.columns.filter { target.column($0) != nil }
        let constraints = try TargetConstraints.read(target, on: session)
        if options.loadTarget, let column = Preparation.notNullColumnsMissing(from: opened.columns, of: target, constraints: constraints).first {
            let place = if case .csv = input { "\(input.label):1" } else { input.label }
            throw FKBackfillError(
                "\(place): " + Preparation.notNullColumnMissingMessage(column, of: target),
                hint: "add \(column.name) to the input", kind: .badInput(line: 1))
        }
        for column in options.replaceBy where inputColumns.contains(column) && plan.replaceEquality[column] == nil {
            throw FKBackfillError(
                "replace-by column \(column) of \(target.name.display) has a type with no equality (no default btree or hash operator class)",
                hint: "choose columns whose values can be compared", kind: .invalidOptions)
        }
        try Preparation.checkReplaceByColumns(options.replaceBy, in: opened.columns, of: target)
        let run = LoadRun(
            session: session, options: options, input: input, catalog: catalog, graph: graph, target: target,
            opened: opened, plan: plan, constraints: constraints, progress: progress)
        try run.checkPrivileges()
        return run
    }

    /// The indexes of the parents whose work tables exist, for the statements that read them.
    var availableParents: Set<Int> {
        Set(parentStates.indices.filter { parentStates[$0].available })
    }

    func lap(_ name: String) {
        clock.lap(name, into: &report)
    }


    /// An UPDATE of the stage; notes when it moved rows.
    func updateStage(_ statement: SQL) throws {
        if try session.execute(statement).affectedRows > 0 { stageUpdated = true }
    }
}
