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
