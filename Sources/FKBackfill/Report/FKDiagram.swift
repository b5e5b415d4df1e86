/// An FK diagram as inline SVG, with no Graphviz: `graph --format svg|html` draws a
/// table's parent graph with it, and `audit --format html` one small diagram per table.
///
/// The layout is by graph depth, not by a general graph layout: each depth is a column
/// (the referencing table left, its parents to the right, children further left), the
/// tables of a column ordered by the average row of their neighbours in the column
/// before, so edges mostly run straight. That is linear in the nodes and edges, which
/// is what a report of 1,400 diagrams can afford; a cycle's edges that run backwards
/// bend around the columns.
struct FKDiagram {
    struct Node {
        /// Unique within the diagram: the table's `schema.name`.
        var id: String
        var label: String
        /// The column: the graph depth (negative for children in an audit diagram).
        var layer: Int
        var root = false
        var inCycle = false
        /// A second, smaller line: `partitioned (4)`, `+12 more`.
        var note: String? = nil
        /// Where a click goes (`#t-…`); nil for none.
        var link: String? = nil
        /// A node that stands for many tables left out (`+N more`).
        var more = false
    }

    struct Edge {
        var from: String
        var to: String
        /// The constraint, shown on hover (`<title>`).
        var title: String
        var uncovered = false
        var inCycle = false
        var breakable = false
        var declared = false
    }

    var nodes: [Node]
    var edges: [Edge]

    static let nodeHeight = 34.0, rowGap = 12.0, columnGap = 70.0, margin = 10.0, charWidth = 7.2

    /// The CSS both the standalone SVG and the HTML report use; colours say the status,
    /// the dash says the kind of edge, so it also reads in greyscale.
    static let css = """
        .fkd .n rect{fill:#f6f8fa;stroke:#57606a;stroke-width:1}
        .fkd .n.root rect{fill:#ddf4ff;stroke:#0969da;stroke-width:2}
        .fkd .n.cyc rect{stroke:#bc4c00;stroke-width:2}
        .fkd .n.more rect{fill:#fff;stroke-dasharray:3 3}
        .fkd text{font:12px sans-serif;fill:#1f2328}
        .fkd text.note{font-size:10px;fill:#57606a}
        .fkd path.e{fill:none;stroke:#57606a;stroke-width:1.3}
        .fkd path.e.brk{stroke-dasharray:6 4}
        .fkd path.e.decl{stroke:#0969da}
        .fkd path.e.cyc{stroke:#bc4c00;stroke-width:2}
        .fkd path.e.unc{stroke:#cf222e;stroke-width:2.2}
        .fkd a:hover rect{fill:#fff8c5}
        """

    /// The diagram as an `<svg>` element; `standalone` adds the XML namespace's
    /// declaration and the style sheet, for a `.svg` file.
    func svg(title: String, standalone: Bool = false) -> String {
        let layout = place()
        let width = layout.width, height = layout.height
        var out = (standalone ? "<svg xmlns=\"http://www.w3.org/2000/svg\" " : "<svg ") + "class=\"fkd\" role=\"img\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        out += "<title>\(escapeXML(title))</title>"
        out += standalone ? "<style>\(Self.css)</style>" : ""
        // The HTML report holds the arrowhead once (`sharedDefinitions`), not in each of
        // its 1,400 diagrams.
        out += standalone ? Self.definitions : ""
        for edge in edges {
            guard let from = layout.boxes[edge.from], let to = layout.boxes[edge.to] else { continue }
            var classes = ["e"]
            if edge.breakable { classes.append("brk") }
            if edge.declared { classes.append("decl") }
            if edge.inCycle { classes.append("cyc") }
            if edge.uncovered { classes.append("unc") }
            // One element per edge (its constraint on hover): 1,400 diagrams make a big DOM.
            out += "<path class=\"\(classes.joined(separator: " "))\" d=\"\(Self.path(from: from, to: to))\" "
                + "marker-end=\"url(#fkd-arrow)\"><title>\(escapeXML(edge.title))</title></path>"
        }
        for node in nodes {
            guard let box = layout.boxes[node.id] else { continue }
            var classes = ["n"]
            if node.root { classes.append("root") }
            if node.inCycle { classes.append("cyc") }
            if node.more { classes.append("more") }
            // The node is its link when it has one (<a> holds the class), else a group.
            let tag = node.link == nil ? "g" : "a"
            out += "<\(tag) class=\"\(classes.joined(separator: " "))\" data-table=\"\(escapeXML(node.id))\""
                + (node.link.map { " href=\"\(escapeXML($0))\"" } ?? "") + ">"
            out += "<rect x=\"\(f(box.x))\" y=\"\(f(box.y))\" width=\"\(f(box.width))\" height=\"\(f(Self.nodeHeight))\" rx=\"4\"/>"
            let textY = node.note == nil ? box.y + 21 : box.y + 15
            out += "<text x=\"\(f(box.x + 8))\" y=\"\(f(textY))\">\(escapeXML(node.label))</text>"
            if let note = node.note {
                out += "<text class=\"note\" x=\"\(f(box.x + 8))\" y=\"\(f(box.y + 28))\">\(escapeXML(note))</text>"
            }
            out += "</\(tag)>"
        }
        return out + "</svg>"
    }

    /// The arrowhead every edge ends with.
    static let definitions = "<defs><marker id=\"fkd-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        + "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#57606a\"/></marker></defs>"

    /// The definitions for a page of diagrams, in an SVG that takes no room but is
    /// rendered (markers in a `display:none` SVG are not drawn by Chromium).
    static let sharedDefinitions = "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">\(definitions)</svg>"

    struct Box { var x: Double; var y: Double; var width: Double }

    /// Columns by layer, rows by the barycentre of the neighbours already placed.
    func place() -> (boxes: [String: Box], width: Double, height: Double) {
        let layers = Dictionary(grouping: nodes.indices, by: { nodes[$0].layer })
        let order = layers.keys.sorted()
        var neighbours: [String: [String]] = [:]
        for edge in edges where edge.from != edge.to {
            neighbours[edge.from, default: []].append(edge.to)
            neighbours[edge.to, default: []].append(edge.from)
        }
        var row: [String: Double] = [:]
        var columns: [[Int]] = []
        for layer in order {
            var members = (layers[layer] ?? []).sorted { nodes[$0].label < nodes[$1].label }
            if !row.isEmpty {
                func centre(_ index: Int) -> Double {
                    let placed = (neighbours[nodes[index].id] ?? []).compactMap { row[$0] }
                    return placed.isEmpty ? Double.infinity : placed.reduce(0, +) / Double(placed.count)
                }
                let centres = Dictionary(uniqueKeysWithValues: members.map { ($0, centre($0)) })
                members.sort {
                    (centres[$0] ?? .infinity, nodes[$0].more ? 1 : 0, nodes[$0].label)
                        < (centres[$1] ?? .infinity, nodes[$1].more ? 1 : 0, nodes[$1].label)
                }
            }
            for (position, index) in members.enumerated() { row[nodes[index].id] = Double(position) }
            columns.append(members)
        }
        let tallest = columns.map(\.count).max() ?? 0
        let columnHeight = { (count: Int) in Double(count) * Self.nodeHeight + Double(max(count - 1, 0)) * Self.rowGap }
        let height = columnHeight(tallest) + 2 * Self.margin
        var boxes: [String: Box] = [:]
        var x = Self.margin
        for members in columns {
            let width = members.map { index in
                Double(max(nodes[index].label.count, nodes[index].note?.count ?? 0)) * Self.charWidth + 16
            }.max() ?? 60
            var y = Self.margin + (columnHeight(tallest) - columnHeight(members.count)) / 2
            for index in members {
                boxes[nodes[index].id] = Box(x: x, y: y, width: width)
                y += Self.nodeHeight + Self.rowGap
            }
            x += width + Self.columnGap
        }
        return (boxes, max(x - Self.columnGap + Self.margin, 2 * Self.margin), height)
    }

    /// A curve from the referencing box to the referenced one: left to right when the
    /// parent is in a later column; right to left, below, when it is in an earlier one
    /// (a cycle); in the same column it leaves and enters from the right, bending
    /// outside; a self-reference is a loop on the right.
    static func path(from: Box, to: Box) -> String {
        let midFrom = from.y + nodeHeight / 2, midTo = to.y + nodeHeight / 2
        if from.x == to.x && from.y == to.y {
            let right = from.x + from.width
            return "M\(f(right)),\(f(from.y + 8))C\(f(right + 30)),\(f(from.y - 10)) \(f(right + 30)),\(f(from.y + nodeHeight + 10)) "
                + "\(f(right)),\(f(from.y + nodeHeight - 8))"
        }
        if to.x > from.x {
            let startX = from.x + from.width, bend = (to.x - startX) / 2
            return "M\(f(startX)),\(f(midFrom))C\(f(startX + bend)),\(f(midFrom)) \(f(to.x - bend)),\(f(midTo)) \(f(to.x)),\(f(midTo))"
        }
        if to.x < from.x {
            // Backwards (a cycle): from the left side of the referencing box to the right
            // side of the referenced one, a little below the forward edge of the pair.
            let startX = from.x, endX = to.x + to.width, bend = (startX - endX) / 2
            return "M\(f(startX)),\(f(midFrom + 6))C\(f(startX - bend)),\(f(midFrom + 22)) \(f(endX + bend)),\(f(midTo + 22)) "
                + "\(f(endX)),\(f(midTo + 6))"
        }
        let startX = from.x + from.width, endX = to.x + to.width
        // Downwards and upwards edges bend at different distances, so both of a pair show.
        let out = max(startX, endX) + (from.y < to.y ? 28 : 48)
        return "M\(f(startX)),\(f(midFrom))C\(f(out)),\(f(midFrom)) \(f(out)),\(f(midTo)) \(f(endX)),\(f(midTo))"
    }
}

/// A coordinate with at most one decimal, to keep 1,400 diagrams small.
private func f(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}

/// Text for XML and HTML content and attribute values.
func escapeXML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
