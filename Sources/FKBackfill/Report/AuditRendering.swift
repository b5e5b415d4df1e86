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
            var declaredOn: String
            var validated: Bool
        }
        struct Finding: Encodable {
            var kind: String
            var severity: String
            var object: String
            var message: String
            var fix: String
            var snippet: NullOr<String>
            var table: NullOr<String>
            var evidence: [String]
            var droppedCandidates: [String]
        }
        struct Count: Encodable {
            var kind: String
            var severity: String
            var count: Int
        }
        struct Summary: Encodable {
            var tables: Int
            var foreignKeys: [String: Int]
            var findings: [Count]
        }
        struct DataRead: Encodable {
            var readsData: Bool
            var sampleRows: NullOr<Int>
            var timeBudgetSeconds: NullOr<Double>
            var checks: Int
            var skippedChecks: Int
        }
        struct Filters: Encodable {
            var minSeverity: String
            var only: [String]
        }
        struct Gone: Encodable {
            var kind: String
            var object: String
        }
        struct Baseline: Encodable {
            var file: String
            var new: Int
            var hidden: Int
            var gone: [Gone]
        }
        var schemaVersion = SchemaVersion.audit
        var scope: String
        var summary: Summary
        var dataRead: DataRead
        var filters: Filters
        var baseline: NullOr<Baseline>
        var foreignKeys: [ForeignKey]
        var findings: [Finding]
    }

    var json: JSONDocument {
        JSONDocument(
            scope: scope,
            summary: .init(
                tables: tables,
                foreignKeys: Dictionary(uniqueKeysWithValues: [Status.auto, .rule, .uncovered, .skipped].map { ($0.rawValue, counts[$0] ?? 0) }),
                findings: findingCounts.map { .init(kind: $0.kind, severity: $0.severity.rawValue, count: $0.count) }),
            dataRead: .init(readsData: dataRead.readsData, sampleRows: NullOr(dataRead.sampleRows),
                            timeBudgetSeconds: NullOr(dataRead.timeBudgetSeconds), checks: dataRead.checks, skippedChecks: dataRead.skippedChecks),
            filters: .init(minSeverity: minSeverity.rawValue, only: only),
            baseline: NullOr(baselineOutcome.map { outcome in
                .init(file: outcome.file, new: outcome.new, hidden: outcome.hidden,
                      gone: outcome.gone.map { .init(kind: $0.kind, object: $0.object) })
            }),
            foreignKeys: foreignKeys.map {
                .init(name: $0.name, table: $0.table.description, columns: $0.columns,
                      referencedTable: $0.referencedTable.description, referencedColumns: $0.referencedColumns,
                      declared: $0.declared, status: $0.status.rawValue, reasons: $0.reasons,
                      declaredOn: ($0.declaredOn ?? $0.table).description, validated: $0.validated)
            },
            findings: findings.map {
                .init(kind: $0.kind, severity: $0.severity.rawValue, object: $0.object, message: $0.message,
                      fix: $0.fix, snippet: NullOr($0.snippet), table: NullOr($0.table?.description),
                      evidence: $0.evidence, droppedCandidates: $0.droppedCandidates)
            })
    }

    /// Findings per kind and severity before any filter (counted from `findings` for a
    /// report that was never filtered).
    var findingCounts: [FindingCount] {
        allFindings.isEmpty && !findings.isEmpty ? Self.count(findings) : allFindings
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
