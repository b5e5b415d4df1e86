/// `audit --format html`: one self-contained page a DBA browses, as SchemaSpy or tbls
/// output is browsed. A summary first; then every finding in one list that filters
/// (severity, kind, schema, table, text) and sorts in the page, each with its evidence
/// and a fix to copy; then one section per table with its FKs, why a load cannot
/// backfill them (once per parent), and an FK diagram of the table with its parents
/// and children (FKDiagram) whose nodes link to their own sections.
///
/// Built to stay usable at 1,400 tables: diagrams show at most `diagramLimit`
/// neighbours per side (`+N more` for the rest), sections far from view are not
/// laid out (`content-visibility: auto`), and the script only filters rows.
extension AuditReport {
    static let diagramLimit = 24

    /// The page (docs/audit.md, "HTML").
    public var html: String {
        let tables = htmlTables
        let ids = Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($1, "t\($0)") })
        var body = "<header><h1>fkbackfill audit of \(escapeXML(scope))</h1></header>\n"
        body += htmlSummary
        body += htmlFindings(ids: ids)
        body += "<section id=\"tables\"><h2 class=\"part\">Tables (\(tables.count))</h2>\n"
        let cycles = cycleComponents
        let keysByTable = Dictionary(grouping: foreignKeys, by: \.table)
        let keysByParent = Dictionary(grouping: foreignKeys, by: \.referencedTable)
        let findingsByTable = Dictionary(grouping: findings) { $0.table }
        for table in tables {
            guard let id = ids[table] else { continue }
            body += htmlSection(table, id: id, ids: ids, keys: keysByTable[table] ?? [],
                                children: keysByParent[table] ?? [], findings: findingsByTable[table] ?? [], cycles: cycles)
        }
        body += "</section>\n"
        return HTMLPage.render(title: "fkbackfill audit of \(scope)", css: Self.auditCSS, script: Self.auditScript, body: body)
    }

    /// Every table the report names: audited, referenced, with a finding, or partitioned, by name.
    var htmlTables: [TableName] {
        var names = Set(foreignKeys.flatMap { [$0.table, $0.referencedTable] }).union(partitionCounts.keys)
        for finding in findings { if let table = finding.table { names.insert(table) } }
        return names.sorted()
    }

    /// The strongly connected components of the report's FKs: tables of one cycle share a number.
    var cycleComponents: [TableName: Int] {
        let names = htmlTables
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var successors = [[Int]](repeating: [], count: names.count)
        var selfReferencing = Set<Int>()
        for fk in foreignKeys {
            guard let from = index[fk.table], let to = index[fk.referencedTable] else { continue }
            successors[from].append(to)
            if from == to { selfReferencing.insert(from) }
        }
        var result: [TableName: Int] = [:]
        for (number, members) in GraphAnalysis.stronglyConnectedComponents(count: names.count, successors: successors).enumerated()
        where members.count > 1 || selfReferencing.contains(members[0]) {
            for member in members { result[names[member]] = number }
        }
        return result
    }

    var htmlSummary: String {
        var out = "<section id=\"summary\"><h2 class=\"part\">Summary</h2><div class=\"cards\">"
        let all = findingCounts
        out += "<div class=\"card\"><h3>Foreign keys (\(foreignKeys.count))</h3><table id=\"coverage\">"
        for status in [Status.auto, .rule, .uncovered, .skipped] {
            out += "<tr class=\"st-\(status.rawValue)\"><th>\(status.rawValue)</th><td>\(counts[status] ?? 0)</td></tr>"
        }
        out += "</table><p>\(tables) \(tables == 1 ? "table" : "tables") audited</p></div>"
        out += "<div class=\"card\"><h3>Findings by severity</h3><table id=\"by-severity\">"
        for severity in [Severity.error, .warning, .info] {
            out += "<tr><th class=\"sev-\(severity.rawValue)\">\(severity.rawValue)</th>"
                + "<td>\(all.filter { $0.severity == severity }.reduce(0) { $0 + $1.count })</td></tr>"
        }
        out += "</table></div><div class=\"card\"><h3>Findings by kind</h3><table id=\"by-kind\">"
        for count in all { out += "<tr><th>\(escapeXML(count.kind))</th><td class=\"sev-\(count.severity.rawValue)\">\(count.severity.rawValue)</td><td>\(count.count)</td></tr>" }
        out += "</table></div><div class=\"card\"><h3>Findings by schema</h3><table id=\"by-schema\">"
        let bySchema = Dictionary(grouping: findings) { $0.table?.schema ?? "" }
        for (schema, found) in bySchema.sorted(by: { $0.key < $1.key }) {
            out += "<tr><th>\(escapeXML(schema.isEmpty ? "(none)" : schema))</th><td>\(found.count)</td></tr>"
        }
        out += "</table></div></div>"
        out += "<p class=\"meta\">data read: \(escapeXML(dataReadLine))</p>"
        if minSeverity != .info || !only.isEmpty {
            out += "<p class=\"meta\">shown: findings at \(minSeverity.rawValue) or above"
                + (only.isEmpty ? "" : " of kind \(escapeXML(only.joined(separator: ", ")))") + "</p>"
        }
        if let baseline = baselineOutcome {
            out += "<p class=\"meta\" id=\"baseline\">baseline \(escapeXML(baseline.file)): \(baseline.new) new, "
                + "\(baseline.hidden) known hidden, \(baseline.gone.count) gone</p>"
        }
        return out + "</section>\n"
    }

    func htmlFindings(ids: [TableName: String]) -> String {
        var out = "<section id=\"findings\"><h2 class=\"part\">Findings</h2><form id=\"filters\" onsubmit=\"return false\">"
        out += "<label>severity <select id=\"f-severity\"><option value=\"\">any</option>"
            + "<option value=\"error\">error</option><option value=\"warning\">warning or worse</option></select></label> "
        out += "<label>kind <select id=\"f-kind\"><option value=\"\">any</option>"
        for kind in Set(findings.map(\.kind)).sorted() { out += "<option>\(escapeXML(kind))</option>" }
        out += "</select></label> <label>schema <select id=\"f-schema\"><option value=\"\">any</option>"
        for schema in Set(findings.compactMap(\.table?.schema)).sorted() { out += "<option>\(escapeXML(schema))</option>" }
        out += "</select></label> <label>table <input id=\"f-table\" type=\"search\" placeholder=\"name contains\"></label> "
        out += "<label>text <input id=\"f-text\" type=\"search\" placeholder=\"search messages\"></label> "
        out += "<output id=\"f-count\">\(findings.count) of \(findings.count) findings</output></form>\n"
        // Rows are grid lines, not a <table>: a row far from view is then not laid out
        // (content-visibility), which a 2,300-row table would be, again and again while
        // the page loads.
        out += "<div id=\"finding-list\" role=\"table\"><div class=\"fh\" role=\"row\"><span data-sort=\"0\">severity</span>"
            + "<span data-sort=\"1\">kind</span><span data-sort=\"2\">object</span><span>what and why</span><span>fix</span></div>"
            + "<div class=\"fb\">\n"
        for finding in findings {
            let table = finding.table
            out += "<div class=\"finding\" role=\"row\" data-severity=\"\(finding.severity.rawValue)\" data-rank=\"\(finding.severity.rank)\" "
                + "data-kind=\"\(escapeXML(finding.kind))\" data-schema=\"\(escapeXML(table?.schema ?? ""))\" "
                + "data-table=\"\(escapeXML(table?.description ?? ""))\">"
            out += "<span class=\"sev-\(finding.severity.rawValue)\">\(finding.severity.rawValue)</span><span>\(escapeXML(finding.kind))</span>"
            let object = escapeXML(finding.object)
            out += "<span>" + (table.flatMap { ids[$0] }.map { "<a href=\"#\($0)\">\(object)</a>" } ?? object) + "</span>"
            out += "<div>\(escapeXML(finding.message))"
            if !finding.evidence.isEmpty {
                out += "<details><summary>evidence</summary><ul>" + finding.evidence.map { "<li>\(escapeXML($0))</li>" }.joined() + "</ul></details>"
            }
            out += "</div><div><pre class=\"fix\">\(escapeXML(finding.fix))</pre>"
            if let snippet = finding.snippet { out += "<pre class=\"fix\">\(escapeXML(snippet))</pre>" }
            out += "<button type=\"button\" class=\"copy\">copy</button></div></div>\n"
        }
        return out + "</div></div></section>\n"
    }

    func htmlSection(_ table: TableName, id: String, ids: [TableName: String], keys: [ForeignKeyResult],
                     children: [ForeignKeyResult], findings: [Finding], cycles: [TableName: Int]) -> String {
        // Every section has its diagram, a lone box for a table without FKs either way.
        let drawn: FKDiagram? = diagram(for: table, keys: keys, children: children, ids: ids, cycles: cycles)
        let groups = reasonGroups(keys)
        // The section's height before it is laid out (content-visibility): close to the
        // real one, so a link to a section far down lands on it.
        let diagramHeight: Double = drawn.map { $0.place().height + 14 } ?? 0
        let keyRows: Int = keys.isEmpty ? 0 : 1 + keys.count
        let reasonLines: Int = groups.reduce(0) { $0 + 1 + $1.reasons.count }
        let findingLines: Int = findings.count
        let estimate = 70 + diagramHeight + Double(26 * keyRows + 22 * reasonLines + 22 * findingLines)
        var out = "<section class=\"table\" id=\"\(id)\" data-table=\"\(escapeXML(table.description))\" "
            + "style=\"contain-intrinsic-size:auto \(Int(estimate))px\"><h2>\(escapeXML(table.display))</h2>"
        var facts: [String] = []
        if let partitions = partitionCounts[table] { facts.append("partitioned: \(partitions) \(partitions == 1 ? "partition" : "partitions")") }
        facts.append("\(keys.count) foreign \(keys.count == 1 ? "key" : "keys"), referenced by \(children.count)")
        if cycles[table] != nil { facts.append("in a cycle") }
        if !findings.isEmpty { facts.append("\(findings.count) \(findings.count == 1 ? "finding" : "findings")") }
        out += "<p class=\"meta\">\(escapeXML(facts.joined(separator: "; ")))</p>"
        if let drawn { out += "<div class=\"diagram\">\(drawn.svg(title: "FKs of \(table.display)"))</div>" }
        if !keys.isEmpty {
            out += "<table class=\"fks\"><thead><tr><th>status</th><th>constraint</th><th>columns</th><th>references</th></tr></thead><tbody>"
            for fk in keys {
                var name = escapeXML(fk.name) + (fk.declared ? " (declared)" : "")
                if let on = fk.declaredOn, on != fk.table { name += " (on \(escapeXML(on.display)))" }
                if !fk.validated { name += " (NOT VALID)" }
                out += "<tr class=\"st-\(fk.status.rawValue)\"><td>\(fk.status.rawValue)</td><td>\(name)</td>"
                    + "<td>\(escapeXML(fk.columns.joined(separator: ", ")))</td><td><a href=\"#\(ids[fk.referencedTable] ?? "")\">"
                    + "\(escapeXML(fk.referencedTable.display))</a> (\(escapeXML(fk.referencedColumns.joined(separator: ", "))))</td></tr>"
            }
            out += "</tbody></table>"
            for why in groups {
                let constraints = escapeXML(why.constraints.joined(separator: ", "))
                let items: String = why.reasons.map { "<li>\(escapeXML($0))</li>" }.joined()
                out += "<div class=\"why\"><b>\(escapeXML(why.parent.display))</b> (\(constraints), \(why.status.rawValue)):<ul>\(items)</ul></div>"
            }
        }
        if !findings.isEmpty {
            // A link that filters the one finding list, rather than a second copy of it.
            let kinds = Dictionary(grouping: findings, by: \.kind).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
            out += "<p class=\"tf\"><a href=\"#table=\(escapeXML(percentEncoded(table.description)))\">"
                + "\(findings.count) \(findings.count == 1 ? "finding" : "findings")</a>: \(escapeXML(kinds))</p>"
        }
        return out + "</section>\n"
    }

    /// The table in the middle, its parents to the right and its children to the left;
    /// uncovered edges red, cycle edges orange.
    func diagram(for table: TableName, keys: [ForeignKeyResult], children: [ForeignKeyResult], ids: [TableName: String],
                 cycles: [TableName: Int]) -> FKDiagram {
        func node(_ name: TableName, layer: Int) -> FKDiagram.Node {
            FKDiagram.Node(id: name.description, label: name.display, layer: layer, root: name == table, inCycle: cycles[name] != nil,
                           note: partitionCounts[name].map { "partitioned (\($0))" }, link: ids[name].map { "#\($0)" })
        }
        func edge(_ fk: ForeignKeyResult) -> FKDiagram.Edge {
            FKDiagram.Edge(from: fk.table.description, to: fk.referencedTable.description,
                           title: "\(fk.name) (\(fk.status.rawValue)): \(fk.table.display) (\(fk.columns.joined(separator: ", "))) → \(fk.referencedTable.display)",
                           uncovered: fk.status == .uncovered,
                           inCycle: cycles[fk.table] != nil && cycles[fk.table] == cycles[fk.referencedTable], declared: fk.declared)
        }
        var nodes = [node(table, layer: 0)]
        var edges: [FKDiagram.Edge] = []
        func side(_ fks: [ForeignKeyResult], layer: Int, other: (ForeignKeyResult) -> TableName) {
            let names = Array(Set(fks.map(other)).subtracting([table])).sorted()
            let shown = Set(names.prefix(Self.diagramLimit))
            nodes += names.prefix(Self.diagramLimit).map { node($0, layer: layer) }
            edges += fks.filter { other($0) == table || shown.contains(other($0)) }.map(edge)
            if names.count > Self.diagramLimit {
                let more = "\(table.description) \(layer > 0 ? "parents" : "children")"
                nodes.append(FKDiagram.Node(id: more, label: "+\(names.count - Self.diagramLimit) more", layer: layer, more: true))
            }
        }
        side(keys, layer: 1, other: \.referencedTable)
        side(children.filter { $0.table != table }, layer: -1, other: \.table)
        return FKDiagram(nodes: nodes, edges: edges)
    }
}

/// A fragment parameter's value: letters, digits and `-._~` as they are, the rest %XX.
func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(UnicodeScalar(byte)))
        default:
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return out
}
