import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The load reads every staged key once (`fkb_seen`), builds work tables only where a
/// parent lacks keys, and inserts the fact rows without sorting when it can.
@Suite struct KeyPassTests {
    /// Fact rows go in input order whether or not an UPDATE of the stage (here: blanks
    /// made NULL) moved rows, which only an ORDER BY puts back.
    @Test(arguments: ["", "blank:\n  markers: ['-']\n  on_blank: \"null\"\n"])
    func factRowsKeepInputOrder(rules yaml: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (id bigint GENERATED ALWAYS AS IDENTITY, org_code text REFERENCES org, n int);
            """)
        let csv = "org_code,n\nG2,5\n-,3\nG1,1\n-,4\nG3,2\n"
        var options = LoadOptions()
        if !yaml.isEmpty { options.rules = try RulesParser.parse(yaml, file: "rules.yaml") }
        let report = try Loader(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.inserted == 5)
        #expect(try db.values("SELECT n::text FROM fact ORDER BY id") == [["5"], ["3"], ["1"], ["4"], ["2"]])
    }

    /// GROUPING takes at most 31 columns; with more FK columns the keys are read one set
    /// at a time, and backfill, lock and verify give the same answers.
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func moreThan31KeyColumnsReadOneSetAtATime(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        let columns = (1...33).map { "c\($0)" }
        try db.run("CREATE TABLE code (code text PRIMARY KEY); INSERT INTO code VALUES ('a');"
            + "CREATE TABLE fact (" + columns.map { "\($0) text CONSTRAINT f_\($0) REFERENCES code" }.joined(separator: ", ") + ")")
        let header = columns.joined(separator: ",")
        let rows = ["a" + String(repeating: ",a", count: 32), "b" + String(repeating: ",c", count: 31) + ",d", String(repeating: ",", count: 32)]
        let report = try db.load("fact", csv: ([header] + rows).joined(separator: "\n") + "\n") { $0.fkCheck = mode }
        #expect(report.fkCheck == mode)
        #expect(report.inserted == 3)
        #expect(try db.values("SELECT code FROM code ORDER BY code") == [["a"], ["b"], ["c"], ["d"]])
        #expect(report.parents.first?.inserted == 3)

        // A key no backfill may create (the FK is skipped) is found by the verify: nothing is written.
        let before = try db.checksum(["code", "fact"])
        let skipped = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "\(header)\n" + String(repeating: "a,", count: 32) + "zz\n" + String(repeating: "a,", count: 32) + "zz\n") {
                $0.fkCheck = .setBased
                $0.rules = try! RulesParser.parse("foreign_keys:\n  f_c33: { skip: true }\n", file: "rules.yaml")
            }
        }
        #expect(skipped.kind == .foreignKeyViolations)
        #expect(skipped.details == ["2 rows violate f_c33 → \(db.schema).code (keys zz)"])
        #expect(try db.checksum(["code", "fact"]) == before)
    }

    /// Two FKs over the same columns in different orders are one grouping set (GROUPING
    /// cannot tell them apart); each still gets its keys, in its own column order.
    @Test(arguments: [FKCheckMode.setBased, .perRow])
    func foreignKeysOverTheSameColumnsInAnotherOrder(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE pair (x text, y text, PRIMARY KEY (x, y));
            CREATE TABLE swapped (x text, y text, PRIMARY KEY (x, y));
            INSERT INTO pair VALUES ('a', 'b'); INSERT INTO swapped VALUES ('b', 'a');
            CREATE TABLE fact (a text, b text,
                CONSTRAINT f_pair FOREIGN KEY (a, b) REFERENCES pair (x, y),
                CONSTRAINT f_swapped FOREIGN KEY (b, a) REFERENCES swapped (x, y));
            """)
        let report = try db.load("fact", csv: "a,b\na,b\nc,d\n") { $0.fkCheck = mode }
        #expect(report.fkCheck == mode)
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT x, y FROM pair ORDER BY x") == [["a", "b"], ["c", "d"]])
        #expect(try db.values("SELECT x, y FROM swapped ORDER BY x") == [["b", "a"], ["d", "c"]])
    }

    /// A parent whose keys all exist gets empty work tables: the stage is read only by the
    /// fact insert, whose stored keys are the one pass over the keys (the set-based order,
    /// `insertsBeforeBackfill`), and for the rows behind a new key.
    @Test func parentsWithNothingMissingDoNotReadTheStagedRows() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan, kind text);
            INSERT INTO plan VALUES ('P1', 'x'); INSERT INTO portfolio VALUES ('F1', 'P1', 'y');
            CREATE TABLE fact (plan_code text REFERENCES plan, portfolio_code text REFERENCES portfolio, kind text);
            """)
        let statements = LockedBox<[String]>()
        let report = try db.load("fact", csv: "plan_code,portfolio_code,kind\nP1,F1,a\nP1,F2,b\n") { options in
            options.onStatement = { statements.append($0.description) }
        }
        #expect(report.parent("portfolio")?.inserted == 1)
        #expect(report.parent("plan")?.inserted == 0)
        // The new portfolio's values may first sample the stage (a few thousand rows,
        // `LoadRun.fewValuesPerKey`): part of the one parent's work, not a pass over the keys.
        let scans = statements.value.filter {
            $0.contains("FROM pg_temp.fkb_stage") && !$0.hasPrefix("INSERT INTO") && !$0.hasPrefix("WITH i AS (INSERT INTO") && !$0.contains("TABLESAMPLE")
        }
        // The keys come from what the insert stored; one read for the rows behind the new
        // portfolio (its values, aggregated straight from the stage); the plan's work
        // tables are created without reading anything.
        #expect(report.fkCheck == .setBased)
        #expect(statements.value.contains { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_seen") && $0.contains("FROM pg_temp.fkb_stored g") })
        let reads = scans.filter { !$0.hasSuffix("WITH NO DATA") }
        #expect(reads.filter { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_val_") }.count == 1)
        #expect(reads.count == 1)
        #expect(statements.value.contains { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_val_") && $0.hasSuffix("WITH NO DATA") })
        #expect(try db.values("SELECT plan_code, kind FROM portfolio WHERE code = 'F2'") == [["P1", "b"]])
    }

    /// A row behind a new plan directly and through its new portfolio counts once: its
    /// `sum` is not doubled and it does not outweigh a row reached one way only.
    @Test func aRowReachingAParentByTwoPathsCountsOnce() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, total numeric, kind text, rows int);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan);
            CREATE TABLE fact (plan_code text REFERENCES plan, portfolio_code text REFERENCES portfolio, amount numeric, kind text);
            """)
        let rules = """
            tables:
              plan:
                columns:
                  total: { from: amount, pick: sum }
                  kind: { from: kind, pick: most_frequent }
                  rows: { sql: "count(*)" }
            """
        let report = try db.load("fact", csv: "plan_code,portfolio_code,amount,kind\nP1,F1,10,a\nP1,,5,b\nP1,,7,b\n") {
            $0.rules = try! RulesParser.parse(rules, file: "rules.yaml")
        }
        #expect(report.parent("plan")?.inserted == 1)
        #expect(try db.values("SELECT total::text, kind, rows::text FROM plan") == [["22", "b", "3"]])
    }
}
