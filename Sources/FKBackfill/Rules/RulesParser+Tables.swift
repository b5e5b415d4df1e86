import Yams

/// `tables:`: each parent table's mode, column rules (with their picks) and marks.
extension RulesParser {
    // MARK: tables

    mutating func parseTables(_ node: Node) -> [TableRule] {
        if Self.isEmpty(node) { return [] }
        guard let mapping = node.mapping else {
            problem(node, "tables must be a mapping of table names to their rules")
            return []
        }
        var tables: [TableRule] = []
        for (key, value) in mapping {
            guard let name = key.string, !name.isEmpty else {
                problem(key, "a table name must be a string")
                continue
            }
            if tables.contains(where: { $0.name == name }) { problem(key, "table \(name) appears twice") }
            var table = TableRule(name: name, location: location(key))
            guard let fields = value.mapping else {
                if value.string != nil && value.string != "" && value.string != "null" {
                    problem(value, "the rules of \(name) must be a mapping with mode, columns, mark")
                }
                tables.append(table)
                continue
            }
            for (field, content) in fields {
                switch field.string ?? "" {
                case "mode":
                    let text = content.string ?? ""
                    if let mode = TableRule.Mode(rawValue: text) {
                        table.mode = mode
                    } else {
                        problem(content, "mode must be insert_missing, fill_null_only, skip or fail, not '\(text)'",
                                hint: didYouMean(text, in: TableRule.Mode.allCases.map(\.rawValue)))
                    }
                case "columns":
                    table.columns = parseColumns(content, table: name)
                case "mark":
                    table.marks = parseMarks(content)
                case let other:
                    problem(field, "unknown key \(other) under \(name)", hint: didYouMean(other, in: ["mode", "columns", "mark"])
                        ?? "a table takes mode, columns and mark")
                }
            }
            tables.append(table)
        }
        return tables
    }

    static let sourceKeys = ["from", "value", "template", "sql", "default", "null"]
    static let columnKeys = sourceKeys + ["pick", "separator", "sorted", "json_append", "optional"]

    mutating func parseColumns(_ node: Node, table: String) -> [ColumnRule] {
        if Self.isEmpty(node) { return [] }
        guard let mapping = node.mapping else {
            problem(node, "columns of \(table) must be a mapping of column names to rules")
            return []
        }
        var columns: [ColumnRule] = []
        for (key, value) in mapping {
            guard let name = key.string, !name.isEmpty else {
                problem(key, "a column name must be a string")
                continue
            }
            if columns.contains(where: { $0.column == name }) {
                problem(key, "column \(name) of \(table) has two rules", hint: "keep one")
            }
            if let rule = parseColumn(value, name: name, key: key) { columns.append(rule) }
        }
        return columns
    }

    mutating func parseColumn(_ node: Node, name: String, key: Node) -> ColumnRule? {
        // Shorthands: `col: default` and `col: null`.
        if let scalar = node.scalar {
            switch scalar.string {
            case "default": return ColumnRule(column: name, location: location(key), source: .databaseDefault)
            case "null", "~", "": return ColumnRule(column: name, location: location(key), source: .null)
            default:
                problem(node, "the rule of \(name) must be a mapping such as { from: COLUMN } or { value: CONSTANT }, "
                    + "or default or null")
                return nil
            }
        }
        guard let fields = node.mapping else {
            problem(node, "the rule of \(name) must be a mapping such as { from: COLUMN }")
            return nil
        }
        var source: ColumnRule.Source?
        var sourceNode: Node?
        var pickNode: Node?
        var separator = ","
        var sorted = true
        var jsonAppend = false
        var optionalNode: Node?
        for (field, content) in fields {
            let fieldName = field.string ?? ""
            if Self.sourceKeys.contains(fieldName) {
                if let sourceNode, let first = sourceNode.string {
                    problem(field, "column \(name) has two sources: \(first) and \(fieldName)", hint: "keep one")
                    continue
                }
                sourceNode = field
            }
            switch fieldName {
            case "from":
                guard let column = content.string, !column.isEmpty else {
                    problem(content, "from takes a staged column name")
                    continue
                }
                source = .from(column: column, pick: .mostFrequent)
            case "value":
                guard let text = content.scalar?.string else {
                    problem(content, "value takes a constant")
                    continue
                }
                source = .value(text)
            case "template":
                guard let text = content.string else {
                    problem(content, "template takes a string such as \"{计划代码}_新建\"")
                    continue
                }
                source = .template(text)
            case "sql":
                guard let text = content.string, !text.isEmpty else {
                    problem(content, "sql takes an aggregate SQL expression")
                    continue
                }
                source = .sql(text)
            case "default": source = .databaseDefault
            case "null": source = .null
            case "pick": pickNode = content
            case "separator":
                separator = content.string ?? ","
            case "sorted":
                guard let flag = Self.bool(content) else {
                    problem(content, "sorted must be true or false")
                    continue
                }
                sorted = flag
            case "json_append":
                guard let flag = Self.bool(content) else {
                    problem(content, "json_append must be true or false")
                    continue
                }
                jsonAppend = flag
            case "optional":
                guard let flag = Self.bool(content) else {
                    problem(content, "optional must be true or false")
                    continue
                }
                optionalNode = flag ? content : nil
            default:
                problem(field, "unknown key \(fieldName) in the rule of \(name)",
                        hint: didYouMean(fieldName, in: Self.columnKeys) ?? "a column takes one of from, value, template, sql, default, null")
            }
        }
        guard var source else {
            problem(key, "column \(name) has no source", hint: "give one of from, value, template, sql, default, null")
            return nil
        }
        if let pickNode {
            guard case .from(let column, _) = source else {
                problem(pickNode, "pick goes with from")
                return nil
            }
            guard let pick = parsePick(pickNode, separator: separator, sorted: sorted) else { return nil }
            source = .from(column: column, pick: pick)
        }
        var rule = ColumnRule(column: name, location: location(key), source: source, jsonAppend: jsonAppend)
        if let optionalNode {
            guard !rule.inputColumns.isEmpty else {
                problem(optionalNode, "optional goes with from or template: it skips the rule when the input lacks a column it reads",
                        hint: "remove optional: \(name) reads no input column")
                return nil
            }
            rule.optional = true
        }
        return rule
    }

    static let pickNames = ["first", "last", "min", "max", "most_frequent", "max_by", "min_by", "concat_distinct",
                            "count_distinct", "sum"]

    mutating func parsePick(_ node: Node, separator: String, sorted: Bool) -> Pick? {
        if let mapping = node.mapping {
            guard mapping.count == 1, let (key, value) = mapping.first.map({ ($0.key, $0.value) }) else {
                problem(node, "pick takes one of \(Self.pickNames.joined(separator: ", "))")
                return nil
            }
            let name = key.string ?? ""
            guard name == "max_by" || name == "min_by" else {
                problem(key, "only max_by and min_by take a column", hint: didYouMean(name, in: ["max_by", "min_by"]))
                return nil
            }
            guard let column = value.string, !column.isEmpty, value.tag.description != "tag:yaml.org,2002:null" else {
                problem(value, "\(name) needs a column: pick: { \(name): COLUMN }")
                return nil
            }
            return name == "max_by" ? .maxBy(column) : .minBy(column)
        }
        let name = node.string ?? ""
        switch name {
        case "first": return .first
        case "last": return .last
        case "min": return .min
        case "max": return .max
        case "most_frequent": return .mostFrequent
        case "count_distinct": return .countDistinct
        case "sum": return .sum
        case "concat_distinct": return .concatDistinct(separator: separator, sorted: sorted)
        case "max_by", "min_by":
            problem(node, "\(name) needs a column: pick: { \(name): COLUMN }")
            return nil
        default:
            problem(node, "unknown pick \(name)", hint: didYouMean(name, in: Self.pickNames)
                ?? "picks are " + Self.pickNames.joined(separator: ", "))
            return nil
        }
    }

    mutating func parseMarks(_ node: Node) -> [MarkRule] {
        if Self.isEmpty(node) { return [] }
        guard let mapping = node.mapping else {
            problem(node, "mark must be a mapping of column names to values")
            return []
        }
        return mapping.compactMap { key, value in
            guard let column = key.string, let text = value.scalar?.string else {
                problem(value, "a mark is COLUMN: CONSTANT")
                return nil
            }
            return MarkRule(column: column, value: text, location: location(key))
        }
    }
}
