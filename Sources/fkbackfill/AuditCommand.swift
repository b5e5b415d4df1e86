import ArgumentParser
import FKBackfill

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Which foreign keys can a load not backfill, and why; plus schema lint findings.",
        discussion: """
            For every FK of the table's parent graph (or of every table of --schema, or --all): \
            auto, rule (covered by --rules), uncovered (with each reason) or skipped. Findings: \
            missing FK indexes, key type mismatches, NOT VALID constraints with their orphans, \
            implied relations, FKs on partitions only, enabled triggers. Writes nothing.

            Exit codes: 0 when no finding is at or above --fail-on, 1 otherwise.

            Example:
              fkbackfill audit business.规模明细
              fkbackfill audit --schema business --rules rules.yaml --format markdown
              fkbackfill audit --all --format junit > audit.xml
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

    @Option(help: "Output format: text, json, markdown or junit.")
    var format: ReportFormat = .text

    @Option(help: "Lowest finding severity that makes the exit code 1: info, warning or error.")
    var failOn: AuditReport.Severity = .error

    @OptionGroup var common: CommonOptions

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, junit
    }

    func validate() throws {
        if [table != nil, schema != nil, all].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of TABLE, --schema NAME or --all")
        }
    }

    func run() throws {
        let parsedRules = try rules.map { path throws(FKBackfillError) in try RulesParser.load(path: path) } ?? .none
        let scope: AuditScope = if let table { .table(table) } else if let schema { .schema(schema) } else { .all }
        let report = try Auditor(session: common.connect()).run(scope, rules: parsedRules)
        print(report.render(OutputFormat(rawValue: format.rawValue) ?? .text), terminator: "")
        if report.fails(at: failOn) { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}

extension AuditReport.Severity: ExpressibleByArgument {}
