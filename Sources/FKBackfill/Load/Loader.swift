import Foundation
import Logging
import PostgresClient

/// Runs a backfill and load: stage the input, find the keys every parent lacks, insert
/// them parents first, then load the fact rows — all in one transaction, all set-based
/// inside PostgreSQL. The fact rows never pass through this process's memory except as
/// COPY chunks on their way in.
///
/// The load is a list of named steps over one `LoadRun` (the context they read and
/// write): `runSteps` stages the input, then runs `LoadRun.stepsAfterStaging()`, the one
/// list of the later steps (LoadSteps.swift) that validate's trial runs the writes of;
/// the names are those of the report's "Steps" table.
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
        // The first step's time counts from here: the session's checks, the catalog read,
        // the plan and the privileges are the fixed cost a small load pays.
        let started = ContinuousClock.now
        do throws(FKBackfillError) {
            return try FKBackfillError.mapping {
                // Every load writes (a dry run too: its stage and work tables): say so on a
                // session that cannot, before anything runs.
                if let readOnly = try session.readOnlyReason() {
                    throw Session.readOnlyRefusal(
                        "cannot load into \(table) on this session: \(readOnly), and a load writes (a dry run too: it stages the "
                            + "input in temporary tables); nothing was written",
                        hint: "load against the primary, with a role whose transactions may write; validate reads in place read-only")
                }
                // A second session sees what committed, not a caller's open transaction.
                let ownTransaction = !connection.inTransaction
                // READ COMMITTED whatever the defaults: each statement sees what committed
                // before it, as the RI triggers' own checks do.
                return try session.transaction(isolation: .readCommitted, ending: options.dryRun ? .rollback : .commit) {
                    try runSteps(table: table, input: input, options: options, on: session, started: started, secondSession: ownTransaction)
                }
            }
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    /// The load, step by step; `started` is when the run began (the first step, "read
    /// catalog", counts the catalog read, the plan and the privilege checks from there).
    /// `secondSession`: the run may open one (`LoadRun.openSecondSession`).
    func runSteps(
        table: String, input: InputSource, options: LoadOptions, on session: Session, started: ContinuousClock.Instant = .now,
        secondSession: Bool = false
    ) throws -> LoadReport {
        stepStarted?("read catalog")
        let run = try LoadRun.prepare(table: table, input: input, options: options, on: session, progress: progress)
        run.secondSessionAllowed = secondSession
        defer { run.closeSecondSession() }
        run.clock = StepClock(last: started)
        run.stepStarted = stepStarted
        run.lap("read catalog")
        stepStarted?("stage input")
        try run.stageInput()
        run.lap("stage input")
        for step in try run.stepsAfterStaging() { try step.body() }
        try run.advanceSequences()
        try run.timed("check deferred constraints") { try run.checkDeferredConstraints() }
        run.report.nearDuplicates = run.nearDuplicates
        stepStarted?("report")
        try run.reportParents()
        run.lap(options.dryRun ? "report (then roll back)" : "report")
        return run.report
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
