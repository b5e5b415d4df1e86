/// A table of the graph, with its columns in table order.
public struct Table: Sendable, Equatable {
    /// What sort of relation it is, from `pg_class.relkind`.
    public enum Kind: String, Sendable, Codable {
        /// An ordinary table (`r`).
        case ordinary
        /// A partitioned table (`p`): its rows live in its partitions.
        case partitioned
        /// A foreign table (`f`).
        case foreign
        /// A view or materialized view (`v`, `m`).
        case view
        /// Any other relation kind.
        case other
    }

    /// The schema-qualified name.
    public var name: TableName
    /// The relation's OID in `pg_class`; valid only for the database it was read from.
    public var oid: UInt32
    /// What sort of relation it is; the audit uses it to spot FKs declared on one partition only.
    public var kind: Kind
    /// The partitioned table this one is a partition of, if any.
    public var partitionOf: TableName?
    /// The live columns (dropped ones left out), ordered by `attnum`.
    public var columns: [Column]

    /// A table as the catalog describes it; `columns` must be in table order.
    public init(name: TableName, oid: UInt32, kind: Kind, partitionOf: TableName? = nil, columns: [Column]) {
        self.name = name
        self.oid = oid
        self.kind = kind
        self.partitionOf = partitionOf
        self.columns = columns
    }

    /// The column of exactly that name (case-sensitive, unquoted), or nil.
    public func column(_ name: String) -> Column? {
        columns.first { $0.name == name }
    }
}
