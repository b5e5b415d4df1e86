import PostgresClient

/// A schema-qualified table name as the catalog stores it: unquoted, case kept.
public struct TableName: Hashable, Comparable, Sendable, CustomStringConvertible, SQLFragment {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `schema.name`, unquoted: the form used in JSON output.
    public var description: String { "\(schema).\(name)" }

    /// Quoted for SQL the tool builds.
    public var sql: SQL { "\(ident: schema).\(ident: name)" }

    /// Quoted only where needed, the way a person would type it into psql.
    public var display: String { quoteQualified(schema: schema, name: name, style: .whenNeeded) }

    public var sqlFragment: SQL { sql }

    public static func < (lhs: TableName, rhs: TableName) -> Bool {
        (lhs.schema, lhs.name) < (rhs.schema, rhs.name)
    }
}
