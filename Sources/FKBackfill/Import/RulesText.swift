import PostgresClient

/// The imported rules file as it is written, line by line, remembering for each line
/// the place in the legacy config it came from: a problem the validator finds in the
/// output is reported at the input's `FILE:LINE:COL`, where the user can fix it.
struct RulesText {
    private(set) var lines: [String] = []
    private(set) var origins: [Int: SourceLocation] = [:]

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func add(_ line: String, from origin: SourceLocation? = nil) {
        lines.append(line)
        if let origin { origins[lines.count] = origin }
    }

    /// `# text`, each line of `text` commented at `indent`.
    mutating func comment(_ text: String, indent: Int = 0) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            add(String(repeating: " ", count: indent) + "#" + (line.isEmpty ? "" : " " + line))
        }
    }

    /// The legacy place an output line came from.
    func origin(ofLine line: Int) -> SourceLocation? { origins[line] }
}

/// YAML scalars as the importer writes them: plain where a reader sees exactly the
/// text (names like `计划名称`, `max_by`), double-quoted otherwise, never ambiguous.
enum YAMLScalar {
    static func string(_ text: String) -> String {
        plainIsSafe(text) ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

    /// Letters (any script), digits after the first, `_`, and `.` inside: nothing YAML
    /// would read as another type or as syntax.
    static func plainIsSafe(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_", !reserved.contains(text.lowercased()) else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } && !text.hasSuffix(".")
    }

    /// A table as the rules file names it: `schema.table`, parts quoted for SQL where needed.
    static func table(_ name: TableName) -> String { string(name.display) }

    /// `schema.table (column)` for `relations:`.
    static func relationEnd(_ table: String, _ column: String) -> String {
        string(table + " (" + quoteIdentifier(column, style: .whenNeeded) + ")")
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
