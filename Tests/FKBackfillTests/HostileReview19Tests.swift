@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 19, realistic schemas against the standby's verdict: loads the dry run
/// refuses where validate — staged and read-only — said would load with nothing named.
@Suite(.timeLimit(.minutes(5))) struct HostileReview19Tests {
    /// Validate staged on the primary and read-only on the standby.
    func validations(_ db: TestDatabase, _ table: String, csv: String, rules: String? = nil) throws -> [ValidationReport] {
        var options = ValidateOptions()
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return try [db.connection, standby].map { connection in
            try Validator(connection: connection).run(
                table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        }
    }

    /// A domain's NOT NULL refuses NULL as the column's does: a parent's new row that
    /// leaves such a column NULL, and a target column of it the input lacks, stop the load
    /// before it writes; validate both ways says would not load.
    @Test func aNotNullDomainIsNotNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN nonempty AS text NOT NULL CHECK (VALUE <> '');
            CREATE TABLE brand (code text PRIMARY KEY, label nonempty); INSERT INTO brand VALUES ('ACME', 'Acme');
            CREATE TABLE product (sku text PRIMARY KEY, brand_code text NOT NULL REFERENCES brand, price numeric);
            CREATE TABLE item (sku text PRIMARY KEY, brand_code text NOT NULL REFERENCES brand, note nonempty);
            CREATE DOMAIN stamped AS text NOT NULL DEFAULT 'etl';
            CREATE TABLE batch (id int PRIMARY KEY, brand_code text REFERENCES brand, loaded_by stamped);
            """)
        let csv = "sku,brand_code,price\nP1,ACME,1\nP2,NEWB,2\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("product", csv: csv) }
        #expect(error?.kind == .blocked, "\(String(describing: error))")
        #expect(error?.details.contains { $0.hasPrefix("\(db.schema).brand.label is NOT NULL with no default and no input column") } == true,
                "\(String(describing: error?.details))")
        for report in try validations(db, "product", csv: csv) {
            #expect(!report.wouldLoad, "\(report.foreignKeys) \(report.notExact)")
        }
        // The target's own column: the input lacks it, PostgreSQL would refuse every row.
        let item = "sku,brand_code\nP1,ACME\n"
        let missing = #expect(throws: FKBackfillError.self) { try db.load("item", csv: item) }
        #expect(missing?.message.contains("column note of \(db.schema).item is NOT NULL and has no default") == true, "\(String(describing: missing))")
        #expect(try db.count("item") == 0 && db.count("brand") == 1)
        // A domain with a DEFAULT fills it: loads.
        #expect(try db.load("batch", csv: "id,brand_code\n1,ACME\n").inserted == 1)
        #expect(try db.values("SELECT loaded_by FROM batch") == [["etl"]])
    }
}
