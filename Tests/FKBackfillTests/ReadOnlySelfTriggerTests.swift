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
/// and the verdict is `load --dry-run`'s; otherwise the keys are followed as the file
/// gives them and notExact names the trigger.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlySelfTriggerTests {
    /// Records per streamed batch (`ValidateOptions.streamBatchRows`): the 120 rows of a
    /// chain are three batches, as 25,000 were two of the default 20,000.
    static let batch = 50

    func validate(_ connection: Connection, _ db: TestDatabase, _ csv: String) throws -> ValidationReport {
        var options = ValidateOptions()
        options.streamBatchRows = Self.batch
        return try Validator(connection: connection).run(
            table: "\(db.schema).category", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
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
        var rows = ["id,parent_id,name", "2,121,early", "3,1,b", "4,3,c", "5,90000,lost"]
        for i in 6...121 { rows.append("\(i),\(i - 1),n") }
        let csv = rows.joined(separator: "\n") + "\n"
        let dryRun = try db.load("category", csv: csv) { $0.dryRun = true }
        #expect(dryRun.parents.first { $0.table.name == "category" }?.inserted == 1, "\(dryRun.parents)")
        let readOnly = try validate(try standby(db), db, csv)
        #expect(readOnly.wouldLoad, "\(readOnly.foreignKeys) \(readOnly.notExact)")
        let fk = try #require(readOnly.foreignKeys.first { $0.name == "category_parent" })
        #expect(fk.missingKeys == 1 && fk.fixableKeys == 1 && fk.samples.first?.key == ["90000"], "\(fk)")
    }

    /// A trigger that may assign the FK's columns or its key, or skip rows, was a refusal
    /// (exit 3). The keys are followed as the file gives them and notExact names what the
    /// trigger may do: where it does not bite (a parent given, a name present) the verdict
    /// is the dry run's.
    @Test(arguments: [
        ("NEW.parent_id := coalesce(NEW.parent_id, 1); NEW.updated_at := now(); RETURN NEW;", "trigger touch may assign parent_id"),
        ("IF NEW.id < 0 THEN RETURN NULL; END IF; NEW.updated_at := now(); RETURN NEW;", "trigger touch (RETURN NULL) may skip rows"),
        // The source is read by patterns: a comparison is taken for an assignment (named, not refused).
        ("IF NEW.parent_id = 1 THEN NEW.updated_at := now(); END IF; NEW.updated_at := now(); RETURN NEW;", "trigger touch may assign parent_id"),
    ])
    func aTriggerThatMayChangeTheKeysIsNamed(_ body: String, _ named: String) throws {
        let db = try TestDatabase()
        try schema(db, trigger: body)
        var rows = ["id,parent_id,name", "2,1,a", "3,2,b", "4,5001,c", "5,90000,lost"]
        for i in 6...5_001 { rows.append("\(i),\(i - 1),n") }
        let csv = rows.joined(separator: "\n") + "\n"
        let dryRun = try db.load("category", csv: csv) { $0.dryRun = true }
        #expect(dryRun.parents.first { $0.table.name == "category" }?.inserted == 1, "\(dryRun.parents)")
        let readOnly = try validate(try standby(db), db, csv)
        #expect(readOnly.wouldLoad, "\(readOnly.foreignKeys) \(readOnly.notExact)")
        let fk = try #require(readOnly.foreignKeys.first { $0.name == "category_parent" })
        #expect(fk.missingKeys == 1 && fk.fixableKeys == 1 && fk.samples.first?.key == ["90000"], "\(fk)")
        #expect(readOnly.notExact.contains { $0.hasPrefix("category_parent: \(named)") }, "\(readOnly.notExact)")
    }

    /// Where the trigger bites, the verdicts differ and notExact is what says so. Moving the
    /// key the rows give: the load stores 1002 and 1003, and row 3's parent 2 is no stored
    /// key. Skipping a row without a name: the new parent 90 (its name NULL) is not stored.
    /// Either way the load's verify of what was stored stops it; read-only cannot run the
    /// trigger, follows the file's keys, says "would load", and names the trigger.
    @Test(arguments: [
        ("NEW.id := NEW.id + 1000; NEW.updated_at := now(); RETURN NEW;", "2,1,a\n3,2,b\n", "trigger touch may assign id"),
        ("IF NEW.name IS NULL THEN RETURN NULL; END IF; NEW.updated_at := now(); RETURN NEW;", "2,1,a\n3,2,b\n4,90,c\n",
         "trigger touch (RETURN NULL) may skip rows"),
    ])
    func aTriggerThatBitesIsNamedWhereTheVerdictsDiffer(_ body: String, _ rows: String, _ named: String) throws {
        let db = try TestDatabase()
        try schema(db, trigger: body)
        let csv = "id,parent_id,name\n" + rows
        #expect(throws: FKBackfillError.self) { _ = try db.load("category", csv: csv) { $0.dryRun = true } }
        let readOnly = try validate(try standby(db), db, csv)
        #expect(readOnly.wouldLoad, "\(readOnly.foreignKeys)")
        #expect(readOnly.notExact.contains { $0.hasPrefix("category_parent: \(named)") }, "\(readOnly.notExact)")
    }
}
