import PostgresClient

/// One column of a table, with what a backfill needs to know to fill it.
public struct Column: Sendable, Equatable {
    /// How the database generates the value, when it does.
    public enum Identity: String, Sendable, Codable {
        case always
        case byDefault = "by default"
    }

    public var name: String
    /// The type with modifiers, as `format_type` prints it: `character varying(10)`, `numeric(18,4)`.
    public var type: String
    public var notNull: Bool
    /// The default expression, as `pg_get_expr` prints it.
    public var defaultExpression: String?
    public var identity: Identity?
    /// The expression of a `GENERATED ALWAYS AS (…) STORED` column.
    public var generatedExpression: String?

    public init(
        name: String, type: String, notNull: Bool, defaultExpression: String? = nil,
        identity: Identity? = nil, generatedExpression: String? = nil
    ) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultExpression = defaultExpression
        self.identity = identity
        self.generatedExpression = generatedExpression
    }

    /// Identity and generated columns are filled by the database, never by the tool.
    public var isDatabaseGenerated: Bool { identity != nil || generatedExpression != nil }
}

extension Column {
    /// The type as SQL. Safe as raw text: it is `format_type`'s output, read from the
    /// catalog under the pinned `search_path`, so a type outside `pg_catalog` comes
    /// schema-qualified and quoted where needed.
    var sqlType: SQL { SQL(unsafeRaw: type) }

    /// The DEFAULT expression as SQL. Safe as raw text: `pg_get_expr` deparsed it from the
    /// server's own stored expression under the pinned path, so every function in it is
    /// schema-qualified unless it is `pg_catalog`'s.
    var defaultSQL: SQL? { defaultExpression.map { SQL(unsafeRaw: $0) } }
}
