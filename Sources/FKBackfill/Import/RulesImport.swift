/// What `fkbackfill import-rules` produces for one domain: the rules file, what a human
/// must still write, and how the config's choices compare with what fkbackfill derives.
public struct RulesImport: Sendable {
    /// A derivation the import could not translate: its code is in the file, commented out.
    public struct NeedsHuman: Sendable, Equatable, CustomStringConvertible {
        /// Where the code is in the legacy config.
        public var location: SourceLocation
        /// `mapping.年金客户._source (lambda)`.
        public var what: String

        /// `FILE:LINE:COL: what`.
        public var description: String { "\(location): \(what)" }
    }

    /// The rules file, as written.
    public var text: String
    /// Non-empty: the import is incomplete and exits 1.
    public var needsHuman: [NeedsHuman]
    /// Disagreements and choices worth reading (also at the top of `text`, as comments).
    public var notes: [String]
    /// Relations written because the database does not declare the FK (or was not asked).
    public var relations: [Relation]
    /// For mapping validation problems in the output back to the config.
    var lines: RulesText
}

/// One backfill column as a line of the imported file, or why it is not one.
enum ColumnConversion: Equatable {
    /// `column: { … }`, with a trailing comment where the meaning needs saying.
    case rule(String, comment: String?)
    /// The parent's key: its value is the fact row's key, never a rule.
    case key(comment: String)
    /// Code with no known shape: commented out with its source, for a human.
    case human(reason: String)
}
