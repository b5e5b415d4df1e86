import PostgresClient

/// A schema-qualified table name as the catalog stores it: unquoted, case kept.
public struct TableName: Hashable, Comparable, Sendable, CustomStringConvertible, SQLFragment {
    /// The schema name, unquoted, case kept.
    public var schema: String
    /// The relation name within `schema`, unquoted, case kept.
    public var name: String

    /// A name as stored, not as typed: no quotes, no case folding (use `TableResolver` to parse user input).
    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `schema.name`, unquoted: for logs and messages where the parts cannot mislead
    /// (JSON gives the parts apart, see `encode(to:)`).
    public var description: String { "\(schema).\(name)" }

    /// Quoted for SQL the tool builds.
    public var sql: SQL { "\(ident: schema).\(ident: name)" }

    /// Quoted only where needed, the way a person would type it into psql.
    public var display: String { quoteQualified(schema: schema, name: name, style: .whenNeeded) }

    /// Interpolates as the quoted `"schema"."name"`, the same as `sql`.
    public var sqlFragment: SQL { sql }

    /// Orders by schema, then name, with Swift's string ordering (not the database's collation): stable output.
    public static func < (lhs: TableName, rhs: TableName) -> Bool {
        (lhs.schema, lhs.name) < (rhs.schema, rhs.name)
    }
}

/// A table in every `--format json` document: `{"display", "schema", "name"}`. The
/// parts, unquoted, are what a reader compares; `display` is the name as psql reads it
/// (quoted where needed), so a schema named `Odd "Sch".ema` is not ambiguous in either
/// (docs/json-output.md). The one encoding every report shares: a report's JSON struct
/// holds a `TableName`, never a string made from one.
extension TableName: Encodable {
    enum CodingKeys: String, CodingKey { case display, schema, name }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(display, forKey: .display)
        try container.encode(schema, forKey: .schema)
        try container.encode(name, forKey: .name)
    }
}
