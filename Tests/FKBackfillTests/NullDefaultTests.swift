@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A NOT NULL column left to a DEFAULT that gives NULL in the session (hostile review 17:
/// an application's `create_uid NOT NULL DEFAULT current_setting('app.uid', true)`, the
/// setting not set). PostgreSQL refuses every row the DEFAULT fills; the load stops before
/// writing and says which column, and validate — staged on the primary, read-only on the
/// standby — says the same instead of "would load" (`NullDefaults`). With the setting set,
/// or with a trigger or a rule that may fill the row first, everything loads as before.
@Suite(.timeLimit(.minutes(30))) struct NullDefaultTests {
    static let stamp = "current_setting('app.uid', true)"

    /// Validate staged on the primary and read-only on the standby, with `app.uid` set
    /// or not on each session as on the load's.
    func validations(_ db: TestDatabase, table: String, csv: String, uid: String?) throws -> [ValidationReport] {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var reports: [ValidationReport] = []
        for connection in [db.connection, standby] {
            // Once set in a session, a custom setting RESETs to '', not NULL: set only to set it.
            if let uid { _ = try connection.execute("SELECT pg_catalog.set_config('app.uid', \(bind: uid), false)") }
            reports.append(try Validator(connection: connection).run(
                table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions()))
        }
        return reports
    }

    @Test(arguments: [nil, "admin"] as [String?])
    func aParentsStampFromAnUnsetSetting(_ uid: String?) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE company (code text PRIMARY KEY, name text, create_uid text NOT NULL DEFAULT \(Self.stamp));
            INSERT INTO company VALUES ('C1', 'one', 'admin');
            CREATE TABLE invoice (id int PRIMARY KEY, company_code text NOT NULL REFERENCES company, amount numeric);
            """)
        let csv = "id,company_code,amount\n1,C1,10\n2,C2,20\n"
        let reports = try validations(db, table: "invoice", csv: csv, uid: uid)
        if uid == nil {
            let error = #expect(throws: FKBackfillError.self) { try db.load("invoice", csv: csv) }
            #expect(error?.kind == .blocked, "\(String(describing: error))")
            #expect(error?.details.contains { $0.hasPrefix("\(db.schema).company.create_uid is NOT NULL and left to its DEFAULT, which gives NULL") } == true)
            #expect(error?.hint?.hasPrefix("give the column a rule") == true, "\(String(describing: error?.hint))")
            #expect(try db.values("SELECT count(*) FROM company") == [["1"]])
            for report in reports {
                #expect(!report.wouldLoad)
                #expect(report.foreignKeys.flatMap(\.reasons).contains { $0.contains("company.create_uid is NOT NULL and left to its DEFAULT") }, "\(report.foreignKeys)")
            }
        } else {
            #expect(try db.load("invoice", csv: csv).inserted == 2)
            #expect(try db.values("SELECT code, create_uid FROM company ORDER BY code") == [["C1", "admin"], ["C2", "admin"]])
            for report in reports { #expect(report.wouldLoad, "\(report.foreignKeys)") }
        }
    }

    /// The target's own column the input lacks: refused as a NOT NULL column with no
    /// default is (exit 2, its name), and validate names it.
    @Test func theTargetsStampFromAnUnsetSetting() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY); INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (id int PRIMARY KEY, org text REFERENCES org, create_uid text NOT NULL DEFAULT \(Self.stamp));
            """)
        let csv = "id,org\n1,G1\n"
        let reports = try validations(db, table: "fact", csv: csv, uid: nil)
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(error?.message.contains("column create_uid of \(db.schema).fact is NOT NULL and its DEFAULT gives NULL in this session") == true,
                "\(String(describing: error))")
        for report in reports {
            #expect(!report.wouldLoad)
            #expect(report.columns.contains { $0.column == "create_uid" && $0.problem == .missingColumn }, "\(report.columns)")
        }
    }

    /// What may fill the column before PostgreSQL checks it — a BEFORE INSERT trigger, a
    /// DEFAULT that is never NULL, a VOLATILE one (not called) — is not a blocker.
    @Test(arguments: [
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.create_uid := 'trigger'; RETURN NEW; END $$; "
            + "CREATE TRIGGER stamp BEFORE INSERT ON company FOR EACH ROW EXECUTE FUNCTION stamp()",
        "ALTER TABLE company ALTER COLUMN create_uid SET DEFAULT coalesce(\(stamp), 'nobody')",
        "CREATE FUNCTION uid() RETURNS text VOLATILE LANGUAGE sql AS $$ SELECT 'volatile' $$; ALTER TABLE company ALTER COLUMN create_uid SET DEFAULT uid()",
    ])
    func whatFillsTheColumnFirst(_ hook: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE company (code text PRIMARY KEY, create_uid text NOT NULL DEFAULT \(Self.stamp));
            \(hook);
            CREATE TABLE invoice (id int PRIMARY KEY, company_code text REFERENCES company);
            """)
        #expect(try db.load("invoice", csv: "id,company_code\n1,C2\n").inserted == 1)
        #expect(try db.values("SELECT count(*) FROM company WHERE create_uid IS NOT NULL") == [["1"]])
    }
}
