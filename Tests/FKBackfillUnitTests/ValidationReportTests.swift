@testable import FKBackfill
import Foundation
import Testing

/// `fkbackfill validate` output in every format, from hand-built reports: one that
/// would load after a backfill, one that would not.
@Suite struct ValidationReportTests {
    static let plan = ValidationReport.ForeignKeyResult(
        name: "fact_plan", table: Schema.name("fact"), referencedTable: Schema.name("plan"), declared: false,
        violatingRows: 3, missingKeys: 2, fixableKeys: 2, unfixableKeys: 0, reasons: [],
        samples: [.init(key: ["P9"], lines: [4, 7]), .init(key: ["P8"], lines: [9])])

    static let org = ValidationReport.ForeignKeyResult(
        name: "org_id -> s.org", table: Schema.name("fact"), referencedTable: Schema.name("org"), declared: true,
        violatingRows: 5, missingKeys: 4, fixableKeys: 1, unfixableKeys: 3, reasons: ["s.org.name is NOT NULL | no default"],
        samples: [.init(key: ["O1", nil], lines: [])])

    static let amount = ValidationReport.ColumnProblem(
        column: "amount", problem: .conversion, detail: "invalid input syntax for type numeric: \"x\"", rows: 2, sampleLines: [3, 8])

    static var passing: ValidationReport {
        var report = ValidationReport(table: Schema.name("fact"), input: "data.csv", linesAreFileLines: true)
        report.rows = 100
        report.foreignKeys = [plan]
        return report
    }

    static var failing: ValidationReport {
        var report = passing
        report.foreignKeys = [plan, org]
        report.columns = [amount]
        return report
    }

    /// A CSV checked read-only: in place, with file lines, and what it did not evaluate in
    /// every format that has room for it.
    @Test func aCSVCheckedReadOnlySaysWhatItDidNotEvaluate() throws {
        var report = Self.passing
        report.checkedInPlace = true
        report.notExact = ["the target's unique keys (fact_pkey): repeats inside the input and keys already in s.fact are not checked"]
        #expect(report.wouldLoad && report.verdict == "would load after backfilling 2 missing keys")
        #expect(report.text.hasPrefix("Validation of data.csv for s.fact: 100 rows (checked in place), would load"))
        #expect(report.text.hasSuffix("\nNot evaluated read-only:\n  not exact: \(report.notExact[0])\n"), "\(report.text)")
        #expect(report.markdown.contains("- not exact: the target's unique keys (fact_pkey)"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        #expect(json["notExact"] as? [String] == report.notExact && json["lineNumbers"] as? String == "file")
        #expect(try #require(JSONSerialization.jsonObject(with: Data(Self.passing.render(.json).utf8)) as? [String: Any])["notExact"] as? [String] == [])
    }

    @Test func verdicts() {
        #expect(Self.passing.wouldLoad)
        #expect(Self.passing.verdict == "would load after backfilling 2 missing keys")
        #expect(!Self.failing.wouldLoad)
        #expect(Self.failing.verdict == "would not load")
        var clean = Self.passing
        clean.foreignKeys = []
        #expect(clean.verdict == "would load")
        var strict = Self.passing
        strict.strict = true
        #expect(!strict.wouldLoad)
        #expect(strict.verdict == "would not load (--strict: missing keys count as failures)")
        var one = Self.passing
        one.foreignKeys[0].fixableKeys = 1
        #expect(one.verdict == "would load after backfilling 1 missing key")
        // With a prediction, the headline is what the load would write: rows set aside take
        // their missing keys with them (hostile review 2), and a parent's parent gets rows too.
        var predicted = Self.passing
        predicted.prediction = ValidationReport.Prediction()
        #expect(predicted.verdict == "would load")
        predicted.prediction?.parents = [.init(table: Schema.name("plan"), inserted: 2, sampleKeys: []),
                                         .init(table: Schema.name("org"), inserted: 1, sampleKeys: [])]
        #expect(predicted.verdict == "would load after backfilling 3 new parent rows")
    }

    @Test func textOfAPassingReport() {
        let text = Self.passing.render(.text)
        #expect(text.hasPrefix("Validation of data.csv for s.fact: 100 rows, would load after backfilling 2 missing keys\n\n"))
        #expect(Alignment.tables(text) == [[
            ["FOREIGN KEY", "REFERENCES", "VIOLATING ROWS", "MISSING KEYS", "FIXABLE", "UNFIXABLE"],
            ["fact_plan", "s.plan", "3", "2", "2", "0"],
        ]])
        #expect(text.hasSuffix("\nfact_plan → s.plan:\n  missing P9 (lines 4, 7)\n  missing P8 (line 9)\n"))
    }

    @Test func textOfAFailingReport() {
        let text = Self.failing.render(.text)
        #expect(text.contains("""

            org_id -> s.org → s.org:
              cannot fix: s.org.name is NOT NULL | no default
              missing (O1, NULL)
              … and 3 more missing keys

            Column problems:

            """))
        let tables = Alignment.tables(text)
        #expect(tables.first?.last == ["org_id -> s.org (declared)", "s.org", "5", "4", "1", "3"])
        #expect(tables.last == [
            ["COLUMN", "PROBLEM", "ROWS", "LINES", "DETAIL"],
            ["amount", "does not convert", "2", "3, 8", "invalid input syntax for type numeric: \"x\""],
        ])
    }

    @Test func rowNumbersAndCheckedInPlace() {
        var rows = Self.failing
        rows.linesAreFileLines = false
        let text = rows.render(.text)
        #expect(text.contains("  missing P9 (rows 4, 7)\n"))
        #expect(Alignment.tables(text).last?.first == ["COLUMN", "PROBLEM", "ROWS", "ROW NUMBERS", "DETAIL"])
        var inPlace = Self.passing
        inPlace.checkedInPlace = true
        inPlace.foreignKeys[0].samples = [.init(key: ["P9"], lines: [])]
        #expect(inPlace.render(.text).hasPrefix("Validation of data.csv for s.fact: 100 rows (checked in place), would load"))
        #expect(inPlace.render(.text).contains("  missing P9\n"))
    }

    @Test func jsonFields() throws {
        let json = try jsonObject(Self.failing.render(.json))
        #expect(json["table"] as? [String: String] == ["display": "s.fact", "schema": "s", "name": "fact"])
        #expect(json["input"] as? String == "data.csv")
        #expect(json["rows"] as? Int == 100)
        #expect(json["lineNumbers"] as? String == "file")
        #expect(json["strict"] as? Bool == false)
        #expect(json["wouldLoad"] as? Bool == false)
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(keys.map { $0["name"] as? String } == ["fact_plan", "org_id -> s.org"])
        let org = keys[1]
        #expect((org["table"] as? [String: String])?["display"] == "s.fact")
        #expect((org["referencedTable"] as? [String: String])?["display"] == "s.org")
        #expect(org["declared"] as? Bool == true)
        #expect([org["violatingRows"], org["missingKeys"], org["fixableKeys"], org["unfixableKeys"]].map { $0 as? Int } == [5, 4, 1, 3])
        #expect(org["reasons"] as? [String] == ["s.org.name is NOT NULL | no default"])
        let sample = try #require((org["samples"] as? [[String: Any]])?.first)
        #expect((sample["key"] as? [Any])?.last is NSNull)
        #expect(sample["lines"] as? [Int] == [])
        #expect((keys[0]["samples"] as? [[String: Any]])?.map { $0["lines"] as? [Int] } == [[4, 7], [9]])
        let column = try #require((json["columns"] as? [[String: Any]])?.first)
        #expect(column["column"] as? String == "amount")
        #expect(column["problem"] as? String == "does not convert")
        #expect(column["detail"] as? String == "invalid input syntax for type numeric: \"x\"")
        #expect(column["rows"] as? Int == 2)
        #expect(column["sampleLines"] as? [Int] == [3, 8])
    }

    @Test func jsonLineNumbersSayWhatTheNumbersAre() throws {
        var rows = Self.passing
        rows.linesAreFileLines = false
        #expect(try jsonObject(rows.render(.json))["lineNumbers"] as? String == "row")
        rows.checkedInPlace = true
        #expect(try jsonObject(rows.render(.json))["lineNumbers"] as? String == "none")
        #expect(try jsonObject(Self.passing.render(.json))["wouldLoad"] as? Bool == true)
    }

    @Test func markdownTablesEscapePipes() {
        let markdown = Self.failing.render(.markdown)
        #expect(markdown.hasPrefix("### fkbackfill validate: data.csv → `s.fact`\n\n❌ 100 rows, would not load\n\n"))
        #expect(markdown.contains("| foreign key | references | violating rows | missing keys | fixable | unfixable | samples | why not fixable |\n"
            + "|---|---|---|---|---|---|---|---|\n"
            + "| `fact_plan` | `s.plan` | 3 | 2 | 2 | 0 | P9 (lines 4, 7); P8 (line 9) |  |\n"
            + "| `org_id -> s.org` | `s.org` | 5 | 4 | 1 | 3 | (O1, NULL) | s.org.name is NOT NULL \\| no default |\n"))
        #expect(markdown.hasSuffix("\n| column | problem | rows | lines | detail |\n|---|---|---|---|---|\n"
            + "| `amount` | does not convert | 2 | 3, 8 | invalid input syntax for type numeric: \"x\" |\n"))
        #expect(Self.passing.render(.markdown).contains("✅ 100 rows, would load after backfilling 2 missing keys\n"))
    }

    @Test func junitCasesPerKeyAndPerColumnProblem() throws {
        let junit = try JUnitDocument(Self.failing.render(.junit))
        #expect(junit.root.name == "testsuites")
        #expect(junit.attribute(junit.root, "tests") == "3")
        #expect(junit.attribute(junit.root, "failures") == "2")
        #expect(junit.suites.count == 1)
        #expect(junit.attribute(junit.suites[0], "name") == "fkbackfill validate data.csv for s.fact")
        #expect(junit.cases.map { junit.attribute($0, "classname") } == ["s.fact.foreign_keys", "s.fact.foreign_keys", "s.fact.columns"])
        // Fixable keys pass with what a backfill would do as output.
        let plan = try #require(junit.testCase("fact_plan"))
        #expect(plan.elements(forName: "failure").isEmpty)
        #expect(plan.elements(forName: "system-out").first?.stringValue
            == "2 missing keys, all fixable by a backfill\nmissing P9 (lines 4, 7)\nmissing P8 (line 9)")
        let org = try #require(junit.testCase("org_id -> s.org")?.elements(forName: "failure").first)
        #expect(junit.attribute(org, "message") == "5 violating rows, 3 missing keys a backfill cannot fix")
        #expect(org.stringValue == "s.org.name is NOT NULL | no default\nmissing (O1, NULL)")
        let amount = try #require(junit.testCase("amount: does not convert")?.elements(forName: "failure").first)
        #expect(junit.attribute(amount, "message") == "2 rows: invalid input syntax for type numeric: \"x\"")
        #expect(amount.stringValue == "lines 3, 8")
    }

    @Test func junitUnderStrictFailsEveryViolatedKey() throws {
        var strict = Self.passing
        strict.strict = true
        let junit = try JUnitDocument(strict.render(.junit))
        #expect(junit.attribute(junit.root, "failures") == "1")
        #expect(junit.testCase("fact_plan")?.elements(forName: "failure").count == 1)
        #expect(junit.testCase("fact_plan")?.elements(forName: "system-out").isEmpty == true)
    }
}
