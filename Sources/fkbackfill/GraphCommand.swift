import ArgumentParser
import FKBackfill

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show the parent graph of a table: load order, depths, cycles.",
        discussion: """
            Edges point from the referencing table to the referenced one. The order lists \
            parents first: the order a backfill fills them in. Dashed edges (dot, mermaid) \
            can be broken: their columns are nullable or the constraint is deferrable.

            Example:
              fkbackfill graph business.规模明细
              fkbackfill graph business.规模明细 --format dot | dot -Tsvg > graph.svg
            """
    )

    @Argument(help: "The table to start from.")
    var table: String

    @Option(help: "Output format: text, json, dot or mermaid.")
    var format: OutputFormat = .text

    @OptionGroup var common: CommonOptions

    func run() throws {
        let connection = try common.connect()
        let catalog = try CatalogReader.read(table: table, on: connection)
        print(GraphReport(graph: DependencyGraph(catalog: catalog)).render(format), terminator: "")
    }
}
