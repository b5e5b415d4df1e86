/// Tables as nodes, foreign keys as edges from the referencing table to the referenced
/// one, and what a loader needs from that: the order to fill parents in, each
/// table's depth, and the cycles with where they can be broken.
public struct DependencyGraph: Sendable {
    /// One FK as an edge: `from` holds the key, `to` is referenced.
    public struct Edge: Sendable, Equatable, Hashable {
        /// The referencing table (it holds the FK columns).
        public var from: TableName
        /// The referenced table, which must be filled before `from` unless the edge is broken.
        public var to: TableName
        /// The FK's constraint name (or its `relations:` name when declared).
        public var constraint: String
        /// Why a loader can insert `from` rows before their `to` rows exist, if it can.
        public var breakableBy: BreakMethod?
        /// Declared in the rules file, not in the database.
        public var declared = false

        /// Whether a loader can insert `from` rows before their `to` rows exist.
        public var breakable: Bool { breakableBy != nil }
        /// A table referencing itself.
        public var isSelfLoop: Bool { from == to }
    }

    /// How an edge can be broken while loading a cycle.
    public enum BreakMethod: String, Sendable, Codable {
        /// The constraint is DEFERRABLE: check it at COMMIT instead.
        case deferrable
        /// The FK columns may be NULL: insert with NULL, set the key afterwards.
        case nullable
    }

    /// A strongly connected set of tables: every table in it reaches every other one.
    public struct Cycle: Sendable, Equatable {
        /// Tables in load order within the cycle (after breaking `breakAt`).
        public var tables: [TableName]
        /// A single table that references itself.
        public var isSelfReference: Bool
        /// Whether removing `breakable` edges makes the cycle loadable.
        public var breakable: Bool
        /// A minimal set of edges to break: none of them can be kept without a cycle.
        public var breakAt: [Edge]
    }

    /// The target table: the catalog's root, at depth 0.
    public let root: TableName
    /// One edge per FK, sorted by `from`, then `to`, then constraint name.
    public let edges: [Edge]
    /// Every table, parents before the tables that reference them.
    public let order: [TableName]
    /// Longest FK path from the root: 0 for the root, 1 for its direct parents, ….
    /// Tables of one cycle share a depth.
    public let depth: [TableName: Int]
    /// Every cycle (a self-reference included), in load order.
    public let cycles: [Cycle]

    /// Analyses the catalog's FK graph: load order, depths, cycles and where to break them.
    public init(catalog: Catalog) {
        root = catalog.root
        edges = catalog.foreignKeys.map { fk in
            Edge(from: fk.table, to: fk.referencedTable, constraint: fk.name,
                 breakableBy: Self.breakMethod(fk, in: catalog), declared: fk.declared)
        }.sorted { ($0.from, $0.to, $0.constraint) < ($1.from, $1.to, $1.constraint) }
        let nodes = Set(catalog.tables.keys).union(edges.flatMap { [$0.from, $0.to] }).union([catalog.root])
        let analysis = GraphAnalysis(nodes: nodes, edges: edges)
        order = analysis.order
        depth = analysis.depth
        cycles = analysis.cycles
    }

    /// Tables in load order with their depth.
    public var tables: [(name: TableName, depth: Int)] {
        order.map { ($0, depth[$0] ?? 0) }
    }

    /// An edge can be broken when the constraint can wait until COMMIT, or when the
    /// referencing row can go in with a key PostgreSQL does not check: under MATCH
    /// SIMPLE one nullable column suffices, under MATCH FULL all must be nullable.
    static func breakMethod(_ fk: ForeignKey, in catalog: Catalog) -> BreakMethod? {
        if fk.deferrable { return .deferrable }
        let table = catalog.table(fk.table)
        // A NOT NULL domain refuses the NULL as a NOT NULL column does (hostile review 11).
        let nullable = fk.columns.map { table?.column($0).map { !$0.refusesNull } ?? false }
        switch fk.match {
        case .simple, .partial: return nullable.contains(true) ? .nullable : nil
        case .full: return nullable.allSatisfy { $0 } ? .nullable : nil
        }
    }
}
