import ArgumentParser
import FKBackfill

struct ForeignKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fks",
        abstract: "List every foreign key of a table and of its parents, transitively.",
        discussion: """
            TABLE is read as psql reads it: schema.table, "Quoted"."Parts", or a bare name \
            looked up along search_path.

            Example:
              fkbackfill fks business.规模明细
              fkbackfill fks --db postgresql://etl@warehouse/dw --format json 'sales."Order Lines"'
            """
    )

    @Argument(help: "The table to start from.")
    var table: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard format == .text || format == .json else {
            throw ValidationError("fks prints text or json; use `fkbackfill graph --format \(format.rawValue)` for pictures")
        }
    }

    func run() throws {
        let connection = try common.connect()
        let catalog = try CatalogReader.read(table: table, on: connection)
        print(ForeignKeysReport(catalog: catalog).render(format), terminator: "")
    }
}
