import ArgumentParser
import FKBackfill
import Foundation

/// `fkbackfill import-rules`: a legacy per-FK backfill config → a rules file.
struct ImportRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-rules",
        abstract: "Write a rules file from one domain of a legacy per-FK backfill config.",
        discussion: """
            Each FK entry becomes a table rule, its derivations column rules, skip_blank_values \
            blank markers. With --db the catalog says which entries need a relations: entry \
            (the FKs it does not declare), depends_on is compared with the graph, and the \
            output is validated; without --db every entry is written as a relation. Code \
            (lambda, jsonb_append) of a known shape becomes sql:; any other is written \
            commented out and the command exits 1 listing it. See \(DocsPath.of("migrating.md")).

            Exit codes: 0 written; 1 written, with derivations a human must still \
            translate; 2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill import-rules config/foreign_keys.yml --domain annuity_performance \\
                --table business.规模明细 --db postgresql://etl@warehouse/dw -o rules.yaml
            """
    )

    @Argument(help: ArgumentHelp("The legacy config (YAML).", valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Option(help: "The domain to import (a key under domains:).")
    var domain: String

    @Option(help: ArgumentHelp("The domain's fact table; the config does not name it.", valueName: "table"))
    var table: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the rules here instead of stdout.", valueName: "rules.yaml"),
            completion: .file())
    var output: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let session = common.connectionString == nil ? nil : try common.connect()
        let result = try RulesImporter.importRules(
            path: file, domain: domain, factTable: table, output: output ?? "<stdout>", on: session)
        if let output {
            do {
                try result.text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw FKBackfillError("cannot write \(output): \(error.localizedDescription)", kind: .cannotWrite)
            }
        } else {
            print(result.text, terminator: "")
        }
        var report = ""
        for note in result.notes { report += "fkbackfill: note: \(note)\n" }
        if !result.needsHuman.isEmpty {
            let count = result.needsHuman.count
            report += "fkbackfill: \(count) \(count == 1 ? "derivation needs" : "derivations need") a human (commented out in the rules):\n"
            for item in result.needsHuman { report += "  - \(item)\n" }
        }
        FileHandle.standardError.write(Data(report.utf8))
        if !result.needsHuman.isEmpty { throw ExitCode(ExitStatus.findings.rawValue) }
    }
}
