import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The set-based load's facts-first order (`LoadRun+StoredKeysFirst`): the fact rows go
/// in before the backfill and the keys come from what they stored, but only where
/// nothing the insert evaluates could see the parents; elsewhere parents go first, and
/// the load does what PostgreSQL's own per-row order would.
@Suite(.timeLimit(.minutes(30))) struct FactsFirstTests {
    /// Where the insert could see the parents, as the statements show it.
    func statements(_ db: TestDatabase, csv: String) throws -> (report: LoadReport, statements: [String]) {
        let box = LockedBox<[String]>()
        let report = try db.load("fact", csv: csv) { options in
            options.onStatement = { box.append($0.description) }
        }
        return (report, box.value)
    }

    func factInsert(_ db: TestDatabase, _ statements: [String]) throws -> Int {
        try #require(statements.firstIndex { $0.hasPrefix("WITH i AS (INSERT INTO \"\(db.schema)\".\"fact\"") })
    }

    func parentInsert(_ db: TestDatabase, _ statements: [String], _ parent: String) throws -> Int {
        try #require(statements.firstIndex { $0.hasPrefix("WITH i AS (INSERT INTO \"\(db.schema)\".\"\(parent)\"") })
    }

    static let plansAndPortfolios = """
            CREATE TABLE plan (code text PRIMARY KEY, kind text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan, kind text);
            INSERT INTO plan VALUES ('P1', 'old');
            CREATE TABLE fact (plan_code text NOT NULL REFERENCES plan, portfolio_code text REFERENCES portfolio, kind text, n int CHECK (n > 0));
            """

    /// A plain target: facts first, keys read back from `fkb_stored`, the same parents and
    /// rows as the per-row order, and validate predicts it.
    @Test func aPlainTargetTakesItsKeysFromTheStoredRows() throws {
        let db = try TestDatabase()
        try db.run(Self.plansAndPortfolios)
        let csv = "plan_code,portfolio_code,kind,n\nP1,F1,a,1\nP2,F2,b,2\nP2,F2,b,3\nP3,,c,4\n"
        let (report, statements) = try statements(db, csv: csv)
        #expect(report.fkCheck == .setBased)
        #expect(try factInsert(db, statements) < parentInsert(db, statements, "plan"))
        #expect(try parentInsert(db, statements, "plan") < parentInsert(db, statements, "portfolio"))
        #expect(statements.contains { $0.hasPrefix("CREATE TEMP TABLE pg_temp.fkb_seen") && $0.contains("FROM pg_temp.fkb_stored g") })
        #expect(report.inserted == 4)
        #expect(report.parent("plan")?.inserted == 2)
        #expect(report.parent("portfolio")?.inserted == 2)
        #expect(try db.values("SELECT code, kind FROM plan ORDER BY code") == [["P1", "old"], ["P2", "b"], ["P3", "c"]])
        #expect(try db.values("SELECT code, plan_code, kind FROM portfolio ORDER BY code") == [["F1", "P1", "a"], ["F2", "P2", "b"]])

        // The per-row order, on a copy of the same start, backfills the same rows.
        let other = try TestDatabase()
        try other.run(Self.plansAndPortfolios)
        let perRow = try other.load("fact", csv: csv) { $0.fkCheck = .perRow }
        #expect(perRow.inserted == 4)
        #expect(try other.values("SELECT code, kind FROM plan ORDER BY code") == db.values("SELECT code, kind FROM plan ORDER BY code"))
        #expect(try other.values("SELECT code, plan_code, kind FROM portfolio ORDER BY code")
            == db.values("SELECT code, plan_code, kind FROM portfolio ORDER BY code"))
    }

    /// A row the insert refuses is named by its line, never blamed on a parent that is
    /// not backfilled yet, and validate's trial says the same.
    @Test func aRowTheInsertRefusesIsNamedByItsLine() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int CHECK (n > 0));
            """)
        let csv = "plan_code,n\nP1,1\nP2,0\n"
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad)
        #expect(predicted.rejections.map(\.sampleLines) == [[3]] && predicted.rejections.first?.reason == "fails CHECK fact_n_check")
        let error = try #require(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(error.kind == .rowRefused(line: 3), "\(error.message)")
        #expect(error.message.contains("fact_n_check"), "\(error.message)")
        #expect(try db.values("SELECT count(*)::text FROM plan") == [["0"]])
    }

    /// Every row counted: a row set aside before the facts go in is rejected, not
    /// "not stored by the table's triggers", and a domain's CHECK refusing a value is a
    /// reject with its line, as a value that does not parse.
    @Test func rowsSetAsideAreCountedOnce() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN pos AS int CHECK (VALUE > 0);
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n pos, xs pos[]);
            """)
        let report = try db.load("fact", csv: "plan_code,n,xs\nP1,1,{1}\nP2,-1,{1}\nP3,1,\"{1,-2}\"\nP4,x,{1}\n") { $0.maxRejects = 5 }
        #expect(report.fkCheck == .setBased)
        #expect(report.inserted == 1)
        #expect(report.rejected == 3)
        #expect(report.skipped == 0)
        #expect(report.rejections.flatMap(\.sampleLines).sorted() == [3, 4, 5])
        #expect(try db.values("SELECT code FROM plan") == [["P1"]])
        let error = try #require(throws: FKBackfillError.self) { try db.load("fact", csv: "plan_code,n\nP5,1\nP6,-1\n") }
        #expect(error.kind == .badInput(line: 3), "\(error.message)")
        #expect(error.message.contains("pos_check"), "\(error.message)")
    }

    /// A CHECK whose function (IMMUTABLE by its word, not by what it does) reads the parent
    /// would refuse every new key if the facts went in first. PostgreSQL's own order, the
    /// parents first, accepts the rows; so does the load.
    @Test func aCheckThatReadsAParentKeepsTheParentsFirst() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE FUNCTION known_plan(c text) RETURNS boolean IMMUTABLE LANGUAGE sql
                AS $$ SELECT EXISTS (SELECT 1 FROM \(db.schema).plan p WHERE p.code = c) $$;
            CREATE TABLE fact (plan_code text REFERENCES plan CHECK (known_plan(plan_code)));
            """)
        let (report, statements) = try statements(db, csv: "plan_code\nP1\nP2\n")
        // A SQL function's IMMUTABLE is no proof it writes nothing (hostile review 27): the
        // set-based check's replica mode is not used under it.
        #expect(report.fkCheck == .perRow)
        #expect(report.fkCheckNote?.contains("known_plan") == true, "\(report.fkCheckNote ?? "")")
        #expect(try parentInsert(db, statements, "plan") < factInsert(db, statements))
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT code FROM plan ORDER BY code") == [["P1"], ["P2"]])
    }

    /// A DEFAULT that calls another table's sequence (here the parent's: `currval` of the
    /// plan ids the backfill draws) sees the backfill's calls only when the parents go first.
    @Test func aDefaultOnAParentsSequenceKeepsTheParentsFirst() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (id serial, code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, last_plan int DEFAULT currval('\(db.schema).plan_id_seq'));
            """)
        let (report, statements) = try statements(db, csv: "plan_code\nP1\nP2\n")
        #expect(report.fkCheck == .setBased)
        #expect(try parentInsert(db, statements, "plan") < factInsert(db, statements))
        #expect(try db.values("SELECT plan_code, last_plan::text FROM fact ORDER BY plan_code") == [["P1", "2"], ["P2", "2"]])
    }
}
