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
            throw FKBackfillError("cannot read rules file \(path)", hint: "check the path of the rules file", kind: .rulesFileUnreadable)
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
            case "near_duplicates":
                if let text = value.scalar?.string, let choice = NearDuplicates(rawValue: text) {
                    rules.nearDuplicates = choice
                } else {
                    problem(value, "near_duplicates must be warn or reject")
                }
            case let other:
                problem(key, "unknown key \(other)", hint: didYouMean(other, in: ["blank", "tables", "foreign_keys", "relations", "near_duplicates"])
                    ?? "the top-level keys are blank, tables, foreign_keys, relations, near_duplicates")
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

    // MARK: helpers

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
