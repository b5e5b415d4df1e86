import ArgumentParser
import FKBackfill

struct ForeignKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fks",
        abstract: "List every foreign key of a table and of its parents, transitively.",
        discussion: """
            TABLE is read as psql reads it: schema.table, "Quoted"."Parts", or a bare name \
            looked up along search_path.

            Exit codes: 0 the keys were listed; \
            2, 3, 4, 130 and 143 as for every command (see fkbackfill --help).

            Example:
              fkbackfill fks business.规模明细
              fkbackfill fks 'sales."Order Lines"' --format json \\
                --db postgresql://etl@warehouse/dw
            """
    )

    @OptionGroup var target: TargetOptions

    @Option(help: ArgumentHelp("Rules file whose declared relations are added to the graph.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var rules: String?

    /// `fks` has no picture formats; a narrower enum makes `--help` list only these.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let catalog = try target.readCatalog(rules: rules)
        print(ForeignKeysReport(catalog: catalog).render(format == .json ? .json : .text), terminator: "")
    }
}
