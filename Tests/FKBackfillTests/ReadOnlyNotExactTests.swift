@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What a CSV checked read-only cannot know, named in `notExact` where the differential's
/// read-only comparison found it silent (docs/testing.md, RO1–RO4): each case here made
/// read-only validate disagree with `load --dry-run` with nothing in `notExact`.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyNotExactTests {
    let shared = ReadOnlyValidateTests()

    func readOnly(_ db: TestDatabase, _ table: String, _ csv: String, connection: Connection? = nil, rules: String? = nil) throws -> ValidationReport {
        let session = try connection ?? {
            let standby = try Standby.connect()
            try Standby.waitForReplay(of: db.connection, on: standby)
            return standby
        }()
        var options = ValidateOptions()
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        return try Validator(connection: session).run(
            table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
    }

    func dryRunLoads(_ db: TestDatabase, _ table: String, _ csv: String, rules: String? = nil) throws -> Bool {
        var options = LoadOptions()
        options.dryRun = true
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        do {
            _ = try Loader(connection: db.connection).run(table: table, input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
            return true
        } catch {
            return false
        }
    }

    /// RO3: an FK column the input lacks takes its DEFAULT, a key the parent lacks: the
    /// load fails; read-only evaluates the default (Validator+StreamedDefaultedKeys) and
    /// says so, as the dry run (it was a notExact line only).
    @Test func anFKColumnLeftToItsDefault() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE kind (code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (org_code text REFERENCES org, kind_code text DEFAULT 'K9' CONSTRAINT f_kind REFERENCES kind (code), n int);
            """)
        let csv = "org_code,n\nG1,1\n"
        #expect(try !dryRunLoads(db, "fact", csv))
        let report = try readOnly(db, "fact", csv)
        #expect(!report.wouldLoad && !report.notExact.contains { $0.hasPrefix("f_kind:") }, "\(report.notExact)")
        let fk = try #require(report.foreignKeys.first { $0.name == "f_kind" })
        #expect(fk.reasons == ["kind_code not in the input: every row takes its DEFAULT, key (kind_code) = (K9), which \(db.schema).kind has not: "
            + "PostgreSQL's check refuses the rows and the load stops"], "\(fk.reasons)")
    }

    /// RO4: a parent's rule drops its new rows: the load stops ("not stored as asked");
    /// read-only names the rule.
    @Test func aParentsRuleOnInsert() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE RULE drop_new AS ON INSERT TO org DO INSTEAD NOTHING;
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let csv = "org_code,n\nG1,1\n"
        #expect(try !dryRunLoads(db, "fact", csv))
        let report = try readOnly(db, "fact", csv)
        #expect(report.notExact.contains { $0.hasPrefix("rules on \(db.schema).org (drop_new)") }, "\(report.notExact)")
    }

    /// RO5: new parent rows clash under the parent's exclusion constraint (their DEFAULT
    /// name is the same): the load's insert is refused. Read-only names the constraint
    /// (it was hidden behind the target's unique key, named until that was checked too).
    @Test func aParentsExclusionConstraint() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (id int PRIMARY KEY, name text NOT NULL DEFAULT 'n/a', EXCLUDE USING btree (name WITH =));
            CREATE TABLE fact (id int PRIMARY KEY, c1 int NOT NULL REFERENCES p1);
            """)
        let csv = "id,c1\n1,14\n2,15\n"
        #expect(try !dryRunLoads(db, "fact", csv))
        let report = try readOnly(db, "fact", csv)
        #expect(report.notExact.contains { $0.hasPrefix("exclusion constraint p1_name_excl of \(db.schema).p1: not evaluated") }, "\(report.notExact)")
    }

    /// RO6 (differential 777001 case 766): a NOT NULL column of the parent that the rules
    /// leave NULL (`null: true`): the load cannot backfill it; read-only called its keys
    /// fixable, silent behind an unrelated notExact line until that one went.
    @Test func aNotNullColumnTheRulesLeaveNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (code text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE fact (c1 text REFERENCES p1, n int);
            """)
        let csv = "c1,n\nN1,1\n"
        var load = LoadOptions()
        load.dryRun = true
        let rules = try RulesParser.parse("tables:\n  \(db.schema).p1:\n    columns:\n      name: { null: true }\n", file: "rules.yaml")
        load.rules = rules
        #expect(throws: FKBackfillError.self) {
            _ = try Loader(connection: db.connection).run(table: "fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: load)
        }
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var options = ValidateOptions()
        options.rules = rules
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(!report.wouldLoad)
        #expect(report.foreignKeys.first?.reasons == ["\(db.schema).p1.name is NOT NULL but its rule leaves it NULL"], "\(report.foreignKeys)")
    }

    /// RO7 (differential 555 case 153): new parent rows whose column is left NULL under a
    /// UNIQUE NULLS NOT DISTINCT index all clash: two are unfixable, as a constant's are;
    /// read-only called them fixable (hidden behind the target's unique-key line until that
    /// was checked).
    @Test func placeholdersLeftNullUnderNullsNotDistinct() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (code text PRIMARY KEY, name text, UNIQUE NULLS NOT DISTINCT (name));
            CREATE TABLE fact (c1 text REFERENCES p1, n int);
            """)
        let two = "c1,n\nN1,1\nN2,2\n"
        #expect(try !dryRunLoads(db, "fact", two))
        let report = try readOnly(db, "fact", two)
        #expect(!report.wouldLoad && report.foreignKeys.first?.unfixableKeys == 2, "\(report.foreignKeys)")
    }

    /// RO2: one new parent row cannot collide with another placeholder; the load inserts it.
    /// Read-only calls the key fixable, and says an existing row holding the same values
    /// is not looked for. Two new rows would collide: unfixable, as before.
    @Test func oneNewRowUnderAUniqueIndexItsPlaceholdersFillAlike() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text NOT NULL DEFAULT 'unknown' UNIQUE);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let one = "org_code,n\nG1,1\nG1,2\n"
        #expect(try dryRunLoads(db, "fact", one))
        let report = try readOnly(db, "fact", one)
        #expect(report.foreignKeys.first?.fixableKeys == 1 && report.foreignKeys.first?.unfixableKeys == 0, "\(report.foreignKeys)")
        #expect(report.wouldLoad)
        #expect(report.notExact.contains { $0.contains("allows only once, but it gets one new row") }, "\(report.notExact)")
        let two = "org_code,n\nG1,1\nG2,2\n"
        #expect(try !dryRunLoads(db, "fact", two))
        #expect(try !readOnly(db, "fact", two).wouldLoad)
    }

    /// RO1: row-level security hides an existing key from the read-only role: it counts the
    /// key missing, where PostgreSQL's FK check and the load see it; notExact says so.
    @Test func rowSecurityOnAParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, secret boolean NOT NULL DEFAULT false);
            INSERT INTO org VALUES ('G1', true);
            ALTER TABLE org ENABLE ROW LEVEL SECURITY;
            CREATE POLICY visible ON org USING (NOT secret);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let (role, cleanup) = try shared.readOnlyRole(db)
        defer { cleanup() }
        let database = try db.connection.execute("SELECT current_database() AS d").rows[0].string("d")
        let connection = try Connection(ConnectionString("dbname=\(database) user=\(role)"))
        let csv = "org_code,n\nG1,1\n"
        #expect(try dryRunLoads(db, "fact", csv))
        let report = try readOnly(db, "fact", csv, connection: connection)
        #expect(report.foreignKeys.first?.missingKeys == 1)
        #expect(report.notExact.contains { $0.hasPrefix("row-level security on \(db.schema).org applies to this role") }, "\(report.notExact)")
    }

    /// A unique key the input gives values to is checked read-only (repeats inside the
    /// file, keys already in the table: ReadOnlyTargetRowsTests), so not named; nor is an
    /// identity primary key, whose values come from the database: nothing of the file's
    /// to check.
    @Test func onlyUniqueKeysTheInputFills() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org_code text REFERENCES org, ref text UNIQUE);
            """)
        let report = try readOnly(db, "fact", "org_code,ref\nG1,a\n")
        #expect(report.notExact.isEmpty, "\(report.notExact)")
        let repeated = try readOnly(db, "fact", "org_code,ref\nG1,a\nG1,a\n")
        #expect(!repeated.wouldLoad && repeated.columns.map(\.problem) == [.duplicateKey], "\(repeated.columns)")
        #expect(repeated.notExact.isEmpty, "\(repeated.notExact)")
    }

    /// RO8: a new key the parent's narrower type cannot hold exactly (0.1 as a double, a
    /// real parent key) or at all (a bigint past an int): the load sets its row aside, and
    /// read-only finds it with its line (differential 31337/201: "would load" with an empty
    /// notExact where the load refused the row); within --max-rejects, it loads.
    @Test func aKeyTheParentsTypeCannotHold() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (code real PRIMARY KEY); INSERT INTO p1 VALUES (1);
            CREATE TABLE p2 (id int PRIMARY KEY); INSERT INTO p2 VALUES (1);
            CREATE TABLE fact (id int, c1 float8 CONSTRAINT f1 REFERENCES p1 (code), c2 bigint CONSTRAINT f2 REFERENCES p2 (id));
            """)
        let csv = "id,c1,c2\n1,1,1\n2,0.1,1\n3,2,99999999999\n4,2.5,2\n"
        #expect(try !dryRunLoads(db, "fact", csv))
        let report = try readOnly(db, "fact", csv)
        #expect(!report.wouldLoad && report.notExact.isEmpty, "\(report.notExact)")
        #expect(report.columns.map { "\($0.column) \($0.problem.rawValue) \($0.rows) \($0.sampleLines)" }
            == ["c1 key cannot exist in the parent 1 [3]", "c2 key cannot exist in the parent 1 [4]"], "\(report.columns)")
        let standby = try Standby.connect()
        var options = ValidateOptions()
        options.maxRejects = 2
        let within = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(within.wouldLoad && within.rejected == 2, "\(within.columns) \(within.foreignKeys)")
        let loaded = try db.load("fact", csv: csv) { $0.dryRun = true; $0.maxRejects = 2 }
        #expect(loaded.rejected == 2)
    }
}
