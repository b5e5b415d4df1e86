@testable import FKBackfill
import Foundation
import Testing

/// The HTML report and the SVG diagrams as text, without a browser (the browser tests
/// are AuditBrowserTests): self-contained, escaped, every node linked, cycles and
/// uncovered edges marked, reasons once per parent.
@Suite struct AuditHTMLTests {
    static func fk(_ name: String, _ from: String, _ to: String, _ status: AuditReport.Status = .auto, reasons: [String] = [])
        -> AuditReport.ForeignKeyResult
    {
        .init(name: name, table: Schema.name(from), referencedTable: Schema.name(to), columns: ["\(to)_id"],
              referencedColumns: ["id"], declared: false, status: status, reasons: reasons)
    }

    static var report: AuditReport {
        var report = AuditReport(scope: "schema s")
        report.foreignKeys = [
            fk("fact_plan", "fact", "plan", .uncovered, reasons: ["s.plan.name is NOT NULL", "new rows of s.plan need rows in s.org: s.org.x is NOT NULL"]),
            fk("fact_plan2", "fact", "plan", .uncovered, reasons: ["s.plan.name is NOT NULL", "new rows of s.plan need rows in s.org: s.org.x is NOT NULL"]),
            fk("plan_org", "plan", "org", .uncovered, reasons: ["s.org.x is NOT NULL"]),
            fk("org_boss", "org", "<boss>"), fk("boss_org", "<boss>", "org"),
        ]
        report.partitionCounts = [Schema.name("fact"): 3]
        report.findings = [
            .init(kind: "missing-index", severity: .warning, object: "s.fact (plan_id)", message: "no <index> & \"so\"",
                  fix: "CREATE INDEX ON s.fact (plan_id);", snippet: nil, table: Schema.name("fact"), evidence: ["e1"]),
        ]
        report.tables = 4
        return report
    }

    @Test func reasonsAreShownOncePerParentAndChainsPointAtTheOtherParent() {
        let groups = Self.report.reasonGroups(Self.report.foreignKeys.filter { $0.table == Schema.name("fact") })
        #expect(groups.count == 1)
        #expect(groups[0].constraints == ["fact_plan", "fact_plan2"])
        #expect(groups[0].reasons == ["s.plan.name is NOT NULL", "new rows of s.plan need rows in s.org (see the reasons for s.org)"])
        let text = Self.report.render(.text)
        #expect(text.components(separatedBy: "s.org.x is NOT NULL").count == 2, "\(text)")
    }

    @Test func thePageIsSelfContainedAndEscaped() throws {
        let html = Self.report.html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        // No address a browser would fetch: no http(s) in src or href, no src at all.
        #expect(html.range(of: #"(src|href)\s*=\s*"(https?:)?//"#, options: .regularExpression) == nil)
        #expect(!html.contains(" src="))
        #expect(html.contains("no &lt;index&gt; &amp; &quot;so&quot;"))
        #expect(!html.contains("<boss>"))
        #expect(html.contains("id=\"summary\"") && html.contains("id=\"finding-list\"") && html.contains("id=\"f-kind\""))
        #expect(html.contains("partitioned: 3 partitions"))
        // Every href points at a section of the page.
        let ids = Set(html.matches(of: /id="(t\d+)"/).map { String($0.1) })
        let links = Set(html.matches(of: /href="#(t\d+)"/).map { String($0.1) })
        #expect(!links.isEmpty && links.isSubset(of: ids))
        #expect(ids.count == 4)
    }

    @Test func diagramsMarkUncoveredEdgesAndCycles() throws {
        let report = Self.report
        let cycles = report.cycleComponents
        #expect(cycles[Schema.name("org")] != nil && cycles[Schema.name("org")] == cycles[Schema.name("<boss>")])
        #expect(cycles[Schema.name("fact")] == nil)
        let ids = Dictionary(uniqueKeysWithValues: report.htmlTables.enumerated().map { ($1, "t\($0)") })
        let keys = report.foreignKeys
        let plan = report.diagram(for: Schema.name("plan"), keys: keys.filter { $0.table == Schema.name("plan") },
                                  children: keys.filter { $0.referencedTable == Schema.name("plan") }, ids: ids, cycles: cycles)
        #expect(plan.nodes.map(\.layer).sorted() == [-1, 0, 1])
        let svg = plan.svg(title: "plan")
        #expect(svg.contains("class=\"e unc\""))
        #expect(svg.contains("class=\"n cyc\""))
        #expect(svg.contains("partitioned (3)"))
        let org = report.diagram(for: Schema.name("org"), keys: keys.filter { $0.table == Schema.name("org") },
                                 children: keys.filter { $0.referencedTable == Schema.name("org") }, ids: ids, cycles: cycles)
        #expect(org.svg(title: "org").contains("class=\"e cyc\""))
    }

    @Test func aHubShowsItsFirstNeighboursAndCountsTheRest() {
        var report = AuditReport(scope: "schema s")
        report.foreignKeys = (0..<40).map { Self.fk("c\($0)", "child\(100 + $0)", "hub") }
        let ids = Dictionary(uniqueKeysWithValues: report.htmlTables.enumerated().map { ($1, "t\($0)") })
        let diagram = report.diagram(for: Schema.name("hub"), keys: [], children: report.foreignKeys, ids: ids, cycles: [:])
        #expect(diagram.nodes.count == 1 + AuditReport.diagramLimit + 1)
        #expect(diagram.nodes.last?.label == "+\(40 - AuditReport.diagramLimit) more")
    }

    @Test func layersAreColumnsAndRowsFollowTheNeighbours() {
        let diagram = FKDiagram(
            nodes: [.init(id: "a", label: "a", layer: 0, root: true), .init(id: "b", label: "b", layer: 1), .init(id: "c", label: "c", layer: 1),
                    .init(id: "d", label: "d", layer: 2)],
            edges: [.init(from: "a", to: "b", title: "ab"), .init(from: "a", to: "c", title: "ac"), .init(from: "c", to: "d", title: "cd"),
                    .init(from: "d", to: "d", title: "self")])
        let layout = diagram.place()
        let a = layout.boxes["a"]!, b = layout.boxes["b"]!, c = layout.boxes["c"]!, d = layout.boxes["d"]!
        #expect(a.x < b.x && b.x == c.x && c.x < d.x)
        #expect(b.y < c.y)
        #expect(layout.width >= d.x + d.width && layout.height >= c.y + FKDiagram.nodeHeight)
        let svg = diagram.svg(title: "t & u", standalone: true)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("<title>t &amp; u</title>"))
        #expect(svg.contains("<style>") && svg.contains("id=\"fkd-arrow\""))
        #expect(svg.components(separatedBy: "marker-end=").count - 1 == 4)
    }
}
