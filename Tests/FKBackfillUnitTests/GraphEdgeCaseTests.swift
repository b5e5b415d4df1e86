@testable import FKBackfill
import Testing

/// `DependencyGraph` and `GraphAnalysis` cases GraphTests does not cover: lone and
/// unreachable tables, diamonds, parallel keys, chained cycles, a self-loop inside a
/// larger cycle, and the building blocks (SCC, heap, topological order) on their own.
@Suite struct GraphEdgeCaseTests {
    static func name(_ n: String) -> TableName { Schema.name(n) }

    @Test func aTableWithoutKeys() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "solo", []))
        #expect(graph.order == [Self.name("solo")])
        #expect(graph.depth == [Self.name("solo"): 0])
        #expect(graph.edges.isEmpty && graph.cycles.isEmpty)
        #expect(graph.tables.map(\.depth) == [0])
    }

    @Test func aCatalogTableNoKeyReachesIsStillOrderedAtDepthZero() {
        var s = Schema()
        s.table("fact", col("p"))
        s.table("plan", col("id", notNull: true))
        s.table("zzz", col("id"))
        s.fk("fact_plan", "fact", ["p"], "plan", ["id"])
        let graph = DependencyGraph(catalog: s.catalog(root: "fact"))
        #expect(graph.order.map(\.name) == ["plan", "fact", "zzz"])
        #expect(graph.depth[Self.name("zzz")] == 0)
        #expect(graph.depth[Self.name("plan")] == 1)
    }

    @Test func aDiamondTakesTheLongestPath() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "r", [
            ("r", "a", "ra"), ("r", "b", "rb"), ("a", "c", "ac"), ("b", "c", "bc"), ("r", "c", "rc"),
        ]))
        #expect(graph.order.map(\.name) == ["c", "a", "b", "r"])
        #expect(graph.tables.map { "\($0.name.name)\($0.depth)" } == ["c2", "a1", "b1", "r0"])
    }

    @Test func twoKeysBetweenTheSameTablesAreTwoEdges() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "fact", [
            ("fact", "plan", "f2"), ("fact", "plan", "f1"),
        ], notNull: ["f1"]))
        #expect(graph.edges.map(\.constraint) == ["f1", "f2"])
        #expect(graph.edges.map(\.breakable) == [false, true])
        #expect(graph.order.map(\.name) == ["plan", "fact"])
        #expect(graph.cycles.isEmpty)
    }

    @Test func chainedCyclesEachBreakOnceAndShareADepth() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "r", [
            ("r", "a", "ra"), ("a", "b", "ab"), ("b", "a", "ba"), ("b", "c", "bc"), ("c", "d", "cd"), ("d", "c", "dc"),
        ]))
        #expect(graph.order.map(\.name) == ["d", "c", "b", "a", "r"])
        #expect(graph.cycles.map { $0.tables.map(\.name) } == [["d", "c"], ["b", "a"]])
        #expect(graph.cycles.map { $0.breakAt.map(\.constraint) } == [["dc"], ["ba"]])
        #expect(["r", "a", "b", "c", "d"].map { graph.depth[Self.name($0)] } == [0, 1, 1, 2, 2])
    }

    @Test func aSelfLoopInsideALargerCycleIsAlwaysBroken() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "a", [
            ("a", "a", "aa"), ("a", "b", "ab"), ("b", "a", "ba"),
        ]))
        #expect(graph.cycles.count == 1)
        let cycle = graph.cycles[0]
        #expect(!cycle.isSelfReference)
        #expect(cycle.breakable)
        #expect(cycle.breakAt.map(\.constraint) == ["aa", "ba"])
        #expect(cycle.tables.map(\.name) == ["b", "a"])
    }

    @Test func aNotNullSelfLoopCannotBeBroken() {
        let graph = DependencyGraph(catalog: GraphTests.catalog(root: "node", [("node", "node", "parent")], notNull: ["parent"]))
        #expect(graph.cycles.count == 1)
        #expect(graph.cycles[0].isSelfReference)
        #expect(!graph.cycles[0].breakable)
        #expect(graph.cycles[0].breakAt.isEmpty)
        #expect(graph.order.map(\.name) == ["node"])
    }

    @Test func deferrableWinsOverNullableAndPartialMatchesLikeSimple() {
        let catalog = GraphTests.catalog(root: "a", [("a", "b", "ab")], deferrable: ["ab"])
        #expect(DependencyGraph(catalog: catalog).edges[0].breakableBy == .deferrable)
        let child = Self.name("c"), parent = Self.name("p")
        let table = Table(name: child, oid: 0, kind: .ordinary, columns: [col("x", notNull: true), col("y")])
        let partial = ForeignKey(name: "fk", table: child, columns: ["x", "y"], referencedTable: parent,
                                 referencedColumns: ["x", "y"], match: .partial)
        let withPartial = Catalog(root: child, tables: [child: table], foreignKeys: [partial])
        #expect(DependencyGraph.breakMethod(partial, in: withPartial) == .nullable)
        // A key whose table the catalog lacks has no nullable column to use.
        #expect(DependencyGraph.breakMethod(partial, in: Catalog(root: child, tables: [:], foreignKeys: [partial])) == nil)
    }

    @Test func declaredKeysBecomeDeclaredEdges() {
        var s = Schema()
        s.table("fact", col("p"))
        s.table("plan", col("id", notNull: true))
        s.fk("p -> s.plan", "fact", ["p"], "plan", ["id"], declared: true)
        let edge = DependencyGraph(catalog: s.catalog(root: "fact")).edges[0]
        #expect(edge.declared)
        #expect(edge.constraint == "p -> s.plan")
        #expect(edge.breakableBy == .nullable)
    }

    @Test func catalogLookupsAndSubgraphs() {
        var s = Schema()
        for table in ["fact", "other", "plan", "company"] { s.table(table, col("id"), col("p")) }
        s.fk("plan_company", "plan", ["p"], "company", ["id"])
        s.fk("other_plan", "other", ["p"], "plan", ["id"])
        s.fk("fact_plan_b", "fact", ["p"], "plan", ["id"])
        s.fk("fact_plan_a", "fact", ["id"], "plan", ["id"])
        let catalog = s.catalog(root: "fact")
        #expect(catalog.foreignKeys.map(\.name) == ["fact_plan_a", "fact_plan_b", "other_plan", "plan_company"])
        #expect(catalog.foreignKeys(referencing: Self.name("plan")).map(\.name) == ["fact_plan_a", "fact_plan_b", "other_plan"])
        #expect(catalog.foreignKeys(of: Self.name("fact")).map(\.name) == ["fact_plan_a", "fact_plan_b"])
        #expect(catalog.foreignKeys(of: Self.name("company")).isEmpty)
        let sub = catalog.subgraph(from: Self.name("plan"))
        #expect(sub.root == Self.name("plan"))
        #expect(Set(sub.tables.keys.map(\.name)) == ["plan", "company"])
        #expect(sub.foreignKeys.map(\.name) == ["plan_company"])
    }

    @Test func tarjanEmitsComponentsSinksFirstWithSortedMembers() {
        let components = GraphAnalysis.stronglyConnectedComponents(count: 4, successors: [[1], [0, 2], [], [3]])
        #expect(components == [[2], [0, 1], [3]])
    }

    @Test func theHeapPopsBySmallestKey() {
        var heap = MinHeap(keys: [5, 3, 9, 1, 4])
        for item in [0, 1, 2, 3, 4] { heap.push(item) }
        var popped: [Int] = []
        while let next = heap.pop() { popped.append(next) }
        #expect(popped == [3, 1, 4, 0, 2])
        #expect(heap.pop() == nil)
    }

    @Test func topologicalOrderIsParentsFirstByNameOrNilForACycle() {
        let (a, b, c) = (Self.name("a"), Self.name("b"), Self.name("c"))
        func edge(_ from: TableName, _ to: TableName) -> DependencyGraph.Edge {
            .init(from: from, to: to, constraint: from.name + to.name, breakableBy: nil)
        }
        #expect(GraphAnalysis.topologicalOrder(members: [a, b, c], edges: [edge(a, b)]) == [b, a, c])
        #expect(GraphAnalysis.topologicalOrder(members: [a, b], edges: [edge(a, b), edge(b, a)]) == nil)
        #expect(GraphAnalysis.isAcyclic(members: [a, b, c], edges: [edge(a, b), edge(b, c)]))
        #expect(!GraphAnalysis.isAcyclic(members: [a], edges: [edge(a, a)]))
    }
}
