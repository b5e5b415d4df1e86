/// A PL/pgSQL body's code with comments and (optionally) string constants set aside, read
/// in one pass as PostgreSQL's scanner reads it, for the readers that look for what a
/// trigger writes and calls (`ParentColumnFacts`, `TriggerCalls`).
///
/// Each kind of token hides the others: `--` inside `'…'` or `"…"` starts no comment, a
/// quote inside `$q$…$q$` or after a backslash in `E'…'` ends no string. Regular
/// expressions applied one after another (comments, then strings) got that wrong, and a
/// hostile body hid a call from them (hostile review 23: `s := '--'; n := purge_old(new.id);`
/// on one line read as no call at all, so the standby called the row's clash certain where
/// the trigger deletes the clashing row and the load loads).
enum PLpgSQLText {
    /// Characters of an identifier after its first, as `scan.l` has them: letters,
    /// digits, `_`, `$`, and every byte beyond ASCII.
    static func identifierPart(_ c: Unicode.Scalar) -> Bool {
        c.value >= 0x80 || c == "_" || c == "$" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
    }

    /// The name part of an identifier: `scan.l`'s ident_start, ident_cont, or a quoted
    /// name; for the readers' regular expressions, composed with RegexBuilder, so that each
    /// is checked when the library is compiled (nothing built from text at run time).
    static var identifier: Regex<Substring> { /(?:"(?:[^"]|"")+"|[A-Za-z_\x{80}-\x{10FFFF}][A-Za-z0-9_$\x{80}-\x{10FFFF}]*)/ }

    /// An identifier as PostgreSQL stores it: quoted kept (doubled quotes undone), unquoted
    /// with ASCII letters lower-cased (`downcase_identifier`: other letters are kept in a
    /// UTF-8 database, `PURGE_ÄLT` is `purge_Ält`).
    static func folded(_ part: Substring) -> String {
        if part.hasPrefix("\"") { return String(part.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") }
        return String(String.UnicodeScalarView(part.unicodeScalars.map { $0 >= "A" && $0 <= "Z" ? Unicode.Scalar($0.value + 32)! : $0 }))
    }

    /// `source` with each comment a space and, when `blankStrings`, each string constant
    /// `''` (its text is data, not code; the readers count an `EXECUTE` of it apart).
    /// Quoted identifiers are kept whole.
    static func code(_ source: String, blankStrings: Bool = true) -> String {
        let s = Array(source.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func follows(_ k: Int) -> Bool { k > 0 && identifierPart(s[k - 1]) }
        while i < s.count {
            let c = s[i]
            if c == "-" && at(i + 1) == "-" {
                while i < s.count && s[i] != "\n" { i += 1 }
                out.append(" ")
            } else if c == "/" && at(i + 1) == "*" {
                // Nested, as PostgreSQL's are.
                var depth = 0
                repeat {
                    if s[i] == "/" && at(i + 1) == "*" { depth += 1; i += 2 } else if s[i] == "*" && at(i + 1) == "/" { depth -= 1; i += 2 } else { i += 1 }
                } while depth > 0 && i < s.count
                out.append(" ")
            } else if c == "\"" {
                let start = i
                i += 1
                while i < s.count && !(s[i] == "\"" && at(i + 1) != "\"") { i += s[i] == "\"" ? 2 : 1 }
                i = min(i + 1, s.count)
                out.append(contentsOf: s[start..<i])
            } else if c == "'" {
                // E'…' (a lone E or e before it, not the end of a name): backslash escapes.
                let escapes = i > 0 && (s[i - 1] == "E" || s[i - 1] == "e") && !follows(i - 1)
                let start = i
                i += 1
                while i < s.count {
                    if escapes && s[i] == "\\" { i += 2; continue }
                    if s[i] == "'" { if at(i + 1) == "'" { i += 2; continue }; break }
                    i += 1
                }
                i = min(i + 1, s.count)
                if blankStrings { out.append(contentsOf: "''".unicodeScalars) } else { out.append(contentsOf: s[start..<i]) }
            } else if c == "$" && !follows(i), let end = dollarTagEnd(s, from: i) {
                let tag = Array(s[i...end])
                let start = i
                i = end + 1
                while i < s.count && !(s[i] == "$" && Array(s[i..<min(i + tag.count, s.count)]) == tag) { i += 1 }
                i = min(i + tag.count, s.count)
                if blankStrings { out.append(contentsOf: "''".unicodeScalars) } else { out.append(contentsOf: s[start..<i]) }
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    /// The index of the `$` closing a dollar-quote tag opened at `start` (`$$`, `$q$`), nil
    /// where `$` starts none (`$1`, a parameter).
    static func dollarTagEnd(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        var k = start + 1
        if k < s.count, s[k] >= "0" && s[k] <= "9" { return nil }
        while k < s.count, s[k] != "$" {
            guard identifierPart(s[k]) else { return nil }
            k += 1
        }
        return k < s.count ? k : nil
    }
}
