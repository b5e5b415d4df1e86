@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A target that references itself and has BEFORE INSERT triggers, validated on the
/// standby (issue #29): a tree of categories with an `updated_at` trigger was refused
/// (exit 3) because the batches follow no unique key's texts when a trigger may change
/// the rows. Where the triggers, read from their source, touch neither the FK's columns
/// nor its key and skip no row, the keys the input gives are followed across batches,
/// and the verdict is `load --dry-run`'s; otherwise it is refused as before.
@Suite(.timeLimit(.minutes(10))) struct ReadOnlySelfTriggerTests {
    func validate(_ connection: Connection, _ db: TestDatabase, _ csv: String) throws -> ValidationReport {
        try Validator(connection: connection).run(
            table: "\(db.schema).category", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
    }

    func standby(_ db: TestDatabase) throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return standby
    }

    func schema(_ db: TestDatabase, trigger body: String) throws {
        try db.run("""
            CREATE TABLE category (id int PRIMARY KEY, parent_id int CONSTRAINT category_parent REFERENCES category,
                                   name text, updated_at timestamptz NOT NULL);
            INSERT INTO category VALUES (1, NULL, 'root', now());
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \(body) END $f$;
            CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON category FOR EACH ROW EXECUTE FUNCTION touch();
            """)
    }

    /// Rows of several batches referencing each other, the table's root and one key no
    /// row gives: the standby counts what the dry run backfills, and says it would load.
    @Test func aTriggerThatLeavesTheKeysAloneStreams() throws {
        let db = try TestDatabase()
        try schema(db, trigger: "NEW.updated_at := now(); RETURN NEW;")
        var rows = ["id,parent_id,name", "2,25001,early", "3,1,b", "4,3,c", "5,90000,lost"]
        for i in 6...25_001 { rows.append("\(i),\(i - 1),n") }
        let csv = rows.joined(separator: "\n") + "\n"
        let dryRun = try db.load("category", csv: csv) { $0.dryRun = true }
        #expect(dryRun.parents.first { $0.table.name == "category" }?.inserted == 1, "\(dryRun.parents)")
        let readOnly = try validate(try standby(db), db, csv)
        #expect(readOnly.wouldLoad, "\(readOnly.foreignKeys) \(readOnly.notExact)")
        let fk = try #require(readOnly.foreignKeys.first { $0.name == "category_parent" })
        #expect(fk.missingKeys == 1 && fk.fixableKeys == 1 && fk.samples.first?.key == ["90000"], "\(fk)")
    }

    /// A trigger that may assign the referenced key (or skip rows) leaves the refusal.
    @Test(arguments: [
        "NEW.id := NEW.id + 1000; RETURN NEW;",
        "NEW.parent_id := coalesce(NEW.parent_id, 1); NEW.updated_at := now(); RETURN NEW;",
        "IF NEW.name IS NULL THEN RETURN NULL; END IF; NEW.updated_at := now(); RETURN NEW;",
    ])
    func aTriggerThatMayChangeTheKeysIsRefused(_ body: String) throws {
        let db = try TestDatabase()
        try schema(db, trigger: body)
        let csv = "id,parent_id,name\n2,1,a\n3,2,b\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try validate(try standby(db), db, csv) }
        #expect(error.kind == .database(sqlState: SQLState.readOnlySQLTransaction), "\(error)")
        #expect(error.message.contains("not followed across batches"), "\(error.message)")
    }
}
