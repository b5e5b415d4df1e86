import FKBackfill
import Testing

/// The graph algorithms on catalogs built in memory: no database needed.
@Suite struct GraphTests {
    static func name(_ n: String) -> TableName { TableName(schema: "s", name: n) }

    /// Tables with an `id` primary key and one column per FK, nullable unless listed in `notNull`.
    static func catalog(
        root: String, _ keys: [(from: String, to: String, constraint: String)],
        notNull: Set<String> = [], deferrable: Set<String> = [], matchFull: Set<String> = [],
        extraColumns: [String: [String]] = [:]
    ) -> Catalog {
        var tables: [TableName: Table] = [:]
        var names = Set([root])
        for key in keys { names.formUnion([key.from, key.to]) }
        let keysByTable = Dictionary(grouping: keys, by: \.from)
        for table in names {
            var columns = [Column(name: "id", type: "integer", notNull: true)]
            for key in keysByTable[table] ?? [] {
                columns.append(Column(name: key.constraint + "_id", type: "integer", notNull: notNull.contains(key.constraint)))
            }
            for extra in extraColumns[table] ?? [] { columns.append(Column(name: extra, type: "integer", notNull: false)) }
            tables[name(table)] = Table(name: name(table), oid: 0, kind: .ordinary, columns: columns)
        }
        let fks = keys.map { key in
            ForeignKey(
                name: key.constraint, table: name(key.from), columns: [key.constraint + "_id"],
                referencedTable: name(key.to), referencedColumns: ["id"],
                match: matchFull.contains(key.constraint) ? .full : .simple,
                deferrable: deferrable.contains(key.constraint))
        }
        return Catalog(root: name(root), tables: tables, foreignKeys: fks)
    }

    @Test func parentsComeFirstWithNameTieBreaksAndLongestPathDepth() {
        // fact → plan, fact → portfolio → plan, fact → org; plan → company
        let graph = DependencyGraph(catalog: Self.catalog(root: "fact", [
            ("fact", "plan", "f1"), ("fact", "portfolio", "f2"), ("portfolio", "plan", "p1"),
            ("fact", "org", "f3"), ("plan", "company", "pl1"),
        ], notNull: ["f1", "f2", "f3", "p1", "pl1"]))
        #expect(graph.order.map(\.name) == ["company", "org", "plan", "portfolio", "fact"])
        #expect(graph.depth[Self.name("fact")] == 0)
        #expect(graph.depth[Self.name("portfolio")] == 1)
        #expect(graph.depth[Self.name("plan")] == 2)  // longest path: fact → portfolio → plan
        #expect(graph.depth[Self.name("company")] == 3)
        #expect(graph.depth[Self.name("org")] == 1)
        #expect(graph.cycles.isEmpty)
        #expect(graph.edges.allSatisfy { !$0.breakable })
    }

    @Test func orderIsTheSameWhateverTheInputOrder() {
        let keys: [(from: String, to: String, constraint: String)] = [
            ("a", "b", "ab"), ("a", "c", "ac"), ("b", "d", "bd"), ("c", "d", "cd"), ("a", "e", "ae"),
        ]
        let first = DependencyGraph(catalog: Self.catalog(root: "a", keys))
        for _ in 0..<5 {
            let shuffled = DependencyGraph(catalog: Self.catalog(root: "a", keys.shuffled()))
            #expect(shuffled.order == first.order)
            #expect(shuffled.edges == first.edges)
        }
        #expect(first.order.map(\.name) == ["d", "b", "c", "e", "a"])
    }

    @Test func nullableTwoTableCycleBreaksAtOneEdge() {
        // department.manager → employee (nullable), employee.department → department (NOT NULL)
        let graph = DependencyGraph(catalog: Self.catalog(root: "employee", [
            ("employee", "department", "emp_dept"), ("department", "employee", "dept_manager"),
        ], notNull: ["emp_dept"]))
        #expect(graph.cycles.count == 1)
        let cycle = graph.cycles[0]
        #expect(!cycle.isSelfReference)
        #expect(cycle.breakable)
        #expect(cycle.breakAt.map(\.constraint) == ["dept_manager"])
        // With dept_manager broken, departments go in first.
        #expect(cycle.tables.map(\.name) == ["department", "employee"])
        #expect(graph.order.map(\.name) == ["department", "employee"])
        #expect(graph.depth[Self.name("department")] == 0)
    }

    @Test func cycleWithNoNullableOrDeferrableEdgeCannotBeBroken() {
        let graph = DependencyGraph(catalog: Self.catalog(root: "a", [
            ("a", "b", "ab"), ("b", "c", "bc"), ("c", "a", "ca"),
        ], notNull: ["ab", "bc", "ca"]))
        #expect(graph.cycles.count == 1)
        #expect(!graph.cycles[0].breakable)
        #expect(graph.cycles[0].breakAt.isEmpty)
        #expect(graph.cycles[0].tables.map(\.name) == ["a", "b", "c"])
        #expect(graph.order.count == 3)
    }

    @Test func deferrableEdgeBreaksACycleOfNotNullColumns() {
        let graph = DependencyGraph(catalog: Self.catalog(root: "a", [
            ("a", "b", "ab"), ("b", "a", "ba"),
        ], notNull: ["ab", "ba"], deferrable: ["ba"]))
        #expect(graph.cycles[0].breakable)
        #expect(graph.cycles[0].breakAt.map(\.constraint) == ["ba"])
        #expect(graph.cycles[0].breakAt.first?.breakableBy == .deferrable)
    }

    @Test func breakSetIsMinimal() {
        // a ⇄ b and b ⇄ c; every edge nullable. Two edges must go, not four.
        let graph = DependencyGraph(catalog: Self.catalog(root: "a", [
            ("a", "b", "ab"), ("b", "a", "ba"), ("b", "c", "bc"), ("c", "b", "cb"),
        ]))
        let cycle = graph.cycles[0]
        #expect(cycle.tables.count == 3)
        #expect(cycle.breakAt.count == 2)
        // Keeping any broken edge would close a cycle again.
        let kept = graph.edges.filter { edge in !cycle.breakAt.contains(edge) }
        #expect(kept.count == 2)
        let keptPairs = Set(kept.map { [$0.from.name, $0.to.name].sorted() })
        #expect(keptPairs.count == 2)
    }

    @Test func selfLoopIsReportedAsSuchAndOtherTablesKeepTheirOrder() {
        let graph = DependencyGraph(catalog: Self.catalog(root: "node", [
            ("node", "node", "parent"), ("node", "kind", "node_kind"),
        ], notNull: ["node_kind"]))
        #expect(graph.cycles.count == 1)
        #expect(graph.cycles[0].isSelfReference)
        #expect(graph.cycles[0].breakAt.map(\.constraint) == ["parent"])
        #expect(graph.order.map(\.name) == ["kind", "node"])
    }

    @Test func matchFullEdgeIsBreakableOnlyWhenEveryColumnIsNullable() {
        let child = Self.name("child"), parent = Self.name("parent")
        func graph(nullable: [Bool], match: ForeignKey.Match) -> DependencyGraph {
            let columns = nullable.enumerated().map { Column(name: "k\($0)", type: "int", notNull: !$1) }
            let catalog = Catalog(
                root: child,
                tables: [child: Table(name: child, oid: 0, kind: .ordinary, columns: columns),
                         parent: Table(name: parent, oid: 0, kind: .ordinary, columns: columns)],
                foreignKeys: [ForeignKey(name: "fk", table: child, columns: columns.map(\.name), referencedTable: parent,
                                         referencedColumns: columns.map(\.name), match: match)])
            return DependencyGraph(catalog: catalog)
        }
        #expect(graph(nullable: [true, false], match: .simple).edges[0].breakable)
        #expect(!graph(nullable: [true, false], match: .full).edges[0].breakable)
        #expect(graph(nullable: [true, true], match: .full).edges[0].breakable)
        #expect(!graph(nullable: [false, false], match: .simple).edges[0].breakable)
    }

    @Test func deepChainNeedsNoRecursion() {
        let count = 20_000
        let keys = (0..<count).map { (from: "t\($0)", to: "t\($0 + 1)", constraint: "k\($0)") }
        let graph = DependencyGraph(catalog: Self.catalog(root: "t0", keys, notNull: Set(keys.map(\.constraint))))
        #expect(graph.order.count == count + 1)
        #expect(graph.order.first?.name == "t\(count)")
        #expect(graph.depth[Self.name("t\(count)")] == count)
    }
}
