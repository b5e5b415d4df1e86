@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The staged path's CHECKs see the values as the table stores them (hostile review 5,
/// items 5 and 8, on the staged side): under the column's own collation, and varchar(n)
/// / char(n) at their length. Validate on the primary, and a load setting rows aside,
/// against the load itself.
@Suite(.timeLimit(.minutes(30))) struct StagedCheckShapeTests {
    func validateLoads(_ db: TestDatabase, _ table: String, _ csv: String) throws -> Bool {
        try Validator(connection: db.connection).run(
            table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions()).wouldLoad
    }

    func loads(_ db: TestDatabase, _ table: String, _ csv: String) throws -> Bool {
        var options = LoadOptions()
        options.dryRun = true
        return (try? Loader(connection: db.connection).run(table: table, input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)) != nil
    }

    @Test func checksUnderTheColumnsCollationAndLength() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE below (code text COLLATE "en-x-icu" CONSTRAINT below_a CHECK (code < 'a'));
            CREATE TABLE above (code text COLLATE "en-x-icu" CONSTRAINT from_a CHECK (code >= 'a'));
            CREATE TABLE padded (code char(5) CONSTRAINT padded CHECK (pg_catalog.octet_length(code) = 5));
            CREATE TABLE trimmed (code varchar(3) CONSTRAINT no_trailing CHECK (code NOT LIKE '% '));
            """)
        for (table, csv, expected) in [("below", "code\nB\n", false), ("above", "code\nB\n", true),
                                       ("padded", "code\nab\n", true), ("trimmed", "code\nabc \n", true)] {
            #expect(try loads(db, table, csv) == expected, "load of \(table)")
            #expect(try validateLoads(db, table, csv) == expected, "validate of \(table)")
        }
        // A load that sets rows aside judges them the same way: 'B' under en-x-icu is not below 'a'.
        var options = LoadOptions()
        options.maxRejects = 5
        let report = try Loader(connection: db.connection).run(
            table: "below", input: .csv(path: try db.csvFile("code\nB\n0\n"), options: CSVOptions()), options: options)
        #expect(report.rejected == 1 && report.inserted == 1, "\(report.rejected) \(report.inserted)")
    }
}
