@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `mode: fill_null_only` (the annuity customers' mode) UPDATEs the existing rows the
/// input's keys name. A CHECK or an UPDATE trigger refusing the filled values stopped the
/// load with a database error (exit 3) and validate said "would load" (hostile review 17).
/// Now the load names the parent and stops (exit 1, nothing written), the staged validate
/// tries the UPDATE in a savepoint and says the same, and read-only names what it cannot try.
@Suite(.timeLimit(.minutes(30))) struct FillNullRefusalTests {
    static let hooks = [
        "ALTER TABLE customer ADD CHECK (branch <> 'closed')",
        """
        CREATE FUNCTION no_touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF OLD.locked THEN RAISE EXCEPTION 'customer % is locked', OLD.name; END IF; RETURN NEW; END $$;
        CREATE TRIGGER no_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION no_touch()
        """,
    ]

    func setUp(_ hook: String) throws -> (TestDatabase, Rules) {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (name text PRIMARY KEY, branch varchar(20), locked bool NOT NULL DEFAULT true);
            INSERT INTO customer VALUES ('ACME', NULL);
            \(hook);
            CREATE TABLE fact (id int PRIMARY KEY, customer text REFERENCES customer, branch varchar(20));
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).customer:\n    mode: fill_null_only\n", file: "rules.yaml")
        return (db, rules)
    }

    @Test(arguments: hooks)
    func aRefusedFillStopsTheLoadAndValidateSaysSo(_ hook: String) throws {
        let (db, rules) = try setUp(hook)
        let csv = "id,customer,branch\n1,ACME,closed\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) { $0.rules = rules } }
        #expect(error?.kind == .blocked, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("existing rows of \(db.schema).customer could not be filled (mode: fill_null_only): ") == true,
                "\(String(describing: error))")
        #expect(try db.values("SELECT name, branch FROM customer") == [["ACME", nil]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["0"]])

        var options = ValidateOptions()
        options.rules = rules
        let staged = try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(!staged.wouldLoad)
        #expect(staged.prediction?.blockers.contains { $0.hasPrefix("existing rows of \(db.schema).customer could not be filled") } == true,
                "\(String(describing: staged.prediction))")

        let readOnly = try db.validateOnStandby("fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(readOnly.notExact.contains { $0.hasPrefix("existing rows of \(db.schema).customer are filled by an UPDATE (mode: fill_null_only) that ") },
                "\(readOnly.notExact)")
    }

    /// Values the CHECK takes fill as before, and validate on both paths says would load;
    /// with nothing on the parent that may refuse the UPDATE, read-only names nothing.
    @Test func anAcceptedFillLoads() throws {
        let (db, rules) = try setUp(Self.hooks[0])
        let csv = "id,customer,branch\n1,ACME,north\n"
        var options = ValidateOptions()
        options.rules = rules
        let staged = try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(staged.wouldLoad, "\(String(describing: staged.prediction))")
        #expect(try db.load("fact", csv: csv) { $0.rules = rules }.inserted == 1)
        #expect(try db.values("SELECT name, branch FROM customer") == [["ACME", "north"]])

        try db.run("ALTER TABLE customer DROP CONSTRAINT customer_branch_check")
        let readOnly = try db.validateOnStandby("fact", input: .csv(path: try db.csvFile("id,customer,branch\n2,ACME,south\n"), options: CSVOptions()), options: options)
        #expect(readOnly.wouldLoad, "\(readOnly.foreignKeys) \(readOnly.columns)")
        #expect(!readOnly.notExact.contains { $0.contains("fill_null_only") }, "\(readOnly.notExact)")
    }
}
