import Foundation
import Yams

/// Reads a legacy per-FK config (see `LegacyConfig`) with every value's line and column,
/// the way `RulesParser` reads rules files, collecting every problem at once. A problem
/// is reported as `FILE:LINE:COL: message`, exit 2.
struct LegacyConfigParser {
    let file: String
    var problems: [RulesProblem] = []

    static func parse(_ text: String, file: String) throws(FKBackfillError) -> LegacyConfig {
        var parser = LegacyConfigParser(file: file)
        let config = parser.parseDocument(text)
        if !parser.problems.isEmpty { throw FKBackfillError(legacyProblems: parser.problems, file: file) }
        return config
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func problem(_ node: Node, _ message: String, hint: String? = nil) {
        problems.append(RulesProblem(location(node), message, hint: hint))
    }

    mutating func unknown(_ key: Node, under: String, known: [String]) {
        let name = key.string ?? ""
        problem(key, "unknown key \(name) \(under)", hint: didYouMean(name, in: known) ?? "the keys are " + known.joined(separator: ", "))
    }

    mutating func parseDocument(_ text: String) -> LegacyConfig {
        var config = LegacyConfig(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            problems.append(RulesParser.yamlProblem(error, file: file))
            return config
        } catch {
            problems.append(RulesProblem(SourceLocation(file: file, line: 1, column: 1), "not YAML: \(error)"))
            return config
        }
        guard let mapping = root?.mapping else {
            problems.append(RulesProblem(root.map(location) ?? SourceLocation(file: file, line: 1, column: 1),
                                         "the config must be a mapping with schema_version and domains"))
            return config
        }
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "schema_version": config.schemaVersion = value.string
            case "domains": config.domains = parseDomains(value)
            default: unknown(key, under: "at the top level", known: ["schema_version", "domains"])
            }
        }
        return config
    }

    mutating func parseDomains(_ node: Node) -> [LegacyDomain] {
        guard let mapping = node.mapping else {
            problem(node, "domains must be a mapping of domain names to { foreign_keys: [...] }")
            return []
        }
        return mapping.compactMap { key, value -> LegacyDomain? in
            guard let name = key.string, !name.isEmpty else {
                problem(key, "a domain name must be a string")
                return nil
            }
            var domain = LegacyDomain(name: name, location: location(key))
            guard let fields = value.mapping else {
                problem(value, "domain \(name) must be a mapping with foreign_keys")
                return domain
            }
            for (field, content) in fields {
                guard field.string == "foreign_keys" else {
                    unknown(field, under: "in domain \(name)", known: ["foreign_keys"])
                    continue
                }
                guard let sequence = content.sequence else {
                    if !RulesParser.isEmpty(content) { problem(content, "foreign_keys must be a list of entries") }
                    continue
                }
                domain.entries = sequence.compactMap { parseEntry($0) }
            }
            var seen = Set<String>()
            for entry in domain.entries where !seen.insert(entry.name).inserted {
                problems.append(RulesProblem(entry.location, "entry \(entry.name) appears twice in domain \(name)"))
            }
            let names = domain.entries.map(\.name)
            for entry in domain.entries {
                for dependency in entry.dependsOn where !names.contains(dependency.name) {
                    problems.append(RulesProblem(dependency.location, "depends_on: domain \(name) has no entry \(dependency.name)",
                                                 hint: didYouMean(dependency.name, in: names)))
                }
            }
            return domain
        }
    }

    static let entryKeys = ["name", "source_column", "target_schema", "target_table", "target_key", "mode", "depends_on",
                            "skip_blank_values", "backfill_columns"]

    mutating func parseEntry(_ node: Node) -> LegacyEntry? {
        guard let fields = node.mapping else {
            problem(node, "an FK entry must be a mapping with name, source_column, target_schema, target_table, target_key")
            return nil
        }
        var text: [String: String] = [:]
        var entry = LegacyEntry(name: "", location: location(node), sourceColumn: "", targetSchema: "", targetTable: "", targetKey: "")
        for (field, content) in fields {
            let key = field.string ?? ""
            switch key {
            case "name", "source_column", "target_schema", "target_table", "target_key":
                guard let value = content.scalar?.string, !value.isEmpty else {
                    problem(content, "\(key) must be a non-empty string")
                    continue
                }
                text[key] = value
            case "mode":
                let value = content.string ?? ""
                if let mode = LegacyEntry.Mode(rawValue: value) {
                    entry.mode = mode
                } else {
                    problem(content, "mode must be insert_missing or fill_null_only, not '\(value)'",
                            hint: didYouMean(value, in: LegacyEntry.Mode.allCases.map(\.rawValue)))
                }
            case "depends_on":
                let items = content.sequence.map(Array.init) ?? (content.scalar != nil ? [content] : [])
                for item in items {
                    if let name = item.string, !name.isEmpty {
                        entry.dependsOn.append((name, location(item)))
                    } else {
                        problem(item, "depends_on takes entry names")
                    }
                }
            case "skip_blank_values":
                guard let flag = RulesParser.bool(content) else {
                    problem(content, "skip_blank_values must be true or false")
                    continue
                }
                entry.skipBlankValues = flag
                entry.skipBlankLocation = location(field)
            case "backfill_columns":
                guard let sequence = content.sequence else {
                    if !RulesParser.isEmpty(content) { problem(content, "backfill_columns must be a list of { source, target }") }
                    continue
                }
                entry.columns = sequence.compactMap { parseColumn($0) }
            default:
                unknown(field, under: "in an FK entry", known: Self.entryKeys)
            }
        }
        let required = ["name", "source_column", "target_schema", "target_table", "target_key"]
        guard let name = text["name"], let sourceColumn = text["source_column"], let targetSchema = text["target_schema"],
              let targetTable = text["target_table"], let targetKey = text["target_key"] else {
            let missing = required.filter { text[$0] == nil }
            let what = text["name"].map { "entry \($0)" } ?? "this FK entry"
            problem(node, "\(what) has no \(missing.joined(separator: ", "))")
            return nil
        }
        entry.name = name
        entry.sourceColumn = sourceColumn
        entry.targetSchema = targetSchema
        entry.targetTable = targetTable
        entry.targetKey = targetKey
        var targets = Set<String>()
        for column in entry.columns where !targets.insert(column.target).inserted {
            problems.append(RulesProblem(column.location, "target \(column.target) appears twice in entry \(entry.name)",
                                         hint: "keep one derivation per parent column"))
        }
        return entry
    }

    mutating func parseColumn(_ node: Node) -> LegacyColumn? {
        guard let fields = node.mapping else {
            problem(node, "a backfill column must be a mapping with source and target")
            return nil
        }
        var source: String?
        var target: String?
        var column = LegacyColumn(source: "", target: "", location: location(node))
        for (field, content) in fields {
            let key = field.string ?? ""
            switch key {
            case "source", "target":
                guard let value = content.scalar?.string, !value.isEmpty else {
                    problem(content, "\(key) must be a column name")
                    continue
                }
                if key == "source" { source = value } else { target = value }
            case "optional":
                guard let flag = RulesParser.bool(content) else {
                    problem(content, "optional must be true or false")
                    continue
                }
                column.optional = flag
            case "aggregation":
                column.aggregation = parseAggregation(content)
            default:
                unknown(field, under: "in a backfill column", known: ["source", "target", "optional", "aggregation"])
            }
        }
        guard let source, let target else {
            problem(node, "a backfill column needs both source and target")
            return nil
        }
        column.source = source
        column.target = target
        return column
    }
}

extension FKBackfillError {
    /// Every problem of a legacy config at once; exit 2, nothing written.
    init(legacyProblems problems: [RulesProblem], file: String) {
        self.init(rulesProblems: problems, file: file, document: "the config", outcome: "nothing was imported",
                  hint: "see docs/migrating.md for the keys import-rules reads")
    }
}
