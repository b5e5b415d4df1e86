@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// An FK whose columns the input lacks, validated on the standby (issue #29): every row
/// takes the column's DEFAULT, and PostgreSQL's check refuses a key no parent row has, so
/// the load stops. Read-only evaluates the default once (Validator+StreamedDefaultedKeys)
/// where it can be known before the insert, and gives the dry run's verdict; where it
/// cannot (a sequence, a BEFORE INSERT trigger), notExact names the FK as before.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyDefaultedKeyTests {
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var columns: String
        var evaluated: Bool
        /// What `load --dry-run` on the primary does.
        var loads = true
    }

    static let cases: [Case] = [
        Case(description: "a constant default the parent has", columns: "status_id int NOT NULL DEFAULT 1 REFERENCES status", evaluated: true),
        Case(description: "a constant default the parent has not", columns: "status_id int NOT NULL DEFAULT 9 REFERENCES status", evaluated: true, loads: false),
        Case(description: "a default calling the user's function, whose body reads a table by a bare name",
             columns: "status_id int DEFAULT default_status() REFERENCES status", evaluated: true),
        Case(description: "a two-column MATCH FULL key, one default NULL",
             columns: "status_id int DEFAULT 1, kind text, FOREIGN KEY (status_id, kind) REFERENCES status (id, kind) MATCH FULL", evaluated: true,
             loads: false),
        Case(description: "a two-column key the parent has", columns: "status_id int DEFAULT 2, kind text DEFAULT 'b', FOREIGN KEY (status_id, kind) REFERENCES status (id, kind)",
             evaluated: true),
        Case(description: "a sequence's next value: not known before the insert",
             columns: "status_id serial REFERENCES status", evaluated: false),
    ]

    @Test(arguments: cases)
    func theStandbyEvaluatesTheDefaultAsTheDryRun(_ c: Case) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE status (id int PRIMARY KEY, kind text, name text, UNIQUE (id, kind));
            INSERT INTO status VALUES (1, 'a', 'new'), (2, 'b', 'open');
            CREATE FUNCTION default_status() RETURNS int STABLE LANGUAGE sql AS $$ SELECT id FROM status WHERE name = 'open' $$;
            CREATE TABLE ticket (id int PRIMARY KEY, title text, \(c.columns));
            """)
        let csv = "id,title\n1,a\n2,b\n"
        let loads = (try? db.load("ticket", csv: csv) { $0.dryRun = true }) != nil
        #expect(loads == c.loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).ticket", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        let named = report.notExact.contains { $0.contains("filled by their DEFAULT, whose key is not checked") }
        #expect(named == !c.evaluated, "\(report.notExact)")
        if c.evaluated {
            #expect(report.wouldLoad == loads, "dry run \(loads): \(report.foreignKeys) \(report.notExact)")
            if !loads {
                #expect(report.foreignKeys.flatMap(\.reasons).contains { $0.contains("not in the input: every row takes") }, "\(report.foreignKeys)")
            }
        }
    }
}
