import Foundation
import Yams

/// Reads a rules file into `Rules`, keeping every value's line and column, and
/// collecting every problem rather than stopping at the first.
public struct RulesParser {
    let file: String
    var problems: [RulesProblem] = []

    /// Parses `text` (the contents of `file`). Throws a usage error listing every problem.
    public static func parse(_ text: String, file: String) throws(FKBackfillError) -> Rules {
        var parser = RulesParser(file: file)
        let rules = parser.parseDocument(text)
        if !parser.problems.isEmpty { throw FKBackfillError(rulesProblems: parser.problems, file: file) }
        return rules
    }

    /// Reads and parses a file.
    public static func load(path: String) throws(FKBackfillError) -> Rules {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FKBackfillError("cannot read rules file \(path)", hint: "check the path of the rules file", kind: .rulesProblems)
        }
        return try parse(text, file: path)
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func problem(_ node: Node, _ message: String, hint: String? = nil) {
        problems.append(RulesProblem(location(node), message, hint: hint))
    }

    mutating func parseDocument(_ text: String) -> Rules {
        var rules = Rules(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            problems.append(Self.yamlProblem(error, file: file))
            return rules
        } catch {
            problems.append(RulesProblem(SourceLocation(file: file, line: 1, column: 1), "not YAML: \(error)"))
            return rules
        }
        guard let root else { return rules }  // an empty file: no rules
        guard let mapping = root.mapping else {
            problem(root, "the rules file must be a mapping with keys blank, tables, foreign_keys, relations")
            return rules
        }
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "blank": rules.blank = parseBlank(value)
            case "tables": rules.tables = parseTables(value)
            case "foreign_keys": rules.foreignKeys = parseForeignKeys(value)
            case "relations": rules.relations = parseRelations(value)
            case let other:
                problem(key, "unknown key \(other)", hint: didYouMean(other, in: ["blank", "tables", "foreign_keys", "relations"])
                    ?? "the top-level keys are blank, tables, foreign_keys, relations")
            }
        }
        return rules
    }

    static func yamlProblem(_ error: YamlError, file: String) -> RulesProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return RulesProblem(SourceLocation(file: file, line: mark.line, column: mark.column), "not valid YAML: \(problem)")
        default:
            return RulesProblem(SourceLocation(file: file, line: 1, column: 1), "not valid YAML: \(error)")
        }
    }

    // MARK: blank

    mutating func parseBlank(_ node: Node) -> BlankRule {
        var rule = BlankRule(location: location(node))
        if Self.isEmpty(node) { return rule }
        guard let mapping = node.mapping else {
            problem(node, "blank must be a mapping with markers and on_blank")
            return rule
        }
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "markers":
                if let sequence = value.sequence {
                    rule.markers = sequence.compactMap { item in
                        if let text = item.scalar?.string { return text }
                        problem(item, "a blank marker must be a string")
                        return nil
                    }
                } else if let text = value.scalar?.string {
                    rule.markers = [text]
                } else {
                    problem(value, "markers must be a list of strings, e.g. ['(空白)', '-']")
                }
            case "on_blank":
                let text = value.string ?? ""
                if let choice = BlankRule.OnBlank(rawValue: text == "~" ? "null" : text) {
                    rule.onBlank = choice
                } else {
                    problem(value, "on_blank must be null, reject or keep, not '\(text)'")
                }
            case let other:
                problem(key, "unknown key \(other) under blank", hint: didYouMean(other, in: ["markers", "on_blank"]))
            }
        }
        return rule
    }

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
    static let columnKeys = sourceKeys + ["pick", "separator", "sorted", "json_append"]

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
        return ColumnRule(column: name, location: location(key), source: source, jsonAppend: jsonAppend)
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
            var rule = ForeignKeyRule(key: name, location: location(key), name: name)
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

    /// A key with nothing after it (or only comments): `columns:`.
    static func isEmpty(_ node: Node) -> Bool {
        if let scalar = node.scalar { return scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" }
        return false
    }

    static func bool(_ node: Node) -> Bool? {
        switch node.string?.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }
}
