/// One-dimensional PostgreSQL arrays in their text form, encoded and decoded in one place.
///
/// Arrays travel as bound parameters (`$1::oid[]`) and come back as text (`{a,"b c",NULL}`);
/// building or splitting that text by hand breaks on the first value with a comma, a
/// quote, a backslash or the word NULL in it.
public enum PostgresArray {
    /// `["a", nil, "b,c"]` → `{"a",NULL,"b,c"}`: every element quoted, so no value is
    /// read as NULL or split.
    public static func encode(_ values: [String?]) -> String {
        "{" + values.map { value in
            guard let value else { return "NULL" }
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }

    /// `{a,"b c",NULL}` → `["a", "b c", nil]`. Only the outer level is split; a nested
    /// array's text comes back as one element.
    public static func decode(_ text: String) -> [String?] {
        var chars = Substring(text)
        // An explicit lower bound (`[0:2]={…}`) is dropped.
        if chars.first == "[", let equals = chars.firstIndex(of: "=") { chars = chars[chars.index(after: equals)...] }
        guard chars.first == "{", chars.last == "}" else { return [text] }
        chars = chars.dropFirst().dropLast()
        if chars.isEmpty { return [] }
        var values: [String?] = []
        var current = ""
        var quoted = false, wasQuoted = false, escaped = false
        var depth = 0
        for char in chars {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
                if depth > 0 { current.append(char) }
            } else if char == "\"" {
                quoted.toggle()
                if depth > 0 { current.append(char) } else { wasQuoted = true }
            } else if quoted {
                current.append(char)
            } else if char == "{" {
                depth += 1
                current.append(char)
            } else if char == "}" {
                depth -= 1
                current.append(char)
            } else if char == "," && depth == 0 {
                values.append(!wasQuoted && current == "NULL" ? nil : current)
                current = ""
                wasQuoted = false
            } else {
                current.append(char)
            }
        }
        values.append(!wasQuoted && current == "NULL" ? nil : current)
        return values
    }
}
