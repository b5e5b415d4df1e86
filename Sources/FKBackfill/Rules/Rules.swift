/// A place in the rules file, for messages: `rules.yaml:12:7`.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public var description: String { "\(file):\(line):\(column)" }
}

/// The optional per-column rules a user writes when the defaults are not enough.
/// Parsed from YAML by `RulesParser`, checked against the catalog by `RulesValidator`.
public struct Rules: Sendable {
    public var file: String
    public var blank = BlankRule()
    /// Keyed by the table name as written; `RulesValidator` resolves them.
    public var tables: [TableRule] = []
    public var foreignKeys: [ForeignKeyRule] = []
    public var relations: [Relation] = []

    public init(file: String) { self.file = file }

    /// No rules: what a load without `--rules` uses.
    public static let none = Rules(file: "")

    public func table(_ name: TableName) -> TableRule? {
        tables.first { $0.resolved == name }
    }

    public func foreignKey(_ fk: ForeignKey) -> ForeignKeyRule? {
        foreignKeys.first { rule in
            rule.name == fk.name && (rule.resolvedTable == nil || rule.resolvedTable == fk.table)
        }
    }
}

/// Which key values count as blank and what happens to a fact row that has one.
public struct BlankRule: Sendable, Equatable {
    public enum OnBlank: String, Sendable, CaseIterable {
        /// Set the key to NULL if the column allows it (the row loads without that reference).
        case null
        /// Reject the row.
        case reject
        /// Leave it; the FK check decides.
        case keep
    }

    /// Besides `''` and whitespace-only, which are always blank.
    public var markers: [String] = []
    public var onBlank: OnBlank = .keep
    public var location: SourceLocation?
}

/// `tables: <name>:` — how one parent table is backfilled.
public struct TableRule: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case insertMissing = "insert_missing"
        case fillNullOnly = "fill_null_only"
        /// Never backfill; missing keys are rejected rows.
        case skip
        /// Never backfill; a missing key stops the whole load.
        case fail
    }

    public var name: String
    public var location: SourceLocation
    public var resolved: TableName?
    public var mode: Mode?
    public var columns: [ColumnRule] = []
    public var marks: [MarkRule] = []

    public func column(_ name: String) -> ColumnRule? { columns.first { $0.column == name } }
}

/// `columns: <column>:` — where one column of a new (or filled) parent row comes from.
public struct ColumnRule: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case from(column: String, pick: Pick)
        case value(String)
        case template(String)
        case sql(String)
        case databaseDefault
        case null
    }

    public var column: String
    public var location: SourceLocation
    public var source: Source
    /// Merge into an existing JSON array (set union) instead of overwriting.
    public var jsonAppend = false
    /// `optional: true`: when the input lacks a column the rule reads, the rule is
    /// ignored (the column gets what it would without it) instead of being an error, so
    /// one rules file serves inputs with and without that column.
    public var optional = false

    /// The input columns the rule reads: `from` (and its `max_by`/`min_by` column), and
    /// a template's placeholders. What `optional` looks at.
    public var inputColumns: [String] {
        switch source {
        case .from(let column, let pick): [column] + (pick.orderColumn.map { [$0] } ?? [])
        case .template(let template): TemplateParts.parse(template).compactMap(\.column)
        default: []
        }
    }
}

/// How `from:` reduces the staged rows of one key to one value.
public enum Pick: Sendable, Equatable {
    case first
    case last
    case min
    case max
    case mostFrequent
    case maxBy(String)
    case minBy(String)
    case concatDistinct(separator: String, sorted: Bool)
    case countDistinct
    case sum

    public var name: String {
        switch self {
        case .first: "first"
        case .last: "last"
        case .min: "min"
        case .max: "max"
        case .mostFrequent: "most_frequent"
        case .maxBy: "max_by"
        case .minBy: "min_by"
        case .concatDistinct: "concat_distinct"
        case .countDistinct: "count_distinct"
        case .sum: "sum"
        }
    }

    /// The staged column a pick orders by, besides the one it picks.
    var orderColumn: String? {
        switch self {
        case .maxBy(let column), .minBy(let column): column
        default: nil
        }
    }
}

/// `mark: <column>: value` — set only on rows the tool inserted.
public struct MarkRule: Sendable {
    public var column: String
    public var value: String
    public var location: SourceLocation
}

/// `foreign_keys: <constraint or "child_column -> parent">:`.
public struct ForeignKeyRule: Sendable {
    public enum OnMissing: String, Sendable, CaseIterable {
        case backfill
        case reject
        case fail
    }

    public var key: String
    public var location: SourceLocation
    /// The constraint name (for `child -> parent`, the declared relation's name).
    public var name: String
    public var resolvedTable: TableName?
    public var skip = false
    public var onMissing: OnMissing?
}

/// `relations:` — a foreign key the database does not declare.
public struct Relation: Sendable {
    public var fromTable: String
    public var fromColumns: [String]
    public var toTable: String
    public var toColumns: [String]
    public var location: SourceLocation

    /// How outputs and `foreign_keys:` name it: `计划代码 -> mapping.年金计划`.
    public var name: String { fromColumns.joined(separator: ",") + " -> " + toTable }
}
