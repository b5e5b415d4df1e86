@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 18, of the tenth session's own changes: loads PostgreSQL takes that the
/// NULL-DEFAULT check refused (a composite DEFAULT of NULL fields, a target whose rule puts
/// the row elsewhere, a DEFAULT calling the user's function), a DEFAULT that raises in the
/// standby's batches, and what fill_null_only's UPDATE may meet, named on the standby.
@Suite(.timeLimit(.minutes(30))) struct HostileReview18Tests {
    @Test(arguments: [
        // NOT NULL tests the datum, not its fields: '(,)' is stored.
        ("CREATE TYPE pair AS (a int, b int); CREATE TABLE plan (code text PRIMARY KEY, p pair NOT NULL DEFAULT '(,)')", "fact"),
        // A DEFAULT calling the user's function is the insert's to evaluate (its body finds
        // names on the user's path): not judged, whatever it gives.
        ("""
         CREATE FUNCTION uid() RETURNS text LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.uid', true), 'etl') $$;
         CREATE TABLE plan (code text PRIMARY KEY, created_by text NOT NULL DEFAULT uid())
         """, "fact"),
    ])
    func aParentsDefaultPostgreSQLTakesIsNotRefused(_ schema: String, _ target: String) throws {
        let db = try TestDatabase()
        try db.run("\(schema); CREATE TABLE fact (id int PRIMARY KEY, plan_code text REFERENCES plan);")
        #expect(try db.load(target, csv: "id,plan_code\n1,A\n2,B\n").inserted == 2)
        #expect(try db.values("SELECT count(*) FROM plan") == [["2"]])
    }

    /// The target's rule takes the row elsewhere, DEFAULT and all: PostgreSQL stores it.
    @Test func aTargetWhoseRuleTakesTheRowElsewhere() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY); INSERT INTO plan VALUES ('A');
            CREATE TABLE fact_store (id int, plan_code text REFERENCES plan, created_by text);
            CREATE TABLE fact (id int, plan_code text REFERENCES plan, created_by text NOT NULL DEFAULT current_setting('app.uid', true));
            CREATE RULE redirect AS ON INSERT TO fact DO INSTEAD INSERT INTO fact_store VALUES (NEW.id, NEW.plan_code, NEW.created_by);
            """)
        _ = try db.load("fact", csv: "id,plan_code\n1,A\n")
        #expect(try db.values("SELECT id, created_by FROM fact_store") == [["1", nil]])
    }

    /// A key's DEFAULT that raises (`current_setting('app.tenant')` unset) is not computed
    /// in the standby's batches, which it would fail: the FK stays named, nothing fails.
    @Test func aDefaultThatRaisesIsLeftToTheInsert() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (tenant_id int, code text, PRIMARY KEY (tenant_id, code)); INSERT INTO org VALUES (1, 'A');
            CREATE TABLE fact (id int, tenant_id int NOT NULL DEFAULT CAST(current_setting('app.tenant') AS int), org text,
                               FOREIGN KEY (tenant_id, org) REFERENCES org);
            """)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile("id,org\n1,A\n2,B\n"), options: CSVOptions()), options: ValidateOptions())
        #expect(report.notExact.contains { $0.hasPrefix("fact_tenant_id_org_fkey: (tenant_id) not in the input, filled by their DEFAULT") }, "\(report.notExact)")
    }

    /// fill_null_only's UPDATE meets a unique index or a domain: named on the standby.
    @Test(arguments: ["CREATE UNIQUE INDEX plan_kind ON plan (kind)",
                      "CREATE DOMAIN kindd AS text CHECK (VALUE <> 'bad'); ALTER TABLE plan ALTER COLUMN kind TYPE kindd"])
    func whatAFillMayMeetIsNamed(_ hook: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text); INSERT INTO plan VALUES ('A', NULL), ('B', NULL);
            \(hook);
            CREATE TABLE fact (id int PRIMARY KEY, code text REFERENCES plan, kind text);
            """)
        var options = ValidateOptions()
        options.rules = try RulesParser.parse("tables:\n  \(db.schema).plan:\n    mode: fill_null_only\n", file: "rules.yaml")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile("id,code,kind\n1,A,bad\n2,B,bad\n"), options: CSVOptions()), options: options)
        #expect(report.notExact.contains { $0.hasPrefix("existing rows of \(db.schema).plan are filled by an UPDATE (mode: fill_null_only) that ") }, "\(report.notExact)")
    }

    /// A target that is itself a partition, a row outside its bounds: the load sets it
    /// aside as a CHECK's (it failed at the insert, without a line), so `--max-rejects`
    /// loads the rest; the staged validate and the standby say what the load does.
    @Test(arguments: [0, 5])
    func aRowOutsideAPartitionTargetsBoundsIsSetAside(_ maxRejects: Int) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE f (region text, id int, amt int CHECK (amt > 0)) PARTITION BY LIST (region);
            CREATE TABLE f_eu PARTITION OF f FOR VALUES IN ('eu');
            """)
        let csv = "region,id,amt\neu,1,1\nus,2,1\n"
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        let staged = try Validator(connection: db.connection).run(
            table: "\(db.schema).f_eu", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let readOnly = try Validator(connection: standby).run(
            table: "\(db.schema).f_eu", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        if maxRejects == 0 {
            let error = #expect(throws: FKBackfillError.self) { try db.load("f_eu", csv: csv) }
            #expect(error?.message.hasSuffix(":3: outside the bounds of partition \(db.schema).f_eu, nothing was written") == true,
                    "\(String(describing: error))")
            #expect(!staged.wouldLoad)
            #expect(!readOnly.wouldLoad, "\(readOnly.columns) \(readOnly.notExact)")
        } else {
            let report = try db.load("f_eu", csv: csv) { $0.maxRejects = maxRejects }
            #expect(report.inserted == 1 && report.rejected == 1)
            #expect(staged.wouldLoad, "\(String(describing: staged.prediction))")
            #expect(readOnly.wouldLoad, "\(readOnly.columns) \(readOnly.notExact)")
        }
        #expect(!readOnly.notExact.contains { $0.contains("partition constraint is not evaluated") }, "\(readOnly.notExact)")
    }
}
