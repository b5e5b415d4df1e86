import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `on_blank: null` as the rows are staged (`LoadStatements.blanksNulledOnStaging`): a
/// string FK column's blanks become NULL in a generated column of the stage, so no UPDATE
/// moves the blank rows to the end of the stage and the facts go in, in input order,
/// without a sort. Other columns (a domain, a non-string type, text staging) keep the UPDATE.
@Suite struct BlankOnStagingTests {
    static let rules = "blank:\n  markers: ['(空白)', 'n/a']\n  on_blank: \"null\"\n"

    func load(_ db: TestDatabase, _ csv: String, rules text: String = rules, input: InputSource? = nil,
              _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> (report: LoadReport, statements: [String]) {
        let box = LockedBox<[String]>()
        let rules = try RulesParser.parse(text, file: "rules.yaml")
        let report = try db.load("fact", csv: csv, input: input) { options in
            options.rules = rules
            options.onStatement = { box.append($0.description) }
            configure(&options)
        }
        return (report, box.value)
    }

    func stageUpdates(_ statements: [String]) -> [String] { statements.filter { $0.hasPrefix("UPDATE pg_temp.fkb_stage") } }

    /// Blanks and markers in three string columns (text, varchar(n), char(n)) at rows 2, 4
    /// and 5 of 6: NULL in the table, no UPDATE of the stage, no sort of the facts, and the
    /// identity follows the file's order, as `\copy` would number it.
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func blanksAreNullAndTheRowsKeepTheirOrder(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE line (code varchar(4) PRIMARY KEY);
            CREATE TABLE region (code char(3) PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org text REFERENCES org,
                               line varchar(4) REFERENCES line, region char(3) REFERENCES region, label text);
            """)
        let csv = "org,line,region,label\nG1,L1,R1,a\n(空白),L1,\"   \",b\nG2,L2,R2,c\n\" \",n/a,R1,d\nG1,(空白),\"\u{3000}\",e\nG2,L1,R2,f\n"
        let (report, statements) = try load(db, csv) { $0.fkCheck = mode }
        #expect(report.inserted == 6)
        #expect(try db.values("SELECT label, org, line, CAST(region AS text) FROM fact ORDER BY id") == [
            ["a", "G1", "L1", "R1"], ["b", nil, "L1", nil], ["c", "G2", "L2", "R2"],
            ["d", nil, nil, "R1"], ["e", "G1", nil, nil], ["f", "G2", "L1", "R2"],
        ])
        #expect(try db.values("SELECT code FROM org ORDER BY code") == [["G1"], ["G2"]])
        #expect(try db.values("SELECT code FROM line ORDER BY code") == [["L1"], ["L2"]])
        #expect(stageUpdates(statements) == [], "\(stageUpdates(statements))")
        let insert = try #require(statements.first { $0.contains("INSERT INTO \"\(db.schema)\".\"fact\"") })
        #expect(!insert.contains("ORDER BY s._fkb_row"), "\(insert.prefix(400))")
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// A table as the input (`--source`): its rows go into the same input columns.
    @Test func aTableInputIsStagedIntoTheInputColumns() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY, org text REFERENCES org, label text);
            CREATE TABLE src (org text, label text);
            INSERT INTO src VALUES ('G1', 'a'), ('(空白)', 'b'), (' ', 'c'), ('G2', 'd');
            """)
        let (report, _) = try load(db, "", input: .table("\(db.schema).src"))
        #expect(report.inserted == 4)
        #expect(try db.values("SELECT label, org FROM fact ORDER BY label") == [["a", "G1"], ["b", nil], ["c", nil], ["d", "G2"]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// A domain column and an integer column keep the UPDATE (a domain's CHECK would run
    /// twice in a generated column; an integer's marker is a value of its text), and the
    /// load puts the moved rows back in input order.
    @Test func aDomainAndAnIntegerColumnKeepTheUpdate() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN code AS text CHECK (VALUE <> 'bad');
            CREATE TABLE org (code code PRIMARY KEY);
            CREATE TABLE unit (n int PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org code REFERENCES org, unit int REFERENCES unit, label text);
            """)
        let rules = "blank:\n  markers: ['(空白)', '0']\n  on_blank: \"null\"\n"
        let (report, statements) = try load(db, "org,unit,label\nG1,1,a\n(空白),0,b\nG2,2,c\n", rules: rules)
        #expect(report.inserted == 3)
        #expect(try db.values("SELECT label, org, CAST(unit AS text) FROM fact ORDER BY id") == [["a", "G1", "1"], ["b", nil, nil], ["c", "G2", "2"]])
        #expect(stageUpdates(statements).count == 1)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// An FK column of `varchar(n)[]` is no string column: its text cast is no generated
    /// column's (array output is not IMMUTABLE), so it keeps the UPDATE, and the load runs.
    @Test func anArrayKeyColumnKeepsTheUpdate() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE tagset (tags varchar(5)[] PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY, tags varchar(5)[] REFERENCES tagset, label text);
            """)
        let rules = "blank:\n  markers: ['{}']\n  on_blank: \"null\"\n"
        let (report, statements) = try load(db, "tags,label\n\"{a,b}\",x\n{},y\n", rules: rules)
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT label, CAST(tags AS text) FROM fact ORDER BY id") == [["x", "{a,b}"], ["y", nil]])
        #expect(stageUpdates(statements).count == 1)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// Two FK columns whose 63-byte names share their first 60 bytes: each gets a stage
    /// column of its own (a prefix on the name would be cut to one name).
    @Test func longColumnNamesEachKeepTheirOwnInputColumn() throws {
        let db = try TestDatabase()
        let stem = String(repeating: "k", count: 60)
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact ("\(stem)one" text REFERENCES org, "\(stem)two" text REFERENCES org);
            """)
        let (report, _) = try load(db, "\(stem)one,\(stem)two\nG1,(空白)\nn/a,G2\n")
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT \"\(stem)one\", \"\(stem)two\" FROM fact ORDER BY 1 NULLS LAST") == [["G1", nil], [nil, "G2"]])
    }

    /// A value COPY refuses in such a column is named by the input's column, not the
    /// stage's `_fkb_in_N`, with its line; nothing is written.
    @Test func aValueTooLongNamesTheInputsColumn() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code varchar(3) PRIMARY KEY); CREATE TABLE fact (n int, org varchar(3) REFERENCES org)")
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, "n,org\n1,G1\n2,G0001\n") }
        #expect(error.message.contains(":3: value too long for type character varying(3) (column org: \"G0001\")"), "\(error.message)")
        #expect(try db.count("fact") == 0 && db.count("org") == 0)
    }

    /// A row set aside into a reject table keeps the input's columns only: not the stage's
    /// input column behind a blank key.
    @Test func aRejectTableHoldsOnlyTheInputsColumns() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org text REFERENCES org, n int CHECK (n > 0));
            """)
        let (report, _) = try load(db, "org,n\n(空白),-1\nG1,1\n") {
            $0.maxRejects = 1
            $0.rejectTable = "\(db.schema).rejects"
        }
        #expect(report.inserted == 1)
        #expect(try db.values("SELECT CAST(original AS text) FROM rejects") == [[#"{"n": -1, "org": null}"#]])
    }

    /// A value that does not convert sends the load to text staging, whose stage has no
    /// generated columns: the blanks there are made NULL by the UPDATE, as before.
    @Test func textStagingStillMakesBlanksNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code varchar(4) PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY, org varchar(4) REFERENCES org, n int);
            """)
        let (report, _) = try load(db, "org,n\n(空白),1\nG1,x\nG2,3\n") { $0.maxRejects = 1 }
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT org, CAST(n AS text) FROM fact ORDER BY id") == [[nil, "1"], ["G2", "3"]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// A target nearly as wide as a stage may be (1,597 staged columns and the stage's two own):
    /// its two blank key columns keep the UPDATE, where their input columns would take the
    /// stage past PostgreSQL's 1,600 columns (54011, nothing loaded).
    @Test func aWideTargetKeepsTheUpdate() throws {
        let db = try TestDatabase()
        let others = (3...1597).map { "c\($0) int" }.joined(separator: ", ")
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (k1 text REFERENCES org, k2 text REFERENCES org, \(others))")
        let header = "k1,k2," + (3...1597).map { "c\($0)" }.joined(separator: ",")
        let row = { (a: String, b: String) in "\(a),\(b)," + (3...1597).map { _ in "1" }.joined(separator: ",") }
        let (report, statements) = try load(db, header + "\n" + row("G1", "n/a") + "\n" + row("(空白)", "G2") + "\n")
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT k1, k2 FROM fact ORDER BY k1 NULLS LAST") == [["G1", nil], [nil, "G2"]])
        #expect(stageUpdates(statements).count == 1)
    }
}
