/// Everything the tool knows about a target table's parent graph: the tables reached
/// through foreign keys (transitively) and the keys themselves.
public struct Catalog: Sendable {
    /// The table the graph was read for (for a multi-table read, the first one).
    public var root: TableName
    /// The graph's tables by name: the root, every FK's referencing and referenced table, but not partitions that only hold a declaration.
    public var tables: [TableName: Table]
    /// Every FK of every table in the graph, ordered by table, then name.
    public let foreignKeys: [ForeignKey]
    /// FKs by referencing and by referenced table: the planner and the audit ask for
    /// these once per table, which must not cost a scan of every FK on big schemas.
    private let byTable: [TableName: [ForeignKey]]
    private let byReferencedTable: [TableName: [ForeignKey]]

    /// Builds a catalog; `foreignKeys` are sorted by table, then name, whatever order they come in.
    public init(root: TableName, tables: [TableName: Table], foreignKeys: [ForeignKey]) {
        self.root = root
        self.tables = tables
        self.foreignKeys = foreignKeys.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
        byTable = Dictionary(grouping: self.foreignKeys, by: \.table)
        byReferencedTable = Dictionary(grouping: self.foreignKeys, by: \.referencedTable)
    }

    /// A catalog from FKs already sorted by table, then name (as `foreignKeys(of:)` of
    /// tables taken in name order gives them): the audit builds one per audited table.
    init(root: TableName, tables: [TableName: Table], sortedForeignKeys: [ForeignKey]) {
        self.root = root
        self.tables = tables
        foreignKeys = sortedForeignKeys
        byTable = Dictionary(grouping: sortedForeignKeys, by: \.table)
        byReferencedTable = Dictionary(grouping: sortedForeignKeys, by: \.referencedTable)
    }

    /// FKs pointing at `table`, ordered by referencing table, then name.
    public func foreignKeys(referencing table: TableName) -> [ForeignKey] {
        byReferencedTable[table] ?? []
    }

    /// The table of that name, or nil when it is not part of the graph.
    public func table(_ name: TableName) -> Table? { tables[name] }

    /// The part of this catalog reachable from `table` through FKs, with `table` as root
    /// (for auditing each table of a schema on its own).
    public func subgraph(from table: TableName) -> Catalog {
        var reached: Set<TableName> = [table]
        var pending = [table]
        while let next = pending.popLast() {
            for fk in byTable[next] ?? [] where reached.insert(fk.referencedTable).inserted {
                pending.append(fk.referencedTable)
            }
        }
        return Catalog(
            root: table, tables: tables.filter { reached.contains($0.key) },
            foreignKeys: foreignKeys.filter { reached.contains($0.table) })
    }

    /// FKs leaving `table` (the ones its rows must satisfy).
    public func foreignKeys(of table: TableName) -> [ForeignKey] {
        byTable[table] ?? []
    }
}
