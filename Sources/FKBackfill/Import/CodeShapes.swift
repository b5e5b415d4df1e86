import PostgresClient

/// fkbackfill never runs code, so the Python lambdas of a legacy config (`lambda`,
/// `jsonb_append`) are recognised by shape and rewritten as rules, or left to a human.
/// The shapes are few on purpose — each is documented in docs/migrating.md — and any
/// variation outside them is left to a human rather than guessed at. Matching is on
/// the code with whitespace outside string literals removed and `'…'` read as `"…"`.
///
/// A scalar (group `g`, column `c`):
///   `g["c"].dropna().iloc[0]` → `from: c, pick: first` (first non-null in file order);
///   `g["c"].nunique()`, `.max()`, `.min()`, `.sum()`, `len(g)` → the SQL aggregate;
///   `["P" +] pd.to_datetime(g["c"].dropna().iloc[0]).strftime("F") [+ "S"]` →
///   `'P' || to_char(min("c"), 'F′') || 'S'` (the earliest, not the first in file order),
///   for `F` made of `%Y %y %m %d %H %M %S` and `- / : . _` and spaces;
///   any of them followed by `if len(g["c"].dropna()) > 0 else None`.
/// A list (`jsonb_append`): `[SCALAR]`, optionally `if len(g["c"].dropna()) > 0 else []`,
/// where SCALAR is one of the SQL shapes above → `jsonb_build_array(…)`.
enum CodeShapes {
    enum Translation: Equatable {
        case sql(String)
        case from(column: String, pick: Pick)
    }

    /// The rule `code` becomes, with the input columns it reads; nil when it has no known shape.
    static func translate(_ code: String, list: Bool) -> (translation: Translation, columns: [String])? {
        guard let normalized = normalize(code),
              let lambda = normalized.wholeMatch(of: #/lambda(\w+):(.+)/#),
              case let (variable, body) = (String(lambda.output.1), String(lambda.output.2)) else { return nil }
        let column = #"\#(variable)\["([^"]+)"\]"#
        var inner = body
        var guardColumn: String?
        let guardPattern = #"(.+)iflen\(\#(column)\.dropna\(\)\)(?:>0|!=0|>=1)else(None|\[\])"#
        if let match = body.wholeMatch(pattern: guardPattern) {
            guard let fallback = match.output[3].substring, fallback == (list ? "[]" : "None") else { return nil }
            inner = String(match.output[1].substring ?? "")
            guardColumn = match.output[2].substring.map(String.init)
        }
        if list {
            guard inner.hasPrefix("["), inner.hasSuffix("]"),
                  let (sql, columns, _) = scalar(String(inner.dropFirst().dropLast()), variable: variable) else { return nil }
            let array = "jsonb_build_array(\(sql))"
            guard let guardColumn else { return (.sql(array), columns) }
            return (.sql("CASE WHEN count(\(quoteIdentifier(guardColumn))) > 0 THEN \(array) ELSE CAST('[]' AS jsonb) END"),
                    columns + [guardColumn].filter { !columns.contains($0) })
        }
        if inner.wholeMatch(pattern: #"\#(column)\.dropna\(\)\.iloc\[0\]"#) != nil,
           let first = inner.firstMatch(pattern: column)?.output[1].substring.map(String.init),
           guardColumn == nil || guardColumn == first {
            return (.from(column: first, pick: .first), [first])
        }
        guard let (sql, columns, nullWhenEmpty) = scalar(inner, variable: variable) else { return nil }
        guard let guardColumn, !(nullWhenEmpty && columns == [guardColumn]) else { return (.sql(sql), columns) }
        return (.sql("CASE WHEN count(\(quoteIdentifier(guardColumn))) > 0 THEN \(sql) END"),
                columns + [guardColumn].filter { !columns.contains($0) })
    }

    /// A scalar shape as SQL, the columns it reads, and whether it is NULL when the
    /// group has no non-null value (so an `if len(…) > 0 else None` guard adds nothing).
    static func scalar(_ text: String, variable: String) -> (String, [String], Bool)? {
        let column = #"\#(variable)\["([^"]+)"\]"#
        if text == "len(\(variable))" { return ("count(*)", [], false) }
        if let match = text.wholeMatch(pattern: #"\#(column)\.(nunique|max|min|sum)\(\)"#),
           let name = match.output[1].substring.map(String.init), let method = match.output[2].substring {
            let ident = quoteIdentifier(name)
            return method == "nunique" ? ("count(DISTINCT \(ident))", [name], false) : ("\(method)(\(ident))", [name], true)
        }
        let date = #"(?:"([^"]*)"\+)?pd\.to_datetime\(\#(column)\.dropna\(\)\.iloc\[0\]\)\.strftime\("([^"]+)"\)(?:\+"([^"]*)")?"#
        guard let match = text.wholeMatch(pattern: date),
              let name = match.output[2].substring.map(String.init),
              let format = match.output[3].substring.flatMap({ toCharFormat(String($0)) }) else { return nil }
        var sql = "to_char(min(\(quoteIdentifier(name))), \(literal(format)))"
        if let prefix = match.output[1].substring, !prefix.isEmpty { sql = literal(String(prefix)) + " || " + sql }
        if let suffix = match.output[4].substring, !suffix.isEmpty { sql += " || " + literal(String(suffix)) }
        return (sql, [name], true)
    }

    /// A `strftime` format as a `to_char` one; nil for anything outside the documented subset.
    static func toCharFormat(_ format: String) -> String? {
        let codes: [Character: String] = ["Y": "YYYY", "y": "YY", "m": "MM", "d": "DD", "H": "HH24", "M": "MI", "S": "SS"]
        var result = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            if character == "%" {
                guard let code = iterator.next(), let pattern = codes[code] else { return nil }
                result += pattern
            } else if "-/:._ ".contains(character) {
                result.append(character)
            } else {
                return nil
            }
        }
        return result
    }

    /// An SQL string literal. Normalised text has no backslash, so this reads the same
    /// whatever `standard_conforming_strings` is.
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Whitespace outside string literals removed, `'…'` as `"…"`; nil when a literal
    /// has a backslash escape or an embedded quote of the other kind (not a shape).
    static func normalize(_ code: String) -> String? {
        var result = ""
        var quote: Character?
        for character in code {
            if let open = quote {
                if character == "\\" { return nil }
                if character == open {
                    quote = nil
                    result.append("\"")
                } else {
                    if character == "\"" { return nil }
                    result.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
                result.append("\"")
            } else if !character.isWhitespace {
                result.append(character)
            }
        }
        return quote == nil ? result : nil
    }
}

extension String {
    /// The whole string matched against a pattern built at run time from a lambda's
    /// variable name (`\w+`, so it always compiles); a pattern that did not compile
    /// matches nothing, which reads as "no known shape", not a trap.
    fileprivate func wholeMatch(pattern: String) -> Regex<AnyRegexOutput>.Match? {
        (try? Regex(pattern)).flatMap { wholeMatch(of: $0) }
    }

    /// The first match of such a pattern.
    fileprivate func firstMatch(pattern: String) -> Regex<AnyRegexOutput>.Match? {
        (try? Regex(pattern)).flatMap { firstMatch(of: $0) }
    }
}
