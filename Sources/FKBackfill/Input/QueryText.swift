/// A `--query` as a subquery: what may follow its last token is taken off — blanks,
/// semicolons and comments (`SELECT … FROM src; -- the month`). The query then sits in
/// `(…\n) AS q` (the read-only cursor, the plan read for row-level security): a `;` left
/// there was a syntax error on the standby where the primary's view took the query
/// (hostile review 8). Quotes, quoted identifiers, dollar quotes and nested block comments
/// are followed as PostgreSQL's lexer follows them, so a `--` or `;` inside a string stays.
enum QueryText {
    /// `sql` without its trailing blanks, semicolons and comments.
    static func trimmed(_ sql: String) -> String {
        var text = Array(sql.unicodeScalars)
        while true {
            var end = codeEnd(text)
            while end > 0, text[end - 1] == ";" { end -= 1 }
            if end == text.count { break }
            text = Array(text[..<end])
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text)
        return String(out)
    }

    /// The position after the last scalar of `text` that is neither blank nor in a comment.
    static func codeEnd(_ text: [Unicode.Scalar]) -> Int {
        var index = 0
        var end = 0
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < text.count ? text[index + offset] : nil }
        while index < text.count {
            let scalar = text[index]
            if scalar == "-", at(1) == "-" {
                // A line comment, to the end of the line.
                while index < text.count, text[index] != "\n" { index += 1 }
            } else if scalar == "/", at(1) == "*" {
                // A block comment; they nest.
                var depth = 1
                index += 2
                while index < text.count, depth > 0 {
                    if text[index] == "/", at(1) == "*" { depth += 1; index += 2 } else if text[index] == "*", at(1) == "/" { depth -= 1; index += 2 } else { index += 1 }
                }
            } else if scalar == "'" || scalar == "\"" {
                // A string or a quoted identifier; E'…' takes backslash escapes.
                // E'…' only where the E is a token of its own (`ESCAPE'\'` is a keyword and a string).
                let escapes = scalar == "'" && index > 0 && (text[index - 1] == "E" || text[index - 1] == "e")
                    && (index < 2 || !identifierScalar(text[index - 2]))
                index += 1
                while index < text.count {
                    if escapes, text[index] == "\\" { index += 2; continue }
                    if text[index] == scalar {
                        if at(1) == scalar { index += 2; continue }
                        break
                    }
                    index += 1
                }
                index += 1
                end = min(index, text.count)
            } else if scalar == "$", let tag = dollarTag(text, from: index) {
                // A dollar-quoted string: to the same tag again.
                index += tag.count
                while index < text.count, !text[index...].starts(with: tag) { index += 1 }
                index = min(index + tag.count, text.count)
                end = index
            } else {
                index += 1
                if !scalar.properties.isWhitespace { end = index }
            }
        }
        return end
    }

    /// A scalar PostgreSQL's lexer takes into an identifier or a dollar quote's tag: ASCII
    /// letters, digits and `_`, and every non-ASCII character (any byte above 0x7F).
    static func identifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x7F || scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// The `$tag$` opening a dollar quote at `start`, or nil (`$1` is a parameter).
    static func dollarTag(_ text: [Unicode.Scalar], from start: Int) -> [Unicode.Scalar]? {
        // Inside an identifier (`a$b`), a `$` is the identifier's.
        if start > 0, identifierScalar(text[start - 1]) || text[start - 1] == "$" { return nil }
        var index = start + 1
        if index < text.count, ("0"..."9").contains(text[index]) { return nil }
        while index < text.count, identifierScalar(text[index]) { index += 1 }
        guard index < text.count, text[index] == "$" else { return nil }
        return Array(text[start...index])
    }
}
