/// The hand-written per-FK backfill configuration fkbackfill replaces (issue #18): one
/// list of FK entries per domain (fact table), each naming its parent, key and the
/// columns to derive. Read by `LegacyConfigParser`, turned into a rules file by
/// `RulesImporter`. Every value keeps its place in the file, so problems and the
/// imported file's comments can point back at it.
struct LegacyConfig: Sendable {
    var file: String
    var schemaVersion: String?
    var domains: [LegacyDomain] = []

    func domain(_ name: String) -> LegacyDomain? { domains.first { $0.name == name } }
}

/// `domains: <name>: foreign_keys: [...]`.
struct LegacyDomain: Sendable {
    var name: String
    var location: SourceLocation
    var entries: [LegacyEntry] = []

    func entry(_ name: String) -> LegacyEntry? { entries.first { $0.name == name } }
}

/// One FK entry: the fact column holding the key, the parent it points at, and how the
/// parent's other columns were derived.
struct LegacyEntry: Sendable {
    enum Mode: String, Sendable, CaseIterable {
        case insertMissing = "insert_missing"
        case fillNullOnly = "fill_null_only"
    }

    var name: String
    var location: SourceLocation
    var sourceColumn: String
    var targetSchema: String
    var targetTable: String
    var targetKey: String
    var mode: Mode?
    var dependsOn: [(name: String, location: SourceLocation)] = []
    var skipBlankValues = false
    var skipBlankLocation: SourceLocation?
    var columns: [LegacyColumn] = []

    var target: TableName { TableName(schema: targetSchema, name: targetTable) }
}

/// `backfill_columns: - {source, target, optional, aggregation}`.
struct LegacyColumn: Sendable {
    var source: String
    var target: String
    var optional = false
    /// Nil: the default, `first`.
    var aggregation: LegacyAggregation?
    var location: SourceLocation
}

/// `aggregation:` — how the group of fact rows of one key gives the column's value.
struct LegacyAggregation: Sendable {
    enum Kind: Sendable, Equatable {
        /// The first non-null value (the default).
        case first
        case maxBy(orderColumn: String)
        case concatDistinct(separator: String, sort: Bool)
        case countDistinct
        /// Text with `{column}` placeholders; `fields` as the config listed them.
        case template(String, fields: [String]?)
        /// A Python lambda over the group.
        case lambda(code: String)
        /// A Python lambda returning a list, appended to a JSONB array column.
        case jsonbAppend(code: String)
    }

    var kind: Kind
    var location: SourceLocation
    /// Where `code:` (or `template:`) is, for the imported file's comments.
    var valueLocation: SourceLocation

    static let typeNames = ["first", "max_by", "concat_distinct", "count_distinct", "template", "lambda", "jsonb_append"]
}
