import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Issue #23, break 9: databases that are not UTF-8 (SQL_ASCII, LATIN1, EUC_JP). The
/// tool's own statements once carried characters such as U+0085 and U+1680 (the blank
/// key test), which those encodings cannot hold, so every load with a text FK failed.
/// Now load, validate and audit work; blank keys are ASCII white space there.
@Suite struct EncodingTests {
    @Test(arguments: ["SQL_ASCII", "LATIN1", "EUC_JP"])
    func loadValidateAndAuditWorkInANonUnicodeDatabase(encoding: String) throws {
        let db = try TestDatabase()
        let name = "\(db.schema)_\(encoding.lowercased())"
        try db.connection.execute(
            "CREATE DATABASE \(ident: name) ENCODING \(literal: encoding) LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        defer { _ = try? db.connection.execute("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)") }
        let other = try Connection(ConnectionString(name), applicationName: db.schema)
        try other.executeScript(unsafeRaw: """
            CREATE TABLE org (code text PRIMARY KEY, name text NOT NULL DEFAULT 'new');
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            INSERT INTO org VALUES ('A');
            """)
        let csv = try db.csvFile("org_code,n\nA,1\nB,2\n\t ,3\n")
        var validate = ValidateOptions()
        validate.rules = try RulesParser.parse("blank:\n  on_blank: \"null\"\n", file: "rules.yaml")
        let report = try Validator(connection: other).run(
            table: "fact", input: .csv(path: csv, options: CSVOptions()), options: validate)
        #expect(report.prediction?.wouldLoad == true, "\(report.render(.text))")
        var options = LoadOptions()
        options.rules = validate.rules
        let loaded = try Loader(connection: other).run(table: "fact", input: .csv(path: csv, options: CSVOptions()), options: options)
        #expect(loaded.inserted == 3)
        #expect(loaded.parents.first?.inserted == 1)
        #expect(loaded.notes.contains { $0.contains("not UTF-8") }, "\(loaded.notes)")
        #expect(try other.execute("SELECT count(*) AS n FROM fact WHERE org_code IS NULL").rows[0].int("n") == 1)
        let audit = try Auditor(connection: other).run(.all)
        #expect(audit.render(.text).contains("fact"))
        #expect(try OrphanOracle.orphans(in: ["public"], on: other) == [])
    }
}
