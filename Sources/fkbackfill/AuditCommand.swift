import ArgumentParser
import Foundation
import FKBackfill

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Which foreign keys can a load not backfill, and why; plus schema lint findings.",
        discussion: """
            For every FK of the table's parent graph (or of every table of --schema, or --all): \
            auto, rule (covered by --rules), uncovered (with each reason) or skipped. Findings: \
            missing FK indexes, key type mismatches, NOT VALID constraints, implied relations, \
            partitions whose FKs differ or that carry the only FK, enabled triggers (also on \
            partitions). Writes nothing, and reads only the catalog and the server's statistics \
            unless --sample-rows or --time-budget allows data checks.

            Text starts with a summary, then lists findings by table; --min-severity and --only \
            choose the findings shown (the summary counts all of them); --summary prints the \
            summary alone. --format html writes one self-contained page: summary, a finding \
            list to filter and sort, a section per table with its FK diagram.

            Baselines, for CI on a schema that already has findings: --write-baseline FILE \
            records every finding by kind and object (exit 0); --baseline FILE hides the known \
            ones, says how many it hid and which are gone, and fails only on new ones.

            Exit codes: 0 when no shown finding is at or above --fail-on, 1 otherwise.

            Example:
              fkbackfill audit business.规模明细
              fkbackfill audit --schema business --rules rules.yaml --format markdown
              fkbackfill audit --all --format junit > audit.xml
              fkbackfill audit --all --min-severity warning --only missing-index
              fkbackfill audit --schema business --sample-rows 10000 --time-budget 30
              fkbackfill audit --all --format html > audit.html
              fkbackfill audit --all --write-baseline audit-baseline.json
              fkbackfill audit --all --baseline audit-baseline.json
            """
    )

    @Argument(help: "The table to audit with its parent graph (or use --schema / --all).")
    var table: String?

    @Option(help: ArgumentHelp("Audit every table of this schema.", valueName: "name"))
    var schema: String?

    @Flag(help: "Audit every user table of the database.")
    var all = false

    @Option(help: ArgumentHelp("Rules file (YAML) to apply; see docs/rules.md.", valueName: "file"))
    var rules: String?

    @Option(help: "Output format: text, json, markdown, junit or html.")
    var format: ReportFormat = .text

    @Flag(help: "Print the summary alone (text).")
    var summary = false

    @Option(help: ArgumentHelp("Record every finding of this run in FILE as known (exit 0).", valueName: "file"))
    var writeBaseline: String?

    @Option(help: ArgumentHelp("Hide the findings FILE records; report and fail on new ones only.", valueName: "file"))
    var baseline: String?

    @Option(help: "Lowest finding severity that makes the exit code 1: info, warning or error.")
    var failOn: AuditReport.Severity = .error

    @Option(help: "Show only findings at or above this severity: info, warning or error.")
    var minSeverity: AuditReport.Severity = .info

    @Option(help: ArgumentHelp("Show only findings of this kind (repeatable): \(AuditReport.kinds.joined(separator: ", ")).",
                               valueName: "kind"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Check values on data: count NOT VALID FKs' orphans and implied relations' containment on at most N rows each.",
                               valueName: "N"))
    var sampleRows: Int?

    @Option(help: ArgumentHelp("Check values on data, stopping after this many seconds in all.", valueName: "seconds"))
    var timeBudget: Double?

    @OptionGroup var common: CommonOptions

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, junit, html
    }

    func validate() throws {
        if [table != nil, schema != nil, all].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of TABLE, --schema NAME or --all")
        }
        if let unknown = only.first(where: { !AuditReport.kinds.contains($0) }) {
            throw ValidationError("--only \(unknown): no such finding kind; one of \(AuditReport.kinds.joined(separator: ", "))")
        }
        if let sampleRows, sampleRows < 1 { throw ValidationError("--sample-rows must be at least 1") }
        if let timeBudget, !(timeBudget > 0) { throw ValidationError("--time-budget must be more than 0 seconds") }
        if summary && format != .text { throw ValidationError("--summary is a text summary; leave out --format \(format.rawValue)") }
    }

    /// The baseline to apply, read before any database work so a bad file costs nothing.
    func readBaseline() throws(FKBackfillError) -> (baseline: AuditBaseline, file: String)? {
        guard let baseline else { return nil }
        return (try AuditBaseline.read(path: baseline), baseline)
    }

    func run() throws {
        let parsedRules = try rules.map { path throws(FKBackfillError) in try RulesParser.load(path: path) } ?? .none
        let scope: AuditScope = if let table { .table(table) } else if let schema { .schema(schema) } else { .all }
        var options = AuditOptions(minSeverity: minSeverity, only: Set(only), sampleRows: sampleRows, timeBudget: timeBudget)
        options.baseline = try readBaseline()
        let report = try Auditor(session: common.connect()).run(scope, rules: parsedRules, options: options)
        if let writeBaseline {
            let recorded = AuditBaseline(scope: report.scope, findings: report.everyFinding)
            do {
                try recorded.json.write(toFile: writeBaseline, atomically: true, encoding: .utf8)
            } catch {
                throw FKBackfillError("cannot write the baseline \(writeBaseline): \(error.localizedDescription)",
                                      hint: "check that its folder exists and is writable", kind: .cannotWrite)
            }
        }
        let output = switch format {
        case .html: report.html
        case _ where summary: "Audit of \(report.scope)\n" + report.summaryText
        default: report.render(OutputFormat(rawValue: format.rawValue) ?? .text)
        }
        print(output, terminator: "")
        if writeBaseline == nil && report.fails(at: failOn) { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}

extension AuditReport.Severity: ExpressibleByArgument {}
