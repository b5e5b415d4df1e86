/// `foreign_keys: <constraint or "child_column -> parent">:`.
public struct ForeignKeyRule: Sendable {
    /// What an input key the parent lacks does.
    public enum OnMissing: String, Sendable, CaseIterable {
        /// Insert the missing parent rows (the default).
        case backfill
        /// Set aside the input rows whose key the parent lacks.
        case reject
        /// Stop the load on the first missing key.
        case fail
    }

    /// As written: a constraint name or `child_column -> parent`.
    public var key: String
    /// Where it is in the rules file.
    public var location: SourceLocation
    /// The constraint name (for `child -> parent`, the declared relation's name).
    public var name: String
    /// The FK's table, filled in by `RulesValidator`.
    public var resolvedTable: TableName?
    /// Ignore this FK entirely: no backfill through it.
    public var skip = false
    /// What a missing key does; nil is `backfill`.
    public var onMissing: OnMissing?

    /// An FK rule, e.g. `ForeignKeyRule(key: "fk_规模明细_产品线", onMissing: .reject)`.
    public init(key: String, location: SourceLocation = .code, skip: Bool = false, onMissing: OnMissing? = nil) {
        self.key = key
        self.location = location
        name = key
        self.skip = skip
        self.onMissing = onMissing
    }
}

/// `relations:` — a foreign key the database does not declare.
public struct Relation: Sendable {
    /// The referencing table, as written.
    public var fromTable: String
    /// Its key columns, in key order.
    public var fromColumns: [String]
    /// The referenced table, as written.
    public var toTable: String
    /// The referenced columns (a primary key or unique constraint), paired by position.
    public var toColumns: [String]
    /// Where it is in the rules file.
    public var location: SourceLocation

    /// A relation, e.g. `Relation(fromTable: "business.规模明细", fromColumns: ["客户名称"], toTable: "mapping.年金客户", toColumns: ["客户名称"])`.
    public init(fromTable: String, fromColumns: [String], toTable: String, toColumns: [String], location: SourceLocation = .code) {
        self.fromTable = fromTable
        self.fromColumns = fromColumns
        self.toTable = toTable
        self.toColumns = toColumns
        self.location = location
    }

    /// How outputs and `foreign_keys:` name it: `计划代码 -> mapping.年金计划`.
    public var name: String { fromColumns.joined(separator: ",") + " -> " + toTable }
}
