import ArgumentParser
import FKBackfill
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Would this input load? Every FK violation and bad value, without writing anything.",
        discussion: """
            Stages the input as load does and runs the load's own steps up to the first write, \
            in a transaction that is rolled back (only temporary tables are written). For every \
            FK: violating rows, missing keys, which of them a backfill would fix, sample keys \
            with their line numbers. For every column: values that do not convert, NULLs in \
            NOT NULL columns, values too long. Then the predicted load with the same \
            --max-rejects and --replace-by: rows set aside (CHECK, duplicate and existing keys \
            too) with their lines, parent rows a backfill would add, what would stop it. \
            --in-place checks a --source or --query with the target's types where it is (FKs \
            and NOT NULL only). With no input, checks the rows already in TABLE in place. \
            A --source checked in place, or no input, runs READ ONLY: on a hot standby and \
            with read-only credentials too; there a --csv is streamed in batches and checked \
            the same way (FKs, NOT NULL, conversions, lengths, the target's CHECKs and unique \
            keys, with lines; sql: rules compiled; no prediction of new parent rows, notExact \
            says what is not evaluated; --max-rejects counts the rows set aside, --replace-by \
            frees the keys of the rows it deletes); a --query or a --source to cast is read \
            there as text through a cursor, the same way; what must stage (a target that \
            references itself by a key its rows do not give by their text, as under a BEFORE \
            INSERT trigger) is refused (exit 3). \
            Input columns TABLE lacks are judged as load judges them (--ignore-extra-columns).

            Exit codes: 0 when the input would load (counting what a backfill fixes; with \
            --strict, only when no key is missing), 1 otherwise; 2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill validate business.规模明细 --csv 2024-11.csv
              fkbackfill validate business.规模明细 --csv 2024-11.csv \\
                --rules rules.yaml --format junit > validate.xml
              fkbackfill validate business.规模明细 --rules rules.yaml
            """
    )

    @OptionGroup var target: TargetOptions

    @OptionGroup var shared: RunArguments

    @Flag(help: "Count every missing key as a failure, even one a backfill would fix.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Predict the load with --replace-by: target rows matching an input row on these columns are replaced, not clashed with.",
            valueName: "col,col"),
        transform: { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    var replaceBy: [String] = []

    @Option(help: "The load's --mode, predicted as the load would run it: insert-missing or fill-null-only.")
    var mode: BackfillMode = .insertMissing

    @Flag(help: "Check a --source or --query with the target's types where it is: FKs, NOT NULL, the target's CHECKs and keys; no predicted load (fast).")
    var inPlace = false

    @Option(help: "Output format: text, json, markdown or junit.")
    var format: ReportFormat = .text

    func validate() throws {
        if inPlace && shared.from.input == nil { throw ValidationError("--in-place needs --source or --query") }
    }

    func run() throws {
        var options = ValidateOptions()
        options.samples = shared.samples
        options.strict = strict
        options.maxRejects = shared.maxRejects
        options.inPlace = inPlace
        options.ignoreExtraColumns = shared.ignoreExtraColumns
        options.replaceBy = replaceBy
        options.mode = mode
        if let rules = try shared.parsedRules() { options.rules = rules }
        let report = try Validator(session: target.common.connect()).run(table: target.table, input: shared.from.input, options: options)
        print(report.render(format.output), terminator: "")
        if !report.wouldLoad { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
