import FKBackfill
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PostgresClient
import Testing
import TestSupport

/// `fkbackfill validate` against a real server.
@Suite struct ValidateTests {
    func validate(_ db: TestDatabase, _ table: String, csv: String? = nil, input: InputSource? = nil,
                  rules yaml: String? = nil, strict: Bool = false, inPlace: Bool = false) throws -> ValidationReport {
        var options = ValidateOptions()
        options.strict = strict
        options.inPlace = inPlace
        if let yaml { options.rules = try RulesParser.parse(yaml, file: "rules.yaml") }
        let source = try input ?? csv.map { .csv(path: try db.csvFile($0), options: CSVOptions()) }
        return try Validator(connection: db.connection).run(table: table, input: source, options: options)
    }

    func fk(_ report: ValidationReport, _ name: String) throws -> ValidationReport.ForeignKeyResult {
        try #require(report.foreignKeys.first { $0.name == name }, "no \(name) in \(report.foreignKeys.map(\.name))")
    }

    @Test func countsViolationsMissingKeysAndWhatABackfillFixes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE strict (code text PRIMARY KEY, owner text NOT NULL);
            INSERT INTO org VALUES ('G1', 'one');
            CREATE TABLE fact (org_code text CONSTRAINT f_org REFERENCES org, strict_code text CONSTRAINT f_strict REFERENCES strict);
            """)
        let report = try validate(db, "fact", csv: "org_code,strict_code\nG1,\nG2,S1\nG2,S1\nG3,\n,S2\n")
        let org = try fk(report, "f_org")
        #expect(org.violatingRows == 3)
        #expect(org.missingKeys == 2)
        #expect(org.fixableKeys == 2)
        #expect(org.unfixableKeys == 0)
        #expect(org.samples.map(\.key) == [["G2"], ["G3"]])
        #expect(org.samples.map(\.lines) == [[3, 4], [5]])
        let strict = try fk(report, "f_strict")
        #expect(strict.missingKeys == 2)
        #expect(strict.fixableKeys == 0)
        #expect(strict.unfixableKeys == 2)
        // In the words the load's own refusal would use.
        #expect(strict.reasons == ["\(db.schema).strict.owner is NOT NULL with no default and no input column to fill it (2 new rows needed)"])
        #expect(!report.wouldLoad)
        #expect(!report.wouldLoad)
        // Once strict is covered by a rule, everything is fixable; --strict still fails.
        let covered = try validate(db, "fact", csv: "org_code,strict_code\nG2,S1\n", rules: "tables:\n  strict:\n    columns:\n      owner: { value: me }\n")
        #expect(covered.wouldLoad)
        #expect(!(try validate(db, "fact", csv: "org_code,strict_code\nG2,S1\n",
                               rules: "tables:\n  strict:\n    columns:\n      owner: { value: me }\n", strict: true).wouldLoad))
        #expect(try validate(db, "fact", csv: "org_code,strict_code\nG1,\n", strict: true).wouldLoad)
    }

    @Test func matchSimpleAndMatchFull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (yr int, code text, PRIMARY KEY (yr, code));
            INSERT INTO region VALUES (2024, 'a');
            CREATE TABLE simple_fact (yr int, code text, CONSTRAINT f_simple FOREIGN KEY (yr, code) REFERENCES region);
            CREATE TABLE full_fact (yr int, code text, CONSTRAINT f_full FOREIGN KEY (yr, code) REFERENCES region MATCH FULL);
            """)
        let csv = "yr,code\n2024,a\n2024,\n,b\n,\n2025,b\n"
        let simple = try fk(try validate(db, "simple_fact", csv: csv), "f_simple")
        #expect(simple.violatingRows == 1)
        #expect(simple.missingKeys == 1)
        #expect(simple.reasons.isEmpty)
        let full = try fk(try validate(db, "full_fact", csv: csv), "f_full")
        #expect(full.violatingRows == 3)
        #expect(full.missingKeys == 1)
        #expect(full.reasons == ["2 rows have a partly NULL key (MATCH FULL): never backfilled"])
    }

    /// A table with the target's types is checked where it is; the findings must be the
    /// ones the staged check gives for the same rows as a file.
    @Test func aTableWithTheTargetsTypesIsCheckedInPlaceWithTheSameFindings() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE region (yr int, code varchar(4), PRIMARY KEY (yr, code));
            CREATE TABLE strict (code text PRIMARY KEY, owner text NOT NULL);
            INSERT INTO org VALUES ('G1'); INSERT INTO region VALUES (2024, 'a');
            CREATE TABLE fact (
                org_code text CONSTRAINT f_org REFERENCES org,
                yr int, region varchar(4),
                strict_code text CONSTRAINT f_strict REFERENCES strict,
                amount numeric(8,2) NOT NULL,
                CONSTRAINT f_region FOREIGN KEY (yr, region) REFERENCES region (yr, code) MATCH FULL);
            CREATE TABLE staged (LIKE fact);
            ALTER TABLE staged ALTER COLUMN amount DROP NOT NULL;
            """)
        let csv = """
            org_code,yr,region,strict_code,amount
            G1,2024,a,,1
            G2,2024,b,S1,2
            G2,,b,S1,
            (空白),2025,a,,3
            G3,,,,4

            """
        try db.run("""
            INSERT INTO staged VALUES ('G1', 2024, 'a', NULL, 1), ('G2', 2024, 'b', 'S1', 2), ('G2', NULL, 'b', 'S1', NULL),
                                      ('(空白)', 2025, 'a', NULL, 3), ('G3', NULL, NULL, NULL, 4)
            """)
        let rules = "blank:\n  markers: ['(空白)']\n"
        let staged = try validate(db, "fact", csv: csv, rules: rules)
        let inPlace = try validate(db, "fact", input: .table("staged"), rules: rules, inPlace: true)
        #expect(!staged.checkedInPlace)
        #expect(staged.prediction != nil && inPlace.prediction == nil)
        #expect(inPlace.checkedInPlace)
        #expect(inPlace.rows == 5)
        for name in ["f_org", "f_region", "f_strict"] {
            let a = try fk(staged, name), b = try fk(inPlace, name)
            #expect(a.violatingRows == b.violatingRows, "\(name)")
            #expect(a.missingKeys == b.missingKeys, "\(name)")
            #expect(a.fixableKeys == b.fixableKeys, "\(name)")
            #expect(a.unfixableKeys == b.unfixableKeys, "\(name)")
            // In place, the catalog explains an uncovered parent; staged, the predicted load does, in its own words.
            #expect(a.reasons.count == b.reasons.count, "\(name)")
            #expect(Set(a.samples.map(\.key)) == Set(b.samples.map(\.key)), "\(name)")
            #expect(b.samples.allSatisfy { $0.lines.isEmpty })
        }
        #expect(try fk(inPlace, "f_org").missingKeys == 3)
        #expect(try fk(inPlace, "f_org").unfixableKeys == 1)  // the blank one
        #expect(try fk(inPlace, "f_region").violatingRows == 3)  // one missing key, two partly NULL rows
        #expect(try fk(inPlace, "f_region").samples.map(\.key) == [["2024", "b"], ["2025", "a"]])
        #expect(try fk(inPlace, "f_strict").unfixableKeys == 1)
        #expect(inPlace.columns.map(\.column) == staged.columns.map(\.column))
        #expect(inPlace.columns.first?.rows == 1 && inPlace.columns.first?.problem == .notNull)
        #expect(inPlace.render(.text).contains("checked in place"))
        #expect(inPlace.render(.text).contains("missing (2024, b)\n"))
        #expect(inPlace.render(.json).contains("\"lineNumbers\" : \"none\""))
    }

    /// Other types, blanks loaded as NULL and self-references go through the staged copy.
    @Test func otherTypesBlanksAsNullAndSelfReferencesAreStaged() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, parent text CONSTRAINT f_parent REFERENCES org);
            CREATE TABLE fact (org_code text CONSTRAINT f_org REFERENCES org, amount int);
            CREATE TABLE raw (org_code text, amount text);
            INSERT INTO raw VALUES ('G1', '12'), ('G2', 'twelve');
            CREATE TABLE typed (org_code text, amount int);
            INSERT INTO typed VALUES ('G1', 12), (' ', 1);
            """)
        let raw = try validate(db, "fact", input: .table("raw"))
        #expect(!raw.checkedInPlace)
        #expect(raw.columns.map(\.problem) == [.conversion])
        #expect(try validate(db, "fact", input: .query("SELECT org_code, amount FROM typed"), inPlace: true).checkedInPlace)
        // Without --in-place, a table with the target's types is staged, so the load can be predicted.
        #expect(try !validate(db, "fact", input: .query("SELECT org_code, amount FROM typed")).checkedInPlace)
        let blanks = try validate(db, "fact", input: .table("typed"), rules: "blank:\n  on_blank: null\n", inPlace: true)
        #expect(!blanks.checkedInPlace)
        #expect(try fk(blanks, "f_org").missingKeys == 1)
        #expect(try !validate(db, "org").checkedInPlace)
    }

    @Test func charPaddingAndNumericEqualityFollowPostgreSQL() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE code (c char(5) PRIMARY KEY);
            CREATE TABLE rate (r numeric(10,2) PRIMARY KEY);
            INSERT INTO code VALUES ('ab'); INSERT INTO rate VALUES (1.5);
            CREATE TABLE fact (c char(5) CONSTRAINT f_code REFERENCES code, r numeric(10,2) CONSTRAINT f_rate REFERENCES rate);
            """)
        let report = try validate(db, "fact", csv: "c,r\nab,1.50\n\"ab   \",1.5\nab,01.500\nabc,1.51\n")
        #expect(try fk(report, "f_code").samples.map(\.key) == [["abc"]])
        #expect(try fk(report, "f_code").violatingRows == 1)
        #expect(try fk(report, "f_rate").samples.map(\.key) == [["1.51"]])
        #expect(try fk(report, "f_rate").violatingRows == 1)
    }

    @Test func columnProblemsWithLineNumbersIncludingMultiLineFields() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (code varchar(3) NOT NULL, day date, note text, n int NOT NULL DEFAULT 0, must text NOT NULL)")
        let csv = "code,day,note,n\nabc,2024-01-01,\"two\nlines\",1\nabcd,2024-13-01,ok,2\n,2024-01-02,\"three\nmore\nlines\",x\nab ,2024-01-03,,\nok,bad,\"a \"\"quoted\"\"\nvalue\",5\n"
        let report = try validate(db, "fact", csv: csv)
        func problem(_ column: String, _ kind: ValidationReport.ColumnProblem.Problem) -> ValidationReport.ColumnProblem? {
            report.columns.first { $0.column == column && $0.problem == kind }
        }
        // Records start on lines 2, 4, 5, 8, 9.
        #expect(problem("code", .tooLong)?.sampleLines == [4])
        #expect(problem("day", .conversion)?.sampleLines == [4, 9])
        #expect(problem("n", .conversion)?.sampleLines == [5])
        #expect(problem("code", .notNull)?.sampleLines == [5])
        #expect(problem("n", .notNull)?.sampleLines == [8])
        #expect(problem("must", .missingColumn)?.rows == 5)
        #expect(report.rows == 5)
        #expect(!report.wouldLoad)
        #expect(try db.count("fact") == 0)
    }

    @Test func validateWritesNothing() throws {
        let db = try TestDatabase()
        let (mapping, business) = try db.loadAnnuityExample()
        let tables = ["年金计划", "组合计划", "产品线", "组织架构"].map { "\(mapping).\($0)" } + ["\(business).规模明细"]
        let before = try db.checksum(tables)
        let report = try validate(db, "\(business).规模明细", csv: "月度,计划代码,组合代码\n2024-11-01,P1,F1\n")
        #expect(report.wouldLoad)
        #expect(try fk(report, "fk_规模明细_组合计划").fixableKeys == 1)
        #expect(try db.checksum(tables) == before)
        #expect(!db.connection.inTransaction)
        // The temporary tables are gone too.
        #expect(try db.count("pg_class", "relname LIKE 'fkb_%' AND relpersistence = 't'") == 0)
    }

    @Test func withNoInputChecksTheRowsInTheTable() throws {
        let db = try TestDatabase()
        // Rows a NOT VALID (or partition-only) FK never checked: orphans on purpose.
        db.expectsOrphans = true
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text, other text);
            INSERT INTO org VALUES ('G1');
            INSERT INTO fact VALUES ('G1', 'x'), ('G2', 'y'), ('G2', 'z');
            ALTER TABLE fact ADD CONSTRAINT f_org FOREIGN KEY (org_code) REFERENCES org NOT VALID;
            """)
        let report = try validate(db, "fact")
        #expect(report.rows == 3)
        #expect(try fk(report, "f_org").violatingRows == 2)
        #expect(try fk(report, "f_org").samples.first?.key == ["G2"])
        #expect(!report.linesAreFileLines)
        // A declared relation is checked the same way.
        try db.run("CREATE TABLE other_parent (other text PRIMARY KEY); INSERT INTO other_parent VALUES ('x')")
        let declared = try validate(db, "fact", rules: "relations:\n  - from: fact (other)\n    to: other_parent (other)\n")
        let relation = try #require(declared.foreignKeys.first { $0.declared })
        #expect(relation.missingKeys == 2)
    }

    @Test func blankKeysAndGuardedKeysAreUnfixable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE product (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text CONSTRAINT f_org REFERENCES org, product_code text CONSTRAINT f_product REFERENCES product);
            """)
        let csv = "org_code,product_code\n(空白),X1\nG1,X1\n"
        let keep = try validate(db, "fact", csv: csv, rules: "blank:\n  markers: ['(空白)']\nforeign_keys:\n  f_product: { on_missing: fail }\n")
        #expect(try fk(keep, "f_org").missingKeys == 2)
        #expect(try fk(keep, "f_org").fixableKeys == 1)
        #expect(try fk(keep, "f_org").reasons == ["1 missing key is blank, which is never backfilled"])
        #expect(try fk(keep, "f_product").reasons == ["on_missing: fail in rules.yaml"])
        #expect(try fk(keep, "f_product").unfixableKeys == 1)
        let nulled = try validate(db, "fact", csv: csv, rules: "blank:\n  markers: ['(空白)']\n  on_blank: \"null\"\n")
        #expect(try fk(nulled, "f_org").missingKeys == 1)
        #expect(nulled.wouldLoad)
    }

    @Test func everyFormat() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE strict (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (strict_code text CONSTRAINT f_strict REFERENCES strict, org_code text CONSTRAINT f_org REFERENCES org, n int);
            """)
        let report = try validate(db, "fact", csv: "strict_code,org_code,n\nS<&>,G1,1\n,G2,x\n")
        #expect(report.render(.text).contains("missing S<&> (line 2)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(keys.allSatisfy { ["name", "violatingRows", "missingKeys", "fixableKeys", "unfixableKeys", "samples"].allSatisfy($0.keys.contains) })
        let samples = try #require(keys.first { $0["name"] as? String == "f_strict" }?["samples"] as? [[String: Any]])
        #expect(samples.first?["key"] as? [String] == ["S<&>"])
        #expect(samples.first?["lines"] as? [Int] == [2])
        let columns = try #require(json["columns"] as? [[String: Any]])
        #expect(columns.first?["column"] as? String == "n")
        #expect(columns.first?["sampleLines"] as? [Int] == [3])
        #expect(report.render(.markdown).contains("| `f_strict` |"))
        // f_strict fails (unfixable), f_org passes (fixable), n fails (conversion), the predicted load fails.
        try JUnitCheck.validate(report.render(.junit), tests: 4, failures: 3)
    }
}
