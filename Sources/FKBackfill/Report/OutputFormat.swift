/// The formats reports render to; a report given one it has no form for renders text.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// For people: aligned tables and plain lines.
    case text
    /// For pipelines: pretty-printed, keys sorted, byte-stable (docs/json-output.md).
    case json
    /// Graphviz DOT, for `graph` only.
    case dot
    /// A Mermaid flowchart, for `graph` only.
    case mermaid
    /// Tables for pull-request comments (`audit`, `validate`).
    case markdown
    /// JUnit XML for CI (`audit`, `validate`).
    case junit
}
