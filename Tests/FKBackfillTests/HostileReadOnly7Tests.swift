@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 7 (issue #29): read-only `validate --max-rejects`, `--source --in-place
/// --max-rejects` and self-referencing targets, held against `load --dry-run` with the same
/// options on the primary (PostgreSQL is the oracle). Each test here failed when written
/// against 4b495b3: the read-only verdict or `rejected` count differs from the dry run's
/// with `notExact` empty (or naming another reason). Two now pass on main (03169cc, keys
/// a narrower parent type cannot hold) and stay as regression tests. Production code is
/// not changed on this branch.
@Suite(.timeLimit(.minutes(30))) struct HostileReadOnly7Tests {
    /// `validate` of `input` on the standby, after it replayed the schema.
    func readOnly(
        _ db: TestDatabase, _ input: InputSource, maxRejects: Int = 0, inPlace: Bool = false, table: String = "fact", rules: String? = nil
    ) throws -> ValidationReport {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        options.inPlace = inPlace
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        return try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: options)
    }

    /// `load --dry-run --max-rejects N` on the primary: the rows it sets aside, or nil when it
    /// fails (the oracle's verdict; as ReadOnlyMaxRejectsTests.dryRun).
    func dryRun(_ db: TestDatabase, _ input: InputSource, maxRejects: Int = 0, table: String = "fact", rules: String? = nil) throws -> Int? {
        let parsed = try rules.map { try RulesParser.parse($0, file: "rules.yaml") }
        return try? db.load(table, input: input) { options in
            options.dryRun = true
            options.maxRejects = maxRejects
            if let parsed { options.rules = parsed }
        }.rejected
    }

    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    /// Two unique keys, the first's repeat and the second's clash on different rows: the
    /// load runs the steps key by key (PK clash, PK repeats, then UNIQUE clash), so row 2
    /// repeats id 1 of row 1 and is set aside, then row 1 clashes on code 'old' and is set
    /// aside too: 2 rows, both of id 1. Read-only flags row 1's clash first and finds no
    /// repeat among the rows left: 1 row, "would load" at --max-rejects 1, `notExact` empty,
    /// where the load stops. (The two-key note fires only when both keys have repeats.)
    @Test func aClashOnTheSecondKeyAfterARepeatOfTheFirstIsMissed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, code text UNIQUE);
            INSERT INTO fact VALUES (99, 'old');
            """)
        let input = try csv(db, "id,code\n1,old\n1,new\n2,x\n")
        #expect(try dryRun(db, input, maxRejects: 2) == 2)
        #expect(try dryRun(db, input, maxRejects: 1) == nil)
        let report = try readOnly(db, input, maxRejects: 1)
        #expect(!report.wouldLoad || !report.notExact.isEmpty, "rejected \(String(describing: report.rejected)) \(report.columns) \(report.notExact)")
        let atTwo = try readOnly(db, input, maxRejects: 2)
        #expect(atTwo.rejected == 2 || !atTwo.notExact.isEmpty, "rejected \(String(describing: atTwo.rejected)) \(atTwo.notExact)")
    }

    /// The same rows as a `--source` table checked in place: the same miss.
    @Test func aClashOnTheSecondKeyAfterARepeatOfTheFirstIsMissedInPlace() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, code text UNIQUE);
            INSERT INTO fact VALUES (99, 'old');
            CREATE TABLE src (id int, code text);
            INSERT INTO src VALUES (1, 'old'), (1, 'new'), (2, 'x');
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(try dryRun(db, input, maxRejects: 2) == 2)
        #expect(try dryRun(db, input, maxRejects: 1) == nil)
        let report = try readOnly(db, input, maxRejects: 1, inPlace: true)
        #expect(!report.wouldLoad || !report.notExact.isEmpty, "rejected \(String(describing: report.rejected)) \(report.columns) \(report.notExact)")
    }

    /// A `--source` row repeating both unique keys of an earlier row: the load sets it
    /// aside once (for the first key; the second's repeats are looked for among the rows
    /// left). In place counts it once per key: 2 rows, "would not load" at --max-rejects 1,
    /// where the load commits. `notExact` names only the rows' order, which is not the
    /// cause: whichever of the two identical rows loads, one is set aside. (The streamed
    /// path names two keys' repeats; in place does not.)
    @Test func inPlaceCountsARowRepeatingTwoKeysTwice() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, code text UNIQUE);
            CREATE TABLE src (id int, code text);
            INSERT INTO src VALUES (1, 'a'), (1, 'a'), (2, 'b');
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(try dryRun(db, input, maxRejects: 1) == 1)
        let report = try readOnly(db, input, maxRejects: 1, inPlace: true)
        #expect(report.wouldLoad && report.rejected == 1, "rejected \(String(describing: report.rejected)) \(report.notExact)")
        #expect(report.wouldLoad || report.notExact.contains { $0.contains("more than one unique key") }, "\(report.notExact)")
    }

    /// A cross-type FK (text child, varchar(3) parent): the load's markKeysThatCannotFit
    /// sets aside a row whose key no parent row could hold ('LONG'), so without
    /// --max-rejects it stops and with 1 it commits with 1 set aside (staged validate on
    /// the primary predicts exactly that). Read-only counts 'LONG' as a missing, fixable
    /// key: "would load after backfilling 2 missing keys", `notExact` empty, `rejected` 0.
    /// (Passes since 03169cc, found in parallel on main.)
    @Test func aKeyThatCannotFitItsParentIsNotSetAside() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code varchar(3) PRIMARY KEY);
            INSERT INTO plan VALUES ('P1');
            CREATE TABLE fact (ref text PRIMARY KEY, plan_code text REFERENCES plan);
            """)
        let input = try csv(db, "ref,plan_code\nr1,P1\nr2,LONG\nr3,P2\n")
        #expect(try dryRun(db, input) == nil)
        let plain = try readOnly(db, input)
        #expect(!plain.wouldLoad || !plain.notExact.isEmpty, "\(plain.foreignKeys) \(plain.notExact)")
        #expect(try dryRun(db, input, maxRejects: 1) == 1)
        let report = try readOnly(db, input, maxRejects: 1)
        #expect(report.rejected == 1 || !report.notExact.isEmpty, "rejected \(String(describing: report.rejected)) \(report.notExact)")
        #expect(report.foreignKeys.map(\.missingKeys) == [1], "\(report.foreignKeys)")
    }

    /// `on_blank: "null"` and a CHECK that reads the key column: the load evaluates the
    /// CHECK on the staged text ('(none)' is not NULL, the CHECK passes) before its blank
    /// step makes the key NULL, so no row is set aside and the INSERT fails on row 3 —
    /// the load stops at --max-rejects 1 (and the staged validate on the primary also says
    /// "would load, set aside 1"). Read-only evaluates the CHECK over the NULL the load
    /// inserts, sets row 3 aside and says "would load", `notExact` empty. One of the two
    /// is wrong; they must agree.
    @Test func aCheckOnABlankKeyLoadedAsNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (ref text PRIMARY KEY, org_code text REFERENCES org, n int CHECK (org_code IS NOT NULL OR n > 0));
            """)
        let rules = "blank:\n  markers: ['(none)']\n  on_blank: \"null\"\n"
        let input = try csv(db, "ref,org_code,n\nr1,(none),1\nr2,(none),0\n")
        let loaded = try dryRun(db, input, maxRejects: 1, rules: rules)
        let report = try readOnly(db, input, maxRejects: 1, rules: rules)
        #expect(report.wouldLoad == (loaded != nil) || !report.notExact.isEmpty,
                "dry run \(String(describing: loaded)), read-only rejected \(String(describing: report.rejected)) \(report.columns)")
    }

    /// The same for a `--source` checked in place, through wider child types: a bigint key
    /// no integer parent row can hold, and a numeric key a numeric(5,1) parent would store
    /// as another value (1.25). The load sets both rows aside (`markKeysThatCannotFit`);
    /// in place counts 4 missing keys, all fixable: "would load" at --max-rejects 0 where
    /// the load stops, and 0 set aside at 2 where it sets aside 2. (Passes since 03169cc:
    /// named in `notExact` in place.)
    @Test func keysThatCannotFitInPlace() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (id int PRIMARY KEY);
            CREATE TABLE rate (r numeric(5,1) PRIMARY KEY);
            CREATE TABLE fact (ref text PRIMARY KEY, plan_id bigint REFERENCES plan, r numeric REFERENCES rate);
            CREATE TABLE src (ref text, plan_id bigint, r numeric);
            INSERT INTO src VALUES ('r1', 99999999999, 1.0), ('r2', 1, 1.25);
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(try dryRun(db, input) == nil)
        let plain = try readOnly(db, input, inPlace: true)
        #expect(!plain.wouldLoad || !plain.notExact.isEmpty, "\(plain.foreignKeys) \(plain.notExact)")
        #expect(try dryRun(db, input, maxRejects: 2) == 2)
        let report = try readOnly(db, input, maxRejects: 2, inPlace: true)
        #expect(report.rejected == 2 || !report.notExact.isEmpty, "rejected \(String(describing: report.rejected)) \(report.notExact)")
    }

    /// A partly NULL MATCH FULL key on a row the load sets aside (it fails a CHECK): the
    /// load sets it aside and commits at --max-rejects 1 (staged validate agrees). Read-only
    /// counts the partly NULL key over every row, not the rows kept, and makes it a blocker:
    /// "would not load", `notExact` empty. Streamed and in place alike when written; the
    /// streamed half passes since 85ec9b0, in place still counts every row of the source.
    @Test func aPartlyNullKeyOnARowSetAsideStillBlocks() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE par (a int, b int, PRIMARY KEY (a, b));
            INSERT INTO par VALUES (1, 1);
            CREATE TABLE fact (ref text PRIMARY KEY, a int, b int, n int CHECK (n > 0), FOREIGN KEY (a, b) REFERENCES par MATCH FULL);
            CREATE TABLE src (ref text, a int, b int, n int);
            INSERT INTO src VALUES ('r1', 1, 1, 1), ('r2', 1, NULL, 0), ('r3', 1, 1, 1);
            """)
        let file = try csv(db, "ref,a,b,n\nr1,1,1,1\nr2,1,,0\nr3,1,1,1\n")
        #expect(try dryRun(db, file, maxRejects: 1) == 1)
        let streamed = try readOnly(db, file, maxRejects: 1)
        #expect(streamed.wouldLoad || !streamed.notExact.isEmpty, "\(streamed.foreignKeys)")
        let table = InputSource.table("\(db.schema).src")
        #expect(try dryRun(db, table, maxRejects: 1) == 1)
        let inPlace = try readOnly(db, table, maxRejects: 1, inPlace: true)
        #expect(inPlace.wouldLoad || !inPlace.notExact.isEmpty, "\(inPlace.foreignKeys)")
    }

    /// A self-referencing target whose file outgrows the 16 MiB the keys may take: the
    /// waiting keys are resolved only after the last batch, against the referenced key's
    /// texts, which were let go when the budget ran out, so even a key the input gave long
    /// before (row 2's, referenced from the second batch while it was still held) is
    /// counted missing. Here every key is given by the file, parent before child; the load
    /// commits, and read-only says "would not load" (the placeholder cannot fill `name`).
    /// `notExact` does name the budget, so this is within the promise's letter, but an
    /// ordered tree of ~700,000 integer keys (measured: 1M rows, 49 keys) or 18,000 long
    /// ones is refused; a waiting key could be looked up while the texts are still held.
    @Test func aSelfKeyGivenBeforeTheBudgetRanOutIsCountedMissing() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id text PRIMARY KEY, up text REFERENCES node, name text NOT NULL)")
        let pad = String(repeating: "x", count: 900)
        var rows = ["id,up,name", "k0\(pad),,root"]
        for i in 1..<19_000 { rows.append("k\(i)\(pad),\(i == 3_000 ? "k0\(pad)" : ""),n") }
        let input = try csv(db, rows.joined(separator: "\n") + "\n")
        #expect(try dryRun(db, input, table: "node") == 0)
        let report = try readOnly(db, input, table: "node")
        #expect(report.foreignKeys.map(\.missingKeys) == [0], "\(report.notExact)")
        let wouldLoad = report.wouldLoad
        #expect(wouldLoad)
    }

    /// The waiting keys of a self-reference are held outside the 16 MiB budget (only their
    /// number is capped, at 100,000): 57,000 rows referencing rows 3,000 lines on, with
    /// 500-byte keys, peaked at 107 MiB with the release build (149 MiB for 100,000 such
    /// rows, against 29 MiB for the staged validate), over the 64 MiB promise.
    @Test func waitingSelfKeysAreOutsideTheMemoryBudget() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id text PRIMARY KEY, up text REFERENCES node)")
        let pad = String(repeating: "y", count: 500)
        var rows = ["id,up"]
        for i in 0..<60_000 { rows.append("k\(i)\(pad),\(i + 3_000 < 60_000 ? "k\(i + 3_000)\(pad)" : "")") }
        let path = try db.csvFile(rows.joined(separator: "\n") + "\n")
        rows = []
        let run = try readOnlyValidationPeak(db, table: "node", csv: path)
        #expect(run.status == 0, "\(run.output.prefix(300))")
        #expect(run.peakMiB < 64, "peak \(run.peakMiB) MiB")
    }

    /// A varchar(3) key given as 'ab    ' and 'ab ', one value as stored, in a file whose
    /// other value is too long (so the load stages it as text): the load's repeat step
    /// compares the staged text, misses the repeat, and the INSERT fails on fact_pkey at
    /// --max-rejects 2. Read-only (and staged validate) compare as the insert stores it, set
    /// the repeat aside and say "would load". The load is the one that is wrong here, but
    /// the two must agree.
    @Test func aVarcharRepeatOnlyAsStoredWhenTheLoadStagesText() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (ref varchar(3) PRIMARY KEY)")
        let input = try csv(db, "ref\n\"ab    \"\n\"ab \"\nabcd\n")
        let loaded = try dryRun(db, input, maxRejects: 2)
        let report = try readOnly(db, input, maxRejects: 2)
        #expect(report.wouldLoad == (loaded != nil) || !report.notExact.isEmpty,
                "dry run \(String(describing: loaded)), read-only rejected \(String(describing: report.rejected))")
    }

    /// Past 100,000 waiting self keys, a further one is dropped, not counted: here the
    /// first 100,000 rows reference rows later in the file (all given), and row 100,001
    /// references a key nothing gives, whose placeholder cannot fill `name` (NOT NULL, no
    /// default): the load stops. Read-only says "would load" with 0 missing keys, and its
    /// `notExact` says the opposite of what happened ("some counted missing may be in the
    /// input": the key was not counted). Its peak was 66 MiB for 200,000 integer rows
    /// (release build), over the 64 MiB promise.
    @Test func aMissingSelfKeyPastTheWaitingLimitIsDropped() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id int PRIMARY KEY, up int REFERENCES node, name text NOT NULL)")
        var rows = ["id,up,name"]
        for i in 0...100_000 { rows.append("\(i),\(i == 100_000 ? 999_999_999 : 100_001 + i),n") }
        for i in 100_001...200_000 { rows.append("\(i),,n") }
        let path = try db.csvFile(rows.joined(separator: "\n") + "\n")
        rows = []
        let input = InputSource.csv(path: path, options: CSVOptions())
        #expect(try dryRun(db, input, table: "node") == nil)
        let report = try readOnly(db, input, table: "node")
        let (wouldLoad, missing) = (report.wouldLoad, report.foreignKeys.map(\.missingKeys))
        #expect(!wouldLoad, "missing \(missing), \(report.notExact)")
        let run = try readOnlyValidationPeak(db, table: "node", csv: path)
        #expect(run.peakMiB < 64, "peak \(run.peakMiB) MiB")
    }

    /// Row-level security on the `--source` table for the validating role: in place, the
    /// role reads 1 of its 3 rows and says "would load" (0 set aside, `notExact` empty);
    /// the load, run by the table's owner, reads all 3, sets 2 aside and stops at
    /// --max-rejects 1. `notExact` names row-level security on the target and its
    /// parents, not on the source.
    @Test func rowSecurityOnTheSourceHidesItsBadRows() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_ro"
        try db.run("""
            CREATE TABLE fact (ref text PRIMARY KEY, n int CHECK (n > 0));
            CREATE TABLE src (ref text, n int);
            INSERT INTO src VALUES ('r1', 1), ('r2', 0), ('r3', -1);
            ALTER TABLE src ENABLE ROW LEVEL SECURITY;
            CREATE POLICY visible ON src FOR SELECT USING (n > 0);
            CREATE ROLE \(role) LOGIN; GRANT USAGE ON SCHEMA \(db.schema) TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(db.schema) TO \(role);
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)") }
        let input = InputSource.table("\(db.schema).src")
        #expect(try dryRun(db, input, maxRejects: 1) == nil)
        try Standby.waitForReplay(of: db.connection, on: try Standby.connect())
        var options = ValidateOptions()
        options.maxRejects = 1
        options.inPlace = true
        let report = try Validator(connection: try Standby.connect(user: role)).run(table: "\(db.schema).fact", input: input, options: options)
        #expect(!report.wouldLoad || !report.notExact.isEmpty, "rows \(report.rows), rejected \(String(describing: report.rejected))")
    }
}
