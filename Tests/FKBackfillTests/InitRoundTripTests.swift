import Foundation
import Testing
import TestSupport

/// `fkbackfill init` suggests only rules that pass validate, and what a person must
/// still write is an error at its FILE:LINE:COL, exit 2, in validate and load (issue 28).
@Suite struct InitRoundTripTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    /// invoice_line's parents have every kind of uncovered column: a timestamp next to a
    /// close-named integer input column, an FK to a third table, text and a number.
    func invoiceSchema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE invoice (invoice_id int PRIMARY KEY, invoice_date timestamp NOT NULL,
                                  customer_id int NOT NULL REFERENCES customer, note text NOT NULL, total numeric NOT NULL);
            CREATE TABLE invoice_line (invoice_id int REFERENCES invoice, line int, amount numeric);
            """)
    }

    func write(_ text: String, suffix: String) throws -> String {
        let path = TestFiles.url(suffix: suffix).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The scaffold with its suggested rules uncommented (`# col: { … }` under an
    /// UNCOVERED line); with `humans`, the NEEDS A HUMAN ones too, unedited.
    static func uncommented(_ scaffold: String, humans: Bool) -> String {
        var lines = scaffold.components(separatedBy: "\n")
        for index in lines.indices.dropFirst() {
            let previous = lines[index - 1]
            if previous.hasPrefix("      # UNCOVERED:"), lines[index].hasPrefix("      # "), !lines[index].contains("NEEDS A HUMAN") {
                lines[index] = "      " + lines[index].dropFirst(8)
            } else if humans, previous.hasPrefix("      # NEEDS A HUMAN:"), lines[index].hasPrefix("      #   ") {
                lines[index] = "      " + lines[index].dropFirst(10)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A NOT NULL column a parent's BEFORE INSERT trigger fills is left to it, as the load
    /// leaves it, not UNCOVERED (the second real-schema sweep: `groups.name`).
    @Test func aColumnATriggerFillsIsLeftToIt() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE grp (id int PRIMARY KEY, slug text NOT NULL);
            CREATE FUNCTION grp_slug() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.slug := 'g-' || NEW.id; RETURN NEW; END $$;
            CREATE TRIGGER grp_slug BEFORE INSERT ON grp FOR EACH ROW EXECUTE FUNCTION grp_slug();
            CREATE TABLE member (grp_id int REFERENCES grp, n int);
            """)
        let scaffold = try run(binary, ["init", "\(db.schema).member"])
        #expect(scaffold.status == 0 && scaffold.stdout.contains("# slug: left to trigger grp_slug, which fills it on INSERT"), "\(scaffold.stdout)")
        #expect(!scaffold.stdout.contains("# UNCOVERED: slug"), "\(scaffold.stdout)")
    }

    @Test func theSuggestedRulesPassValidateAsTheyAre() throws {
        let db = try TestDatabase()
        try invoiceSchema(db)
        let scaffold = try run(binary, ["init", "\(db.schema).invoice_line"])
        #expect(scaffold.status == 0, "\(scaffold.stderr)")
        #expect(!scaffold.stdout.contains("invoice_date: { from: invoice_id }"), "\(scaffold.stdout)")
        #expect(scaffold.stdout.contains("# invoice_date: { value: now }"), "\(scaffold.stdout)")
        #expect(scaffold.stdout.contains("# NEEDS A HUMAN: a key of \(db.schema).customer that exists there"), "\(scaffold.stdout)")
        #expect(!scaffold.stdout.contains("customer_id: { value: 0 }"), "\(scaffold.stdout)")
        let rules = try write(Self.uncommented(scaffold.stdout, humans: false), suffix: ".yaml")
        let csv = try write("invoice_id,line,amount\n1,1,9.5\n", suffix: ".csv")
        // customer_id still has no rule: the predicted load is blocked (exit 1), but the
        // rules themselves pass (no exit 2, no exit 3).
        let result = try run(binary, ["validate", "\(db.schema).invoice_line", "--csv", csv, "--rules", rules])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("error:"), "\(result.stderr)")
    }

    @Test(arguments: ["validate", "load"])
    func aChangeMeLeftInIsAnErrorAtItsLine(command: String) throws {
        let db = try TestDatabase()
        try invoiceSchema(db)
        let scaffold = try run(binary, ["init", "\(db.schema).invoice_line"]).stdout
        let text = Self.uncommented(scaffold, humans: true)
        let lines = text.components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.hasPrefix("      note: { value: CHANGE_ME }") }) + 1
        let rules = try write(text, suffix: ".yaml")
        let csv = try write("invoice_id,line,amount\n1,1,9.5\n", suffix: ".csv")
        let result = try run(binary, [command, "\(db.schema).invoice_line", "--csv", csv, "--rules", rules])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("\(rules):\(line):7: CHANGE_ME is still in the rule for note"), "\(result.stderr)")
        #expect(try db.values("SELECT count(*)::text FROM invoice") == [["0"]])
    }

    @Test(arguments: ["validate", "load"])
    func aFromOfATypeTheColumnCannotTakeIsAnErrorAtItsLine(command: String) throws {
        let db = try TestDatabase()
        try invoiceSchema(db)
        let rules = try write("""
            tables:
              \(db.schema).invoice:
                columns:
                  invoice_date: { from: line }
                  customer_id: { value: 1 }
                  note: { value: "x" }
                  total: { value: "not a number" }
            """, suffix: ".yaml")
        try db.run("INSERT INTO customer VALUES (1, 'c')")
        let csv = try write("invoice_id,line,amount\n1,1,9.5\n", suffix: ".csv")
        let result = try run(binary, [command, "\(db.schema).invoice_line", "--csv", csv, "--rules", rules])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("\(rules):4:7: from: input column line is integer, which PostgreSQL does not assign to invoice_date"),
                "\(result.stderr)")
        #expect(result.stderr.contains("\(rules):7:7: 'not a number' is not a valid numeric for total"), "\(result.stderr)")
    }
}
