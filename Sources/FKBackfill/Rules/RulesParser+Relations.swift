import Yams

/// `foreign_keys:` and `relations:`: rules on FK edges, and edges the database lacks.
extension RulesParser {
    // MARK: foreign_keys

    mutating func parseForeignKeys(_ node: Node) -> [ForeignKeyRule] {
        if Self.isEmpty(node) { return [] }
        guard let mapping = node.mapping else {
            problem(node, "foreign_keys must be a mapping of constraint names to rules")
            return []
        }
        var rules: [ForeignKeyRule] = []
        for (key, value) in mapping {
            guard let name = key.string, !name.isEmpty else {
                problem(key, "a foreign key must be named by its constraint, or as child_column -> parent")
                continue
            }
            var rule = ForeignKeyRule(key: name, location: location(key))
            guard let fields = value.mapping else {
                problem(value, "the rule of \(name) must be a mapping with skip or on_missing")
                continue
            }
            for (field, content) in fields {
                switch field.string ?? "" {
                case "skip":
                    guard let flag = Self.bool(content) else {
                        problem(content, "skip must be true or false")
                        continue
                    }
                    rule.skip = flag
                case "on_missing":
                    let text = content.string ?? ""
                    guard let choice = ForeignKeyRule.OnMissing(rawValue: text) else {
                        problem(content, "on_missing must be backfill, reject or fail, not '\(text)'",
                                hint: didYouMean(text, in: ForeignKeyRule.OnMissing.allCases.map(\.rawValue)))
                        continue
                    }
                    rule.onMissing = choice
                case let other:
                    problem(field, "unknown key \(other) under \(name)", hint: didYouMean(other, in: ["skip", "on_missing"])
                        ?? "a foreign key takes skip and on_missing")
                }
            }
            rules.append(rule)
        }
        return rules
    }

    // MARK: relations

    mutating func parseRelations(_ node: Node) -> [Relation] {
        if Self.isEmpty(node) { return [] }
        guard let sequence = node.sequence else {
            problem(node, "relations must be a list of { from: TABLE (COLUMNS), to: TABLE (COLUMNS) }")
            return []
        }
        return sequence.compactMap { item -> Relation? in
            guard let fields = item.mapping else {
                problem(item, "a relation is { from: TABLE (COLUMNS), to: TABLE (COLUMNS) }")
                return nil
            }
            var from: (String, [String])?
            var to: (String, [String])?
            for (field, content) in fields {
                switch field.string ?? "" {
                case "from": from = parseEnd(content)
                case "to": to = parseEnd(content)
                case let other:
                    problem(field, "unknown key \(other) in a relation", hint: didYouMean(other, in: ["from", "to"]))
                }
            }
            guard let from, let to else {
                if from == nil && to == nil || !problems.contains(where: { $0.location == location(item) }) {
                    problem(item, "a relation needs both from and to")
                }
                return nil
            }
            if from.1.count != to.1.count {
                problem(item, "from has \(from.1.count) columns but to has \(to.1.count)")
                return nil
            }
            return Relation(fromTable: from.0, fromColumns: from.1, toTable: to.0, toColumns: to.1, location: location(item))
        }
    }

    /// `schema.table (col, col)`.
    mutating func parseEnd(_ node: Node) -> (String, [String])? {
        guard let text = node.string, let open = text.lastIndex(of: "("), text.hasSuffix(")") else {
            problem(node, "write the table and its columns: schema.table (column, column)")
            return nil
        }
        let table = String(text[..<open]).trimmingCharacters(in: .whitespaces)
        let columns = text[text.index(after: open)..<text.index(before: text.endIndex)]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { $0.hasPrefix("\"") && $0.hasSuffix("\"") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
        guard !table.isEmpty, !columns.isEmpty else {
            problem(node, "write the table and its columns: schema.table (column, column)")
            return nil
        }
        return (table, columns)
    }
}
