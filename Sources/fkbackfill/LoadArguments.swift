import ArgumentParser
import FKBackfill

/// The options of `load` and `backfill` beyond those validate shares (`RunArguments`).
struct LoadArguments: ParsableArguments {
    @OptionGroup var shared: RunArguments

    @Option(help: ArgumentHelp("Write rejected rows to this CSV file (line, reason, fields).", valueName: "file"),
            completion: .file())
    var rejectFile: String?

    @Option(help: ArgumentHelp("Append rejected rows to this table (created if missing), in the load's transaction.", valueName: "table"))
    var rejectTable: String?

    @Option(help: "insert-missing: only add absent parent keys. fill-null-only: also fill NULL columns of existing referenced parent rows.")
    var mode: BackfillMode = .insertMissing

    @Option(help: "How the fact insert's FKs are checked: auto (set-based when safe), per-row, set-based.")
    var fkCheck: FKCheckMode = .auto

    @Flag(help: "Serialise loads of the same table (a transaction-scoped advisory lock).")
    var exclusive = false

    @Option(help: ArgumentHelp("Give up on any lock wait after this long (PostgreSQL interval, e.g. 5s, 500ms).", valueName: "duration"))
    var lockTimeout: String?

    @Option(help: ArgumentHelp(
        "A second connection derives new parents' values while the fact rows go in: auto (a CSV file of 4 MiB or more, where safe: a first load, or where rules derive values, its input then spooled to an unlinked file in TMPDIR, files up to 1 GiB), off, always (wherever safe).",
        valueName: "use"))
    var secondSession: SecondSessionUse = .auto

    @Flag(help: "Do everything, report, then roll back.")
    var dryRun = false

    @Option(help: "Report format: text or json.", completion: .list(["text", "json"]))
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Also write the JSON report to this file.", valueName: "file"), completion: .file())
    var report: String?

    /// A missing input is checked in `run`, not here: ArgumentParser reports a failed
    /// `validate()` before an unknown option, and `load t --bogus` should name `--bogus`.
    func validate() throws {
        if format != .text && format != .json {
            throw ValidationError("--format \(format.rawValue): load and backfill report as text or json")
        }
    }

    func options(loadTarget: Bool, replaceBy: [String]) throws -> LoadOptions {
        var options = LoadOptions()
        if let rules = try shared.parsedRules() { options.rules = rules }
        options.maxRejects = shared.maxRejects
        options.rejectFile = rejectFile
        options.rejectTable = rejectTable
        options.fkCheck = fkCheck
        options.exclusive = exclusive
        options.lockTimeout = lockTimeout
        options.secondSession = secondSession
        options.mode = mode
        options.loadTarget = loadTarget
        options.replaceBy = replaceBy
        options.dryRun = dryRun
        options.samples = shared.samples
        options.ignoreExtraColumns = shared.ignoreExtraColumns
        return options
    }

    /// Runs the job and prints the report; `--report` gets the JSON too.
    func run(target: TargetOptions, loadTarget: Bool, replaceBy: [String] = []) throws {
        guard let input = shared.from.input else { throw ValidationError("give an input: --csv FILE, --source TABLE or --query SQL") }
        // A broken rules file is reported before connecting.
        let options = try options(loadTarget: loadTarget, replaceBy: replaceBy)
        let loader = Loader(session: try target.common.connect())
        let progress = ProgressLine.onTerminal()
        if let progress {
            loader.stepStarted = progress.stepStarted
            if case .csv = input { loader.progress = progress.update }
        }
        defer { progress?.finish() }
        let result = try loader.run(table: target.table, input: input, options: options)
        progress?.finish()
        if let path = report {
            do {
                try result.render(.json).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw FKBackfillError("cannot write the report to \(path): \(error.localizedDescription)", kind: .cannotWrite)
            }
        }
        print(result.render(format.output), terminator: "")
    }
}

extension BackfillMode: ExpressibleByArgument {}
extension FKCheckMode: ExpressibleByArgument {}
extension SecondSessionUse: ExpressibleByArgument {}
