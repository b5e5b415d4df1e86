/// The hand-written per-FK backfill configuration fkbackfill replaces (issue #18): one
/// list of FK entries per domain (fact table), each naming its parent, key and the
/// columns to derive. Read by `LegacyConfigParser`, turned into a rules file by
/// `RulesImporter`. Every value keeps its place in the file, so problems and the
/// imported file's comments can point back at it.
public struct LegacyConfig: Sendable {
    public var file: String
    public var schemaVersion: String?
    public var domains: [LegacyDomain] = []

    public func domain(_ name: String) -> LegacyDomain? { domains.first { $0.name == name } }
}

/// `domains: <name>: foreign_keys: [...]`.
public struct LegacyDomain: Sendable {
    public var name: String
    public var location: SourceLocation
    public var entries: [LegacyEntry] = []

    public func entry(_ name: String) -> LegacyEntry? { entries.first { $0.name == name } }
}

/// One FK entry: the fact column holding the key, the parent it points at, and how the
/// parent's other columns were derived.
public struct LegacyEntry: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case insertMissing = "insert_missing"
        case fillNullOnly = "fill_null_only"
    }

    public var name: String
    public var location: SourceLocation
    public var sourceColumn: String
    public var targetSchema: String
    public var targetTable: String
    public var targetKey: String
    public var mode: Mode?
    public var dependsOn: [(name: String, location: SourceLocation)] = []
    public var skipBlankValues = false
    public var skipBlankLocation: SourceLocation?
    public var columns: [LegacyColumn] = []

    public var target: TableName { TableName(schema: targetSchema, name: targetTable) }
}

/// `backfill_columns: - {source, target, optional, aggregation}`.
public struct LegacyColumn: Sendable {
    public var source: String
    public var target: String
    public var optional = false
    /// Nil: the default, `first`.
    public var aggregation: LegacyAggregation?
    public var location: SourceLocation
}

/// `aggregation:` — how the group of fact rows of one key gives the column's value.
public struct LegacyAggregation: Sendable {
    public enum Kind: Sendable, Equatable {
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

    public var kind: Kind
    public var location: SourceLocation
    /// Where `code:` (or `template:`) is, for the imported file's comments.
    public var valueLocation: SourceLocation

    public static let typeNames = ["first", "max_by", "concat_distinct", "count_distinct", "template", "lambda", "jsonb_append"]
}
