@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `--in-place` with a view or a query: reading it plans the user's SQL, whose SQL
/// functions PostgreSQL inlines with the names in their bodies resolved under the path of
/// the statement that reads it. The checks in place ran under the tool's pinned path and
/// failed ("relation codes does not exist") where the load and the staged validate work;
/// such an input is now read once under the user's path: staged on the primary, through
/// a cursor on the standby. A table is still checked in place.
@Suite(.timeLimit(.minutes(30))) struct InPlaceViewTests {
    func schema() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY);
            CREATE TABLE fact (id int, code text REFERENCES p);
            CREATE TABLE codes (raw text, code text);
            CREATE TABLE src (id int, raw text);
            INSERT INTO codes VALUES ('a', 'A'), ('b', 'B');
            INSERT INTO src VALUES (1, 'a'), (2, 'b');
            INSERT INTO p VALUES ('A');
            CREATE FUNCTION norm(r text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT code FROM codes WHERE raw = r $$;
            CREATE VIEW v AS SELECT id, norm(raw) AS code FROM src;
            CREATE TABLE typed AS SELECT id, norm(raw) AS code FROM src;
            """)
        return db
    }

    func validate(_ session: Connection, _ db: TestDatabase, _ input: InputSource, inPlace: Bool) throws -> ValidationReport {
        var options = ValidateOptions()
        options.inPlace = inPlace
        return try Validator(connection: session).run(table: "\(db.schema).fact", input: input, options: options)
    }

    @Test func aViewOrAQueryIsReadOnceUnderTheUsersPath() throws {
        let db = try schema()
        let inputs: [InputSource] = [.table("\(db.schema).v"), .query("SELECT id, norm(raw) AS code FROM src")]
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        for input in inputs {
            #expect((try? db.load("fact", input: input) { $0.dryRun = true })?.parent("p")?.inserted == 1, "\(input)")
            let staged = try validate(db.connection, db, input, inPlace: false)
            let primary = try validate(db.connection, db, input, inPlace: true)
            let streamed = try validate(standby, db, input, inPlace: true)
            for report in [staged, primary, streamed] {
                #expect(report.wouldLoad && report.foreignKeys.map(\.missingKeys) == [1], "\(input): \(report.foreignKeys)")
                #expect(report.foreignKeys.first?.samples.map(\.key) == [["B"]], "\(input)")
            }
            #expect(primary.prediction != nil, "\(input): staged on the primary, with the load's prediction")
        }
        // A table with the target's types is still checked where it is.
        let table = try validate(db.connection, db, .table("\(db.schema).typed"), inPlace: true)
        #expect(table.checkedInPlace && table.prediction == nil && table.foreignKeys.map(\.missingKeys) == [1])
    }

    /// Which views call the user's code: a PL/pgSQL function's queries are planned under
    /// the reading statement's path too (read once, staged); a view of built-ins only, or
    /// calling a function with its own `SET search_path`, is still checked in place.
    @Test func onlyAViewThatCallsTheUsersCodeLeavesThePlace() throws {
        let db = try schema()
        try db.run("""
            CREATE FUNCTION norm_pl(r text) RETURNS text LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN (SELECT code FROM codes WHERE raw = r); END $$;
            CREATE FUNCTION norm_pinned(r text) RETURNS text LANGUAGE sql STABLE SET search_path = \(db.schema) AS $$ SELECT code FROM codes WHERE raw = r $$;
            CREATE VIEW v_pl AS SELECT id, norm_pl(raw) AS code FROM src;
            CREATE VIEW v_pinned AS SELECT id, norm_pinned(raw) AS code FROM src;
            CREATE VIEW v_builtin AS SELECT id, upper(raw) AS code FROM src;
            CREATE VIEW v_nested AS SELECT * FROM v;
            """)
        for (view, inPlace) in [("v_pl", false), ("v_nested", false), ("v_pinned", true), ("v_builtin", true)] {
            let report = try validate(db.connection, db, .table("\(db.schema).\(view)"), inPlace: true)
            #expect(report.checkedInPlace == inPlace && report.foreignKeys.map(\.missingKeys) == [1], "\(view): \(report.foreignKeys)")
        }
    }
}
