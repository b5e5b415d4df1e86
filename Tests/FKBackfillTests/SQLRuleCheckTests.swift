import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `sql:` rule expressions are compiled by the server and refused when they call anything
/// that could change something: never judged by keywords.
@Suite struct SQLRuleCheckTests {
    func setUp(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, note text, n bigint);
            CREATE TABLE fact (plan_code text REFERENCES plan, x text);
            CREATE TABLE side_effects (what text);
            CREATE SEQUENCE note_seq;
            CREATE FUNCTION writes(v text) RETURNS text LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO side_effects VALUES (v); RETURN v; END $$;
            CREATE FUNCTION shout(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(v) $$;
            CREATE VIEW harmless AS SELECT writes('view') AS v;
            CREATE DOMAIN checked AS text CHECK (writes(VALUE) IS NOT NULL);
            """)
    }

    func load(_ db: TestDatabase, note expression: String) throws -> LoadReport {
        let path = try db.csvFile("tables:\n  plan:\n    columns:\n      note: { sql: '\(expression.replacingOccurrences(of: "'", with: "''"))' }\n")
        let rules = try RulesParser.load(path: path)
        return try db.load("fact", csv: "plan_code,x\nP1,a\nP2,b\n") { $0.rules = rules }
    }

    @Test(arguments: [
        ("pg_read_file('/etc/passwd')", "pg_catalog.pg_read_file"),
        ("set_config('search_path', 'public', false)", "pg_catalog.set_config"),
        ("CAST(setval(CAST(min(x) AS regclass), 1000) AS text)", "pg_catalog.setval"),
        ("min(x) || (SELECT string_agg(d, '') FROM pg_ls_dir('.') AS d)", "pg_catalog.pg_ls_dir"),
    ])
    func volatileCallsAreRefused(expression: String, function: String) throws {
        let db = try TestDatabase()
        try setUp(db)
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, note: expression) }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        let detail = try #require(error.details.first)
        #expect(detail.contains("\(function)") && detail.contains("VOLATILE"), "\(detail)")
        #expect(detail.contains("(rule for note)"))
        #expect(!detail.contains("s."), "no internal alias: \(detail)")
        #expect(try db.count("plan") == 0)
        #expect(try db.values("SELECT last_value FROM note_seq") == [["1"]])
    }

    @Test func aUserFunctionThatWritesIsRefusedAndWritesNothing() throws {
        let db = try TestDatabase()
        try setUp(db)
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, note: "\(db.schema).writes(min(x))") }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.details.first?.contains("\(db.schema).writes") == true, "\(error.details)")
        #expect(try db.count("side_effects") == 0)
        #expect(try db.count("plan") == 0)
    }

    @Test func anUnqualifiedUserFunctionSaysToQualifyIt() throws {
        let db = try TestDatabase()
        try setUp(db)
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, note: "shout(min(x))") }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.details.first?.contains("function shout(text) does not exist") == true, "\(error.details)")
        #expect(error.details.first?.contains("myschema.my_function") == true)
    }

    @Test(arguments: ["count(*); DROP TABLE fact", "max(x) + (DELETE FROM fact RETURNING 1)", "x", "generate_series(1, 2)"])
    func whatIsNotOneValuePerKeyIsRefused(expression: String) throws {
        let db = try TestDatabase()
        try setUp(db)
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, note: expression) }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.details.first?.contains("sql:") == true, "\(error.details)")
        #expect(try db.count("fact") == 0 && db.count("plan") == 0)
    }

    @Test func nextvalAndAQualifiedUserFunctionAreAccepted() throws {
        let db = try TestDatabase()
        try setUp(db)
        let report = try load(db, note: "\(db.schema).shout(min(x)) || '-' || CAST(nextval('\(db.schema).note_seq') AS text)")
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT code, note FROM plan ORDER BY code") == [["P1", "A-1"], ["P2", "B-2"]])
    }

    /// What a helper's review slipped past the first version of the check: code run by a
    /// view, by a built-in that runs SQL text, and by a domain's CHECK on a cast.
    @Test(arguments: [
        ("(SELECT h.v FROM SCHEMA.harmless h)", "a view or foreign table"),
        ("CAST(pg_catalog.table_to_xml('SCHEMA.harmless', false, false, '') AS text)", "runs SQL of its own"),
        ("CAST(min(x) AS SCHEMA.checked)", "SCHEMA.writes"),
    ])
    func codeRunBehindTheExpressionIsRefusedToo(expression: String, refusal: String) throws {
        let db = try TestDatabase()
        try setUp(db)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try load(db, note: expression.replacingOccurrences(of: "SCHEMA", with: db.schema))
        }
        #expect(error.kind == .rulesProblems, "\(error)")
        #expect(error.details.first?.contains(refusal.replacingOccurrences(of: "SCHEMA", with: db.schema)) == true, "\(error.details)")
        #expect(try db.count("side_effects") == 0)
        #expect(try db.count("plan") == 0)
    }
}
