/// Everything the tool knows about a target table's parent graph: the tables reached
/// through foreign keys (transitively) and the keys themselves.
public struct Catalog: Sendable {
    public var root: TableName
    public var tables: [TableName: Table]
    /// Every FK of every table in the graph, ordered by table, then name.
    public var foreignKeys: [ForeignKey]

    public init(root: TableName, tables: [TableName: Table], foreignKeys: [ForeignKey]) {
        self.root = root
        self.tables = tables
        self.foreignKeys = foreignKeys.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
    }

    public func table(_ name: TableName) -> Table? { tables[name] }

    /// The part of this catalog reachable from `table` through FKs, with `table` as root
    /// (for auditing each table of a schema on its own).
    public func subgraph(from table: TableName) -> Catalog {
        let byTable = Dictionary(grouping: foreignKeys, by: \.table)
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
        foreignKeys.filter { $0.table == table }
    }
}
