@testable import FKBackfill
import Foundation
import Testing

/// `fkbackfill audit` output in every format, from a hand-built report with one FK of
/// each status and one finding of each severity.
@Suite struct AuditReportTests {
    static func fk(_ name: String, _ status: AuditReport.Status, reasons: [String] = [], declared: Bool = false)
        -> AuditReport.ForeignKeyResult
    {
        .init(name: name, table: Schema.name("fact"), referencedTable: Schema.name("plan"), columns: ["plan_code"],
              referencedColumns: ["code"], declared: declared, status: status, reasons: reasons)
    }

    static var report: AuditReport {
        var report = AuditReport(scope: "s.fact")
        report.foreignKeys = [
            fk("fk_auto", .auto),
            fk("fk_rule", .rule, declared: true),
            fk("fk_uncovered", .uncovered, reasons: ["s.plan.name is NOT NULL with no default", "no INSERT privilege"]),
            fk("fk_skipped", .skipped, reasons: ["on_missing: reject"]),
        ]
        report.tables = 2
        report.findings = [
            .init(kind: "uncovered-fk", severity: .error, object: "s.fact.fk_uncovered", message: "cannot backfill",
                  fix: "add a rule", snippet: nil, table: Schema.name("fact")),
            .init(kind: "missing-index", severity: .warning, object: "s.fact.plan_code", message: "no index <leads> with it",
                  fix: "CREATE INDEX ON s.fact (plan_code)", snippet: nil, table: Schema.name("fact")),
            .init(kind: "implied-relation", severity: .info, object: "s.fact.org_code", message: "looks like | a key",
                  fix: "declare it", snippet: "relations:\n  - from: s.fact (org_code)\n    to: s.org (code)", table: Schema.name("fact"),
                  evidence: ["the name org_code is the parent's name and key (org.code)"], droppedCandidates: ["t.org"]),
        ]
        return report
    }

    @Test func summaryCountsStatusesAndSeverities() {
        #expect(Self.report.summary == "4 foreign keys: 1 auto, 1 rule, 1 uncovered, 1 skipped; findings: 1 error, 1 warning, 1 info")
        #expect(AuditReport(scope: "x").summary == "0 foreign keys: 0 auto, 0 rule, 0 uncovered, 0 skipped; findings: 0 error, 0 warning, 0 info")
    }

    @Test func failingFollowsTheFailOnThreshold() {
        #expect(Self.report.fails(at: .error))
        var warningsOnly = Self.report
        warningsOnly.findings.removeFirst()
        #expect(!warningsOnly.fails(at: .error))
        #expect(warningsOnly.fails(at: .warning))
        warningsOnly.findings.removeFirst()
        #expect(!warningsOnly.fails(at: .warning))
        #expect(warningsOnly.fails(at: .info))
        #expect(AuditReport.Severity.allCases.sorted() == [.info, .warning, .error])
    }

    @Test func textStartsWithTheSummary() {
        #expect(Self.report.render(.text).hasPrefix("""
            Audit of s.fact
              tables:       2
              foreign keys: 4 (1 auto, 1 rule, 1 uncovered, 1 skipped)
              findings:     3 (1 error, 1 warning, 1 info)
                error    uncovered-fk      1
                warning  missing-index     1
                info     implied-relation  1
              data read:    none (catalog and the server's statistics only; --sample-rows N or --time-budget S checks values)

            == s.fact: 4 foreign keys (1 auto, 1 rule, 1 uncovered, 1 skipped), 3 findings

            """))
        #expect(AuditReport(scope: "schema s").render(.text) == """
            Audit of schema s
              tables:       0
              foreign keys: 0 (0 auto, 0 rule, 0 uncovered, 0 skipped)
              findings:     0 (0 error, 0 warning, 0 info)
              data read:    none (catalog and the server's statistics only; --sample-rows N or --time-budget S checks values)

            """)
    }

    @Test func textTableAndWhy() {
        let text = Self.report.render(.text)
        let block = text.split(separator: "\n").drop { !$0.hasPrefix("  STATUS") }.prefix { !$0.hasPrefix("  Why:") }
        #expect(Alignment.tables(block.map { $0.dropFirst(2) + "\n" }.joined()).first == [
            ["STATUS", "CONSTRAINT", "COLUMNS", "REFERENCES"],
            ["auto", "fk_auto", "plan_code", "s.plan (code)"],
            ["rule", "fk_rule (declared)", "plan_code", "s.plan (code)"],
            ["uncovered", "fk_uncovered", "plan_code", "s.plan (code)"],
            ["skipped", "fk_skipped", "plan_code", "s.plan (code)"],
        ])
        #expect(text.contains("""
              Why:
                s.plan (uncovered: fk_uncovered):
                  - s.plan.name is NOT NULL with no default
                  - no INSERT privilege
                s.plan (skipped: fk_skipped):
                  - on_missing: reject

            """))
    }

    @Test func textFindingsWithFixesAndSnippets() {
        #expect(Self.report.render(.text).hasSuffix("""
              ERROR uncovered-fk fk_uncovered: why above
                fix: add a rule
              WARNING missing-index s.fact.plan_code
                no index <leads> with it
                fix: CREATE INDEX ON s.fact (plan_code)
              INFO implied-relation s.fact.org_code
                looks like | a key
                fix: declare it
                  relations:
                    - from: s.fact (org_code)
                      to: s.org (code)

            """))
    }

    /// A schema audit lists only the FKs that are not `auto`, by table, worst first, and
    /// says what the filters hid and what was read.
    @Test func schemaTextGroupsByTableWorstFirst() {
        var report = AuditReport(scope: "schema s")
        report.tables = 3
        report.foreignKeys = [Self.fk("a_ok", .auto), Self.fk("b_bad", .uncovered, reasons: ["why"])]
        report.foreignKeys[0].table = Schema.name("alpha")
        report.findings = [
            .init(kind: "missing-index", severity: .warning, object: "s.zeta (x)", message: "m", fix: "f", snippet: nil, table: Schema.name("zeta")),
            .init(kind: "implied-relation", severity: .info, object: "s.alpha.x", message: "m", fix: "f", snippet: nil, table: Schema.name("alpha")),
        ]
        report.dataRead = .init(sampleRows: 500, timeBudgetSeconds: 10, checks: 3, skippedChecks: 1)
        report.filter(minSeverity: .warning, only: [])
        let text = report.render(.text)
        #expect(text.contains("  data read:    at most 500 rows per check and a time budget of 10.0 s: 3 checks ran, 1 skipped when the budget was spent\n"))
        #expect(text.contains("  shown:        findings at warning or above: 1 of 2\n"))
        let titles = text.split(separator: "\n").filter { $0.hasPrefix("== ") }
        #expect(titles == ["== s.fact: 1 foreign key (1 uncovered), 0 findings", "== s.zeta: 0 foreign keys, 1 finding"])
        #expect(!text.contains("a_ok"))
        #expect(report.findingCounts.map(\.count) == [1, 1])
    }

    @Test func jsonFields() throws {
        let json = try jsonObject(Self.report.render(.json))
        #expect(json["scope"] as? String == "s.fact")
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(keys.map { $0["status"] as? String } == ["auto", "rule", "uncovered", "skipped"])
        #expect(keys.map { $0["declared"] as? Bool } == [false, true, false, false])
        #expect(keys[2]["name"] as? String == "fk_uncovered")
        #expect(keys[2]["table"] as? String == "s.fact")
        #expect(keys[2]["columns"] as? [String] == ["plan_code"])
        #expect(keys[2]["referencedTable"] as? String == "s.plan")
        #expect(keys[2]["referencedColumns"] as? [String] == ["code"])
        #expect(keys[2]["reasons"] as? [String] == ["s.plan.name is NOT NULL with no default", "no INSERT privilege"])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.map { $0["severity"] as? String } == ["error", "warning", "info"])
        #expect(findings.map { $0["kind"] as? String } == ["uncovered-fk", "missing-index", "implied-relation"])
        #expect(findings[1]["object"] as? String == "s.fact.plan_code")
        #expect(findings[1]["message"] as? String == "no index <leads> with it")
        #expect(findings[1]["fix"] as? String == "CREATE INDEX ON s.fact (plan_code)")
        #expect(findings[1]["snippet"] is NSNull)
        #expect(findings[2]["snippet"] as? String == "relations:\n  - from: s.fact (org_code)\n    to: s.org (code)")
    }

    @Test func markdownWithIconsAndEscapedCells() {
        let markdown = Self.report.render(.markdown)
        #expect(markdown.hasPrefix("### fkbackfill audit of s.fact\n\n" + Self.report.summary + "\n\n"
            + "| status | table | constraint | references | why |\n|---|---|---|---|---|\n"
            + "| ✅ auto | `s.fact` | `fk_auto` | `s.plan` |  |\n"
            + "| ✅ rule | `s.fact` | `fk_rule` (declared) | `s.plan` |  |\n"
            + "| ❌ uncovered | `s.fact` | `fk_uncovered` | `s.plan` | s.plan.name is NOT NULL with no default; no INSERT privilege |\n"
            + "| ⏭️ skipped | `s.fact` | `fk_skipped` | `s.plan` | on_missing: reject |\n"))
        #expect(markdown.hasSuffix("\n| severity | finding | object | message | fix |\n|---|---|---|---|---|\n"
            + "| error | uncovered-fk | `s.fact.fk_uncovered` | cannot backfill | `add a rule` |\n"
            + "| warning | missing-index | `s.fact.plan_code` | no index <leads> with it | `CREATE INDEX ON s.fact (plan_code)` |\n"
            + "| info | implied-relation | `s.fact.org_code` | looks like \\| a key | `declare it` |\n"))
    }

    @Test func junitSuitesForKeysAndFindings() throws {
        let junit = try JUnitDocument(Self.report.render(.junit))
        // 4 keys + 2 findings (the uncovered-fk finding is the key's own failure already).
        #expect(junit.attribute(junit.root, "tests") == "6")
        #expect(junit.attribute(junit.root, "failures") == "1")
        #expect(junit.attribute(junit.root, "skipped") == "1")
        #expect(junit.suites.map { junit.attribute($0, "name") }
            == ["fkbackfill audit: foreign keys of s.fact", "fkbackfill audit: findings for s.fact"])
        #expect(junit.suites.map { junit.attribute($0, "tests") } == ["4", "2"])
        let uncovered = try #require(junit.testCase("fk_uncovered")?.elements(forName: "failure").first)
        #expect(junit.attribute(uncovered, "message") == "fk_uncovered cannot be backfilled")
        #expect(uncovered.stringValue == "s.plan.name is NOT NULL with no default\nno INSERT privilege")
        let skipped = try #require(junit.testCase("fk_skipped")?.elements(forName: "skipped").first)
        #expect(junit.attribute(skipped, "message") == "on_missing: reject")
        #expect(junit.testCase("fk_rule")?.elements(forName: "system-out").first?.stringValue == "covered by the rules file")
        #expect(junit.testCase("fk_auto")?.childCount == 0)
    }

    @Test func junitFindingsFailOnlyAtErrorSeverity() throws {
        var report = Self.report
        report.findings.append(.init(kind: "no-privilege", severity: .error, object: "s.plan", message: "no INSERT & no UPDATE",
                                     fix: "GRANT INSERT ON s.plan TO me", snippet: nil))
        let junit = try JUnitDocument(report.render(.junit))
        #expect(junit.attribute(junit.root, "failures") == "2")
        let index = try #require(junit.testCase("s.fact.plan_code"))
        #expect(junit.attribute(index, "classname") == "findings.missing-index")
        #expect(index.elements(forName: "failure").isEmpty)
        #expect(index.elements(forName: "system-out").first?.stringValue
            == "warning: no index <leads> with it\nfix: CREATE INDEX ON s.fact (plan_code)")
        let grant = try #require(junit.testCase("s.plan")?.elements(forName: "failure").first)
        #expect(junit.attribute(grant, "message") == "no INSERT & no UPDATE")
        #expect(grant.stringValue == "fix: GRANT INSERT ON s.plan TO me")
    }
}
