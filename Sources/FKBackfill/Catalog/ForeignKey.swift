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
        /// Fail if referencing rows remain, checked at the end of the statement (or at COMMIT when deferred).
        case noAction = "NO ACTION"
        /// Fail at once if referencing rows exist, even when the constraint is deferred.
        case restrict = "RESTRICT"
        /// Delete the referencing rows, or change their keys along.
        case cascade = "CASCADE"
        /// Set the referencing columns to NULL.
        case setNull = "SET NULL"
        /// Set the referencing columns to their defaults.
        case setDefault = "SET DEFAULT"
    }

    /// The unique key on the referenced table that the FK points at.
    public struct ReferencedKey: Sendable, Equatable, Codable {
        /// What kind of unique key it is (JSON `referencedKey.kind`).
        public enum Kind: String, Sendable, Codable {
            /// The referenced table's primary key.
            case primaryKey
            /// A `UNIQUE` constraint.
            case uniqueConstraint
            /// A unique index that no constraint owns (`CREATE UNIQUE INDEX`).
            case uniqueIndex
        }

        /// A primary key, a unique constraint, or a unique index with no constraint behind it.
        public var kind: Kind
        /// Constraint name, or index name for a bare unique index.
        public var name: String

        /// A referenced key of `kind`, named by its constraint (or index, for `uniqueIndex`).
        public init(kind: Kind, name: String) {
            self.kind = kind
            self.name = name
        }
    }

    /// The constraint name (for a declared relation, the name the rules file gives it).
    public var name: String
    /// The table whose rows carry the key: the graph node this FK leaves from.
    public var table: TableName
    /// Referencing columns in key order (the order of `conkey`, not of the table).
    public var columns: [String]
    /// The table whose unique key the FK points at: the parent a backfill fills.
    public var referencedTable: TableName
    /// Referenced columns, paired by position with `columns`.
    public var referencedColumns: [String]
    /// Whether keys with NULL columns are checked (`MATCH SIMPLE`, the default, or `FULL`).
    public var match: Match
    /// `DEFERRABLE`: the check may wait until COMMIT, which lets a load break a cycle here.
    public var deferrable: Bool
    /// `INITIALLY DEFERRED`: checked at COMMIT unless a transaction sets it `IMMEDIATE`.
    public var initiallyDeferred: Bool
    /// False for a constraint added `NOT VALID` and not validated since.
    public var validated: Bool
    /// What deleting a referenced row does to referencing rows.
    public var onDelete: Action
    /// What changing a referenced key does to referencing rows.
    public var onUpdate: Action
    /// The table or partition that holds the declaration: differs from `table` for
    /// an FK declared only on a partition, or inherited from a partitioned parent.
    public var declaredOn: TableName
    /// The primary key, unique constraint or unique index the FK relies on.
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
    /// The referenced table is partitioned: PostgreSQL's check reads it whole, where it
    /// reads any other table `ONLY` (inheritance children do not count).
    public var referencedPartitioned = false

    /// An FK with PostgreSQL's defaults for what is not given (MATCH SIMPLE, NO ACTION, validated).
    /// Without `equality`, every column compares with `pg_catalog.=`; `childEquality` defaults to `equality`,
    /// and `declaredOn` to `table`.
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
