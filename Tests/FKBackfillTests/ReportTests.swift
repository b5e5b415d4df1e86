import FKBackfill
import Foundation
import Testing
import TestSupport

/// The output formats, on the annuity example read from a real database.
@Suite struct ReportTests {
    func annuity() throws -> (db: TestDatabase, catalog: Catalog, mapping: String, business: String) {
        let db = try TestDatabase()
        let (mapping, business) = try db.loadAnnuityExample()
        return (db, try CatalogReader.read(table: "\(business).规模明细", on: db.connection), mapping, business)
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func fksJSONUsesTheDocumentedNames() throws {
        let (_, catalog, mapping, business) = try annuity()
        let json = try object(ForeignKeysReport(catalog: catalog).render(.json))
        #expect((json["table"] as? [String: String])?["display"] == "\(business).规模明细")
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(keys.count == 5)
        let first = keys[0]
        for field in ["name", "table", "columns", "referencedTable", "referencedColumns", "match", "deferrable",
                      "initiallyDeferred", "validated", "onDelete", "onUpdate", "declaredOn"] {
            #expect(first[field] != nil, "missing \(field)")
        }
        // The target's own keys come first, then its parents'.
        #expect(keys.map { ($0["table"] as? [String: String])?["display"] }.last == "\(mapping).组合计划")
        let plan = try #require(keys.first { $0["name"] as? String == "fk_规模明细_年金计划" })
        #expect(plan["columns"] as? [String] == ["计划代码"])
        #expect((plan["referencedTable"] as? [String: String])?["display"] == "\(mapping).年金计划")
        #expect(plan["referencedColumns"] as? [String] == ["年金计划号"])
        #expect(plan["match"] as? String == "SIMPLE")
        #expect(plan["onDelete"] as? String == "NO ACTION")
        #expect((plan["declaredOn"] as? [String: String])?["display"] == "\(business).规模明细")
        let details = try #require(plan["columnDetails"] as? [[String: Any]])
        #expect(details.first?["type"] as? String == "character varying(20)")
        #expect(details.first?["nullable"] as? Bool == false)
    }

    @Test func graphJSONUsesTheDocumentedNames() throws {
        let (_, catalog, mapping, business) = try annuity()
        let json = try object(GraphReport(graph: DependencyGraph(catalog: catalog)).render(.json))
        #expect(json["root"] as? String == "\(business).规模明细")
        #expect(json["order"] as? [String] == [
            "\(mapping).产品线", "\(mapping).年金计划", "\(mapping).组合计划", "\(mapping).组织架构", "\(business).规模明细",
        ])
        let tables = try #require(json["tables"] as? [[String: Any]])
        #expect(tables.first { $0["name"] as? String == "\(mapping).年金计划" }?["depth"] as? Int == 2)
        let edges = try #require(json["edges"] as? [[String: Any]])
        #expect(edges.count == 5)
        let chain = try #require(edges.first { $0["constraint"] as? String == "fk_组合计划_年金计划" })
        #expect(chain["from"] as? String == "\(mapping).组合计划")
        #expect(chain["to"] as? String == "\(mapping).年金计划")
        #expect(chain["breakable"] as? Bool == false)
        #expect((json["cycles"] as? [[String]])?.isEmpty == true)
    }

    @Test func textOutputAlignsChineseNames() throws {
        let (_, catalog, _, _) = try annuity()
        let text = GraphReport(graph: DependencyGraph(catalog: catalog)).render(.text)
        #expect(text.contains("5 tables, 5 foreign keys, no cycles"))
        #expect(text.contains("Load order (parents first):"))
        // Load order (5 tables) and edges (5 keys), each with its header line.
        #expect(TextAlignment.misalignedCells(text) == [])
        #expect(TextAlignment.rowsChecked(text) == 12)
        let fks = ForeignKeysReport(catalog: catalog).render(.text)
        #expect(fks.contains("5 keys on 2 tables"))
        #expect(fks.contains("fk_组合计划_年金计划"))
        #expect(!fks.split(separator: "\n").contains { $0.hasSuffix(" ") })
        // The summary (5 keys) and the key columns (5 columns), each with its header line.
        #expect(TextAlignment.misalignedCells(fks) == [])
        #expect(TextAlignment.rowsChecked(fks) == 12)
    }

    @Test func dotRendersWithGraphviz() throws {
        let (_, catalog, _, _) = try annuity()
        let dot = GraphReport(graph: DependencyGraph(catalog: catalog)).render(.dot)
        #expect(dot.hasPrefix("digraph"))
        let svg = try run("/usr/bin/env", ["dot", "-Tsvg"], input: dot)
        #expect(svg.status == 0, "dot failed: \(svg.stderr)")
        #expect(svg.stdout.contains("<svg"))
        #expect(svg.stdout.contains("年金计划"))
    }

    @Test func dotAndMermaidEscapeQuotesInNames() throws {
        let db = try TestDatabase()
        try db.run(#"""
            CREATE TABLE "we""ird" (id int PRIMARY KEY);
            CREATE TABLE "child \ table" (id int CONSTRAINT "fk ""x""" REFERENCES "we""ird");
            """#)
        let catalog = try CatalogReader.read(table: #""child \ table""#, on: db.connection)
        let report = GraphReport(graph: DependencyGraph(catalog: catalog))
        let svg = try run("/usr/bin/env", ["dot", "-Tsvg"], input: report.render(.dot))
        #expect(svg.status == 0, "dot failed: \(svg.stderr)")
        let mermaid = report.render(.mermaid)
        #expect(mermaid.hasPrefix("flowchart BT\n"))
        #expect(mermaid.contains("we#quot;ird"))
        #expect(mermaid.contains("-. \"fk #quot;x#quot;\" .->"))
    }
}

/// Checks the text tables of a rendered report by terminal columns, counting East Asian
/// wide characters as two: every cell must start where its column's dashes do.
enum TextAlignment {
    static func width(_ char: Character) -> Int {
        char.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark { return total }
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x20000...0x3FFFD).contains(v)
            return total + (wide ? 2 : 1)
        }
    }

    /// Each table's header and rows with the column starts taken from its rule line.
    static func tables(_ text: String) -> [(starts: [Int], rows: [String])] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var tables: [(starts: [Int], rows: [String])] = []
        for (index, line) in lines.enumerated() where index > 0 && line.hasPrefix("-") && line.allSatisfy({ $0 == "-" || $0 == " " }) {
            let starts = Array(line.enumerated()).filter { $0.element == "-" && ($0.offset == 0 || Array(line)[$0.offset - 1] == " ") }.map(\.offset)
            let rows = [lines[index - 1]] + lines[(index + 1)...].prefix { !$0.isEmpty }
            tables.append((starts, rows))
        }
        return tables
    }

    static func rowsChecked(_ text: String) -> Int { tables(text).reduce(0) { $0 + $1.rows.count } }

    /// `line: column offset` for every cell that does not start at its column's offset
    /// with two spaces before it.
    static func misalignedCells(_ text: String) -> [String] {
        var problems: [String] = []
        for table in tables(text) {
            for row in table.rows {
                var charAt: [Int: Character] = [:]
                var offset = 0
                for char in row { charAt[offset] = char; offset += width(char) }
                for start in table.starts.dropFirst() where offset > start {
                    guard let first = charAt[start], first != " ", charAt[start - 1] == " ", charAt[start - 2] == " " else {
                        problems.append("\(row): column at \(start)")
                        continue
                    }
                }
            }
        }
        return problems
    }
}

/// Runs a program with stdin, returning its exit status and output.
func run(_ path: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) throws
    -> (status: Int32, stdout: String, stderr: String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Both pipes drain at once: a child that fills one (--print-sql on stderr) while the
    // other is read would wait forever.
    let err = Drained()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { err.data = stderr.fileHandleForReading.readDataToEndOfFile() }
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err.data, as: UTF8.self))
}

/// What a background read collected; read only after its group is waited for.
private final class Drained: @unchecked Sendable {
    var data = Data()
}
