import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// "Most frequent value" picked from hashed counts (`LoadStatements+HashedModes`): the
/// same values as `mode()`, which the test computes itself over the input, and taken only
/// where each column holds few values.
@Suite(.timeLimit(.minutes(30))) struct HashedModeTests {
    func load(_ db: TestDatabase, csv: String) throws -> (report: LoadReport, statements: [String]) {
        let box = LockedBox<[String]>()
        let report = try db.load("fact", csv: csv) { options in
            options.onStatement = { box.append($0.description) }
        }
        return (report, box.value)
    }

    /// Whether the values of `parent` were picked from hashed counts.
    func hashed(_ db: TestDatabase, _ statements: [String], _ index: Int) -> Bool {
        statements.contains { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_val_\(index) ON COMMIT DROP AS WITH c AS MATERIALIZED") }
    }

    /// Ties go to the smallest value (by the type's ordering: 10 after 9 for integers, 'B'
    /// before 'a' in the stage's default collation), NULLs are not counted, a key whose
    /// rows are all NULL gets NULL, and a value repeated across the other column's values
    /// is counted over all of them. `mode()` over the rows loaded says the same.
    @Test func picksWhatModePicks() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind varchar(10), grade int, since date, flag char(2));
            CREATE TABLE fact (plan_code text REFERENCES plan, kind varchar(10), grade int, since date, flag char(2), n int);
            """)
        var lines = ["plan_code,kind,grade,since,flag,n"]
        // P1: kind a×2 B×2 (tie: B), grade 9×2 10×2 (tie: 9), since one date, flag x×3.
        lines += ["P1,a,9,2024-01-01,x,1", "P1,a,10,2024-01-01,x,2", "P1,B,9,,x,3", "P1,B,10,,,4"]
        // P2: every kind NULL; grade 3 once against 4 twice; two dates tied.
        lines += ["P2,,3,2024-02-02,y,5", "P2,,4,2024-02-01,y,6", "P2,,4,,z,7"]
        // P3: one row.
        lines += ["P3,a,1,2024-03-03,q,8"]
        let csv = lines.joined(separator: "\n") + "\n"
        let (report, statements) = try load(db, csv: csv)
        #expect(report.inserted == 8)
        #expect(hashed(db, statements, 0), "\(statements.filter { $0.contains("fkb_val_") })")
        let byMode = try db.values("""
            SELECT plan_code, mode() WITHIN GROUP (ORDER BY kind), CAST(mode() WITHIN GROUP (ORDER BY grade) AS text),
                   CAST(mode() WITHIN GROUP (ORDER BY since) AS text), mode() WITHIN GROUP (ORDER BY flag)
            FROM fact GROUP BY plan_code ORDER BY plan_code
            """)
        #expect(byMode == [["P1", "B", "9", "2024-01-01", "x "], ["P2", nil, "4", "2024-02-01", "y "], ["P3", "a", "1", "2024-03-03", "q "]])
        #expect(try db.values("SELECT code, kind, CAST(grade AS text), CAST(since AS text), flag FROM plan ORDER BY code") == byMode)
    }

    /// Random rows, few values a column (so the counts are hashed), many ties: 20 loads,
    /// each plan's values equal to `mode()` over the rows loaded.
    @Test func randomTiesPickWhatModePicks() throws {
        var generator = RandomInputTests.Generator(state: 2312061)
        for round in 0..<20 {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE plan (code text PRIMARY KEY, kind varchar(10), grade int);
                CREATE TABLE fact (plan_code text REFERENCES plan, kind varchar(10), grade int);
                """)
            let kinds = ["", "a", "B", "b", "A"], grades = ["", "-1", "2", "10"]
            let rows = (0..<40).map { _ in
                "P\(generator.next() % 5),\(kinds[Int(generator.next() % 5)]),\(grades[Int(generator.next() % 4)])"
            }
            let (report, statements) = try load(db, csv: "plan_code,kind,grade\n" + rows.joined(separator: "\n") + "\n")
            #expect(report.inserted == 40)
            #expect(hashed(db, statements, 0), "round \(round)")
            let byMode = try db.values("""
                SELECT plan_code, mode() WITHIN GROUP (ORDER BY kind), CAST(mode() WITHIN GROUP (ORDER BY grade) AS text)
                FROM fact GROUP BY plan_code ORDER BY plan_code
                """)
            #expect(try db.values("SELECT code, kind, CAST(grade AS text) FROM plan ORDER BY code") == byMode, "round \(round): \(rows)")
        }
    }

    /// A portfolio's plan code (the key of a parent of the portfolio, which its rows share)
    /// and a column of two values are counted by hash, on every parent that feeds another:
    /// the new plans behind new portfolios are the ones `mode()` derives.
    @Test func aParentsKeyForItsParentIsCountedByHash() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan, kind text);
            CREATE TABLE fact (portfolio_code text REFERENCES portfolio, plan_code text, kind text);
            """)
        // F2's rows name P2 twice and P3 once: its plan is P2, and P3 is no plan at all.
        let csv = "portfolio_code,plan_code,kind\nF1,P1,a\nF1,P1,b\nF1,P1,b\nF2,P2,a\nF2,P3,a\nF2,P2,b\n"
        let (report, statements) = try load(db, csv: csv)
        #expect(report.inserted == 6)
        #expect(statements.contains { $0.contains("WITH c AS MATERIALIZED") })
        #expect(try db.values("SELECT code, plan_code, kind FROM portfolio ORDER BY code") == [["F1", "P1", "b"], ["F2", "P2", "a"]])
        #expect(try db.values("SELECT code FROM plan ORDER BY code") == [["P1"], ["P2"]])
    }

    /// A column with many values per key keeps `mode()`: counting its combinations by hash
    /// would hold a group per row.
    @Test func manyValuesKeepMode() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, customer text);
            CREATE TABLE fact (plan_code text REFERENCES plan, customer text);
            """)
        let rows = (1...200).map { "P\($0 % 4),customer \($0)" }
        let (report, statements) = try load(db, csv: "plan_code,customer\n" + rows.joined(separator: "\n") + "\n")
        #expect(report.inserted == 200)
        #expect(!statements.contains { $0.contains("WITH c AS MATERIALIZED") })
        #expect(statements.contains { $0.contains("mode() WITHIN GROUP") })
        // Every customer appears once: the smallest of each plan's.
        #expect(try db.values("SELECT code, customer FROM plan ORDER BY code")
            == [["P0", "customer 100"], ["P1", "customer 1"], ["P2", "customer 10"], ["P3", "customer 103"]])
    }

    /// An ordered pick next to the most frequent value keeps `mode()`: the statement sorts anyway.
    @Test func anOrderedPickKeepsMode() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text, first_kind text);
            CREATE TABLE fact (plan_code text REFERENCES plan, kind text);
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).plan:\n    columns:\n      first_kind: { from: kind, pick: first }\n", file: "rules.yaml")
        let box = LockedBox<[String]>()
        let report = try db.load("fact", csv: "plan_code,kind\nP1,b\nP1,a\nP1,a\n") { options in
            options.rules = rules
            options.onStatement = { box.append($0.description) }
        }
        #expect(report.inserted == 3)
        #expect(!box.value.contains { $0.contains("WITH c AS MATERIALIZED") })
        #expect(try db.values("SELECT code, kind, first_kind FROM plan") == [["P1", "a", "b"]])
    }

    /// Where most keys are new the stage is counted by its staged key before the join to
    /// the keys (`countedFirst`), elsewhere joined first: from none to nine of ten plans
    /// already present, with NULL and blank keys among the rows, each new plan's values are
    /// `mode()`'s over its rows either way, and both shapes were taken.
    @Test func countedFirstOrJoinedFirstPickTheSame() throws {
        var generator = RandomInputTests.Generator(state: 2612071)
        var shapes = Set<Bool>()
        for present in 0..<10 {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE plan (code varchar(10) PRIMARY KEY, kind varchar(10), grade int);
                CREATE TABLE fact (plan_code varchar(10) REFERENCES plan, kind varchar(10), grade int);
                INSERT INTO plan SELECT 'P' || i, 'old', -9 FROM generate_series(0, \(present - 1)) i;
                """)
            let kinds = ["", "a", "B", "b"], grades = ["", "-1", "2", "10"], codes = ["", " ", "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"]
            let rows = (0..<120).map { _ in
                "\(codes[Int(generator.next() % 12)]),\(kinds[Int(generator.next() % 4)]),\(grades[Int(generator.next() % 4)])"
            }.filter { !$0.hasPrefix(" ,") }
            let (_, statements) = try load(db, csv: "plan_code,kind,grade\n" + rows.joined(separator: "\n") + "\n")
            #expect(hashed(db, statements, 0), "\(present) present")
            shapes.insert(statements.contains { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_val_0") && $0.contains("GROUP BY s.\"plan_code\"") })
            let byMode = try db.values("""
                SELECT plan_code, mode() WITHIN GROUP (ORDER BY kind), CAST(mode() WITHIN GROUP (ORDER BY grade) AS text)
                FROM fact WHERE plan_code IS NOT NULL AND plan_code NOT IN (SELECT 'P' || i FROM generate_series(0, \(present - 1)) i)
                GROUP BY plan_code ORDER BY plan_code
                """)
            #expect(try db.values("SELECT code, kind, CAST(grade AS text) FROM plan WHERE kind IS DISTINCT FROM 'old' ORDER BY code") == byMode,
                    "\(present) present: \(rows)")
        }
        #expect(shapes == [true, false])
    }
}
