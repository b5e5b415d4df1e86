/// Everything the tool knows about a target table's parent graph: the tables reached
/// through foreign keys (transitively) and the keys themselves.
public struct Catalog: Sendable {
    public var root: TableName
    public var tables: [TableName: Table]
    /// Every FK of every table in the graph, ordered by table, then name.
    public let foreignKeys: [ForeignKey]
    /// FKs by referencing and by referenced table: the planner and the audit ask for
    /// these once per table, which must not cost a scan of every FK on big schemas.
    private let byTable: [TableName: [ForeignKey]]
    private let byReferencedTable: [TableName: [ForeignKey]]

    public init(root: TableName, tables: [TableName: Table], foreignKeys: [ForeignKey]) {
        self.root = root
        self.tables = tables
        self.foreignKeys = foreignKeys.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
        byTable = Dictionary(grouping: self.foreignKeys, by: \.table)
        byReferencedTable = Dictionary(grouping: self.foreignKeys, by: \.referencedTable)
    }

    /// FKs pointing at `table`, ordered by referencing table, then name.
    public func foreignKeys(referencing table: TableName) -> [ForeignKey] {
        byReferencedTable[table] ?? []
    }

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
