@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The target's own refusals found by a CSV validated read-only (on the standby): its
/// CHECKs, partition routing, keys already in it and keys the input repeats, across
/// batches too. Each case is held against `load --dry-run` on the primary: the verdict is
/// the same, and what read-only now checks is no longer in `notExact`.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyTargetRowsTests {
    let notExact = ReadOnlyNotExactTests()

    func problems(_ report: ValidationReport) -> [String] {
        report.columns.map { "\($0.column)|\($0.problem.rawValue)|\($0.rows)|\($0.sampleLines)" }
    }

    @Test func checksExistingKeysAndRepeatsAreFound() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P1');
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, month date NOT NULL, plan_code text REFERENCES plan,
                               amount numeric CONSTRAINT positive CHECK (amount >= 0), ref text, CONSTRAINT one_ref UNIQUE (month, ref));
            INSERT INTO fact (month, plan_code, amount, ref) VALUES ('2024-01-01', 'P1', 1, 'r0');
            """)
        let bad = "month,plan_code,amount,ref\n2024-01-01,P1,5,r1\n2024-01-01,P2,-1,r2\n2024-01-01,P1,3,r0\n2024-01-01,P1,4,r1\n2024-01-01,P1,4,r1\n"
        #expect(try !notExact.dryRunLoads(db, "fact", bad))
        let report = try notExact.readOnly(db, "fact", bad)
        #expect(!report.wouldLoad)
        #expect(problems(report) == [
            "amount|fails CHECK|1|[3]",
            "month, ref|key already in the target|1|[4]",
            "month, ref|duplicate key in the input|2|[5, 6]",
        ], "\(problems(report))")
        #expect(report.notExact.isEmpty, "\(report.notExact)")

        let good = "month,plan_code,amount,ref\n2024-01-01,P1,5,r1\n2024-02-01,P2,0,r0\n"
        #expect(try notExact.dryRunLoads(db, "fact", good))
        let clean = try notExact.readOnly(db, "fact", good)
        #expect(clean.wouldLoad && clean.columns.isEmpty && clean.notExact.isEmpty, "\(problems(clean)) \(clean.notExact)")
    }

    /// A key repeated 30,000 lines apart, in another batch: found by its text (numeric by
    /// its text without trailing zeros: 1.0 is 1); an interval's repeats ('24 hours' is
    /// '1 day') are found within a batch only, and `notExact` says so.
    @Test func repeatsAcrossBatches() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (ref text UNIQUE, n numeric CONSTRAINT n_once UNIQUE, d interval CONSTRAINT d_once UNIQUE);
            """)
        var rows = ["ref,n,d"]
        for i in 0..<30_000 { rows.append("r\(i),\(i),\(i) days") }
        rows.append("r1,1.0,24 hours")
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(try !notExact.dryRunLoads(db, "fact", csv))
        let report = try notExact.readOnly(db, "fact", csv)
        #expect(!report.wouldLoad)
        #expect(problems(report) == ["ref|duplicate key in the input|1|[30002]", "n|duplicate key in the input|1|[30002]"], "\(problems(report))")
        #expect(report.notExact == ["unique key d_once (d): repeats are found within each batch (20000 rows or 1 MiB), not across them (its type's equal values may differ in text)"],
                "\(report.notExact)")
    }

    /// Equal by the index's equality, not by text: numeric 1.0 and 1, and a
    /// case-insensitive collation's letter case, in one batch.
    @Test func repeatsByTheTypesEquality() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE fact (n numeric UNIQUE, name text COLLATE nocase UNIQUE);
            """)
        let csv = "n,name\n1,Alpha\n1.0,beta\n2,ALPHA\n"
        #expect(try !notExact.dryRunLoads(db, "fact", csv))
        let report = try notExact.readOnly(db, "fact", csv)
        #expect(problems(report) == ["n|duplicate key in the input|1|[3]", "name|duplicate key in the input|1|[4]"], "\(problems(report))")
        // The staged path grouped its copy under the default collation, and said "would load".
        let staged = try notExact.readOnly(db, "fact", csv, connection: db.connection)
        #expect(staged.prediction?.rejections.map { "\($0.reason) \($0.sampleLines)" } == [
            "duplicate key (n) of an earlier input row (fact_n_key) [3]", "duplicate key (name) of an earlier input row (fact_name_key) [4]",
        ], "\(String(describing: staged.prediction))")
    }

    /// A row no partition accepts: the load's routing refuses it.
    @Test func aRowNoPartitionAccepts() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, n int) PARTITION BY RANGE (month);
            CREATE TABLE fact_2024 PARTITION OF fact FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            """)
        let csv = "month,n\n2024-03-01,1\n2023-12-01,2\n"
        #expect(try !notExact.dryRunLoads(db, "fact", csv))
        let report = try notExact.readOnly(db, "fact", csv)
        #expect(!report.wouldLoad)
        #expect(problems(report) == ["|no partition accepts the row|1|[3]"], "\(problems(report))")
        #expect(report.notExact.isEmpty, "\(report.notExact)")
    }

    /// A BEFORE INSERT trigger that mends the value the CHECK refuses: the load takes the
    /// row, so read-only finds nothing, and says the CHECK was not evaluated. The unique key
    /// on `ref`, which the trigger leaves alone, is checked (Validator+TriggerSafeColumns).
    @Test func aTriggerMayMendTheRowFirst() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (amount numeric CONSTRAINT positive CHECK (amount >= 0), ref text UNIQUE);
            CREATE FUNCTION mend() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.amount := abs(NEW.amount); RETURN NEW; END $$;
            CREATE TRIGGER mend BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION mend();
            """)
        let csv = "amount,ref\n-1,r1\n"
        #expect(try notExact.dryRunLoads(db, "fact", csv))
        let report = try notExact.readOnly(db, "fact", csv)
        #expect(report.wouldLoad && report.columns.isEmpty, "\(problems(report))")
        #expect(report.notExact.contains { $0.hasPrefix("CHECK positive of \(db.schema).fact: not evaluated, a BEFORE INSERT trigger") }, "\(report.notExact)")
        #expect(!report.notExact.contains { $0.hasPrefix("unique key fact_ref_key (ref)") }, "\(report.notExact)")
    }

    /// A CHECK on a column the input lacks sees its DEFAULT: not evaluated, said so.
    @Test func aCheckOnAColumnTheInputLacks() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (a int, b int DEFAULT 0, CONSTRAINT a_below_b CHECK (a < b));
            """)
        let csv = "a\n5\n"
        #expect(try !notExact.dryRunLoads(db, "fact", csv))
        let report = try notExact.readOnly(db, "fact", csv)
        #expect(report.notExact.contains { $0.hasPrefix("CHECK a_below_b of \(db.schema).fact: reads b, not in the input") }, "\(report.notExact)")
    }

    /// A --source table checked in place, on the standby: the same refusals, counted over
    /// the whole table (no lines); and its notExact, as a CSV's.
    @Test func aSourceTableCheckedInPlace() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, amount numeric CONSTRAINT positive CHECK (amount >= 0), ref text, CONSTRAINT one_ref UNIQUE (month, ref));
            INSERT INTO fact VALUES ('2024-01-01', 1, 'r0');
            CREATE TABLE src (month date NOT NULL, amount numeric, ref text);
            INSERT INTO src VALUES ('2024-01-01', -1, 'r1'), ('2024-01-01', 2, 'r0'), ('2024-02-01', 3, 'r2'), ('2024-02-01', 4, 'r2');
            CREATE TABLE clean (month date NOT NULL, amount numeric, ref text);
            INSERT INTO clean VALUES ('2024-03-01', 1, 'r1');
            """)
        func run(_ source: String) throws -> ValidationReport {
            let standby = try Standby.connect()
            try Standby.waitForReplay(of: db.connection, on: standby)
            var options = ValidateOptions()
            options.inPlace = true
            return try Validator(connection: standby).run(table: "\(db.schema).fact", input: .table("\(db.schema).\(source)"), options: options)
        }
        func loads(_ source: String) -> Bool {
            var options = LoadOptions()
            options.dryRun = true
            return (try? Loader(connection: db.connection).run(table: "fact", input: .table("\(db.schema).\(source)"), options: options)) != nil
        }
        #expect(!loads("src"))
        let report = try run("src")
        #expect(report.checkedInPlace && !report.wouldLoad)
        #expect(problems(report) == [
            "amount|fails CHECK|1|[]", "month, ref|key already in the target|1|[]", "month, ref|duplicate key in the input|1|[]",
        ], "\(problems(report))")
        #expect(report.notExact.isEmpty, "\(report.notExact)")
        #expect(loads("clean"))
        let clean = try run("clean")
        #expect(clean.wouldLoad && clean.columns.isEmpty && clean.notExact.isEmpty, "\(problems(clean)) \(clean.notExact)")
    }

    /// on_blank: null, the docs' annuity example's: a blank key loads as NULL (no
    /// placeholder parent), in a NOT NULL column it stops the load; read-only streams it
    /// with the blanks NULL in the batch and gives the dry run's verdict.
    @Test func blankKeysLoadAsNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1'); INSERT INTO plan VALUES ('P1');
            CREATE TABLE fact (org_code text REFERENCES org, plan_code text NOT NULL REFERENCES plan, n int);
            """)
        let rules = try RulesParser.parse("blank:\n  markers: ['(空白)']\n  on_blank: \"null\"\n", file: "rules.yaml")
        func both(_ csv: String) throws -> (loads: Bool, report: ValidationReport) {
            let path = try db.csvFile(csv)
            var load = LoadOptions()
            load.dryRun = true
            load.rules = rules
            let loads = (try? Loader(connection: db.connection).run(table: "fact", input: .csv(path: path, options: CSVOptions()), options: load)) != nil
            let standby = try Standby.connect()
            try Standby.waitForReplay(of: db.connection, on: standby)
            var options = ValidateOptions()
            options.rules = rules
            return (loads, try Validator(connection: standby).run(table: "\(db.schema).fact", input: .csv(path: path, options: CSVOptions()), options: options))
        }
        let nullable = try both("org_code,plan_code,n\n(空白),P1,1\nG1,P1,2\n")
        #expect(nullable.loads && nullable.report.wouldLoad && nullable.report.checkedInPlace, "\(nullable.report.foreignKeys)")
        #expect(nullable.report.foreignKeys.allSatisfy { $0.violatingRows == 0 }, "\(nullable.report.foreignKeys)")
        let notNull = try both("org_code,plan_code,n\nG1,(空白),1\n")
        #expect(!notNull.loads && !notNull.report.wouldLoad, "\(notNull.report.foreignKeys)")
    }
}
