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

            svg draws the same diagram as the audit's HTML report, laid out by depth, with no \
            Graphviz; html puts it in a self-contained page with a section per table.

            Example:
              fkbackfill graph business.规模明细
              fkbackfill graph business.规模明细 --format svg > graph.svg
              fkbackfill graph business.规模明细 --format dot \\
                | dot -Tsvg > graph.svg
            """
    )

    @OptionGroup var target: TargetOptions

    @Option(help: ArgumentHelp("Rules file whose declared relations are added to the graph.", valueName: "file"))
    var rules: String?

    /// The formats a graph has: `--format markdown` or `junit` is an argument error
    /// (exit 2), not text printed with exit 0.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, dot, mermaid, svg, html
    }

    @Option(help: "Output format: text, json, dot, mermaid, svg or html.")
    var format: Format = .text

    func run() throws {
        let catalog = try target.readCatalog(rules: rules)
        let report = GraphReport(graph: DependencyGraph(catalog: catalog))
        switch format {
        case .svg: print(report.svg, terminator: "")
        case .html: print(report.html, terminator: "")
        default: print(report.render(OutputFormat(rawValue: format.rawValue) ?? .text), terminator: "")
        }
    }
}
