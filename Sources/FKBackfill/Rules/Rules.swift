/// A place in the rules file, for messages: `rules.yaml:12:7`.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// A location; rules built in code can use `SourceLocation.code`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// Where rules built in Swift code (not parsed from a file) say they are.
    public static let code = SourceLocation(file: "<code>", line: 1, column: 1)

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// The optional per-column rules a user writes when the defaults are not enough.
/// Parsed from YAML by `RulesParser`, checked against the catalog by `RulesValidator`.
///
/// Build them in code as well as parse them:
///
/// ```swift
/// var rules = Rules(file: "pipeline")
/// rules.blank = BlankRule(markers: ["(空白)"], onBlank: .null)
/// rules.tables = [TableRule(name: "mapping.产品线", columns: [
///     ColumnRule(column: "产品类别", source: .value("年金")),
///     ColumnRule(column: "产品线", source: .from(column: "产品线名称", pick: .first)),
/// ])]
/// ```
///
/// Either way they go through `RulesValidator` before a load uses them.
public struct Rules: Sendable {
    /// The file they came from, for messages (`FILE:LINE:COL`).
    public var file: String
    /// Which key values count as blank.
    public var blank = BlankRule()
    /// `near_duplicates:`: what happens to a row whose new key looks like another key.
    public var nearDuplicates: NearDuplicates = .warn
    /// Keyed by the table name as written; `RulesValidator` resolves them.
    public var tables: [TableRule] = []
    /// Per-FK settings (`skip`, `on_missing`).
    public var foreignKeys: [ForeignKeyRule] = []
    /// Foreign keys the database does not declare.
    public var relations: [Relation] = []

    /// Empty rules named after `file`; fill in the properties.
    public init(file: String) { self.file = file }

    /// No rules: what a load without `--rules` uses.
    public static let none = Rules(file: "")

    /// The rule for a parent table, once `RulesValidator` has resolved the names.
    public func table(_ name: TableName) -> TableRule? {
        tables.first { $0.resolved == name }
    }

    /// The rule for an FK, by constraint name (and table, once resolved).
    public func foreignKey(_ fk: ForeignKey) -> ForeignKeyRule? {
        foreignKeys.first { rule in
            rule.name == fk.name && (rule.resolvedTable == nil || rule.resolvedTable == fk.table)
        }
    }
}

/// Which key values count as blank and what happens to a fact row that has one.
public struct BlankRule: Sendable, Equatable {
    /// What happens to a fact row whose key is blank.
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
    /// What happens to a row whose key is blank.
    public var onBlank: OnBlank = .keep
    /// Where `blank:` is in the rules file, if it is.
    public var location: SourceLocation?

    /// Blank keys are `''`, white space only, and `markers`; `onBlank` says what happens.
    public init(markers: [String] = [], onBlank: OnBlank = .keep, location: SourceLocation? = nil) {
        self.markers = markers
        self.onBlank = onBlank
        self.location = location
    }
}

/// `tables: <name>:` — how one parent table is backfilled.
public struct TableRule: Sendable {
    /// How a parent table is backfilled.
    public enum Mode: String, Sendable, CaseIterable {
        /// Insert absent keys; never touch existing rows.
        case insertMissing = "insert_missing"
        /// Also fill NULL columns of existing referenced rows; never overwrite a value.
        case fillNullOnly = "fill_null_only"
        /// Never backfill; missing keys are rejected rows.
        case skip
        /// Never backfill; a missing key stops the whole load.
        case fail
    }

    /// The table as written: `schema.table` or a bare name resolved along the search path.
    public var name: String
    /// Where it is in the rules file.
    public var location: SourceLocation
    /// The table it names, filled in by `RulesValidator`.
    public var resolved: TableName?
    /// Nil: the load's mode.
    public var mode: Mode?
    /// Where each listed column of a new parent row comes from.
    public var columns: [ColumnRule] = []
    /// Columns set only on rows the tool inserted.
    public var marks: [MarkRule] = []

    /// A table rule, e.g. `TableRule(name: "mapping.年金计划", mode: .fillNullOnly, columns: […])`.
    public init(
        name: String, location: SourceLocation = .code, mode: Mode? = nil, columns: [ColumnRule] = [], marks: [MarkRule] = []
    ) {
        self.name = name
        self.location = location
        self.mode = mode
        self.columns = columns
        self.marks = marks
    }

    /// The rule for one of the table's columns.
    public func column(_ name: String) -> ColumnRule? { columns.first { $0.column == name } }
}

/// `columns: <column>:` — where one column of a new (or filled) parent row comes from.
public struct ColumnRule: Sendable, Equatable {
    /// Where a column's value comes from.
    public enum Source: Sendable, Equatable {
        /// An aggregate of an input column over the rows that reference the key.
        case from(column: String, pick: Pick)
        /// A constant, cast to the column's type.
        case value(String)
        /// Text with `{column}` placeholders, each the input column's first non-NULL value.
        case template(String)
        /// An aggregate SQL expression over the key's input rows, checked by the server.
        case sql(String)
        /// The column's DEFAULT.
        case databaseDefault
        /// NULL, even where the column has a default.
        case null
    }

    /// The parent's column.
    public var column: String
    /// Where it is in the rules file.
    public var location: SourceLocation
    /// Where its value comes from.
    public var source: Source
    /// Merge into an existing JSON array (set union) instead of overwriting.
    public var jsonAppend = false
    /// `optional: true`: when the input lacks a column the rule reads, the rule is
    /// ignored (the column gets what it would without it) instead of being an error, so
    /// one rules file serves inputs with and without that column.
    public var optional = false
    /// The input columns a `sql:` expression reads, as the server compiled it (set when
    /// the rules are checked against an input, `RulesValidator`): an extra input column
    /// (not the target's) counts as used only when something reads it.
    var sqlReads: [String] = []

    /// A column rule, e.g. `ColumnRule(column: "主拓代码", source: .from(column: "机构代码", pick: .maxBy("期末资产规模")))`.
    public init(
        column: String, location: SourceLocation = .code, source: Source, jsonAppend: Bool = false, optional: Bool = false
    ) {
        self.column = column
        self.location = location
        self.source = source
        self.jsonAppend = jsonAppend
        self.optional = optional
    }

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

/// `mark: <column>: value` — set only on rows the tool inserted.
public struct MarkRule: Sendable {
    /// The parent's column.
    public var column: String
    /// A constant typed by the column (`now`, `today` work for time columns).
    public var value: String
    /// Where it is in the rules file.
    public var location: SourceLocation

    /// A mark, e.g. `MarkRule(column: "_source", value: "auto_derived")`.
    public init(column: String, value: String, location: SourceLocation = .code) {
        self.column = column
        self.value = value
        self.location = location
    }
}

/// A new key that differs from an existing or another new key only by surrounding white
/// space, Unicode normalization (NFC/NFD, full-width forms), letter case or zero-width
/// characters is almost always a typo. `near_duplicates:` says what the load does then.
public enum NearDuplicates: String, Sendable, CaseIterable {
    /// Load it (the backfill creates the new key) and list it in the report.
    case warn
    /// Set its rows aside as rejects (they count against --max-rejects).
    case reject
}
