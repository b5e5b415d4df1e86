import Yams

/// `aggregation: { type, … }` of a backfill column, with the defaults the old tool
/// documented: `separator: "+"` and `sort: true` for `concat_distinct`.
extension LegacyConfigParser {
    static let aggregationKeys = ["type", "order_column", "separator", "sort", "template", "template_fields", "code"]

    mutating func parseAggregation(_ node: Node) -> LegacyAggregation? {
        guard let fields = node.mapping else {
            problem(node, "aggregation must be a mapping with type, e.g. { type: first }")
            return nil
        }
        var values: [String: Node] = [:]
        for (field, content) in fields {
            let key = field.string ?? ""
            guard Self.aggregationKeys.contains(key) else {
                unknown(field, under: "in an aggregation", known: Self.aggregationKeys)
                continue
            }
            values[key] = content
        }
        guard let typeNode = values["type"] else {
            problem(node, "aggregation has no type", hint: "one of " + LegacyAggregation.typeNames.joined(separator: ", "))
            return nil
        }
        let type = typeNode.string ?? ""
        let here = location(node)
        func string(_ key: String) -> String? {
            guard let value = values[key] else { return nil }
            guard let text = value.scalar?.string else {
                problem(value, "\(key) must be a string")
                return nil
            }
            return text
        }
        func required(_ key: String) -> (String, SourceLocation)? {
            guard let value = values[key] else {
                problem(typeNode, "\(type) needs \(key)")
                return nil
            }
            guard let text = string(key), !text.isEmpty else { return nil }
            return (text, location(value))
        }
        // Keys that belong to another type are mistakes, not silently ignored options.
        let allowed: [String: [String]] = [
            "first": [], "count_distinct": [], "max_by": ["order_column"], "concat_distinct": ["separator", "sort"],
            "template": ["template", "template_fields"], "lambda": ["code"], "jsonb_append": ["code"],
        ]
        guard let keys = allowed[type] else {
            problem(typeNode, "unknown aggregation type '\(type)'", hint: didYouMean(type, in: LegacyAggregation.typeNames)
                ?? "one of " + LegacyAggregation.typeNames.joined(separator: ", "))
            return nil
        }
        for (key, node) in values.sorted(by: { $0.key < $1.key }) where key != "type" && !keys.contains(key) {
            problem(node, "\(key) does not go with type \(type)")
        }
        switch type {
        case "first": return LegacyAggregation(kind: .first, location: here, valueLocation: here)
        case "count_distinct": return LegacyAggregation(kind: .countDistinct, location: here, valueLocation: here)
        case "max_by":
            guard let (column, at) = required("order_column") else { return nil }
            return LegacyAggregation(kind: .maxBy(orderColumn: column), location: here, valueLocation: at)
        case "concat_distinct":
            var sort = true
            if let node = values["sort"] {
                guard let flag = RulesParser.bool(node) else {
                    problem(node, "sort must be true or false")
                    return nil
                }
                sort = flag
            }
            return LegacyAggregation(kind: .concatDistinct(separator: string("separator") ?? "+", sort: sort),
                                     location: here, valueLocation: here)
        case "template":
            guard let (text, at) = required("template") else { return nil }
            var fields: [String]?
            if let node = values["template_fields"] {
                guard let sequence = node.sequence, sequence.allSatisfy({ $0.scalar != nil }) else {
                    problem(node, "template_fields must be a list of column names")
                    return nil
                }
                fields = sequence.compactMap(\.string)
            }
            return LegacyAggregation(kind: .template(text, fields: fields), location: here, valueLocation: at)
        default:
            guard let (code, at) = required("code") else { return nil }
            return LegacyAggregation(kind: type == "lambda" ? .lambda(code: code) : .jsonbAppend(code: code),
                                     location: here, valueLocation: at)
        }
    }
}
