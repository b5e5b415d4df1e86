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

    /// The same tables and keys seen from another target (for auditing each table).
    public func rooted(at table: TableName) -> Catalog {
        var copy = self
        copy.root = table
        return copy
    }

    /// FKs leaving `table` (the ones its rows must satisfy).
    public func foreignKeys(of table: TableName) -> [ForeignKey] {
        foreignKeys.filter { $0.table == table }
    }
}
