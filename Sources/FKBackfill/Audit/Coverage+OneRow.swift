/// What `Coverage.needsNoRows` asks of a new parent row's FK column: whether its value
/// is one input row's value of a column whose keys are all held.
extension Coverage {
    /// The input column whose value, from one of the rows that lead to a key, a parent's
    /// column takes: the default derivation's most frequent value, or a rule's pick of one
    /// row's value (not a sum, a count, a concatenation or a JSON array).
    static func valueOfOneRow(_ source: ColumnSource) -> String? {
        switch source {
        case .staged(let input, _):
            return input
        case .rule(let rule):
            guard !rule.jsonAppend else { return nil }
            // A template that is one placeholder, `{id}`: the first row's value, as text.
            if case .template(let text) = rule.source, text.hasPrefix("{"), text.hasSuffix("}"), text.dropFirst().dropLast().allSatisfy({ $0 != "{" && $0 != "}" }) {
                return String(text.dropFirst().dropLast())
            }
            guard case .from(let input, let pick) = rule.source else { return nil }
            switch pick {
            case .first, .last, .min, .max, .mostFrequent, .maxBy, .minBy: return input
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Integer types: a value cast between them is the same number or an error (out of
    /// range), never another key.
    static let integers: Set<String> = ["smallint", "integer", "bigint"]

    /// How `presentThrough` names an FK: its parent, columns and referenced columns.
    static func presentKey(_ parent: TableName, _ columns: [String], _ referenced: [String]) -> String {
        ([parent.description] + columns + ["->"] + referenced).joined(separator: "\u{0}")
    }
}
