@testable import FKBackfill
import Testing

/// Markdown code spans hold any text: an audit fix that quotes a command in backticks
/// no longer breaks the table (it did with a plain one-backtick span).
@Suite struct MarkdownCodeTests {
    @Test(arguments: [
        ("CREATE INDEX ON s.t (c);", "`CREATE INDEX ON s.t (c);`"),
        ("fix rows (`fkbackfill validate s.t` lists them)", "``fix rows (`fkbackfill validate s.t` lists them)``"),
        ("`edge`", "`` `edge` ``"),
        ("a ``double`` b", "```a ``double`` b```"),
        ("pipe | here", "`pipe \\| here`"),
    ])
    func codeSpansFenceEveryBacktick(text: String, expected: String) {
        #expect(markdownCode(text) == expected)
    }

    @Test func anAuditFixWithBackticksStaysOneCell() {
        var report = AuditReport(scope: "schema s")
        report.findings = [.init(
            kind: "not-valid", severity: .warning, object: "s.t.f", message: "f is NOT VALID",
            fix: "fix the 2 orphan rows (`fkbackfill validate s.t` lists them), then ALTER TABLE s.t VALIDATE CONSTRAINT f;")]
        let row = report.render(.markdown).split(separator: "\n").first { $0.contains("not-valid") } ?? ""
        #expect(row.contains("``fix the 2 orphan rows (`fkbackfill validate s.t` lists them)"), "\(row)")
        #expect(row.filter { $0 == "|" }.count == 6, "\(row)")
    }
}

/// validate's text says what a key is even when it is blank, and counts in English.
@Suite struct ValidationWordingTests {
    @Test(arguments: [
        ([nil], "NULL"), (["A1"], "A1"), ([""], "''"), (["  "], "'  '"), (["NULL"], "'NULL'"),
        (["it's"], "'it''s'"), (["P1", " x"], "(P1, ' x')"),
    ] as [([String?], String)])
    func blankAndAmbiguousKeysAreQuoted(key: [String?], text: String) {
        #expect(ValidationReport.keyText(key) == text)
    }

    @Test func oneRowIsSingular() {
        #expect(counted(1, "row") == "1 row" && counted(2, "row") == "2 rows" && counted(0, "row") == "0 rows")
        let report = ValidationReport(table: TableName(schema: "s", name: "t"), input: "m.csv", linesAreFileLines: true)
        #expect(report.render(.text).contains("0 rows"))
    }
}
