import PostgresClient

/// An operator named with its schema, written `OPERATOR(schema.op)`, so it means the
/// same whatever `search_path` is and whatever lookalikes other schemas hold.
public struct SQLOperator: Sendable, Equatable, Hashable, SQLFragment {
    /// The schema the operator lives in, unquoted (`pg_catalog` for built-ins).
    public var schema: String
    /// The operator's symbol, e.g. `=`; only operator characters, checked on creation.
    public var name: String

    /// `pg_catalog.=`: for comparisons that are not an FK's (two values of one column).
    public static let builtinEquality = SQLOperator(unchecked: "pg_catalog", "=")

    private init(unchecked schema: String, _ name: String) {
        self.schema = schema
        self.name = name
    }

    /// Nil when `name` is not an operator name: those consist of `+ - * / < > = ~ ! @ # % ^ & | \` ?`
    /// only, which is also why the name may stand in SQL text unquoted.
    public init?(schema: String, name: String) {
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ "+-*/<>=~!@#%^&|`?".contains($0) }) else { return nil }
        self.schema = schema
        self.name = name
    }

    /// `OPERATOR("schema".op)`, usable wherever a bare operator is.
    public var sqlFragment: SQL {
        // Safe: the name was checked to hold operator characters only.
        "OPERATOR(\(ident: schema).\(unsafeRaw: name))"
    }

    /// `schema.op` for people.
    public var display: String { "\(schema).\(name)" }
}
