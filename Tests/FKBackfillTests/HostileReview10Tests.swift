@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 10: today's changes (b131366..5b2fa72) held against PostgreSQL and
/// against the tool's own earlier behaviour: the NOT NULL replace-by match (bf2c1b8), the
/// stage copied WITH (FREEZE) (7f09c73), and the conditional pin of a `--query`'s text
/// (cd1c924). Every test here failed on main at 5b2fa72; mended the same day (FREEZE
/// reverted, dates pinned too, the NOT NULL match only where every inheritance child is
/// NOT NULL, the lexer's tags and `ESCAPE'`, a query's rows held typed before printing);
/// the standby's cursor runs the query during its pinned FETCH and names that in notExact.
@Suite(.timeLimit(.minutes(30))) struct HostileReview10Tests {
    /// validate on the primary (staged) and on the standby (streamed), both sessions with `settings`.
    func validate(
        _ db: TestDatabase, _ table: String, _ input: InputSource, settings: String, maxRejects: Int = 0
    ) throws -> (staged: ValidationReport, standby: ValidationReport) {
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).\(table)", input: input, options: options)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        try standby.executeScript(unsafeRaw: settings)
        let streamed = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: options)
        return (staged, streamed)
    }

    /// A plain `date` column (no zone, no float: `Session.LossyText` pins nothing since
    /// cd1c924) printed under the session's DateStyle and read back under its field order.
    /// 'German, MDY' prints 2026-03-04 as '04.03.2026', which MDY reads as April 3: the
    /// rejecting load stores 2026-04-03 for a `--source` of the target's own types, where
    /// the plain load stores 2026-03-04. 'SQL, YMD' prints '03/04/2026', which YMD cannot
    /// read: validate says "does not convert, would not load" on both servers where the
    /// load loads. At 088ef32 the DateStyle was always pinned to ISO, which reads back.
    @Test func aDateReadsBackAMonthOffOrNotAtAllUnderItsOwnDateStyle() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, d date);
            CREATE TABLE src (id int, d date);
            INSERT INTO src VALUES (1, '2026-03-04');
            SET DateStyle = 'German, MDY';
            """)
        let input = InputSource.table("\(db.schema).src")
        _ = try db.load("fact", input: input) { $0.maxRejects = 5 }
        let stored = try db.values("SELECT CAST(d AS text) FROM fact").first?.first ?? nil
        #expect(stored == "04.03.2026", "load --max-rejects stored \(stored ?? "NULL") (German prints DMY) for 04.03.2026")
        try db.run("TRUNCATE fact; SET DateStyle = 'SQL, YMD';")
        let plain = try db.load("fact", input: input) { $0.dryRun = true }
        #expect(plain.inserted == 1)
        let (staged, standby) = try validate(db, "fact", input, settings: "SET DateStyle = 'SQL, YMD'")
        #expect(staged.wouldLoad, "validate (staged) under SQL, YMD: \(staged.columns.map(\.detail))")
        #expect(standby.wouldLoad, "validate (standby) under SQL, YMD: \(standby.columns.map(\.detail))")
    }

    /// The same root, in validate's prediction: `--query` with `--replace-by d` under
    /// 'German, MDY'. `load --dry-run` deletes the one row of 2026-03-04; the staged
    /// validate reads the query's date back as 2026-04-03 and predicts "delete 2 replaced",
    /// with nothing in notExact (the standby at least says it cannot resolve it).
    @Test func validatePredictsOtherRowsReplacedUnderGermanMDY() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, d date NOT NULL, v text);
            INSERT INTO fact VALUES (1, '2026-03-04', 'a'), (2, '2026-04-03', 'b'), (3, '2026-04-03', 'c');
            SET DateStyle = 'German, MDY';
            """)
        let input = InputSource.query("SELECT 10 AS id, DATE '2026-03-04' AS d, 'x' AS v")
        let load = try db.load("fact", input: input) { $0.dryRun = true; $0.replaceBy = ["d"] }
        var options = ValidateOptions()
        options.replaceBy = ["d"]
        let report = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: options)
        let prediction = try #require(report.prediction)
        #expect(prediction.deleted == load.deleted || !(prediction.notExact + report.notExact).isEmpty,
                "validate predicts \(prediction.deleted) deleted, load --dry-run deletes \(load.deleted), notExact empty")
    }

    /// `QueryText` against PostgreSQL's lexer: a dollar tag of a non-letter character
    /// (`$・$`: the lexer takes any byte above 0x7F in a tag) is not followed, so a `--` in
    /// its body is taken for a trailing comment and cut: the load fails (42601) on a query
    /// psql runs. And `ESCAPE'\'` (a keyword ending in E before the quote) is read as an
    /// E'' string, so the `;` after it is not trimmed: the standby's cursor fails (42601)
    /// where the primary's validate and the load take the query.
    @Test func queryTextMisreadsDollarTagsAndAKeywordEndingInE() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, v text);
            CREATE TABLE src (id int, v text);
            INSERT INTO src VALUES (1, 'a_b'), (2, 'ab');
            """)
        let dollar = InputSource.query("SELECT id, $・$--$・$ AS v FROM \(db.schema).src")
        #expect(throws: Never.self) { try db.load("fact", input: dollar) { $0.dryRun = true } }
        let escape = InputSource.query("SELECT id, v FROM \(db.schema).src WHERE v LIKE 'a\\_%' ESCAPE'\\'; -- a_ only")
        #expect(try db.load("fact", input: escape) { $0.dryRun = true }.inserted == 1)
        #expect(throws: Never.self) { _ = try validate(db, "fact", escape, settings: "SELECT 1") }
    }

    /// A `--query` whose own expression prints a float (`CAST(f AS text)`), beside a float
    /// column, under `extra_float_digits = 0` (the role's setting). PostgreSQL's INSERT …
    /// SELECT, and the plain load, store '0.3' into varchar(3). The text path pins
    /// `extra_float_digits = 1` for the whole statement because a float column is output
    /// (`Session.LossyText`), and the user's own query runs under that pin: its note prints
    /// '0.30000000000000004', so `--max-rejects` sets the row aside as too long, and
    /// validate says "would not load" on the primary and on the standby, where the load
    /// loads it (exit 0).
    @Test func aQuerysOwnFloatTextChangesUnderThePin() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, f float8, note varchar(3));
            CREATE TABLE src (id int, f float8);
            INSERT INTO src VALUES (1, CAST(0.1 AS float8) + CAST(0.2 AS float8));
            SET extra_float_digits = 0;
            """)
        let input = InputSource.query("SELECT id, f, CAST(f AS text) AS note FROM \(db.schema).src")
        let plain = try db.load("fact", input: input) { $0.dryRun = true }
        #expect(plain.inserted == 1, "the plain load inserts the row, note '0.3'")
        let (staged, standby) = try validate(db, "fact", input, settings: "SET extra_float_digits = 0")
        #expect(staged.wouldLoad, "validate (staged) says would not load where load --dry-run loads")
        // The primary now holds the query's rows typed before printing them pinned; the
        // standby's cursor runs the query during the FETCH it must pin, and says so.
        #expect(standby.wouldLoad || standby.notExact.contains { $0.hasPrefix("the input's query ran under DateStyle ISO") },
                "validate (standby) says would not load where load --dry-run loads, notExact \(standby.notExact)")
        let rejecting = try db.load("fact", input: input) { $0.maxRejects = 5 }
        #expect(rejecting.rejected == 0, "load --max-rejects set aside the row the plain load stores: \(rejecting.rejected)")
    }

    /// The same with a date: `CAST(ts AS text)` beside a timestamptz column, under
    /// `DateStyle = 'SQL, DMY'` and Asia/Kolkata. The plain load stores the query's note as
    /// PostgreSQL prints it there ('06/12/2026 21:30:00 IST'); `--max-rejects` (the text
    /// path, DateStyle pinned to ISO because a zone is output) stores
    /// '2026-12-06 21:30:00+05:30' for the same input.
    @Test func aQuerysOwnDateTextChangesUnderThePin() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, ts timestamptz, note text);
            CREATE TABLE src (id int, ts timestamptz);
            INSERT INTO src VALUES (1, '2026-12-06 16:00:00+00');
            SET DateStyle = 'SQL, DMY';
            SET TimeZone = 'Asia/Kolkata';
            """)
        let input = InputSource.query("SELECT id, ts, CAST(ts AS text) AS note FROM \(db.schema).src")
        _ = try db.load("fact", input: input)
        let plain = try db.values("SELECT note FROM fact").first?.first ?? nil
        _ = try db.load("fact", input: input) { $0.maxRejects = 5; $0.replaceBy = ["id"] }
        let rejecting = try db.values("SELECT note FROM fact").first?.first ?? nil
        let oracle = try db.values("SELECT CAST(ts AS text) FROM src").first?.first ?? nil
        #expect(plain == oracle, "plain load: \(plain ?? "NULL"), PostgreSQL: \(oracle ?? "NULL")")
        #expect(rejecting == oracle, "load --max-rejects stored \(rejecting ?? "NULL"), PostgreSQL prints \(oracle ?? "NULL")")
    }

    /// A library caller whose connection holds a WITH HOLD cursor (iterating the files to
    /// load, say): `COPY … WITH (FREEZE)` refuses "because of prior transaction activity"
    /// (any READY portal), so the CSV load fails with a database error where it loaded
    /// before 7f09c73. The same inside the caller's transaction with a cursor open.
    @Test func aHeldCursorOnTheConnectionFailsTheFrozenCopy() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, v text);
            BEGIN; DECLARE files CURSOR WITH HOLD FOR SELECT 1; COMMIT;
            """)
        var held: (any Error)?
        do { _ = try db.load("fact", csv: "id,v\n1,a\n") } catch { held = error }
        #expect(held == nil, "the load failed with a held cursor open: \(held.map { "\($0)" } ?? "")")
        try db.run("CLOSE files; BEGIN; DECLARE c CURSOR FOR SELECT 1;")
        var open: (any Error)?
        do { _ = try db.load("fact", csv: "id,v\n2,b\n") } catch { open = error }
        _ = try? db.connection.execute("ROLLBACK")
        #expect(open == nil, "the load failed inside the caller's transaction with a cursor open: \(open.map { "\($0)" } ?? "")")
    }

    /// `--replace-by id`, id NOT NULL on the target (an inheritance parent), but its child
    /// dropped NOT NULL and holds a row with id NULL; a routing trigger (the classic
    /// inheritance partitioning) puts new rows in the child. The documented match is
    /// "NULL matches NULL" (docs/backfill.md), as `DELETE … WHERE t.id IS NOT DISTINCT FROM
    /// s.id` deletes both old rows; the plain equality the NOT NULL column now gets keeps
    /// the child's NULL row: deleted 1, and the reload leaves two id-NULL rows.
    @Test func aChildsNullIsNotReplacedThoughTheParentIsNotNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE m (id int NOT NULL, v text);
            CREATE TABLE m_c () INHERITS (m);
            ALTER TABLE m_c ALTER id DROP NOT NULL;
            CREATE FUNCTION route() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO m_c VALUES (NEW.*); RETURN NULL; END $$;
            CREATE TRIGGER route BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION route();
            INSERT INTO m VALUES (NULL, 'old'), (1, 'one');
            """)
        let oracle = try db.values("""
            SELECT count(*) FROM m t WHERE EXISTS (SELECT 1 FROM (VALUES (CAST(NULL AS int)), (1)) s(id) WHERE t.id IS NOT DISTINCT FROM s.id)
            """).first?.first ?? nil
        let report = try db.load("m", csv: "id,v\n,new\n1,uno\n") { $0.replaceBy = ["id"] }
        #expect("\(report.deleted)" == oracle, "deleted \(report.deleted), PostgreSQL's IS NOT DISTINCT FROM deletes \(oracle ?? "?")")
        let old = try db.count("m", "v = 'old'")
        #expect(old == 0, "the replaced id-NULL row is still there")
    }
}
