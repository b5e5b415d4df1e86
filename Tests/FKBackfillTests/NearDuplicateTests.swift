@testable import FKBackfill
import PostgresClient
import Foundation
import Testing
import TestSupport

/// New keys that differ from another key only in ways people do not see: listed by
/// load and validate alike (`near_duplicates: warn`), or set aside (`reject`).
@Suite struct NearDuplicateTests {
    static let schema = """
        CREATE TABLE org (code text PRIMARY KEY);
        CREATE TABLE fact (line int, org_code text REFERENCES org);
        INSERT INTO org VALUES ('ABC'), ('Café'), ('ZW');
        """
    // Lines 2–7: trailing space, NFD of Café, full-width Ａ, zero-width space, two new keys differing in case, and a clean new key.
    static let csv = "line,org_code\n1,ABC \n2,Cafe\u{301}\n3,\u{FF21}BC\n4,Z\u{200B}W\n5,NEW\n6,new\n7,Other\n"

    @Test func loadAndValidateListTheSameNearDuplicates() throws {
        let db = try TestDatabase()
        try db.run(Self.schema)
        let report = try db.load("fact", csv: Self.csv) { $0.dryRun = true }
        let near = report.nearDuplicates.map { "\($0.key)|\($0.looksLike)|\($0.existing)" }.sorted()
        #expect(near == ["ABC |ABC|true", "Cafe\u{301}|Café|true", "NEW|new|false", "Z\u{200B}W|ZW|true", "new|NEW|false", "\u{FF21}BC|ABC|true"].sorted(),
                "\(near)")
        #expect(report.inserted == 7)
        let text = report.render(.text)
        #expect(text.contains("new key 'ABC ' in \(db.schema).org looks like existing key ABC (surrounding white space)"))
        #expect(text.contains("(Unicode normalization, NFC vs NFD)"))
        #expect(text.contains("(zero-width characters)"))
        #expect(text.contains("(letter case)"))
        #expect(text.contains("(full-width or other compatibility forms)"))
        var options = ValidateOptions()
        options.samples = 10
        let validation = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(Self.csv), options: CSVOptions()), options: options)
        let predicted = try #require(validation.prediction).nearDuplicates
        #expect(predicted == report.nearDuplicates)
        for format in [OutputFormat.text, .markdown, .json, .junit] {
            #expect(validation.render(format).contains("looks"), "\(format)")
        }
    }

    @Test func rejectSetsTheirRowsAside() throws {
        let db = try TestDatabase()
        try db.run(Self.schema)
        let rules = try RulesParser.parse("near_duplicates: reject\n", file: "rules.yaml")
        let report = try db.load("fact", csv: Self.csv) {
            $0.rules = rules
            $0.maxRejects = 10
            $0.samples = 10
        }
        #expect(report.rejected == 6)
        #expect(report.rejections.first?.sampleLines == [2, 3, 4, 5, 6, 7])
        #expect(try db.values("SELECT org_code FROM fact") == [["Other"]])
        #expect(try db.count("org") == 4)
        // Without room for rejects, the load stops, and validate says so first.
        var options = ValidateOptions()
        options.rules = rules
        let validation = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(Self.csv), options: CSVOptions()), options: options)
        #expect(!validation.wouldLoad)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: Self.csv) { $0.rules = rules } }
        #expect(error.kind == .tooManyRejects)
    }

    /// The loose key's ASCII shortcut (`lower(btrim(…))` for text of one byte a character)
    /// gives what the whole chain gives, and every non-ASCII text still takes the chain.
    @Test func theASCIIShortcutGivesTheSameLooseKey() throws {
        let db = try TestDatabase()
        let values = ["ABC", " abc\t", "\tA B\n", "\u{0B}x\u{0C}\r", "", " ", "İstanbul", "Cafe\u{301}", "\u{FF21}BC", "Z\u{200B}W",
                      "\u{85}N\u{A0}", "\u{3000}Ｘ\u{3000}", "ß", "ǅ", "a\u{2028}", "Mixed CASE 123 !@#"]
        let full: SQL = "pg_catalog.lower(pg_catalog.normalize(pg_catalog.translate(pg_catalog.btrim(v, \(KeyPredicates.unicodeWhitespace)), "
            + "\(KeyPredicates.zeroWidth), ''), 'NFKC'))"
        let rows = try db.connection.execute("""
            SELECT v, \(KeyPredicates.looseKey("v")) AS loose, \(full) AS whole
            FROM pg_catalog.unnest(CAST(\(bindArray: values) AS pg_catalog.text[])) AS u (v)
            """).rows
        #expect(rows.count == values.count)
        for row in rows {
            let value = try row.string("v").unicodeScalars.map { String($0.value, radix: 16) }
            #expect(try row.string("loose") == row.string("whole"), "\(value)")
        }
    }
}
