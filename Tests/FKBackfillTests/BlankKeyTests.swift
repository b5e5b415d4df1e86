import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Blank keys are empty or white space only, for every Unicode white space character
/// (docs/rules.md), not only the ASCII space.
@Suite struct BlankKeyTests {
    @Test(arguments: ["\t", "\u{00A0}", "\u{3000}", "\u{2003} \u{2009}", "\u{202F}"])
    func unicodeWhiteSpaceIsBlank(blank: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org, n int)")
        let rules = try RulesParser.parse("blank:\n  on_blank: \"null\"\n", file: "rules.yaml")
        let report = try db.load("fact", csv: "org_code,n\n\"\(blank)\",1\nG1,2\n") { $0.rules = rules }
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT org_code FROM fact ORDER BY n") == [[nil], ["G1"]])
        #expect(try db.values("SELECT code FROM org") == [["G1"]])
    }
}

/// COPY ends CSV data at a line `\.`; the tool must send it as data, not lose the rest.
@Suite struct EndOfDataMarkerTests {
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func aLineHoldingOnlyBackslashDotLoadsAsData(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org)")
        let report = try db.load("fact", csv: "org_code\nG1\n\\.\nG2\nG3\n") { $0.fkCheck = mode }
        #expect(report.staged == 4 && report.inserted == 4)
        #expect(try db.values("SELECT org_code FROM fact ORDER BY org_code") == [["G1"], ["G2"], ["G3"], ["\\."]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// With more columns, that line is a short row: a FILE:LINE error, nothing written,
    /// instead of the rows after it silently gone.
    @Test func inAWiderFileTheMarkerIsAShortRowNotTheEnd() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (k text, v int)")
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "k,v\nA,1\n\\.\nB,2\nC,3\n") }
        #expect(error.kind == .badInput(line: 3), "\(error)")
        #expect(error.message.contains(":3: missing data for column"), "\(error.message)")
        #expect(try db.count("fact") == 0)
    }
}
