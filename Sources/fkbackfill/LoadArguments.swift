import ArgumentParser
import FKBackfill
import Foundation

/// The input and behaviour options `load` and `backfill` share.
struct LoadArguments: ParsableArguments {
    @OptionGroup var from: InputArguments

    @Option(help: ArgumentHelp("Rules file (YAML): per-column rules, declared relations, blank keys. See docs/rules.md.", valueName: "file"))
    var rules: String?

    @Option(help: "How many rows may be rejected (bad values, NULLs, too long, CHECK, blank keys, on_missing: reject) while the rest still load.")
    var maxRejects = 0

    @Option(help: ArgumentHelp("Write rejected rows to this CSV file (line, reason, fields).", valueName: "file"))
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

    @Flag(help: "Do everything, report, then roll back.")
    var dryRun = false

    @Option(help: "How many inserted keys to list per parent.")
    var samples = 5

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Also write the JSON report to this file.", valueName: "file"))
    var report: String?

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        if from.input == nil {
            throw ValidationError("give an input: --csv FILE, --source TABLE or --query SQL")
        }
        if samples < 0 { throw ValidationError("--samples must be 0 or more") }
        if maxRejects < 0 { throw ValidationError("--max-rejects must be 0 or more") }
    }

    func options(loadTarget: Bool, replaceBy: [String]) throws -> LoadOptions {
        var options = LoadOptions()
        if let rules { options.rules = try RulesParser.load(path: rules) }
        options.maxRejects = maxRejects
        options.rejectFile = rejectFile
        options.rejectTable = rejectTable
        options.fkCheck = fkCheck
        options.exclusive = exclusive
        options.lockTimeout = lockTimeout
        options.mode = mode
        options.loadTarget = loadTarget
        options.replaceBy = replaceBy
        options.dryRun = dryRun
        options.samples = samples
        return options
    }

    /// Runs the job and prints the report; `--report` gets the JSON too.
    func run(target: TargetOptions, loadTarget: Bool, replaceBy: [String] = []) throws {
        // A broken rules file is reported before connecting.
        let options = try options(loadTarget: loadTarget, replaceBy: replaceBy)
        let loader = Loader(session: try target.common.connect())
        let input = from.input!
        if case .csv = input, isatty(STDERR_FILENO) == 1 {
            loader.progress = ProgressLine().update
        }
        let result = try loader.run(table: target.table, input: input, options: options)
        ProgressLine.clear()
        if let path = report {
            do {
                try result.render(.json).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw FKBackfillError("cannot write the report to \(path): \(error.localizedDescription)", kind: .cannotWrite)
            }
        }
        print(result.render(format == .json ? .json : .text), terminator: "")
    }
}

extension BackfillMode: ExpressibleByArgument {}
extension FKCheckMode: ExpressibleByArgument {}

/// A single self-overwriting progress line on a terminal's stderr.
final class ProgressLine {
    private var last = ContinuousClock.now

    func update(bytes: Int, total: Int?) {
        let now = ContinuousClock.now
        guard now - last > .milliseconds(200) else { return }
        last = now
        let mib = Double(bytes) / 1_048_576
        var line = String(format: "\rstaging: %.1f MiB", mib)
        if let total, total > 0 { line += String(format: " of %.1f MiB (%d%%)", Double(total) / 1_048_576, bytes * 100 / total) }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clear() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
