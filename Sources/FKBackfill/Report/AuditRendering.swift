extension AuditReport {
    /// The report as `text`, `json` (docs/json-output.md), `markdown` or `junit`; other formats give text.
    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: encodeJSON(json)
        case .markdown: markdown
        case .junit: junit
        default: text
        }
    }

    var counts: [Status: Int] {
        Dictionary(grouping: foreignKeys, by: \.status).mapValues(\.count)
    }

    var summary: String {
        let parts = [Status.auto, .rule, .uncovered, .skipped].map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let severities = [Severity.error, .warning, .info].map { severity in
            "\(findings.filter { $0.severity == severity }.count) \(severity.rawValue)"
        }
        return "\(foreignKeys.count) foreign keys: " + parts.joined(separator: ", ")
            + "; findings: " + severities.joined(separator: ", ")
    }

    // MARK: JSON (documented in docs/json-output.md)

    struct JSONDocument: Encodable {
        struct ForeignKey: Encodable {
            var name: String
            var table: String
            var columns: [String]
            var referencedTable: String
            var referencedColumns: [String]
            var declared: Bool
            var status: String
            var reasons: [String]
        }
        struct Finding: Encodable {
            var kind: String
            var severity: String
            var object: String
            var message: String
            var fix: String
            var snippet: NullOr<String>
        }
        var schemaVersion = SchemaVersion.audit
        var scope: String
        var foreignKeys: [ForeignKey]
        var findings: [Finding]
    }

    var json: JSONDocument {
        JSONDocument(
            scope: scope,
            foreignKeys: foreignKeys.map {
                .init(name: $0.name, table: $0.table.description, columns: $0.columns,
                      referencedTable: $0.referencedTable.description, referencedColumns: $0.referencedColumns,
                      declared: $0.declared, status: $0.status.rawValue, reasons: $0.reasons)
            },
            findings: findings.map {
                .init(kind: $0.kind, severity: $0.severity.rawValue, object: $0.object, message: $0.message,
                      fix: $0.fix, snippet: NullOr($0.snippet))
            })
    }

    // MARK: Text

    var text: String {
        var out = "Audit of \(scope): \(summary)\n"
        if !foreignKeys.isEmpty {
            var table = TextTable("STATUS", "TABLE", "CONSTRAINT", "REFERENCES")
            for fk in foreignKeys {
                table.add(fk.status.rawValue, fk.table.display, fk.name + (fk.declared ? " (declared)" : ""),
                          "\(fk.referencedTable.display) (\(fk.referencedColumns.joined(separator: ", ")))")
            }
            out += "\n" + table.render()
        }
        let blocked = foreignKeys.filter { !$0.reasons.isEmpty }
        if !blocked.isEmpty {
            out += "\nWhy:\n"
            for fk in blocked {
                out += "  \(fk.name) (\(fk.status.rawValue)):\n"
                for reason in fk.reasons { out += "    - \(reason)\n" }
            }
        }
        if !findings.isEmpty {
            out += "\nFindings:\n"
            for finding in findings {
                out += "  \(finding.severity.rawValue.uppercased()) \(finding.kind) \(finding.object)\n"
                out += "    \(finding.message)\n"
                out += "    fix: \(finding.fix)\n"
                if let snippet = finding.snippet {
                    out += snippet.split(separator: "\n").map { "      \($0)\n" }.joined()
                }
            }
        }
        return out
    }

    // MARK: Markdown (pull-request comments)

    var markdown: String {
        var out = "### fkbackfill audit of \(markdownCell(scope))\n\n\(summary)\n\n"
        if !foreignKeys.isEmpty {
            out += "| status | table | constraint | references | why |\n|---|---|---|---|---|\n"
            for fk in foreignKeys {
                let icon = switch fk.status {
                case .auto: "✅ auto"
                case .rule: "✅ rule"
                case .uncovered: "❌ uncovered"
                case .skipped: "⏭️ skipped"
                }
                out += "| \(icon) | `\(markdownCell(fk.table.description))` | `\(markdownCell(fk.name))`\(fk.declared ? " (declared)" : "") "
                    + "| `\(markdownCell(fk.referencedTable.description))` | \(markdownCell(fk.reasons.joined(separator: "; "))) |\n"
            }
        }
        if !findings.isEmpty {
            out += "\n| severity | finding | object | message | fix |\n|---|---|---|---|---|\n"
            for finding in findings {
                out += "| \(finding.severity.rawValue) | \(finding.kind) | \(markdownCode(finding.object)) | "
                    + "\(markdownCell(finding.message)) | \(markdownCode(finding.fix)) |\n"
            }
        }
        return out
    }

    // MARK: JUnit

    var junit: String {
        let keys = foreignKeys.map { fk in
            JUnitXML.TestCase(
                className: fk.table.description, name: fk.name,
                failure: fk.status == .uncovered
                    ? (message: "\(fk.name) cannot be backfilled", body: fk.reasons.joined(separator: "\n")) : nil,
                skipped: fk.status == .skipped ? fk.reasons.joined(separator: "; ") : nil,
                output: fk.status == .rule ? "covered by the rules file" : nil)
        }
        let lint = findings.filter { $0.kind != "uncovered-fk" }.map { finding in
            JUnitXML.TestCase(
                className: "findings.\(finding.kind)", name: finding.object,
                failure: finding.severity == .error ? (message: finding.message, body: "fix: \(finding.fix)") : nil,
                skipped: nil,
                output: finding.severity == .error ? nil : "\(finding.severity.rawValue): \(finding.message)\nfix: \(finding.fix)")
        }
        return JUnitXML(suites: [
            .init(name: "fkbackfill audit: foreign keys of \(scope)", cases: keys),
            .init(name: "fkbackfill audit: findings for \(scope)", cases: lint),
        ]).render()
    }
}
