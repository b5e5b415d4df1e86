@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A BEFORE INSERT trigger of the target that assigns an FK's column, validated on the
/// standby (issue #29): PostgreSQL checks the key the trigger leaves, the load backfills
/// the keys the file gives, so a stored key no parent has stops it. Read-only evaluates
/// the trigger's assignment on the column's distinct values (Validator+TargetKeyTriggers)
/// and gives the dry run's verdict; an assignment inside an IF stays named.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyTargetKeyTriggerTests {
    @Test(arguments: [
        ("NEW.country := upper(NEW.country); RETURN NEW;", "id,country\n1,de\n2,FR\n", true, true),
        ("NEW.country := upper(NEW.country); RETURN NEW;", "id,country\n1,de\n2,xx\n", false, true),
        ("NEW.country := NEW.country || '1'; RETURN NEW;", "id,country\n1,DE\n", false, true),
        ("NEW.country := NEW.country || '1'; RETURN NEW;", "id,country\n1,DE\n2,DE1\n", false, true),
        ("IF NEW.id > 1 THEN NEW.country := upper(NEW.country); END IF; RETURN NEW;", "id,country\n1,DE\n2,xx\n", false, false),
    ])
    func theStandbyEvaluatesTheAssignment(_ body: String, _ csv: String, _ loads: Bool, _ evaluated: Bool) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE country (code text PRIMARY KEY);
            INSERT INTO country VALUES ('DE'), ('FR');
            CREATE TABLE visit (id int PRIMARY KEY, country text CONSTRAINT visit_country REFERENCES country);
            CREATE FUNCTION norm() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \(body) END $$;
            CREATE TRIGGER norm BEFORE INSERT ON visit FOR EACH ROW EXECUTE FUNCTION norm();
            """)
        let loaded = (try? db.load("visit", csv: csv) { $0.dryRun = true }) != nil
        #expect(loaded == loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).visit", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        if evaluated {
            #expect(report.wouldLoad == loads, "\(report.foreignKeys) \(report.notExact)")
            if !loads {
                #expect(report.foreignKeys.flatMap(\.reasons).contains { $0.hasPrefix("a BEFORE INSERT trigger of \(db.schema).visit stores country ") },
                        "\(report.foreignKeys)")
            }
        } else {
            #expect(report.notExact.contains { $0.contains("BEFORE INSERT trigger norm may change or skip rows") }, "\(report.notExact)")
        }
    }
}
