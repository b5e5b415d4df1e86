/// One foreign key as PostgreSQL enforces it, read from `pg_constraint`.
public struct ForeignKey: Sendable, Equatable {
    /// `MATCH` type: decides whether a key with some NULL columns is checked at all.
    public enum Match: String, Sendable, Codable {
        /// A key with any NULL column is not checked.
        case simple = "SIMPLE"
        /// A key must be all NULL (not checked) or all non-NULL (checked).
        case full = "FULL"
        /// Not implemented by PostgreSQL, listed for completeness.
        case partial = "PARTIAL"
    }

    /// `ON DELETE` / `ON UPDATE` action.
    public enum Action: String, Sendable, Codable {
        case noAction = "NO ACTION"
        case restrict = "RESTRICT"
        case cascade = "CASCADE"
        case setNull = "SET NULL"
        case setDefault = "SET DEFAULT"
    }

    /// The unique key on the referenced table that the FK points at.
    public struct ReferencedKey: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Codable {
            case primaryKey
            case uniqueConstraint
            case uniqueIndex
        }

        public var kind: Kind
        /// Constraint name, or index name for a bare unique index.
        public var name: String

        public init(kind: Kind, name: String) {
            self.kind = kind
            self.name = name
        }
    }

    public var name: String
    /// The table whose rows carry the key: the graph node this FK leaves from.
    public var table: TableName
    /// Referencing columns in key order (the order of `conkey`, not of the table).
    public var columns: [String]
    public var referencedTable: TableName
    /// Referenced columns, paired by position with `columns`.
    public var referencedColumns: [String]
    public var match: Match
    public var deferrable: Bool
    public var initiallyDeferred: Bool
    /// False for a constraint added `NOT VALID` and not validated since.
    public var validated: Bool
    public var onDelete: Action
    public var onUpdate: Action
    /// The table or partition that holds the declaration: differs from `table` for
    /// an FK declared only on a partition, or inherited from a partitioned parent.
    public var declaredOn: TableName
    public var referencedKey: ReferencedKey
    /// Declared in the rules file's `relations:`, not in the database. The database does
    /// not enforce it; the tool treats it like any other FK.
    public var declared = false
    /// Per key column, the operator the FK compares a referenced value with a referencing
    /// one (`conpfeqop`): what PostgreSQL's own RI check uses, so collations, cross-type
    /// keys and types from other schemas compare exactly as in the constraint.
    public var equality: [SQLOperator]
    /// Per key column, the operator comparing two referencing values (`conffeqop`).
    public var childEquality: [SQLOperator]

    public init(
        name: String, table: TableName, columns: [String], referencedTable: TableName, referencedColumns: [String],
        match: Match = .simple, deferrable: Bool = false, initiallyDeferred: Bool = false, validated: Bool = true,
        onDelete: Action = .noAction, onUpdate: Action = .noAction, declaredOn: TableName? = nil,
        referencedKey: ReferencedKey = ReferencedKey(kind: .primaryKey, name: ""), declared: Bool = false,
        equality: [SQLOperator]? = nil, childEquality: [SQLOperator]? = nil
    ) {
        self.declared = declared
        self.equality = equality ?? columns.map { _ in .builtinEquality }
        self.childEquality = childEquality ?? self.equality
        self.name = name
        self.table = table
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.match = match
        self.deferrable = deferrable
        self.initiallyDeferred = initiallyDeferred
        self.validated = validated
        self.onDelete = onDelete
        self.onUpdate = onUpdate
        self.declaredOn = declaredOn ?? table
        self.referencedKey = referencedKey
    }

    /// Whether the referencing table is the referenced one.
    public var isSelfReference: Bool { table == referencedTable }
}
