@testable import FKBackfill
import Foundation
import Testing

/// `--write-baseline` / `--baseline` without a database: identity is kind + object, not
/// the message; a second finding of one identity is new; what is gone is listed.
@Suite struct AuditBaselineTests {
    static func finding(_ kind: String, _ object: String, message: String = "m", severity: AuditReport.Severity = .warning)
        -> AuditReport.Finding
    {
        .init(kind: kind, severity: severity, object: object, message: message, fix: "f", snippet: nil, table: Schema.name("fact"))
    }

    @Test func knownFindingsAreHiddenByKindAndObjectNotByMessage() throws {
        let baseline = AuditBaseline(scope: "all tables", findings: [
            Self.finding("missing-index", "s.fact (a)", message: "old wording"),
            Self.finding("missing-index", "s.fact (b)"),
            Self.finding("not-valid", "s.fact.fk_gone"),
        ])
        var report = AuditReport(scope: "all tables")
        report.findings = [
            Self.finding("missing-index", "s.fact (a)", message: "new wording, same finding", severity: .error),
            Self.finding("missing-index", "s.fact (b)"),
            Self.finding("missing-index", "s.fact (b)"),  // a second one of the same identity is new
            Self.finding("missing-index", "s.fact (c)"),
        ]
        report.apply(baseline, file: "b.json")
        #expect(report.findings.map(\.object) == ["s.fact (b)", "s.fact (c)"])
        let outcome = try #require(report.baselineOutcome)
        #expect(outcome.hidden == 2 && outcome.new == 2)
        #expect(outcome.gone == [AuditBaseline.Identity(kind: "not-valid", object: "s.fact.fk_gone")])
        #expect(!report.fails(at: .error) && report.fails(at: .warning))
        let text = report.render(.text)
        #expect(text.contains("  baseline:     b.json: 2 new, 2 known hidden, 1 gone\n    gone: not-valid s.fact.fk_gone\n"))
        #expect(report.render(.json).contains("\"hidden\" : 2"))
    }

    @Test func theFileRoundTripsAndIsSortedAndStable() throws {
        let findings = [Self.finding("not-valid", "s.b"), Self.finding("missing-index", "s.z"), Self.finding("missing-index", "s.a")]
        let written = AuditBaseline(scope: "schema s", findings: findings)
        #expect(written.entries.map(\.object) == ["s.a", "s.z", "s.b"])
        #expect(written.json == AuditBaseline(scope: "schema s", findings: findings.reversed()).json)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fkb-baseline-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try written.json.write(to: url, atomically: true, encoding: .utf8)
        #expect(try AuditBaseline.read(path: url.path) == written)
    }

    @Test func aFileThatIsNoBaselineIsBadInput() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fkb-baseline-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try "{\"findings\": []}".write(to: url, atomically: true, encoding: .utf8)
        for path in [url.path, url.path + ".missing"] {
            do {
                _ = try AuditBaseline.read(path: path)
                Issue.record("no error for \(path)")
            } catch {
                #expect(error.kind == .badInput(line: nil), "\(error.message)")
                #expect(error.hint?.contains("--write-baseline") == true)
            }
        }
    }
}
