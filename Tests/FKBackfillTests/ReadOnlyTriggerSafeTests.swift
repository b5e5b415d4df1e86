@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A target with BEFORE INSERT triggers, validated on the standby (issue #29). Every
/// check of its rows was left to the insert under any such trigger, so a file repeating an
/// id "would load" on the standby where the load stops — though the trigger only stamped
/// `updated_at`. Checks over columns the triggers leave alone, read from their source
/// (Validator+TriggerSafeColumns), run again; a trigger that assigns those columns, may
/// skip rows or writes besides its row leaves them named in notExact. Each case is held
/// against `load --dry-run` on the primary.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyTriggerSafeTests {
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var body: String
        var csv: String
        var loads: Bool
        /// The unique key and the CHECK are checked (no notExact line for them).
        var checked: Bool
    }

    static let stamp = "NEW.updated_at := now(); RETURN NEW;"
    static let cases: [Case] = [
        Case(description: "a stamp trigger, an id repeated in the file", body: stamp, csv: "id,amount\n2,1\n3,1\n2,5\n", loads: false, checked: true),
        Case(description: "a stamp trigger, an id already in the table", body: stamp, csv: "id,amount\n1,1\n", loads: false, checked: true),
        Case(description: "a stamp trigger, a CHECK refusing an amount", body: stamp, csv: "id,amount\n2,1\n3,-4\n", loads: false, checked: true),
        Case(description: "a stamp trigger, a clean file", body: stamp, csv: "id,amount\n2,1\n3,4\n", loads: true, checked: true),
        Case(description: "an audit insert elsewhere and a stamp", body: "INSERT INTO audit VALUES (NEW.id); " + stamp,
             csv: "id,amount\n2,1\n2,5\n", loads: false, checked: true),
        Case(description: "a trigger that assigns the id: not checked", body: "NEW.id := NEW.id + 100; " + stamp,
             csv: "id,amount\n2,1\n3,1\n", loads: true, checked: false),
        Case(description: "an upsert trigger deleting the clashing row: not checked",
             body: "DELETE FROM item WHERE id = NEW.id; " + stamp, csv: "id,amount\n1,1\n2,5\n", loads: true, checked: false),
        Case(description: "a trigger that may skip rows: not checked",
             body: "IF NEW.amount = 0 THEN RETURN NULL; END IF; " + stamp, csv: "id,amount\n2,1\n3,0\n3,4\n", loads: true, checked: false),
    ]

    /// `validate item` on the standby once it has replayed the test's schema, with the
    /// user's path on the test's schema: the trigger's names are found there, as in their session.
    func validateItemOnStandby(_ db: TestDatabase, _ csv: String) throws -> ValidationReport {
        try db.validateOnStandby("item", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), onSchemaPath: true)
    }

    @Test(arguments: cases)
    func theStandbyChecksWhatTheTriggerLeavesAlone(_ c: Case) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE audit (id int);
            CREATE TABLE item (id int PRIMARY KEY, amount int CONSTRAINT item_amount CHECK (amount >= 0), updated_at timestamptz);
            INSERT INTO item VALUES (1, 1, now());
            CREATE FUNCTION item_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \(c.body) END $$;
            CREATE TRIGGER item_touch BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION item_touch();
            """)
        let loaded = (try? db.load("item", csv: c.csv) { $0.dryRun = true }) != nil
        #expect(loaded == c.loads, "dry run")
        let report = try validateItemOnStandby(db, c.csv)
        let named = report.notExact.filter { $0.hasPrefix("unique key item_pkey") || $0.hasPrefix("CHECK item_amount") }
        #expect(named.isEmpty == c.checked, "\(report.notExact)")
        if c.checked {
            #expect(report.wouldLoad == c.loads, "\(report.columns) \(report.notExact)")
        }
    }

    /// A function the trigger calls, looked up as PostgreSQL does when the trigger runs:
    /// `SCHEMA` is the test's schema (the user's path), `OTHER` one off that path. A
    /// VOLATILE function of the called name was looked for in every schema, so one in
    /// `OTHER` (a concurrent test's lookalike `now()`, in a full run) made a stamp
    /// trigger look like it could write, and the repeated id went unchecked.
    static let stableStamp = "CREATE FUNCTION %@.stamp_of(t timestamptz) RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT t $$;"
    static let writingStamp = "CREATE FUNCTION %@.stamp_of(t timestamptz) RETURNS timestamptz LANGUAGE sql VOLATILE AS $$ DELETE FROM SCHEMA.item WHERE id = 1; SELECT t $$;"
    static let calledCases: [Case] = [
        Case(description: "a writing function of the called name in a schema off the path: checked",
             body: "NEW.updated_at := stamp_of(now()); RETURN NEW;|" + stableStamp.replacing("%@", with: "SCHEMA") + writingStamp.replacing("%@", with: "OTHER"),
             csv: "id,amount\n1,1\n", loads: false, checked: true),
        Case(description: "the writing function called by its qualified name: not checked",
             body: "NEW.updated_at := OTHER.stamp_of(now()); RETURN NEW;|" + stableStamp.replacing("%@", with: "SCHEMA") + writingStamp.replacing("%@", with: "OTHER"),
             csv: "id,amount\n1,1\n", loads: true, checked: false),
        Case(description: "the trigger's own SET search_path reaching the writing function: not checked",
             body: "NEW.updated_at := stamp_of(now()); RETURN NEW;|SET search_path = OTHER|" + stableStamp.replacing("%@", with: "SCHEMA") + writingStamp.replacing("%@", with: "OTHER"),
             csv: "id,amount\n1,1\n", loads: true, checked: false),
        Case(description: "the trigger's own SET search_path away from the user's writing function: checked",
             body: "NEW.updated_at := stamp_of(now()); RETURN NEW;|SET search_path = OTHER|" + stableStamp.replacing("%@", with: "OTHER") + writingStamp.replacing("%@", with: "SCHEMA"),
             csv: "id,amount\n1,1\n", loads: false, checked: true),
    ]

    /// `body` is `CODE|[SETTING|]FUNCTIONS`: the trigger's code, its own settings, the functions it may call.
    @Test(arguments: calledCases)
    func calledNamesResolveOnTheTriggersPath(_ c: Case) throws {
        let db = try TestDatabase()
        let other = try db.makeSchema("other")
        let parts = c.body.replacing("SCHEMA", with: db.schema).replacing("OTHER", with: other).split(separator: "|").map(String.init)
        try db.run("""
            CREATE TABLE item (id int PRIMARY KEY, amount int, updated_at timestamptz);
            INSERT INTO item VALUES (1, 1, now());
            \(parts.last!)
            CREATE FUNCTION item_touch() RETURNS trigger LANGUAGE plpgsql \(parts.count == 3 ? parts[1] : "") AS $$ BEGIN \(parts[0]) END $$;
            CREATE TRIGGER item_touch BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION item_touch();
            """)
        let loaded = (try? db.load("item", csv: c.csv) { $0.dryRun = true }) != nil
        #expect(loaded == c.loads, "dry run")
        let report = try validateItemOnStandby(db, c.csv)
        let named = report.notExact.filter { $0.hasPrefix("unique key item_pkey") }
        #expect(named.isEmpty == c.checked, "\(report.notExact)")
        if c.checked {
            #expect(report.wouldLoad == c.loads, "\(report.columns) \(report.notExact)")
        }
    }
}
