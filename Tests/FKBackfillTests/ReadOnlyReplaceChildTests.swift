@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `--replace-by` on the standby with other tables referencing the target (issue #29):
/// the load's DELETE fires their FKs, and under NO ACTION (not deferred) or RESTRICT a row
/// still referencing a deleted row stops the load. Read-only finds those rows after the
/// last batch (Validator+StreamedReplaceChildren); CASCADE, SET NULL and deferred FKs stay
/// named in notExact. Each case is held against `load --dry-run` on the primary.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyReplaceChildTests {
    @Test(arguments: [
        ("NO ACTION", 1, false, true),
        ("RESTRICT", 1, false, true),
        ("NO ACTION", 3, true, true),
        ("CASCADE", 1, true, false),
        ("NO ACTION DEFERRABLE INITIALLY DEFERRED", 1, true, false),
    ])
    func theStandbyFindsTheRowsTheDeleteWouldOrphan(_ action: String, _ referenced: Int, _ loads: Bool, _ evaluated: Bool) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, month int NOT NULL, amount int);
            INSERT INTO fact VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30);
            CREATE TABLE adj (id int PRIMARY KEY, fact_id int CONSTRAINT adj_fact REFERENCES fact ON DELETE \(action.hasPrefix("NO ACTION D") ? "NO ACTION" : action)
                \(action.hasPrefix("NO ACTION D") ? "DEFERRABLE INITIALLY DEFERRED" : ""));
            INSERT INTO adj VALUES (1, \(referenced));
            """)
        var rows = ["id,month,amount"]
        // Three batches of 50 (`ValidateOptions.streamBatchRows`; 25,000 rows were two of 20,000).
        for id in [1, 2] + Array(10..<110) { rows.append("\(id),1,\(id)") }
        let csv = rows.joined(separator: "\n") + "\n"
        let loaded = (try? db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"] }) != nil
        #expect(loaded == loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var options = ValidateOptions()
        options.replaceBy = ["month"]
        options.streamBatchRows = 50
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.wouldLoad == loads, "\(report.foreignKeys) \(report.notExact)")
        #expect(report.notExact.contains { $0.hasPrefix("FK adj_fact of ") } == !evaluated, "\(report.notExact)")
        if !loads {
            let reasons = report.foreignKeys.flatMap(\.reasons)
            #expect(reasons.contains { $0.hasPrefix("--replace-by would delete rows of \(db.schema).fact that are still referenced: 1 row of \(db.schema).adj") },
                    "\(reasons)")
        }
    }
}
