/// The formats `fks` and `graph` print.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text
    case json
    case dot
    case mermaid
    case markdown
    case junit
}
