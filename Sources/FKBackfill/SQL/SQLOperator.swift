import PostgresClient

/// A type named with its schema (`"pg_catalog"."text"`), as `ri_triggers.c` writes the
/// casts of its comparisons: no typmod, so a cast to it only relabels or converts.
public struct SQLTypeName: Sendable, Equatable, Hashable, SQLFragment {
    /// The schema the type lives in, unquoted.
    public var schema: String
    /// `pg_type.typname`, unquoted (`varchar`, `_int4`, `citext`).
    public var name: String

    /// A type as `pg_type` names it.
    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `"schema"."name"`.
    public var sqlFragment: SQL { "\(ident: schema).\(ident: name)" }
}

/// An operator named with its schema, written `OPERATOR(schema.op)`, so it means the
/// same whatever `search_path` is and whatever lookalikes other schemas hold.
///
/// Naming the schema is not enough on its own: a schema can hold several operators of
/// one name, and PostgreSQL picks among them by the operands' types, an exact match
/// first. A role that may create in that schema could add `=(citext, my_domain)` and
/// have it chosen over citext's own `=(citext, citext)`. So, like `ri_triggers.c`
/// (`ri_GenerateQual`), every comparison casts each operand to the operator's declared
/// input type (`compare`): then the operator meant is the only exact match.
public struct SQLOperator: Sendable, Equatable, Hashable, SQLFragment {
    /// The schema the operator lives in, unquoted (`pg_catalog` for built-ins).
    public var schema: String
    /// The operator's symbol, e.g. `=`; only operator characters, checked on creation.
    public var name: String
    /// The declared input types (`oprleft`, `oprright`), when read from the catalog.
    public var leftType: SQLTypeName?
    public var rightType: SQLTypeName?
    /// The collation a comparison is made under, named on its right operand: an FK's
    /// referenced column's where the referencing column's differs, as `ri_triggers.c` adds
    /// it (`ri_GenerateQualCollation`). Two columns of different collations, "C" and
    /// "en-x-icu", compared as they are have none, and PostgreSQL refuses to compare or
    /// hash them (hostile review 22: every load of such an FK failed with SQLSTATE 42P22,
    /// PostgreSQL's own check takes it). Nil: the operands' own.
    public var collation: SQLTypeName?

    /// `pg_catalog.=` with no declared types: for comparisons of two values of one
    /// built-in column type, where PostgreSQL picks its own operator.
    public static let builtinEquality = SQLOperator(unchecked: "pg_catalog", "=")

    private init(unchecked schema: String, _ name: String) {
        self.schema = schema
        self.name = name
    }

    /// Nil when `name` is not an operator name: those consist of `+ - * / < > = ~ ! @ # % ^ & | \` ?`
    /// only, which is also why the name may stand in SQL text unquoted.
    public init?(schema: String, name: String, leftType: SQLTypeName? = nil, rightType: SQLTypeName? = nil) {
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ "+-*/<>=~!@#%^&|`?".contains($0) }) else { return nil }
        self.schema = schema
        self.name = name
        self.leftType = leftType
        self.rightType = rightType
    }

    /// `OPERATOR("schema".op)`, usable wherever a bare operator is.
    public var sqlFragment: SQL {
        // Safe: the name was checked to hold operator characters only.
        "OPERATOR(\(ident: schema).\(unsafeRaw: name))"
    }

    /// `CAST(left AS lefttype) OPERATOR(schema.op) CAST(right AS righttype)`: the
    /// comparison as `ri_GenerateQual` writes it, immune to lookalikes (see the type's
    /// doc). Without declared types, the operands stand as they are.
    public func compare(_ left: SQL, _ right: SQL) -> SQL {
        guard let collation else { return "\(Self.cast(left, to: leftType)) \(self) \(Self.cast(right, to: rightType))" }
        return "\(Self.cast(left, to: leftType)) \(self) \(Self.cast(right, to: rightType)) COLLATE \(collation)"
    }

    /// Both values NULL, or equal by this operator: `IS NOT DISTINCT FROM` with the
    /// type's own equality instead of whatever `=` the path finds.
    public func notDistinct(_ left: SQL, _ right: SQL) -> SQL {
        "((\(left) IS NULL AND \(right) IS NULL) OR (\(compare(left, right))) IS TRUE)"
    }

    static func cast(_ value: SQL, to type: SQLTypeName?) -> SQL {
        guard let type else { return value }
        // A polymorphic input type (anyarray for array_eq, anyenum, anyrange…) is no type a
        // value can be cast to: the operator, qualified, takes the value as it is, and only
        // operators of its own schema compete.
        if type.schema == "pg_catalog" && type.name.hasPrefix("any") { return value }
        return "CAST(\(value) AS \(type))"
    }

    /// `schema.op` for people.
    public var display: String { "\(schema).\(name)" }
}
