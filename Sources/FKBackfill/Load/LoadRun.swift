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
    /// Facts first: whether the first insert went in (else it runs again after the backfill).
    var factsInserted = false
    /// What the catalog says of the set-based check, read once a run: why it is not safe
    /// (`FKCheck.blockers`) and whether its stored keys can be grouped (`groupable`).
    var setBasedBlockers: [String]?
    var storedKeysGroupable: Bool?
    /// The target's unique keys, exclusion constraints and triggers.
    let constraints: TargetConstraints
    /// Whether this run may open a second session (`openSecondSession`): a load in a
    /// transaction of its own, not validate's prediction or a caller's transaction.
    var secondSessionAllowed = false
    /// The session deriving new parents beside this one, while it is open.
    var secondSession: SecondSession?
    /// Parents with no key missing here, not yet compared with the second session's: a
    /// later parent taken from there is compared with them first (`adoptFromSecondSession`).
    var secondSessionUncompared: [ParentPlan] = []

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

    /// The shared first half (`Preparation.prepareLoad`: catalog → graph → input → rules →
    /// plan, and every check that needs nothing staged), then the privileges the plan needs.
    static func prepare(
        table: String, input: InputSource, options: LoadOptions, on session: Session, progress: ((Int, Int?) -> Void)?
    ) throws -> LoadRun {
        let (prepared, constraints) = try Preparation.prepareLoad(table: table, input: input, options: options, on: session)
        let run = LoadRun(
            session: session, options: options, input: input, catalog: prepared.catalog, graph: prepared.graph,
            target: prepared.target, opened: prepared.opened, plan: prepared.plan, constraints: constraints, progress: progress)
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
    /// Returns the rows it changed.
    @discardableResult
    func updateStage(_ statement: SQL) throws -> Int {
        let changed = try session.execute(statement).affectedRows
        if changed > 0 { stageUpdated = true }
        return changed
    }
}
