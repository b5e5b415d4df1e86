/// A guard for the rules file's `sql:` expressions. They are trusted configuration and
/// only ever pasted into a SELECT the tool builds; this check still refuses what can
/// only be a mistake or an attack there: a statement separator, or a keyword that
/// changes data or schema, outside string literals, quoted identifiers and comments.
enum SQLExpressionCheck {
    static let forbiddenKeywords: Set<String> = [
        "insert", "update", "delete", "merge", "truncate", "drop", "alter", "create", "grant", "revoke",
        "copy", "call", "do", "execute", "vacuum", "analyze", "cluster", "reindex", "refresh",
        "listen", "notify", "prepare", "deallocate", "discard", "begin", "commit", "rollback", "savepoint", "into",
    ]

    /// What is not allowed in `expression` (`';'`, `keyword UPDATE`), or nil.
    static func forbidden(in expression: String) -> String? {
        var word = ""
        var chars = Array(expression)
        chars.append(" ")
        var index = 0
        func endWord() -> String? {
            defer { word = "" }
            return forbiddenKeywords.contains(word.lowercased()) ? "keyword \(word.uppercased())" : nil
        }
        while index < chars.count {
            let char = chars[index]
            switch char {
            case "'", "\"":
                if let found = endWord() { return found }
                // Skip to the closing quote; a doubled quote is an escaped one.
                index += 1
                while index < chars.count {
                    if chars[index] == char {
                        if index + 1 < chars.count && chars[index + 1] == char { index += 1 } else { break }
                    }
                    index += 1
                }
            case "$":
                if let found = endWord() { return found }
                // Dollar quoting: $tag$ … $tag$.
                if let close = chars[(index + 1)...].firstIndex(of: "$") {
                    let tag = String(chars[index...close])
                    let rest = String(chars[(close + 1)...])
                    if tag.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                       let end = rest.range(of: tag) {
                        index = close + 1 + rest.distance(from: rest.startIndex, to: end.upperBound)
                        continue
                    }
                }
            case ";":
                return "';'"
            case "-" where index + 1 < chars.count && chars[index + 1] == "-":
                if let found = endWord() { return found }
                while index < chars.count && chars[index] != "\n" { index += 1 }
            case "/" where index + 1 < chars.count && chars[index + 1] == "*":
                if let found = endWord() { return found }
                index += 2
                while index + 1 < chars.count && !(chars[index] == "*" && chars[index + 1] == "/") { index += 1 }
                index += 1
            default:
                if char.isLetter || char.isNumber || char == "_" {
                    word.append(char)
                } else if let found = endWord() {
                    return found
                }
            }
            index += 1
        }
        return nil
    }
}
