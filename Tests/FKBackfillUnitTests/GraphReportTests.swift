@testable import FKBackfill
import Foundation
import Testing

/// `fkbackfill graph` in every format, on a graph with a two-table cycle, a
/// self-reference and a declared relation.
@Suite struct GraphReportTests {
    /// fact → emp → dept → emp (manager, nullable), fact → fact (parent), fact → region (declared).
    static var report: GraphReport {
        var s = Schema()
        s.table("dept", col("id", "integer", notNull: true), col("manager_id", "integer"))
        s.table("emp", col("id", "integer", notNull: true), col("dept_id", "integer", notNull: true))
        s.table("region", col("id", "integer", notNull: true))
        s.table("fact", col("id", "integer", notNull: true), col("emp_id", "integer", notNull: true),
                col("parent_id", "integer"), col("region_id", "integer"))
        s.fk("dept_manager", "dept", ["manager_id"], "emp", ["id"])
        s.fk("emp_dept", "emp", ["dept_id"], "dept", ["id"])
        s.fk("fact_emp", "fact", ["emp_id"], "emp", ["id"])
        s.fk("fact_parent", "fact", ["parent_id"], "fact", ["id"])
        s.fk("region_id -> s.region", "fact", ["region_id"], "region", ["id"], declared: true)
        return GraphReport(graph: DependencyGraph(catalog: s.catalog(root: "fact")))
    }

    @Test func textHeadlineAndLoadOrder() {
        let text = Self.report.render(.text)
        #expect(text.hasPrefix("Parent graph of s.fact: 4 tables, 5 foreign keys, 2 cycles\n\nLoad order (parents first):\n"))
        #expect(Alignment.tables(text).first == [
            ["#", "DEPTH", "TABLE"], ["1", "1", "s.dept"], ["2", "1", "s.emp"], ["3", "1", "s.region"], ["4", "0", "s.fact"],
        ])
    }

    @Test func textEdgesWithBreakabilityAndDeclaredMarks() {
        let text = Self.report.render(.text)
        #expect(text.contains("\nEdges (referencing → referenced):\n"))
        #expect(Alignment.tables(text).last == [
            ["FROM", "TO", "CONSTRAINT", "BREAKABLE"],
            ["s.dept", "s.emp", "dept_manager", "yes (nullable)"],
            ["s.emp", "s.dept", "emp_dept", "no"],
            ["s.fact", "s.emp", "fact_emp", "no"],
            ["s.fact", "s.fact", "fact_parent", "yes (nullable)"],
            ["s.fact", "s.region", "region_id -> s.region (declared)", "yes (nullable)"],
        ])
    }

    @Test func textCyclesSayWhereTheyBreak() {
        let text = Self.report.render(.text)
        #expect(text.hasSuffix("""

            Cycles:
            - cycle s.dept, s.emp: break at dept_manager (s.dept → s.emp, nullable)
            - self-reference s.fact: break at fact_parent (s.fact → s.fact, nullable)

            """))
    }

    @Test func textForAnUnbreakableCycleAndForASingleTable() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(
            root: "a", [("a", "b", "ab"), ("b", "a", "ba")], notNull: ["ab", "ba"]))
        let text = GraphReport(graph: graph).render(.text)
        #expect(text.hasPrefix("Parent graph of s.a: 2 tables, 2 foreign keys, 1 cycle\n"))
        #expect(text.hasSuffix("\nCycles:\n- cycle s.a, s.b: cannot be broken (no edge is nullable or deferrable)\n"))
        let single = GraphReport(graph: DependencyGraph(catalog: GraphTests.catalog(root: "solo", []))).render(.text)
        #expect(single == "Parent graph of s.solo: 1 table, 0 foreign keys, no cycles\n\nLoad order (parents first):\n"
            + "#  DEPTH  TABLE\n-  -----  ------\n1  0      s.solo\n")
        let oneKey = GraphReport(graph: DependencyGraph(catalog: GraphTests.catalog(root: "a", [("a", "b", "ab")]))).render(.text)
        #expect(oneKey.hasPrefix("Parent graph of s.a: 2 tables, 1 foreign key, no cycles\n"))
    }

    @Test func markdownAndJUnitFallBackToText() {
        #expect(Self.report.render(.markdown) == Self.report.render(.text))
        #expect(Self.report.render(.junit) == Self.report.render(.text))
    }

    @Test func jsonTablesOrderAndEdges() throws {
        let json = try jsonObject(Self.report.render(.json))
        #expect(json["root"] as? String == "s.fact")
        #expect(json["order"] as? [String] == ["s.dept", "s.emp", "s.region", "s.fact"])
        let tables = try #require(json["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == ["s.dept", "s.emp", "s.region", "s.fact"])
        #expect(tables.map { $0["depth"] as? Int } == [1, 1, 1, 0])
        let edges = try #require(json["edges"] as? [[String: Any]])
        #expect(edges.map { $0["constraint"] as? String }
            == ["dept_manager", "emp_dept", "fact_emp", "fact_parent", "region_id -> s.region"])
        #expect(edges[0]["from"] as? String == "s.dept")
        #expect(edges[0]["to"] as? String == "s.emp")
        #expect(edges.map { $0["breakable"] as? Bool } == [true, false, false, true, true])
        #expect(edges[0]["breakableBy"] as? String == "nullable")
        #expect(edges[1]["breakableBy"] is NSNull)
        #expect(edges.map { $0["declared"] as? Bool } == [false, false, false, false, true])
    }

    @Test func jsonCycles() throws {
        let json = try jsonObject(Self.report.render(.json))
        #expect(json["cycles"] as? [[String]] == [["s.dept", "s.emp"], ["s.fact"]])
        let details = try #require(json["cycleDetails"] as? [[String: Any]])
        #expect(details.map { $0["selfReference"] as? Bool } == [false, true])
        #expect(details.map { $0["breakable"] as? Bool } == [true, true])
        #expect(details[0]["tables"] as? [String] == ["s.dept", "s.emp"])
        let breakAt = try #require(details[0]["breakAt"] as? [[String: Any]])
        #expect(breakAt.map { $0["constraint"] as? String } == ["dept_manager"])
        #expect(breakAt.first?["breakableBy"] as? String == "nullable")
    }

    @Test func dotMarksTheRootBreakableAndDeclaredEdges() {
        let lines = Self.report.render(.dot).split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(4)) == [
            "digraph \"fkbackfill\" {", "  rankdir=BT;", "  node [shape=box, fontname=\"sans-serif\"];",
            "  edge [fontname=\"sans-serif\", fontsize=10];",
        ])
        #expect(lines.contains(#"  "s.dept" [label="s.dept\ndepth 1"];"#))
        #expect(lines.contains(#"  "s.fact" [label="s.fact\ndepth 0", style=bold];"#))
        #expect(lines.contains(#"  "s.emp" -> "s.dept" [label="emp_dept"];"#))
        #expect(lines.contains(#"  "s.dept" -> "s.emp" [label="dept_manager", style=dashed];"#))
        #expect(lines.contains(#"  "s.fact" -> "s.region" [label="region_id -> s.region", style=dashed, color=blue];"#))
        #expect(lines.last == "}")
        #expect(lines.count == 4 + 4 + 5 + 1)
    }

    @Test func dotEscapesQuotesBackslashesAndNewlines() {
        let child = TableName(schema: "s", name: "child \\ table"), parent = TableName(schema: "s", name: "we\"ird")
        let catalog = Catalog(
            root: child,
            tables: [child: Table(name: child, oid: 1, kind: .ordinary, columns: [col("p", notNull: true)]),
                     parent: Table(name: parent, oid: 2, kind: .ordinary, columns: [col("id", notNull: true)])],
            foreignKeys: [ForeignKey(name: "fk \"x\"\nnext", table: child, columns: ["p"], referencedTable: parent, referencedColumns: ["id"])])
        let report = GraphReport(graph: DependencyGraph(catalog: catalog))
        let dot = report.render(.dot)
        #expect(dot.contains(#"  "s.child \\ table" -> "s.we\"ird" [label="fk \"x\"\nnext"];"#))
        let mermaid = report.render(.mermaid)
        #expect(mermaid.contains("  t0[\"s.we#quot;ird (depth 1)\"]\n"))
        #expect(mermaid.contains("  t1 -- \"fk #quot;x#quot;\nnext\" --> t0\n"))
    }

    @Test func mermaidNodesInLoadOrderAndEdgeStyles() {
        #expect(Self.report.render(.mermaid) == """
            flowchart BT
              t0["s.dept (depth 1)"]
              t1["s.emp (depth 1)"]
              t2["s.region (depth 1)"]
              t3["s.fact (depth 0)"]
              t0 -. "dept_manager" .-> t1
              t1 -- "emp_dept" --> t0
              t3 -- "fact_emp" --> t1
              t3 -. "fact_parent" .-> t3
              t3 -. "region_id -> s.region" .-> t2

            """)
    }
}
