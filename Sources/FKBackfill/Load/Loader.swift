import Foundation
import Logging
import PostgresClient

/// Runs a backfill and load: stage the input, find the keys every parent lacks, insert
/// them parents first, then load the fact rows — all in one transaction, all set-based
/// inside PostgreSQL. The fact rows never pass through this process's memory except as
/// COPY chunks on their way in.
///
/// The load is a list of named steps over one `LoadRun` (the context they read and
/// write); `runSteps` shows their order, and the names are those of the report's
/// "Steps" table.
public final class Loader {
    let connection: Connection
    let pinned: Session?
    let logger: Logger
    /// Called while a file streams in, with bytes read and total size when known.
    public var progress: ((Int, Int?) -> Void)?
    /// Called as each step starts, with the name the report's "Steps" table gives it
    /// once it is done: for a progress display of the long steps (the executable's).
    public var stepStarted: ((String) -> Void)?

    /// A loader on a connection of the caller's: each run pins the search path and gives
    /// the connection its own back afterwards.
    public init(connection: Connection, logger: Logger = Logger(label: "fkbackfill.load")) {
        self.connection = connection
        pinned = nil
        self.logger = logger
    }

    /// A loader on a session already pinned (the command line's).
    public init(session: Session, logger: Logger = Logger(label: "fkbackfill.load")) {
        connection = session.connection
        pinned = session
        self.logger = logger
    }

    /// Runs the whole job for `table` and returns the report. Throws `FKBackfillError`;
    /// on any error the transaction is rolled back and nothing is left behind.
    public func run(table: String, input: InputSource, options: LoadOptions) throws(FKBackfillError) -> LoadReport {
        try Session.run(pinned, over: connection, onStatement: options.onStatement) { session in
            try run(table: table, input: input, options: options, on: session)
        }
    }

    func run(table: String, input: InputSource, options: LoadOptions, on session: Session) throws(FKBackfillError) -> LoadReport {
        do throws(FKBackfillError) {
            return try FKBackfillError.mapping {
                // READ COMMITTED whatever the defaults: each statement sees what committed
                // before it, as the RI triggers' own checks do.
                try session.transaction(isolation: .readCommitted, ending: options.dryRun ? .rollback : .commit) {
                    try runSteps(table: table, input: input, options: options, on: session)
                }
            }
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    /// The load, step by step.
    func runSteps(table: String, input: InputSource, options: LoadOptions, on session: Session) throws -> LoadReport {
        stepStarted?("read catalog")
        let run = try LoadRun.prepare(table: table, input: input, options: options, on: session, progress: progress)
        run.stepStarted = stepStarted
        run.lap("read catalog")
        stepStarted?("stage input")
        try run.stageInput()
        run.lap("stage input")
        if try run.insertsBeforeBackfill() {
            try insertThenBackfill(run, options: options)
        } else {
            try backfillThenInsert(run, options: options)
        }
        try run.advanceSequences()
        stepStarted?("check deferred constraints")
        try run.checkDeferredConstraints()
        run.lap("check deferred constraints")
        run.report.nearDuplicates = run.nearDuplicates
        stepStarted?("report")
        try run.reportParents()
        run.lap(options.dryRun ? "report (then roll back)" : "report")
        return run.report
    }

    /// Parents first, then the fact rows: every load but those `insertsBeforeBackfill`
    /// takes (a per-row check needs the parents there; so do a cycle's and a
    /// self-reference's placeholder rows).
    func backfillThenInsert(_ run: LoadRun, options: LoadOptions) throws {
        stepStarted?("find missing keys")
        try run.findMissingKeys()
        try run.warnNearDuplicates()
        run.lap("find missing keys")
        try run.refuseUnfillable()
        try run.refuseBadNewRows()
        // A target that references itself takes its placeholder rows only once the rows
        // --replace-by replaces are gone: one may carry the key a new row points at.
        let deleteFirst = options.loadTarget && !options.replaceBy.isEmpty && run.plan.parents.contains(where: \.isTarget)
        if deleteFirst {
            stepStarted?("delete replaced rows")
            try run.deleteReplaced()
            run.lap("delete replaced rows")
        }
        stepStarted?("backfill parents")
        try run.backfillParents(run.targetFirst ? .beforeTarget : .all)
        run.lap("backfill parents")
        try run.setAsideRejects()
        if options.loadTarget {
            if !options.replaceBy.isEmpty && !deleteFirst {
                stepStarted?("delete replaced rows")
                try run.deleteReplaced()
                run.lap("delete replaced rows")
            }
            try run.chooseFKCheck()
            if run.check?.onCitus == true {
                stepStarted?("lock referenced parents")
                try run.lockParents()
                run.lap("lock referenced parents")
                stepStarted?("verify foreign keys")
                try run.verifyForeignKeys()
                run.lap("verify foreign keys")
            }
            try run.clearTargetCycleColumns()
            stepStarted?("insert target rows")
            try run.insertTarget()
            run.lap("insert target rows")
            try run.finishTargetCycle()
            if run.check?.onCitus == false {
                stepStarted?("lock and verify stored rows")
                try run.verifyStoredRows()
                run.lap("lock and verify stored rows")
            }
        }
    }

    /// The set-based order where the keys can be read from the rows as stored
    /// (`LoadRun+StoredKeysFirst`): the fact rows go in (replica mode), then the keys
    /// their rows stored are looked up and the missing parents backfilled, then the stored
    /// rows are verified against the parents, locked, as always. Should that first insert
    /// fail, it is rolled back and the rest is the parents-first order: the keys from the
    /// stage, the checks, the backfill, the rejects, then the insert again.
    func insertThenBackfill(_ run: LoadRun, options: LoadOptions) throws {
        run.keysFromStored = true
        let deletes = !options.replaceBy.isEmpty
        func delete() throws {
            guard deletes else { return }
            stepStarted?("delete replaced rows")
            try run.deleteReplaced()
            run.lap("delete replaced rows")
        }
        func insert() throws {
            stepStarted?("insert target rows")
            try run.insertTarget()
            run.lap("insert target rows")
        }
        try run.countSetAside()
        let inserted = try run.firstInsert(delete: delete, insert: insert)
        stepStarted?("find missing keys")
        try run.findMissingKeys()
        try run.warnNearDuplicates()
        run.lap("find missing keys")
        try run.refuseUnfillable()
        try run.refuseBadNewRows()
        stepStarted?("backfill parents")
        try run.backfillParents(.all)
        run.lap("backfill parents")
        try run.setAsideRejects()
        if !inserted {
            try delete()
            try insert()
        }
        stepStarted?("lock and verify stored rows")
        try run.verifyStoredRows()
        run.lap("lock and verify stored rows")
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
