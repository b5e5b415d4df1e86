/// A SQL statement or fragment that is safe to build: the only way text gets into it.
///
/// Modelled on postgres-nio's `PostgresQuery`. A string literal is SQL as written (its
/// literal parts can only be compile-time text, `StaticString`); everything else enters
/// through an interpolation that says what it is:
///
/// ```swift
/// let sql: SQL = "SELECT count(*) FROM \(table) WHERE \(ident: column) = \(bind: value)"
/// ```
///
/// - `\(other)`: another `SQL` fragment, or anything `SQLFragment` (a table name),
///   with its bound values carried along and renumbered;
/// - `\(ident:)`: one identifier, always double-quoted;
/// - `\(bind:)` / `\(bindArray:)`: a value sent as a parameter (`$n`), never as text;
/// - `\(int:)`: an integer, written as digits;
/// - `\(literal:)`: a quoted string literal, for the few places the protocol cannot take
///   a parameter (COPY options);
/// - `\(unsafeRaw:)`: text as it is. The one raw spelling: every use says why it is safe.
///
/// So a value can never change what a statement means, and `git grep unsafeRaw` lists
/// every place where text written elsewhere (a rules file's `sql:` expression, a CHECK
/// expression read from the catalog, the user's own `--query`) becomes SQL.
public struct SQL: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case text(String)
        case bind(String?)
    }

    private(set) var parts: [Part]

    init(parts: [Part]) { self.parts = parts }

    /// Text that came from somewhere other than this program's literals, used as is.
    /// Callers say in a comment why the text is safe.
    public init(unsafeRaw text: String) { parts = [.text(text)] }

    /// An always-quoted identifier.
    public init(ident name: String) { parts = [.text(quoteIdentifier(name))] }

    /// A bound parameter.
    public init(bind value: String?) { parts = [.bind(value)] }

    /// The empty fragment.
    public static let empty = SQL(parts: [])

    /// The statement text with `$1…$n` placeholders, and the values to bind to them.
    public func rendered() -> (text: String, parameters: [String?]) {
        var text = ""
        var parameters: [String?] = []
        for part in parts {
            switch part {
            case .text(let piece): text += piece
            case .bind(let value):
                parameters.append(value)
                text += "$\(parameters.count)"
            }
        }
        return (text, parameters)
    }

    /// The text with placeholders, as `--print-sql` shows it.
    public var description: String { rendered().text }

    /// The two fragments one after the other, bound values kept in order (no space added).
    public static func + (lhs: SQL, rhs: SQL) -> SQL { SQL(parts: lhs.parts + rhs.parts) }

    /// Appends `rhs`, its bound values after the ones already there (no space added).
    public static func += (lhs: inout SQL, rhs: SQL) { lhs.parts += rhs.parts }
}

/// Something that has one SQL spelling, such as a qualified table name.
public protocol SQLFragment {
    /// The SQL this value stands for when interpolated as `\(value)`, bound values included.
    var sqlFragment: SQL { get }
}

extension SQL: SQLFragment {
    /// The fragment itself.
    public var sqlFragment: SQL { self }
}

extension SQL: ExpressibleByStringInterpolation {
    /// SQL written in the program's source: compile-time text only, used as is.
    public init(stringLiteral value: StaticString) {
        parts = [.text(value.description)]
    }

    /// Assembles the parts of an interpolated literal; see the interpolations below.
    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// Collects a literal's parts; each `appendInterpolation` says how a value may enter SQL.
    public struct StringInterpolation: StringInterpolationProtocol {
        /// Literal parts are `StaticString`, so runtime text can enter only through a labelled interpolation.
        public typealias StringLiteralType = StaticString
        var parts: [Part] = []

        /// Required by `StringInterpolationProtocol`; no capacity is reserved.
        public init(literalCapacity: Int, interpolationCount: Int) {}

        /// A literal part of the statement, written in the source.
        public mutating func appendLiteral(_ literal: StaticString) {
            parts.append(.text(literal.description))
        }

        /// `\(fragment)`: another fragment spliced in, its bound values carried along and renumbered.
        public mutating func appendInterpolation(_ fragment: some SQLFragment) {
            parts += fragment.sqlFragment.parts
        }

        /// `\(ident: name)`: one identifier, always double-quoted, embedded quotes doubled.
        public mutating func appendInterpolation(ident name: String) {
            parts.append(.text(quoteIdentifier(name)))
        }

        /// `"a", "b", "c"`.
        public mutating func appendInterpolation(idents names: [String]) {
            parts.append(.text(names.map { quoteIdentifier($0) }.joined(separator: ", ")))
        }

        /// `\(bind: value)`: a `$n` parameter, sent apart from the text; nil binds SQL NULL.
        public mutating func appendInterpolation(bind value: String?) {
            parts.append(.bind(value))
        }

        /// `\(bind: number)`: an integer as a `$n` parameter (sent as text; the server infers the type).
        public mutating func appendInterpolation(bind value: Int) {
            parts.append(.bind(String(value)))
        }

        /// A one-dimensional array as one parameter, in PostgreSQL's array text form.
        public mutating func appendInterpolation(bindArray values: [String?]) {
            parts.append(.bind(PostgresArray.encode(values)))
        }

        /// `\(int: number)`: an integer written into the text as digits, where a parameter cannot go (a generated temp table name).
        public mutating func appendInterpolation(int value: Int) {
            parts.append(.text(String(value)))
        }

        /// `\(literal: text)`: a quoted `E''` string literal, for the few places that take no parameter (COPY options).
        public mutating func appendInterpolation(literal value: String) {
            parts.append(.text(quoteLiteral(value)))
        }

        /// `\(unsafeRaw: text)`: text spliced in as is; the call site must say in a comment why it is safe.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            parts.append(.text(text))
        }
    }
}

extension Sequence where Element == SQL {
    /// The fragments one after another, `separator` between them.
    public func joined(separator: SQL = .empty) -> SQL {
        var parts: [SQL.Part] = []
        var first = true
        for fragment in self {
            if !first { parts += separator.parts }
            parts += fragment.parts
            first = false
        }
        return SQL(parts: parts)
    }
}
