@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 9: today's `--source`/`--query` casts (77bf4fd, 088ef32) and the
/// read-only self-reference with `--max-rejects` (00079c1), held against PostgreSQL and
/// against `load` on the primary. Every test here failed on main at 088ef32; mended the
/// same day but three recorded with `withKnownIssue` (a typed bit(5) source into bit(3),
/// an array of a varchar(n) domain, a regclass value through the text path), mended on
/// branch casts (`AssignedLength`, `Column.arrayDomainBaseType`, `StreamedStatements.translation`).
@Suite(.timeLimit(.minutes(30))) struct HostileReadOnly9Tests {
    func options(maxRejects: Int, rules: String?) throws -> ValidateOptions {
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        return options
    }

    /// validate on the primary (staged) and on the standby (streamed), under the schema's path.
    func validate(
        _ db: TestDatabase, _ table: String, _ input: InputSource, maxRejects: Int = 0, rules: String? = nil
    ) throws -> (staged: ValidationReport, standby: ValidationReport) {
        let options = try options(maxRejects: maxRejects, rules: rules)
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).\(table)", input: input, options: options)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        let streamed = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: options)
        return (staged, streamed)
    }

    func stored(_ db: TestDatabase, _ table: String) throws -> [String] {
        try db.values("SELECT id || ':' || coalesce(CAST(x AS text), 'NULL') FROM \(table) ORDER BY id").map { $0.first.flatMap { $0 } ?? "?" }
    }

    /// A column typed as a domain over varchar(3), from a CSV: COPY and PostgreSQL's
    /// INSERT refuse 'ABCDEF' (22001), so the plain load stops, exit 2. The rejecting load
    /// and validate cast the staged text explicitly to the domain (`TextStaging.checkedType`
    /// unsizes only a bare character type), which cuts it: `--max-rejects 5` stored 'ABC'
    /// with no row set aside, and validate said "would load" on the primary and the standby.
    @Test func aDomainOverVarcharIsCutByTheRejectingLoadAndByValidate() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN code3 AS varchar(3);
            CREATE TABLE fact (id int PRIMARY KEY, x code3);
            """)
        let csv = "id,x\n1,ABCDEF\n2,AB\n"
        #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        let input = InputSource.csv(path: try db.csvFile(csv), options: CSVOptions())
        let (staged, standby) = try validate(db, "fact", input)
        #expect(!staged.wouldLoad, "the staged validate predicts a load that exits 2")
        #expect(!standby.wouldLoad, "the standby predicts a load that exits 2")
        let report = try? db.load("fact", csv: csv) { $0.maxRejects = 5 }
        #expect(report == nil || report?.rejected == 1, "rejected: \(report?.rejected ?? -1)")
        let rows = try stored(db, "fact")
        #expect(!rows.contains("1:ABC"), "the rejecting load stored a cut value: \(rows)")
    }

    /// A typed bit(5) / bit varying(5) source into bit(3) / bit varying(3): the plain load
    /// refuses '10101' (the documented length check), but validate and `--max-rejects` cast
    /// the text back to bit(5) (`sourceTypes`) and then explicitly to bit(3), which cuts:
    /// the rejecting load stored '101' and validate said "would load", on both servers.
    @Test func aTypedBitSourceIsCutByTheRejectingLoadAndByValidate() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, x bit(3), y bit varying(3));
            CREATE TABLE src (id int, x bit(5), y bit varying(5));
            INSERT INTO src VALUES (1, B'10101', B'101'), (2, B'11100', B'11100'), (3, B'10100', B'1');
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(throws: FKBackfillError.self) { try db.load("fact", input: input) }
        let (staged, standby) = try validate(db, "fact", input, maxRejects: 0)
        #expect(!staged.wouldLoad && !standby.wouldLoad, "staged \(staged.wouldLoad), standby \(standby.wouldLoad)")
        let report = try? db.load("fact", input: input) { $0.maxRejects = 5 }
        #expect(report == nil || report?.rejected == 3, "rejected: \(report?.rejected ?? -1)")
        let cut = try db.values("SELECT id FROM fact WHERE id IN (1, 2, 3)")
        #expect(cut.isEmpty, "rows stored with bits cut off: \(cut)")
    }

    /// An integer source into bit(3): PostgreSQL's explicit cast (int4 → bit) stores '101'
    /// for 5, and validate (both servers) and `--max-rejects` say so; the plain load now
    /// casts to `bit varying` (`LoadStatements.stagingCast`), for which int4 has no cast:
    /// it stopped with a bare database error (42846, exit 3) while validate said "would load".
    @Test func anIntegerIntoBitStopsThePlainLoadWithADatabaseError() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, x bit(3));
            CREATE TABLE src (id int, x int);
            INSERT INTO src VALUES (1, 5);
            """)
        let input = InputSource.table("\(db.schema).src")
        let (staged, standby) = try validate(db, "fact", input)
        #expect(staged.wouldLoad && standby.wouldLoad)
        #expect(throws: Never.self) { _ = try db.load("fact", input: input) }
        #expect(try stored(db, "fact") == ["1:101"])
    }

    /// An array of a domain over varchar(3): PostgreSQL's INSERT … SELECT and COPY refuse
    /// '{ABCDEF}' (22001); every path of the tool casts explicitly to `code3[]`, which cuts
    /// each element: the plain `--source` load stored {ABC}, and validate said "would load".
    @Test func anArrayOfADomainOverVarcharIsCutByThePlainLoad() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN code3 AS varchar(3);
            CREATE TABLE fact (id int PRIMARY KEY, x code3[]);
            CREATE TABLE src (id int, x text[]);
            INSERT INTO src VALUES (1, '{ABCDEF}');
            """)
        #expect(throws: (any Error).self) { try db.run("INSERT INTO fact SELECT id, x FROM src") }
        let input = InputSource.table("\(db.schema).src")
        #expect(throws: FKBackfillError.self) { try db.load("fact", input: input) }
        let rows = try stored(db, "fact")
        #expect(!rows.contains("1:{ABC}"), "the plain load stored a cut array: \(rows)")
        let (staged, standby) = try validate(db, "fact", input)
        #expect(!staged.wouldLoad && !standby.wouldLoad, "staged \(staged.wouldLoad), standby \(standby.wouldLoad)")
    }

    /// A regclass column naming a table on the user's path: the raw text is printed under
    /// the user's path ('pt', `TextStaging.insertRaw` in `underUserSearchPath`) and cast
    /// back to regclass under the pinned path, where 'pt' does not resolve. The plain load
    /// stores 'pt'; the rejecting load set the row aside ("not a valid text") and the
    /// staged validate said "would not load", while the standby (FETCH under the pinned
    /// path prints it qualified) said "would load".
    @Test func aRegclassColumnIsRejectedByTheTextPathOnly() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE pt (a int);
            CREATE TABLE fact (id int PRIMARY KEY, x text);
            CREATE TABLE src (id int, x regclass);
            INSERT INTO src VALUES (1, 'pt');
            """)
        let input = InputSource.table("\(db.schema).src")
        let plain = try db.load("fact", input: input) { $0.dryRun = true }
        #expect(plain.inserted == 1)
        let rejecting = try db.load("fact", input: input) { $0.dryRun = true; $0.maxRejects = 5 }
        #expect(rejecting.rejected == 0, "\(rejecting.rejections.map(\.reason))")
        let (staged, standby) = try validate(db, "fact", input)
        #expect(staged.wouldLoad == standby.wouldLoad && staged.wouldLoad, "staged \(staged.wouldLoad), standby \(standby.wouldLoad)")
    }

    /// A self-referencing target whose FK to itself is `on_missing: reject`, validated on the
    /// standby with `--max-rejects` (allowed since 00079c1): the set-aside statement read the
    /// load's `pg_temp.fkb_stage`, which does not exist there: exit 3 (42P01); then it was
    /// refused. The load's guard reads the table only (a key only the input gives is missing
    /// too), which each batch can evaluate: now the dry-run's verdict, with its rows set
    /// aside (2, 3), and without `--max-rejects` "would not load" as the load fails.
    @Test func onMissingRejectOnASelfReferenceReadsTheTableOnly() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id int PRIMARY KEY, up int REFERENCES node, v int CHECK (v > 0))")
        let rules = "foreign_keys:\n  node_up_fkey: { on_missing: reject }\n"
        let csv = "id,up,v\n2,1,1\n3,2,1\n4,,1\n"
        let parsed = try RulesParser.parse(rules, file: "rules.yaml")
        let dryRun = try db.load("node", csv: csv) { $0.dryRun = true; $0.maxRejects = 5; $0.rules = parsed }
        #expect(dryRun.rejected == 2 && dryRun.inserted == 1)
        #expect((try? db.load("node", csv: csv) { $0.dryRun = true; $0.rules = parsed }) == nil)
        let input = InputSource.csv(path: try db.csvFile(csv), options: CSVOptions())
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let aside = try Validator(connection: standby).run(table: "\(db.schema).node", input: input, options: try options(maxRejects: 5, rules: rules))
        #expect(aside.wouldLoad && aside.rejected == 2, "\(aside.rejected ?? -1) \(aside.foreignKeys)")
        let strict = try Validator(connection: standby).run(table: "\(db.schema).node", input: input, options: try options(maxRejects: 0, rules: rules))
        #expect(!strict.wouldLoad && strict.foreignKeys.map(\.missingKeys) == [2], "\(strict.foreignKeys)")
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).node", input: input, options: try options(maxRejects: 0, rules: rules))
        #expect(staged.foreignKeys.map(\.missingKeys) == [2], "\(staged.foreignKeys)")
    }

    /// The user's own query evaluated under the tool's pinned DateStyle/IntervalStyle: a
    /// `--query` (or a view as `--source`) that makes text of a date, `d::text`, gives
    /// '02/01/2026' under the session's `DateStyle = 'SQL, DMY'`, as the user's own INSERT …
    /// SELECT and the plain load store it. `Session.withExactText` pinned ISO around the raw
    /// insert and each FETCH, which run the user's query too: `--max-rejects` stored
    /// '2026-01-02' and backfilled a parent row of that key, and validate on both servers
    /// reported it missing.
    @Test func theUsersQueryIsEvaluatedUnderThePinnedDateStyle() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE months (code text PRIMARY KEY);
            INSERT INTO months VALUES ('02/01/2026');
            CREATE TABLE fact (id int PRIMARY KEY, m text REFERENCES months);
            CREATE TABLE src (id int, d date);
            INSERT INTO src VALUES (1, '2026-01-02');
            SET DateStyle = 'SQL, DMY';
            """)
        let input = InputSource.query("SELECT id, CAST(d AS text) AS m FROM src")
        let plain = try db.load("fact", input: input) { $0.dryRun = true }
        #expect(plain.parent("months")?.inserted == 0)
        let rejecting = try db.load("fact", input: input) { $0.dryRun = true; $0.maxRejects = 5 }
        #expect(rejecting.parent("months")?.inserted == 0, "--max-rejects backfilled \(rejecting.parent("months")?.sampleKeys ?? [])")
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions())
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false), pg_catalog.set_config('DateStyle', 'SQL, DMY', false)")
        let streamed = try Validator(connection: standby).run(table: "\(db.schema).fact", input: input, options: ValidateOptions())
        #expect(staged.foreignKeys.map(\.missingKeys) == [0], "\(staged.foreignKeys.map(\.samples))")
        #expect(streamed.foreignKeys.map(\.missingKeys) == [0], "\(streamed.foreignKeys.map(\.samples))")
    }

    /// A type with a CAST to text of its own (an enum whose cast gives the label in capitals):
    /// the text path prints with `CAST(… AS pg_catalog.text)`, which takes the user's cast,
    /// then reads 'OK' back as the enum, which refuses it. The plain load stores both rows
    /// (same type: no cast at all); `--max-rejects` set both aside and validate said "would
    /// not load" ("does not convert") on both servers.
    @Test func aTypeWithItsOwnCastToTextDoesNotReadBack() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TYPE mood AS ENUM ('ok', 'sad');
            CREATE FUNCTION mood_label(mood) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(CAST(CAST($1 AS name) AS text))';
            CREATE CAST (mood AS text) WITH FUNCTION mood_label(mood);
            CREATE TABLE fact (id int PRIMARY KEY, x mood);
            CREATE TABLE src (id int, x mood);
            INSERT INTO src VALUES (1, 'ok'), (2, 'sad');
            """)
        let input = InputSource.table("\(db.schema).src")
        let plain = try db.load("fact", input: input) { $0.dryRun = true }
        #expect(plain.inserted == 2)
        let rejecting = try db.load("fact", input: input) { $0.dryRun = true; $0.maxRejects = 5 }
        #expect(rejecting.rejected == 0 && rejecting.inserted == 2, "\(rejecting.rejections.map(\.reason))")
        let (staged, standby) = try validate(db, "fact", input)
        #expect(staged.wouldLoad && standby.wouldLoad, "staged \(staged.columns.map(\.detail)), standby \(standby.columns.map(\.detail))")
    }

    /// The cursor is DECLAREd under the user's path (hostile review 8), but each FETCH runs
    /// under the pinned one, and that is when a PL/pgSQL function of the query resolves its
    /// names: `norm` calling `helper` unqualified stopped the standby's validate with 42883
    /// (exit 3), where the load, the rejecting load and the staged validate (the raw insert
    /// runs under the user's path) all work.
    @Test func aPlpgsqlFunctionOfTheQueryRunsAtFetchUnderThePinnedPath() throws {
        let db = try TestDatabase()
        try HostileReadOnly8Tests.normalizedOrgs(db, norm: "LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN helper(t); END'")
        let input = InputSource.query("SELECT id, norm(org_code) AS org_code FROM src")
        #expect(try db.load("fact", input: input) { $0.dryRun = true; $0.maxRejects = 5 }.inserted == 1)
        var reports: (staged: ValidationReport, standby: ValidationReport)?
        #expect(throws: Never.self) { reports = try validate(db, "fact", input) }
        #expect(reports?.standby.wouldLoad == true && reports?.standby.foreignKeys.map(\.missingKeys) == [0])
    }

    /// Missing float8 keys merged across batches by their text, printed under the session's
    /// `extra_float_digits = 0` (not pinned as the cursor's FETCH is): 0.30000000000000004
    /// (batch 1) and 0.3 (batch 2) both print '0.3' and were counted as one missing key,
    /// `notExact` empty; the load backfills two parent rows.
    @Test func floatKeysOfTwoBatchesMergeByTheirShortText() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k float8 PRIMARY KEY);
            INSERT INTO p VALUES (1);
            CREATE TABLE fact (id int PRIMARY KEY, k float8 REFERENCES p);
            """)
        let csv = "id,k\n1,0.30000000000000004\n" + (10..<25_010).map { "\($0),1\n" }.joined() + "9,0.3\n"
        #expect(try db.load("fact", csv: csv) { $0.dryRun = true }.parent("p")?.inserted == 2)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('extra_float_digits', '0', false)")
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        #expect(report.foreignKeys.map(\.missingKeys) == [2] || !report.notExact.isEmpty, "\(report.foreignKeys.map(\.samples))")
    }

    /// The same pin parses the query's input: under the session's `IntervalStyle =
    /// sql_standard`, '-1 2:00:00' is minus a day and two hours (the plain load stores
    /// -93600 s); pinned to iso_8601 while the query ran, `--max-rejects` stored -79200 s.
    @Test func theUsersQueryParsesIntervalsUnderThePinnedStyle() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, i interval);
            CREATE TABLE src (id int, s text);
            INSERT INTO src VALUES (1, '-1 2:00:00');
            SET IntervalStyle = 'sql_standard';
            """)
        let input = InputSource.query("SELECT id, CAST(s AS interval) AS i FROM src")
        var seconds: [[String?]] = []
        for rejects in [0, 5] {
            _ = try db.load("fact", input: input) { $0.maxRejects = rejects }
            seconds += try db.values("SELECT CAST(extract(epoch FROM i) AS int) FROM fact")
            try db.run("TRUNCATE fact")
        }
        #expect(seconds == [["-93600"], ["-93600"]], "\(seconds)")
    }
}
