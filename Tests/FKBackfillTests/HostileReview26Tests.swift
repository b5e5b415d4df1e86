@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 26 (issue #29): read-only validate on the standby against
/// `load --dry-run` on the primary, with key types whose text is not what the batches
/// compare and session settings a read-only role may carry.
@Suite(.timeLimit(.minutes(30))) struct HostileReview26Tests {
    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    /// `validate` of `text` on the standby, caught up, its session under `settings` (as a
    /// role's `ALTER ROLE … SET` or `PGOPTIONS` would set them).
    func onStandby(_ db: TestDatabase, _ table: String, _ text: String, settings: [(String, String)],
                   options: ValidateOptions = ValidateOptions()) throws -> ValidationReport {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for (name, value) in settings {
            _ = try standby.execute("SELECT pg_catalog.set_config(\(bind: name), \(bind: value), false)")
        }
        return try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: try csv(db, text), options: options)
    }

    /// Under `extra_float_digits = 0` (a role's setting) a float prints with 15 digits:
    /// 0.30000000000000004 as 0.3. Review 9 raised it for the check where a column's type
    /// was `real` or `double precision` by name; a domain over one, or a range of floats,
    /// was left at 0, so the batch's two missing keys came back as one text and merged:
    /// one missing key where the load inserts two parent rows (PostgreSQL's check tells
    /// them apart). The types are walked through domains, arrays, ranges and composites now.
    @Test(arguments: [
        "CREATE DOMAIN f8 AS double precision",
        "CREATE TYPE f8 AS RANGE (subtype = float8)",
    ]) func floatKeysUnderADomainOrRangeKeepEveryDigit(_ type: String) throws {
        let db = try TestDatabase()
        try db.run("""
            \(type);
            CREATE TABLE p (k f8 PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k f8 REFERENCES p);
            """)
        let text = type.contains("RANGE")
            ? "id,k\n1,\"[0.30000000000000004,1)\"\n2,\"[0.3,1)\"\n"
            : "id,k\n1,0.30000000000000004\n2,0.3\n"
        let report = try onStandby(db, "fact", text, settings: [("extra_float_digits", "0")])
        #expect(report.wouldLoad, "\(report.notExact)")
        #expect(report.foreignKeys.map(\.missingKeys) == [2])
        _ = try db.load("fact", csv: text)
        #expect(try db.values("SELECT count(*) FROM p") == [["2"]])
    }

    /// A key found missing in one batch is sent to the next as its text, which the next
    /// batch reads back to find its own equal keys. Under `DateStyle = 'SQL, DMY'` in
    /// Asia/Shanghai a timestamptz prints as `01/01/2024 10:00:00 CST`, which reads back
    /// as US Central: 16:00Z, so a later batch's 2024-01-01 16:00Z (another instant) was
    /// taken for it: one missing key where the load inserts two parent rows. The check
    /// prints such keys under DateStyle ISO (the session's field order kept), as the
    /// cursor prints an input's dates (hostile reviews 8 and 10).
    @Test func timestamptzKeysAcrossBatchesUnderAnAmbiguousZoneAbbreviation() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k timestamptz PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k timestamptz REFERENCES p);
            """)
        let text = "id,k\n1,2024-01-01 10:00:00+08\n2,2024-01-01 10:00:00+08\n3,2024-01-01 16:00:00+00\n"
        var options = ValidateOptions()
        options.streamBatchRows = 2
        let report = try onStandby(db, "fact", text, settings: [("TimeZone", "Asia/Shanghai"), ("DateStyle", "SQL, DMY")], options: options)
        #expect(report.wouldLoad, "\(report.notExact)")
        #expect(report.foreignKeys.map(\.missingKeys) == [2])
        _ = try db.load("fact", csv: text)
        #expect(try db.values("SELECT count(*) FROM p") == [["2"]])
    }

    /// A standby whose replay is paused (`pg_wal_replay_pause()`, or a recovery target's
    /// pause) reads the state it replayed: the primary took fact row 1 since, so the dry run
    /// fails on its key, and the standby said would load with nothing in notExact. It names
    /// the pause now (and a `recovery_min_apply_delay`). Paused for a moment only: the
    /// suite's other tests wait for the shared standby's replay.
    @Test func aPausedStandbyNamesThePause() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('A');
            CREATE TABLE fact (id int PRIMARY KEY, code text REFERENCES plan);
            """)
        let text = "id,code\n1,A\n"
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let before = try Validator(connection: standby).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(before.wouldLoad && before.notExact.isEmpty, "\(before.notExact)")
        _ = try standby.execute("SELECT pg_catalog.pg_wal_replay_pause()")
        let report: ValidationReport
        do {
            defer { _ = try? standby.execute("SELECT pg_catalog.pg_wal_replay_resume()") }
            try db.run("INSERT INTO fact VALUES (1, 'A')")
            report = try Validator(connection: standby).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        }
        #expect((try? db.load("\(db.schema).fact", input: try csv(db, text)) { $0.dryRun = true }) == nil)
        #expect(!report.wouldLoad || report.notExact.contains { $0.contains("replay of the primary is paused") }, "\(report.notExact)")
    }

    /// The settings pinned for keys carried between batches reach your CHECKs and domains
    /// evaluated in the check: with every date column pinning DateStyle ISO, a domain over
    /// `date` checking `VALUE::text` under 'SQL, DMY' was refused read-only ("does not
    /// convert") where the load takes it. Only the key columns of FKs merged by equality
    /// pin it now (no FK here).
    @Test func aDomainCheckOnADatesTextUnderTheSessionsDateStyle() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN sqldate AS date CHECK (VALUE::text LIKE '__/__/____');
            CREATE TABLE fact (id int PRIMARY KEY, d sqldate);
            """)
        let text = "id,d\n1,20/01/2024\n"
        let report = try onStandby(db, "fact", text, settings: [("DateStyle", "SQL, DMY")])
        #expect(report.wouldLoad && report.columns.isEmpty, "\(report.columns)")
        try db.run("SET DateStyle = 'SQL, DMY'")
        #expect(try db.load("fact", csv: text).inserted == 1)
    }
}
