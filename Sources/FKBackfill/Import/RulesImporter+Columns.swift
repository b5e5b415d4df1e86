/// One legacy derivation → one column rule. Pure: the mapping table of docs/migrating.md.
extension RulesImporter {
    static func convert(_ column: LegacyColumn, of entry: LegacyEntry) -> ColumnConversion {
        if column.target == entry.targetKey {
            let taken = column.source == entry.sourceColumn ? "" : " (the config named \(column.source); the key column wins)"
            return .key(comment: "\(column.target) is the key: its value is the fact row's \(entry.sourceColumn)\(taken)")
        }
        let source = YAMLScalar.string(column.source)
        let optional = column.optional ? ", optional: true" : ""
        guard let aggregation = column.aggregation else { return .rule("{ from: \(source), pick: first\(optional) }", comment: nil) }
        switch aggregation.kind {
        case .first:
            return .rule("{ from: \(source), pick: first\(optional) }", comment: nil)
        case .maxBy(let order):
            return .rule("{ from: \(source), pick: { max_by: \(YAMLScalar.string(order)) }\(optional) }", comment: nil)
        case .concatDistinct(let separator, let sort):
            return .rule("{ from: \(source), pick: concat_distinct, separator: \(YAMLScalar.quoted(separator)), sorted: \(sort)\(optional) }",
                         comment: nil)
        case .countDistinct:
            return .rule("{ from: \(source), pick: count_distinct\(optional) }", comment: nil)
        case .template(let template, let fields):
            let placeholders = TemplateParts.parse(template).compactMap(\.column)
            if placeholders.isEmpty {
                let dropped = column.optional ? "; optional dropped, a constant reads no input column" : ""
                return .rule("{ value: \(YAMLScalar.quoted(template)) }", comment: "a template without placeholders\(dropped)")
            }
            var comment: String?
            if let fields, Set(fields) != Set(placeholders) {
                comment = "template_fields [\(fields.joined(separator: ", "))] differ from the placeholders; the placeholders are used"
            }
            return .rule("{ template: \(YAMLScalar.quoted(template))\(optional) }", comment: comment)
        case .lambda(let code), .jsonbAppend(let code):
            let list = if case .jsonbAppend = aggregation.kind { true } else { false }
            let type = list ? "jsonb_append" : "lambda"
            guard let (translation, columns) = CodeShapes.translate(code, list: list) else {
                return .human(reason: "\(type) code of no known shape")
            }
            switch translation {
            case .from(let from, let pick):
                return .rule("{ from: \(YAMLScalar.string(from)), pick: \(pick.name)\(optional) }", comment: "from \(type) code")
            case .sql(let sql):
                let append = list ? ", json_append: true" : ""
                var comment = "from \(type) code"
                if column.optional && !columns.isEmpty {
                    comment += "; optional dropped: sql: reads \(columns.joined(separator: ", ")), the input must have "
                        + (columns.count == 1 ? "it" : "them")
                }
                return .rule("{ sql: \(YAMLScalar.quoted(sql))\(append) }", comment: comment)
            }
        }
    }

    /// Writes one column of a table rule: the rule, or its key note, or the commented-out
    /// code a human must translate (and records it).
    static func write(
        _ column: LegacyColumn, of entry: LegacyEntry, table: TableName,
        into lines: inout RulesText, needsHuman: inout [RulesImport.NeedsHuman]
    ) {
        let name = YAMLScalar.string(column.target)
        switch convert(column, of: entry) {
        case .key(let comment):
            lines.comment(comment, indent: 6)
        case .rule(let rule, let comment):
            lines.add("      \(name): \(rule)" + (comment.map { "   # " + $0 } ?? ""), from: column.location)
        case .human(let reason):
            let aggregation = column.aggregation!
            let code: String = switch aggregation.kind {
            case .lambda(let code), .jsonbAppend(let code): code
            default: ""
            }
            let what = "\(table.display).\(column.target) (from \(column.source)): \(reason)"
            needsHuman.append(.init(location: aggregation.valueLocation, what: what))
            lines.comment("NEEDS A HUMAN: \(aggregation.valueLocation) \(reason); fkbackfill runs no code. It was:", indent: 6)
            lines.comment("  " + code, indent: 6)
            lines.comment("write an equivalent rule (value, from/pick, template, sql; a mark: for inserted rows only), e.g.",
                          indent: 6)
            let append = if case .jsonbAppend = aggregation.kind { ", json_append: true" } else { "" }
            lines.comment("\(name): { sql: \"…\"\(append) }", indent: 6)
        }
    }
}
