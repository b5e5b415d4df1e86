import ArgumentParser
import FKBackfill
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Would this input load? Every FK violation and bad value, without writing anything.",
        discussion: """
            Stages the input as load does, in a transaction that is read-only while the data \
            is checked and then rolled back. For every FK: violating rows, missing keys, which \
            of them a backfill would fix, sample keys with their line numbers. For every \
            column: values that do not convert, NULLs in NOT NULL columns, values too long. \
            A --source or --query whose columns have the target's types is checked in place, \
            without staging (samples then list keys only). With no input, checks the rows \
            already in TABLE (NOT VALID constraints, declared relations).

            Exit codes: 0 when the input would load (counting what a backfill fixes; with \
            --strict, only when no key is missing), 1 otherwise.

            Example:
              fkbackfill validate business.规模明细 --csv 2024-11.csv
              fkbackfill validate business.规模明细 --csv 2024-11.csv \\
                --rules rules.yaml --format junit > validate.xml
              fkbackfill validate business.规模明细 --rules rules.yaml
            """
    )

    @OptionGroup var target: TargetOptions

    @OptionGroup var from: InputArguments

    @Option(help: ArgumentHelp("Rules file (YAML); see docs/rules.md.", valueName: "file"))
    var rules: String?

    @Option(help: "How many missing keys to list per FK (and lines per key and per column problem).")
    var samples = 5

    @Flag(help: "Count every missing key as a failure, even one a backfill would fix.")
    var strict = false

    @Option(help: "Output format: text, json, markdown or junit.")
    var format: AuditCommand.ReportFormat = .text

    func validate() throws {
        if samples < 0 { throw ValidationError("--samples must be 0 or more") }
    }

    func run() throws {
        var options = ValidateOptions()
        options.samples = samples
        options.strict = strict
        if let rules { options.rules = try RulesParser.load(path: rules) }
        let report = try Validator(session: target.common.connect()).run(table: target.table, input: from.input, options: options)
        print(report.render(OutputFormat(rawValue: format.rawValue) ?? .text), terminator: "")
        if !report.wouldLoad { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
