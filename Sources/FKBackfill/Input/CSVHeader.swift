/// Splits the header record of a CSV file into column names, with the same quoting
/// rules COPY uses for the rows: a quoted field may contain the delimiter, doubled
/// quotes and newlines.
enum CSVHeader {
    static func parse(_ line: String, options: CSVOptions) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if quoted {
                if char == options.quote {
                    if index + 1 < chars.count && chars[index + 1] == options.quote {
                        current.append(char)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(char)
                }
            } else if char == options.quote {
                quoted = true
            } else if char == options.delimiter {
                fields.append(current)
                current = ""
            } else {
                current.append(char)
            }
            index += 1
        }
        fields.append(current)
        return fields
    }
}
