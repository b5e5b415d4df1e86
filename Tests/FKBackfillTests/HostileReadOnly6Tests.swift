@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review of read-only `validate --replace-by` (issue #29, 3432b8d). Each test is
/// a break found: the standby's verdict against `load --dry-run --replace-by` on the
/// primary, PostgreSQL the oracle. The promise: never "would load" with an empty
/// `notExact` when the load fails, and `deleted` equal to the dry run's deleted rows.
/// These tests fail on 3432b8d; production code is not changed here.
@Suite(.timeLimit(.minutes(30))) struct HostileReadOnly6Tests {
    func options(_ replaceBy: [String]) -> ValidateOptions {
        var options = ValidateOptions()
        options.replaceBy = replaceBy
        return options
    }

    /// The standby, caught up with the primary, with `settings` set on its session (as a
    /// role's `ALTER ROLE … SET` or `PGOPTIONS` would).
    func standby(_ db: TestDatabase, settings: [(String, String)] = []) throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for (name, value) in settings {
            try standby.execute("SELECT pg_catalog.set_config(\(bind: name), \(bind: value), false)")
        }
        return standby
    }

    func readOnly(_ db: TestDatabase, _ csv: String, replaceBy: [String], settings: [(String, String)] = []) throws -> ValidationReport {
        try Validator(connection: try standby(db, settings: settings)).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options(replaceBy))
    }

    func staged(_ db: TestDatabase, _ csv: String, replaceBy: [String]) throws -> ValidationReport {
        try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options(replaceBy))
    }

    /// `load --dry-run --replace-by` on the primary: the rows it would delete, or nil when it fails.
    func dryRun(_ db: TestDatabase, _ csv: String, replaceBy: [String]) -> Int? {
        try? db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = replaceBy }.deleted
    }

    func problems(_ report: ValidationReport) -> [String] {
        report.columns.map { "\($0.column)|\($0.detail)|\($0.rows)|\($0.sampleLines)" }
    }

    /// What the target does when `--replace-by` DELETEs from it, that no check reads: a
    /// BEFORE DELETE trigger that keeps the row (returns NULL) or refuses the DELETE, a
    /// DO INSTEAD rule on DELETE, an FK of another table whose ON DELETE SET NULL the
    /// referencing column's NOT NULL refuses, an ON DELETE CASCADE whose cascaded DELETE
    /// a third table's NO ACTION FK refuses (only the target's direct NO ACTION/RESTRICT
    /// FKs are named). The dry run fails each time (the row kept
    /// still holds the key; or the DELETE raises); the standby says "would load", exit 0,
    /// with an empty notExact — and so does staged validate on the primary.
    @Test(arguments: [
        "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'; "
            + "CREATE TRIGGER keep BEFORE DELETE ON fact FOR EACH ROW EXECUTE FUNCTION keep();",
        "CREATE RULE keep AS ON DELETE TO fact DO INSTEAD NOTHING;",
        "CREATE FUNCTION closed() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''month closed''; END'; "
            + "CREATE TRIGGER closed BEFORE DELETE ON fact FOR EACH STATEMENT EXECUTE FUNCTION closed();",
        "CREATE TABLE note (ref text NOT NULL REFERENCES fact ON DELETE SET NULL); INSERT INTO note VALUES ('r1');",
        // ON DELETE CASCADE into a table that a NO ACTION FK of a third table references.
        "CREATE TABLE note (id int PRIMARY KEY, ref text REFERENCES fact ON DELETE CASCADE); INSERT INTO note VALUES (7, 'r1'); "
            + "CREATE TABLE note2 (nid int CONSTRAINT n2 REFERENCES note); INSERT INTO note2 VALUES (7);",
    ])
    func whatTheDeleteRunsIsNotSeen(_ hook: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month int, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (1, 'r1', 1); " + hook)
        let csv = "month,ref,n\n1,r1,10\n"
        #expect(dryRun(db, csv, replaceBy: ["month"]) == nil)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(!report.wouldLoad || !report.notExact.isEmpty,
                "standby: would load, deleted \(String(describing: report.deleted)), nothing in notExact; the load fails")
        let stagedReport = try staged(db, csv, replaceBy: ["month"])
        #expect(!stagedReport.wouldLoad || !stagedReport.notExact.isEmpty,
                "staged: would load, deleted \(String(describing: stagedReport.prediction?.deleted)), nothing in notExact; the load fails")
    }

    /// Candidates and held values go to the client as text and come back cast: under
    /// the session's `extra_float_digits = 0` a float8's text is rounded to 15 digits, so
    /// the target row's 0.30000000000000004 and the last batch's 0.3 are both "0.3" and
    /// the clash of line 2 is "resolved". The load compares the values themselves: that
    /// row is not deleted, its key clashes, the load fails. The standby says would load
    /// with nothing in notExact (with the default extra_float_digits it finds the clash).
    @Test func floatTextRoundTripUnderExtraFloatDigits() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (v float8, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (0.30000000000000004, 'r1', 1);")
        // r1 in the first batch, 0.3 only in the second (a batch is 20,000 rows).
        var rows = ["v,ref,n", "1,r1,1"]
        for i in 0..<20_000 { rows.append("1,f\(i),1") }
        rows.append("0.3,z,1")
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(dryRun(db, csv, replaceBy: ["v"]) == nil)
        let plain = try readOnly(db, csv, replaceBy: ["v"])
        #expect(!plain.wouldLoad, "\(problems(plain))")
        let report = try readOnly(db, csv, replaceBy: ["v"], settings: [("extra_float_digits", "0")])
        #expect(!report.wouldLoad || !report.notExact.isEmpty, "extra_float_digits = 0: would load, the load fails")
    }

    /// The same round trip for timestamptz under `DateStyle = SQL` and a TimeZone whose
    /// abbreviation means another zone when read back (Asia/Kolkata prints `IST`, which
    /// the Default abbreviations read as Israel, +02): every held value comes back 3.5 h
    /// off, so `deleted` counts none of the two rows the load deletes.
    @Test func timestamptzDeletedUnderAnotherDateStyleAndTimeZone() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (at timestamptz, ref text PRIMARY KEY, n int);
            INSERT INTO fact VALUES ('2024-01-01 00:00+00', 'r1', 1), ('2024-01-01 00:00+00', 'r2', 2);
            """)
        let csv = "at,ref,n\n2024-01-01 00:00+00,r1,10\n"
        #expect(dryRun(db, csv, replaceBy: ["at"]) == 2)
        let plain = try readOnly(db, csv, replaceBy: ["at"])
        #expect(plain.wouldLoad && plain.deleted == 2)
        let report = try readOnly(db, csv, replaceBy: ["at"], settings: [("DateStyle", "SQL, DMY"), ("TimeZone", "Asia/Kolkata")])
        #expect(report.wouldLoad)
        #expect(report.deleted == 2 || !report.notExact.isEmpty, "deleted \(String(describing: report.deleted)), the dry run deletes 2")
    }

    /// A replace-by column under a nondeterministic collation (ICU, case-insensitive): the
    /// load compares the target's `jan` with the input's `JAN` under the column's collation
    /// and deletes it, so r1's key is free. Read-only, the first batch's clash of r1 is
    /// resolved after the last batch against values read back as plain text, under the
    /// default collation, case-sensitively: the standby says r1 clashes, "would not load",
    /// for what the load accepts. (Within one batch it compares with the column's
    /// collation and gets it right; only a later batch's value is misjudged.)
    @Test func aLaterBatchsValueUnderANondeterministicCollation() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE fact (m text COLLATE ci, ref text PRIMARY KEY, n int);
            INSERT INTO fact VALUES ('jan', 'r1', 1);
            """)
        var rows = ["m,ref,n", "x,r1,1"]
        for i in 0..<20_000 { rows.append("x,f\(i),1") }
        rows.append("JAN,z1,1")
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(dryRun(db, csv, replaceBy: ["m"]) == 1)
        let report = try readOnly(db, csv, replaceBy: ["m"])
        #expect(report.wouldLoad && report.columns.isEmpty && report.deleted == 1, "\(problems(report))")
    }

    /// The load's DELETE is not ONLY: it deletes the inheritance children's rows too. An
    /// FK (NO ACTION) of another table that references a CHILD of the target refuses that
    /// DELETE, and the dry run fails; `replaceRefusers` looks only at the target and
    /// `pg_partition_tree` (partitions, not inheritance children), so neither the standby
    /// nor staged validate names it: would load, empty notExact.
    @Test func anFKReferencingAnInheritanceChildIsNotNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month int, ref text PRIMARY KEY, n int);
            CREATE TABLE fact_c (PRIMARY KEY (ref)) INHERITS (fact);
            INSERT INTO fact_c VALUES (1, 'c1', 1);
            CREATE TABLE note (ref text CONSTRAINT note_ref REFERENCES fact_c);
            INSERT INTO note VALUES ('c1');
            """)
        let csv = "month,ref,n\n1,r1,10\n"
        #expect(dryRun(db, csv, replaceBy: ["month"]) == nil)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(!report.wouldLoad || report.notExact.contains { $0.contains("note_ref") }, "\(report.notExact)")
        let stagedReport = try staged(db, csv, replaceBy: ["month"])
        #expect(!stagedReport.wouldLoad || stagedReport.notExact.contains { $0.contains("note_ref") }, "\(stagedReport.notExact)")
    }

    /// `--replace-by month,month`: not refused as an option; the load fails with
    /// PostgreSQL's `column reference "month" is ambiguous` (42702, exit 3), the standby's
    /// validate fails the same way, and staged validate says "would load". The column
    /// named twice should be refused before anything runs, as an option that does not fit.
    @Test func aReplaceByColumnNamedTwice() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month int, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (1, 'r1', 1);")
        let csv = "month,ref,n\n1,r1,10\n"
        #expect(dryRun(db, csv, replaceBy: ["month", "month"]) == nil)
        let error = #expect(throws: FKBackfillError.self) { try readOnly(db, csv, replaceBy: ["month", "month"]) }
        var invalidOptions = false
        if case .invalidOptions = error?.kind { invalidOptions = true }
        #expect(invalidOptions, "\(String(describing: error?.kind)): \(error?.message ?? "")")
        let stagedReport = try? staged(db, csv, replaceBy: ["month", "month"])
        #expect(stagedReport.map { !$0.wouldLoad } ?? true, "staged validate says would load; the load fails with SQLSTATE 42702")
    }

    /// The verdict, too, under a plausible Irish session (TimeZone Europe/Dublin,
    /// DateStyle SQL): summer times print as `IST`, read back as Israel's +02, one hour
    /// early, winter ones as `GMT`, exact; so 2024-03-31 01:30 UTC (just after the clocks
    /// change) comes back as 00:30 UTC, which a later batch's 00:30 UTC equals. The load
    /// compares the instants: r1's target row is not deleted, its key clashes, the dry run
    /// fails. The standby says would load, nothing in notExact.
    @Test func timestamptzVerdictUnderDublinTimeAndDateStyleSQL() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (at timestamptz, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES ('2024-03-31 01:30+00', 'r1', 1);")
        var rows = ["at,ref,n", "2024-01-01 00:00+00,r1,1"]
        for i in 0..<20_000 { rows.append("2024-01-01 00:00+00,f\(i),1") }
        rows.append("2024-03-31 00:30+00,z,1")
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(dryRun(db, csv, replaceBy: ["at"]) == nil)
        let plain = try readOnly(db, csv, replaceBy: ["at"])
        #expect(!plain.wouldLoad, "\(problems(plain))")
        let report = try readOnly(db, csv, replaceBy: ["at"], settings: [("DateStyle", "SQL, DMY"), ("TimeZone", "Europe/Dublin")])
        #expect(!report.wouldLoad || !report.notExact.isEmpty, "Europe/Dublin, DateStyle SQL: would load, the load fails")
    }

    /// With --max-rejects (read-only since 11b6751) a row the load sets aside replaces
    /// nothing: its DELETE and clash check read only the rows not set aside
    /// (`_fkb_reject IS NULL`). Read-only, every batch row's replace-by values are held,
    /// the set-aside one's too: line 3 (month 2, n "abc", set aside) frees r1's key, so
    /// the standby counts 1 row set aside, 1 deleted, and says would load with an empty
    /// notExact; the load sets aside 2 (r1 clashes: month 2 is not replaced) and fails
    /// with --max-rejects 1, and with --max-rejects 2 deletes nothing.
    @Test func aRowSetAsideStillReplacesReadOnly() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month int, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (2, 'r1', 1);")
        let csv = "month,ref,n\n5,r1,1\n2,z,abc\n"
        #expect((try? db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = 1 }) == nil)
        let lenient = try db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = 2 }
        #expect(lenient.deleted == 0 && lenient.rejected == 2)
        var options = options(["month"])
        options.maxRejects = 1
        let report = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(!report.wouldLoad || !report.notExact.isEmpty,
                "would load, deleted \(String(describing: report.deleted)), \(problems(report)); the load sets aside 2 rows")
        #expect(report.deleted == 0 || !report.notExact.isEmpty, "deleted \(String(describing: report.deleted)), the load deletes none")
    }

    /// The load's own reject steps with --replace-by and --max-rejects: line 3 (month 2,
    /// ref q, which month 7's row holds) is set aside as a clash in the same step that
    /// judges line 2 (ref r1, which month 2's row holds) freed by line 3's month 2. The
    /// DELETE then reads only the rows not set aside, deletes nothing, and the INSERT of
    /// r1 fails: `load --dry-run --max-rejects 5` fails ("h6….csv:2: key (ref) already in
    /// … not replaced by --replace-by"), where 2 rows set aside were within the limit.
    /// Staged validate predicts 1 row set aside and "would load" with an empty notExact;
    /// the standby says would load too (its notExact names only an FK matter).
    @Test func aRowSetAsideForAClashStillFreedAKeyInTheLoad() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month int, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (2, 'r1', 1), (7, 'q', 1);")
        let csv = "month,ref,n\n5,r1,1\n2,q,1\n"
        let loaded: Result<LoadReport, Error> = Result { try db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = 5 } }
        #expect((try? loaded.get())?.rejected == 2, "the load: \(loaded)")
        var options = options(["month"])
        options.maxRejects = 5
        let stagedReport = try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        let loads = (try? loaded.get()) != nil
        #expect(stagedReport.wouldLoad == loads || !stagedReport.notExact.isEmpty,
                "staged validate: would load \(stagedReport.wouldLoad), the load \(loads ? "loads" : "fails")")
    }

    /// Read-only --max-rejects counts each row once against the limit, except a clash
    /// resolved after the last batch: line 2 (n "abc", and its key r1 held by month 2's
    /// row, which nothing replaces) is set aside by the load once, for its value (1 ≤ 1:
    /// it loads line 3). The standby counts it twice (rejected 2, the value and the
    /// clash) and says would not load; its notExact names only an FK matter. So with
    /// a duplicate of a clashing key.
    @Test func aRowSetAsideIsCountedOnceWithItsClash() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month int, ref text PRIMARY KEY, n int); INSERT INTO fact VALUES (2, 'r1', 1);")
        let csv = "month,ref,n\n5,r1,abc\n5,r2,1\n"
        let loaded = try db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = 1 }
        #expect(loaded.rejected == 1)
        var options = options(["month"])
        options.maxRejects = 1
        let report = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.wouldLoad && report.rejected == 1, "rejected \(String(describing: report.rejected)): \(problems(report)) \(report.notExact)")

        // A repeat of a clashing key: the load sets lines 2 and 3 aside for the clash (2 ≤ 2,
        // it loads); the standby counts line 3 for the clash and again as a duplicate (3).
        let repeated = "month,ref,n\n5,r1,1\n5,r1,1\n5,r2,1\n"
        let twice = try db.load("fact", csv: repeated) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = 2 }
        #expect(twice.rejected == 2)
        options.maxRejects = 2
        let again = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(repeated), options: CSVOptions()), options: options)
        #expect(again.wouldLoad && again.rejected == 2, "rejected \(String(describing: again.rejected)): \(problems(again))")
    }
}
