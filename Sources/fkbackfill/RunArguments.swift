import ArgumentParser
import FKBackfill

/// The options `load`, `backfill` and `validate` share: where the rows come from, the
/// rules, how many rows may be set aside and how many keys to list. One group, so that
/// validate predicts the load with exactly the options the load takes.
struct RunArguments: ParsableArguments {
    @OptionGroup var from: InputArguments

    @Option(help: ArgumentHelp("Rules file (YAML): per-column rules, declared relations, blank keys. See \(DocsPath.of("rules.md")).",
                               valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var rules: String?

    @Option(help: "How many rows may be set aside (bad values, NULLs, too long, CHECK, blank keys, on_missing: reject) while the rest still load; validate predicts the load with it.")
    var maxRejects = 0

    @Option(help: "How many keys to list per parent (load) or per FK, with their lines (validate).")
    var samples = 5

    @Flag(help: "Stage an input column that is not the target's and that no parent column or rule reads, unread, instead of refusing the input; the report lists it as ignored.")
    var ignoreExtraColumns = false

    func validate() throws {
        if samples < 0 { throw ValidationError("--samples must be 0 or more") }
        if maxRejects < 0 { throw ValidationError("--max-rejects must be 0 or more") }
    }

    /// The rules file, parsed; a broken one is reported before connecting.
    func parsedRules() throws(FKBackfillError) -> Rules? {
        guard let rules else { return nil }
        return try RulesParser.load(path: rules)
    }
}

/// The one report format enum of the commands that print a report (load, backfill,
/// validate); load and backfill have no Markdown or JUnit form and refuse them.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, junit

    var output: OutputFormat {
        switch self {
        case .text: .text
        case .json: .json
        case .markdown: .markdown
        case .junit: .junit
        }
    }
}
