/// What `fkbackfill graph` prints: load order, edges and cycles, as text, JSON,
/// Graphviz DOT or Mermaid.
public struct GraphReport: Sendable {
    /// The graph to show.
    public let graph: DependencyGraph

    /// A report on `graph`.
    public init(graph: DependencyGraph) { self.graph = graph }

    /// The graph as `text`, `json` (docs/json-output.md), Graphviz `dot` or `mermaid`; `markdown` and `junit` give text.
    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .text, .markdown, .junit: text
        case .json: encodeJSON(json)
        case .dot: dot
        case .mermaid: mermaid
        }
    }

    // MARK: JSON (documented in docs/json-output.md)

    struct JSONDocument: Encodable {
        struct Table: Encodable { var name: String; var depth: Int }
        struct Edge: Encodable {
            var from: String
            var to: String
            var constraint: String
            var breakable: Bool
            var breakableBy: String?
            var declared: Bool

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(from, forKey: .from)
                try container.encode(to, forKey: .to)
                try container.encode(constraint, forKey: .constraint)
                try container.encode(breakable, forKey: .breakable)
                try container.encode(breakableBy, forKey: .breakableBy)
                try container.encode(declared, forKey: .declared)
            }

            enum CodingKeys: String, CodingKey { case from, to, constraint, breakable, breakableBy, declared }
        }
        struct Cycle: Encodable {
            var tables: [String]
            var selfReference: Bool
            var breakable: Bool
            var breakAt: [Edge]
        }
        var schemaVersion = SchemaVersion.graph
        var root: String
        var tables: [Table]
        var edges: [Edge]
        var order: [String]
        var cycles: [[String]]
        var cycleDetails: [Cycle]
    }

    static func jsonEdge(_ edge: DependencyGraph.Edge) -> JSONDocument.Edge {
        JSONDocument.Edge(
            from: edge.from.description, to: edge.to.description, constraint: edge.constraint,
            breakable: edge.breakable, breakableBy: edge.breakableBy?.rawValue, declared: edge.declared)
    }

    var json: JSONDocument {
        JSONDocument(
            root: graph.root.description,
            tables: graph.tables.map { .init(name: $0.name.description, depth: $0.depth) },
            edges: graph.edges.map(Self.jsonEdge),
            order: graph.order.map(\.description),
            cycles: graph.cycles.map { $0.tables.map(\.description) },
            cycleDetails: graph.cycles.map {
                .init(tables: $0.tables.map(\.description), selfReference: $0.isSelfReference,
                      breakable: $0.breakable, breakAt: $0.breakAt.map(Self.jsonEdge))
            })
    }

    // MARK: Text

    var text: String {
        let tableCount = graph.order.count
        var out = "Parent graph of \(graph.root.display): \(tableCount) \(tableCount == 1 ? "table" : "tables"), "
            + "\(graph.edges.count) foreign \(graph.edges.count == 1 ? "key" : "keys"), "
            + (graph.cycles.isEmpty ? "no cycles" : "\(graph.cycles.count) \(graph.cycles.count == 1 ? "cycle" : "cycles")")
            + "\n\nLoad order (parents first):\n"
        var order = TextTable("#", "DEPTH", "TABLE")
        for (position, entry) in graph.tables.enumerated() {
            order.add(String(position + 1), String(entry.depth), entry.name.display)
        }
        out += order.render()
        if !graph.edges.isEmpty {
            var edges = TextTable("FROM", "TO", "CONSTRAINT", "BREAKABLE")
            for edge in graph.edges {
                edges.add(
                    edge.from.display, edge.to.display, edge.constraint + (edge.declared ? " (declared)" : ""),
                    edge.breakableBy.map { "yes (\($0.rawValue))" } ?? "no")
            }
            out += "\nEdges (referencing → referenced):\n" + edges.render()
        }
        if !graph.cycles.isEmpty {
            out += "\nCycles:\n"
            for cycle in graph.cycles {
                let names = cycle.tables.map(\.display).joined(separator: ", ")
                let what = cycle.isSelfReference ? "self-reference \(names)" : "cycle \(names)"
                if !cycle.breakable {
                    out += "- \(what): cannot be broken (no edge is nullable or deferrable)\n"
                } else if cycle.breakAt.isEmpty {
                    out += "- \(what): breakable\n"
                } else {
                    let at = cycle.breakAt.map { "\($0.constraint) (\($0.from.display) → \($0.to.display), \($0.breakableBy?.rawValue ?? "breakable"))" }
                    out += "- \(what): break at \(at.joined(separator: "; "))\n"
                }
            }
        }
        return out
    }

    // MARK: Pictures

    var dot: String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var out = "digraph \"fkbackfill\" {\n  rankdir=BT;\n  node [shape=box, fontname=\"sans-serif\"];\n"
        out += "  edge [fontname=\"sans-serif\", fontsize=10];\n"
        for (name, depth) in graph.tables {
            let style = name == graph.root ? ", style=bold" : ""
            out += "  \(quoted(name.description)) [label=\(quoted("\(name.description)\ndepth \(depth)"))\(style)];\n"
        }
        for edge in graph.edges {
            let style = (edge.breakable ? ", style=dashed" : "") + (edge.declared ? ", color=blue" : "")
            out += "  \(quoted(edge.from.description)) -> \(quoted(edge.to.description)) [label=\(quoted(edge.constraint))\(style)];\n"
        }
        return out + "}\n"
    }

    var mermaid: String {
        func label(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\"", with: "#quot;") + "\""
        }
        let ids = Dictionary(uniqueKeysWithValues: graph.order.enumerated().map { ($1, "t\($0)") })
        var out = "flowchart BT\n"
        for (name, depth) in graph.tables {
            out += "  \(ids[name] ?? "t")[\(label("\(name.description) (depth \(depth))"))]\n"
        }
        for edge in graph.edges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            out += edge.breakable
                ? "  \(from) -. \(label(edge.constraint)) .-> \(to)\n"
                : "  \(from) -- \(label(edge.constraint)) --> \(to)\n"
        }
        return out
    }
}

// MARK: SVG and HTML (FKDiagram: no Graphviz needed)

extension GraphReport {
    /// The parent graph as a standalone SVG file, laid out by depth (FKDiagram):
    /// dashed edges can be broken, cycles are orange, declared relations blue.
    public var svg: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + diagram(links: false).svg(title: "Parent graph of \(graph.root.display)", standalone: true) + "\n"
    }

    /// One self-contained HTML page: the diagram, whose nodes link to a section per
    /// table with its FKs, and the load order. No script, no network (a CSP forbids it).
    public var html: String {
        let ids = anchorIDs
        var body = "<h1>Parent graph of \(escapeXML(graph.root.display))</h1>\n<p class=\"sum\">\(escapeXML(text.split(separator: "\n").first.map(String.init) ?? ""))</p>\n"
        body += "<div class=\"diagram\">" + diagram(links: true).svg(title: "Parent graph of \(graph.root.display)") + "</div>\n"
        let cycleTables = Set(graph.cycles.flatMap(\.tables))
        for (name, depth) in graph.tables {
            body += "<section class=\"table\" id=\"\(ids[name] ?? "")\"><h2>\(escapeXML(name.display))</h2>"
            body += "<p>depth \(depth)\(cycleTables.contains(name) ? ", in a cycle" : "")</p>"
            let outgoing = graph.edges.filter { $0.from == name }
            if !outgoing.isEmpty {
                body += "<table><thead><tr><th>constraint</th><th>references</th><th>breakable</th></tr></thead><tbody>"
                for edge in outgoing {
                    body += "<tr><td>\(escapeXML(edge.constraint))\(edge.declared ? " (declared)" : "")</td>"
                        + "<td><a href=\"#\(ids[edge.to] ?? "")\">\(escapeXML(edge.to.display))</a></td>"
                        + "<td>\(edge.breakableBy.map { "yes (\($0.rawValue))" } ?? "no")</td></tr>"
                }
                body += "</tbody></table>"
            }
            body += "</section>\n"
        }
        return HTMLPage.render(title: "fkbackfill graph \(graph.root.display)", css: "", script: nil, body: body)
    }

    /// `t0`, `t1`, … in load order: HTML ids that any table name can have.
    var anchorIDs: [TableName: String] {
        Dictionary(uniqueKeysWithValues: graph.order.enumerated().map { ($1, "t\($0)") })
    }

    func diagram(links: Bool) -> FKDiagram {
        let ids = anchorIDs
        var cycleOf: [TableName: Int] = [:]
        for (number, cycle) in graph.cycles.enumerated() { for table in cycle.tables { cycleOf[table] = number } }
        let nodes = graph.tables.map { name, depth in
            FKDiagram.Node(id: name.description, label: name.display, layer: depth, root: name == graph.root,
                           inCycle: cycleOf[name] != nil, link: links ? ids[name].map { "#\($0)" } : nil)
        }
        let edges = graph.edges.map { edge in
            FKDiagram.Edge(from: edge.from.description, to: edge.to.description,
                           title: "\(edge.constraint): \(edge.from.display) → \(edge.to.display)",
                           inCycle: cycleOf[edge.from] != nil && cycleOf[edge.from] == cycleOf[edge.to],
                           breakable: edge.breakable, declared: edge.declared)
        }
        return FKDiagram(nodes: nodes, edges: edges)
    }
}
