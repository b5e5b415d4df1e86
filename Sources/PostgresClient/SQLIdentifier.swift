import Foundation

/// The one place identifiers become SQL text.
///
/// Every table, column and constraint name that reaches a statement passes through
/// `quoteIdentifier`, so a hostile or unusual name (quotes, spaces, `规模明细`,
/// reserved words) can never change what a statement means.
public enum QuoteStyle: Sendable {
    /// Always quote: for SQL the tool builds.
    case always
    /// Quote only where PostgreSQL would otherwise read the name differently:
    /// for showing names to people, the way `quote_ident` does.
    case whenNeeded
}

/// Quotes one identifier, doubling any embedded double quote.
public func quoteIdentifier(_ name: String, style: QuoteStyle = .always) -> String {
    if style == .whenNeeded && !identifierNeedsQuotes(name) { return name }
    return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Quotes `schema.name` part by part.
public func quoteQualified(schema: String, name: String, style: QuoteStyle = .always) -> String {
    quoteIdentifier(schema, style: style) + "." + quoteIdentifier(name, style: style)
}

/// True unless the server's scanner reads the bare name back unchanged: lower-case
/// ASCII letters, digits and `$` (not first), `_`, any non-ASCII character (so
/// `规模明细` stays bare), and no keyword other than unreserved ones. A little less
/// eager than `quote_ident`, which quotes every non-ASCII name.
func identifierNeedsQuotes(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first else { return true }
    func isLower(_ s: Unicode.Scalar) -> Bool { s.value >= 0x61 && s.value <= 0x7A }
    func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
    if !(isLower(first) || first == "_" || first.value >= 0x80) { return true }
    for scalar in name.unicodeScalars
    where !(isLower(scalar) || isDigit(scalar) || scalar == "_" || scalar == "$" || scalar.value >= 0x80) {
        return true
    }
    return SQLKeywords.needingQuotes.contains(name)
}

/// A string literal, for the few places the protocol cannot take a bound parameter
/// (COPY options). The `E''` form escapes backslashes itself, so the result does not
/// depend on `standard_conforming_strings`.
public func quoteLiteral(_ value: String) -> String {
    "E'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
}
