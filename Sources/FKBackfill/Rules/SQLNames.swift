import Foundation

/// The names a SQL expression's text uses, as PostgreSQL's lexer reads them: a name
/// followed by `(` is a function, `OPERATOR(schema.op)` an operator, any other name a
/// relation or type (a cast's). String literals (`'…'`, `E'…'`, dollar-quoted),
/// comments and parameters (`$1`) hold none; a quoted identifier keeps its case, a bare
/// one is folded to lower case. Used to find what a `sql:` rule calls on a session that
/// cannot compile it into a view (`SQLExpressionCheck.readOnlyProblem`), from the rule's
/// text and from its plan's deparsed text; a superset is fine there, each name is looked
/// up in the catalog.
enum SQLNames {
    struct Name: Hashable {
        enum Kind { case function, `operator`, relation }
        var kind: Kind
        /// The schema as written; nil for an unqualified name (`pg_catalog` under the pinned path).
        var schema: String?
        var name: String
    }

    static func scan(_ text: String) -> [Name] {
        let chars = Array(text.unicodeScalars)
        var names: [Name] = []
        var at = 0

        func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || c.value > 127 }
        func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || c == "$" || ("0"..."9").contains(c) }
        func skipSpace() {
            while at < chars.count {
                if chars[at].properties.isWhitespace { at += 1; continue }
                if chars[at] == "-", at + 1 < chars.count, chars[at + 1] == "-" {
                    while at < chars.count, chars[at] != "\n" { at += 1 }
                    continue
                }
                if chars[at] == "/", at + 1 < chars.count, chars[at + 1] == "*" {
                    at += 2
                    while at + 1 < chars.count, !(chars[at] == "*" && chars[at + 1] == "/") { at += 1 }
                    at = min(at + 2, chars.count)
                    continue
                }
                return
            }
        }
        /// A quoted string from `at` (on its quote); `backslash`: E'…' escapes.
        func skipString(backslash: Bool) {
            at += 1
            while at < chars.count {
                if backslash, chars[at] == "\\" { at += 2; continue }
                if chars[at] == "'" {
                    if at + 1 < chars.count, chars[at + 1] == "'" { at += 2; continue }
                    at += 1
                    return
                }
                at += 1
            }
        }
        /// One identifier from `at`, or nil (then `at` is unchanged).
        func identifier() -> String? {
            guard at < chars.count else { return nil }
            if chars[at] == "\"" {
                var name = String.UnicodeScalarView()
                at += 1
                while at < chars.count {
                    if chars[at] == "\"" {
                        if at + 1 < chars.count, chars[at + 1] == "\"" { name.append("\""); at += 2; continue }
                        at += 1
                        break
                    }
                    name.append(chars[at])
                    at += 1
                }
                return String(name)
            }
            guard isStart(chars[at]) else { return nil }
            var name = String.UnicodeScalarView()
            while at < chars.count, isPart(chars[at]) { name.append(chars[at]); at += 1 }
            return String(name).lowercased()
        }

        while at < chars.count {
            skipSpace()
            guard at < chars.count else { break }
            let c = chars[at]
            if c == "'" { skipString(backslash: false); continue }
            if c == "$" {
                // A parameter ($1) or a dollar quote ($tag$…$tag$).
                var end = at + 1
                while end < chars.count, isPart(chars[end]), chars[end] != "$" { end += 1 }
                if end < chars.count, chars[end] == "$", !(at + 1 < chars.count && ("0"..."9").contains(chars[at + 1])) {
                    let tag = Array(chars[at...end])
                    at = end + 1
                    while at + tag.count <= chars.count, Array(chars[at..<at + tag.count]) != tag { at += 1 }
                    at = min(at + tag.count, chars.count)
                } else {
                    at = max(end, at + 1)
                }
                continue
            }
            if ("0"..."9").contains(c) {
                while at < chars.count, isPart(chars[at]) || chars[at] == "." { at += 1 }
                continue
            }
            let start = at
            guard let first = identifier() else { at += 1; continue }
            if (first == "e" || first == "x" || first == "b" || first == "u&") && at == start + 1, at < chars.count, chars[at] == "'" {
                skipString(backslash: first == "e")
                continue
            }
            var parts = [first]
            while true {
                let save = at
                skipSpace()
                guard at < chars.count, chars[at] == "." else { at = save; break }
                at += 1
                skipSpace()
                guard let next = identifier() else { at = save; break }
                parts.append(next)
            }
            let save = at
            skipSpace()
            let called = at < chars.count && chars[at] == "("
            if called && parts == ["operator"] {
                // OPERATOR(schema.op): the operator's name is its symbol.
                at += 1
                var inside = String.UnicodeScalarView()
                while at < chars.count, chars[at] != ")" { inside.append(chars[at]); at += 1 }
                at = min(at + 1, chars.count)
                let written = String(inside).trimmingCharacters(in: .whitespaces)
                if let dot = written.lastIndex(of: ".") {
                    var schema = String(written[..<dot]).trimmingCharacters(in: .whitespaces)
                    if schema.hasPrefix("\""), schema.hasSuffix("\""), schema.count >= 2 {
                        schema = String(schema.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
                    } else {
                        schema = schema.lowercased()
                    }
                    names.append(Name(kind: .operator, schema: schema, name: String(written[written.index(after: dot)...])))
                } else {
                    names.append(Name(kind: .operator, schema: nil, name: written))
                }
                continue
            }
            if !called { at = save }
            let schema = parts.count >= 2 ? parts[parts.count - 2] : nil
            names.append(Name(kind: called ? .function : .relation, schema: schema, name: parts[parts.count - 1]))
        }
        return names
    }
}
