@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 21, of the eleventh session's own changes: a grandparent's varchar key
/// given trailing spaces, a partly NULL MATCH FULL key of new parent rows, a grandparent
/// key taken from the parent's own key column, and a self-reference under a
/// nondeterministic collation, which the load refused though PostgreSQL takes it.
@Suite(.timeLimit(.minutes(30))) struct HostileReview21Tests {
    func standby(_ db: TestDatabase, _ table: String, csv: String) throws -> ValidationReport {
        try db.validateOnStandby(table, input: .csv(path: try db.csvFile(csv), options: CSVOptions()))
    }

    /// Each stops the load before it writes, the staged validate says would not load, the
    /// standby names the grandparent's keys it does not check.
    @Test(arguments: [
        // 'EURO   ' into a varchar(4) key is stored as 'EURO', which the store's varchar FK does not match.
        ("""
         CREATE TABLE region (code varchar(4) PRIMARY KEY);
         CREATE TABLE store (id text PRIMARY KEY, region varchar(10) NOT NULL REFERENCES region);
         CREATE TABLE fact (id int PRIMARY KEY, store text REFERENCES store, region varchar(10));
         """, "id,store,region\n1,S1,\"EURO   \"\n", "gives a key (region) longer than its 4 characters (EURO   )"),
        ("""
         CREATE TABLE region (country text, code text, PRIMARY KEY (country, code));
         CREATE TABLE store (id text PRIMARY KEY, country text, region text, FOREIGN KEY (country, region) REFERENCES region MATCH FULL);
         CREATE TABLE fact (id int PRIMARY KEY, store text REFERENCES store, country text, region text);
         """, "id,store,country,region\n1,S1,DE,\n", "gives a partly NULL key (country, region), which MATCH FULL refuses"),
        // The grandparent's key from the store's own key column, the input's.
        ("""
         CREATE TABLE region (code varchar(4) PRIMARY KEY);
         CREATE TABLE store (region varchar(10) REFERENCES region, id text, PRIMARY KEY (region, id));
         CREATE TABLE fact (id int PRIMARY KEY, region varchar(10), store text, FOREIGN KEY (region, store) REFERENCES store);
         """, "id,region,store\n1,EUROPE,S1\n", "gives a key (region) longer than its 4 characters (EUROPE)"),
    ])
    func aGrandparentKeyNoBackfillCanSupply(_ schema: String, _ csv: String, _ problem: String) throws {
        let db = try TestDatabase()
        try db.run(schema)
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(error?.details.contains("new rows of \(db.schema).store need keys \(db.schema).region cannot hold: 1 new row \(problem)") == true,
                "\(String(describing: error?.details))")
        #expect(try db.count("store") == 0 && db.count("region") == 0)
        #expect(try !db.predict("\(db.schema).fact", csv: csv).wouldLoad)
        #expect(try standby(db, "fact", csv: csv).notExact.contains { $0.hasPrefix("keys of \(db.schema).region that new rows of \(db.schema).store give it") })
    }

    /// A self-reference under a case-blind nondeterministic collation: 'BOSS' is the
    /// input's own 'Boss', as PostgreSQL's FK check finds; the load inserted a placeholder
    /// 'BOSS' and then refused 'Boss' as a repeat of it.
    @Test func aSelfReferenceUnderANondeterministicCollation() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE emp (id text COLLATE ci PRIMARY KEY, mgr text COLLATE ci REFERENCES emp);
            """)
        let csv = "id,mgr\nBoss,\nE1,BOSS\n"
        #expect(try db.predict("\(db.schema).emp", csv: csv).wouldLoad)
        #expect(try db.load("emp", csv: csv).inserted == 2)
        #expect(try db.values("SELECT id, mgr FROM emp ORDER BY id COLLATE \"C\"") == [["Boss", nil], ["E1", "BOSS"]])
    }

    /// A NOT NULL domain whose own DEFAULT gives NULL in the session (an unset setting):
    /// a target column of it the input lacks, and a parent's column of it, stop the load
    /// before it writes and validate says so both ways; with the setting, both load.
    @Test func aNotNullDomainsDefaultThatGivesNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN stamp AS text NOT NULL DEFAULT current_setting('app.x', true);
            CREATE TABLE plan (code text PRIMARY KEY, label stamp);
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            CREATE TABLE note (id int PRIMARY KEY, body stamp);
            """)
        let missing = #expect(throws: FKBackfillError.self) { try db.load("note", csv: "id\n1\n") }
        #expect(missing?.message.contains("column body of \(db.schema).note is NOT NULL and its DEFAULT gives NULL in this session") == true,
                "\(String(describing: missing))")
        let csv = "id,plan\n1,P1\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(error?.details.contains { $0.hasPrefix("\(db.schema).plan.label is NOT NULL and left to its DEFAULT, which gives NULL") } == true,
                "\(String(describing: error?.details))")
        #expect(try !db.predict("\(db.schema).fact", csv: csv).wouldLoad)
        #expect(try !db.validateOnStandby("fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions())).wouldLoad)
        try db.run("SELECT set_config('app.x', 'etl', false)")
        #expect(try db.load("fact", csv: csv).inserted == 1)
        #expect(try db.values("SELECT label FROM plan") == [["etl"]])
    }
}
