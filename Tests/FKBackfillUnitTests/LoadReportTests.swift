@testable import FKBackfill
import Foundation
import Testing

/// The load report, text and JSON, from a hand-built `LoadReport`.
@Suite struct LoadReportTests {
    static var report: LoadReport {
        var report = LoadReport(target: Schema.name("fact"), input: "data.csv", mode: .insertMissing, dryRun: false, loadedTarget: true)
        report.parents = [
            .init(table: Schema.name("plan"), candidates: 3, present: 1, inserted: 2, updated: 0, sampleKeys: [["P1"], ["P2"]]),
            .init(table: Schema.name("period"), candidates: 2, present: 0, inserted: 3, updated: 1, sampleKeys: [["2024", nil]]),
        ]
        report.staged = 10
        report.deleted = 2
        report.inserted = 9
        report.rejected = 4
        report.rejections = [.init(reason: "missing key in s.org", rows: 4, sampleRows: [2, 5, 7])]
        report.fkCheck = .setBased
        report.steps = [.init(name: "stage", seconds: 0.1234), .init(name: "backfill", seconds: 1)]
        return report
    }

    @Test func textHeadlineAndParents() {
        let text = Self.report.render(.text)
        #expect(text.hasPrefix("Loaded s.fact from data.csv (insert-missing) in 1.123 s\n\n"))
        #expect(Alignment.tables(text).first == [
            ["PARENT", "CANDIDATES", "PRESENT", "INSERTED", "UPDATED", "SAMPLE INSERTED KEYS"],
            ["s.plan", "3", "1", "2", "0", "P1, P2"],
            // More inserted than sampled: an ellipsis; composite keys in parentheses.
            ["s.period", "2", "0", "3", "1", "(2024, NULL), …"],
        ])
    }

    /// Keys are quoted as validate quotes them: `B "quoted", new` and `C` were three
    /// keys or two in the old unquoted list; a trailing space vanished.
    @Test func sampleKeysAreQuotedAsValidateQuotesThem() {
        var report = Self.report
        report.parents = [
            .init(table: Schema.name("org"), candidates: 3, present: 0, inserted: 3, updated: 0,
                  sampleKeys: [["B \"quoted\", new"], ["C"], ["D "]]),
        ]
        let text = report.render(.text)
        #expect(Alignment.tables(text).first?.last?.last == "'B \"quoted\", new', C, 'D '", "\(text)")
        #expect(Alignment.tables(text).first?.last?.last
            == [["B \"quoted\", new"], ["C"], ["D "]].map(ValidationReport.keyText).joined(separator: ", "))
    }

    @Test func textTargetRejectionsAndSteps() {
        let text = Self.report.render(.text)
        #expect(text.contains("\nTarget s.fact: 10 staged, 2 deleted, 9 inserted, 4 rejected (FK check: set-based)\n"
            + "  rejected 4: missing key in s.org (rows 2, 5, 7, …)\n\nSteps:\n"))
        #expect(Alignment.tables(text).last == [["STEP", "SECONDS"], ["stage", "0.123"], ["backfill", "1.0"]])
    }

    @Test func dryRunBackfillOnlyAndNoParents() {
        var report = Self.report
        report.dryRun = true
        report.loadedTarget = false
        report.parents = []
        report.rejected = 0
        report.rejections = []
        report.mode = .fillNullOnly
        let text = report.render(.text)
        #expect(text.hasPrefix("DRY RUN — rolled back, nothing was written.\n"
            + "Backfilled parents of s.fact from data.csv (fill-null-only) in 1.123 s\n\n"
            + "s.fact references no other table.\n\nTarget s.fact: 10 staged\n\nSteps:\n"))
    }

    @Test func theFKCheckNoteAndAllSampledRejections() {
        var report = Self.report
        report.fkCheck = .perRow
        report.fkCheckNote = "s.plan has a trigger"
        report.rejections = [.init(reason: "blank key", rows: 2, sampleRows: [3, 4])]
        let text = report.render(.text)
        #expect(text.contains("4 rejected (FK check: per-row; s.plan has a trigger)\n  rejected 2: blank key (rows 3, 4)\n"))
    }

    @Test func jsonFields() throws {
        let json = try jsonObject(Self.report.render(.json))
        #expect(json["input"] as? String == "data.csv")
        #expect(json["mode"] as? String == "insert-missing")
        #expect(json["dryRun"] as? Bool == false)
        #expect(json["fkCheck"] as? String == "set-based")
        #expect(json["fkCheckNote"] is NSNull)
        #expect(json["seconds"] as? Double == 1.123)
        let target = try #require(json["target"] as? [String: Any])
        #expect(target["table"] as? [String: String] == ["display": "s.fact", "schema": "s", "name": "fact"])
        #expect([target["staged"], target["deleted"], target["inserted"], target["rejected"]].map { $0 as? Int } == [10, 2, 9, 4])
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["stage", "backfill"])
        #expect(steps.map { $0["seconds"] as? Double } == [0.123, 1])
    }

    @Test func jsonParentsAndRejections() throws {
        let json = try jsonObject(Self.report.render(.json))
        let parents = try #require(json["parents"] as? [[String: Any]])
        #expect(parents.map { ($0["table"] as? [String: String])?["display"] } == ["s.plan", "s.period"])
        #expect(parents.map { $0["candidates"] as? Int } == [3, 2])
        #expect(parents.map { $0["present"] as? Int } == [1, 0])
        #expect(parents.map { $0["inserted"] as? Int } == [2, 3])
        #expect(parents.map { $0["updated"] as? Int } == [0, 1])
        #expect(parents[0]["sampleKeys"] as? [[String]] == [["P1"], ["P2"]])
        let composite = try #require((parents[1]["sampleKeys"] as? [[Any]])?.first)
        #expect(composite.first as? String == "2024")
        #expect(composite.last is NSNull)
        let rejections = try #require(json["rejections"] as? [[String: Any]])
        #expect(rejections.first?["reason"] as? String == "missing key in s.org")
        #expect(rejections.first?["rows"] as? Int == 4)
        #expect(rejections.first?["sampleRows"] as? [Int] == [2, 5, 7])
        var noted = Self.report
        noted.fkCheckNote = "why"
        #expect(try jsonObject(noted.render(.json))["fkCheckNote"] as? String == "why")
    }

    @Test func secondsAreRoundedToMilliseconds() {
        #expect(formatSeconds(1.1234) == "1.123 s")
        #expect(formatSeconds(2) == "2.0 s")
        #expect(formatSeconds(0.0126, unit: false) == "0.013")
        #expect(Self.report.totalSeconds == 1.1234)
    }
}
