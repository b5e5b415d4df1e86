/// A table of the graph, with its columns in table order.
public struct Table: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case ordinary
        case partitioned
        case foreign
        case view
        case other
    }

    public var name: TableName
    public var oid: UInt32
    public var kind: Kind
    /// The partitioned table this one is a partition of, if any.
    public var partitionOf: TableName?
    public var columns: [Column]

    public init(name: TableName, oid: UInt32, kind: Kind, partitionOf: TableName? = nil, columns: [Column]) {
        self.name = name
        self.oid = oid
        self.kind = kind
        self.partitionOf = partitionOf
        self.columns = columns
    }

    public func column(_ name: String) -> Column? {
        columns.first { $0.name == name }
    }
}
