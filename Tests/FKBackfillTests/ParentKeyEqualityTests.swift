import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Keys the input tells apart but the parent's key does not (a case-insensitive
/// collation, char(n) padding) are one new parent row: the load inserts each missing key
/// `ON CONFLICT DO NOTHING`, and validate predicts the rows it keeps, not the keys it
/// was given (found by hostile review 2).
@Suite(.timeLimit(.minutes(10))) struct ParentKeyEqualityTests {
    @Test(arguments: [
        ("CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false); "
            + "CREATE TABLE p (code text COLLATE ci PRIMARY KEY);", "code\na\nA\nb\n"),
        ("CREATE TABLE p (code char(4) PRIMARY KEY);", "code\nab\nab  \ncd\n"),
    ])
    func validatePredictsTheParentRowsTheLoadKeeps(schema: String, csv: String) throws {
        let db = try TestDatabase()
        try db.run(schema + " CREATE TABLE f (code text REFERENCES p);")
        var options = ValidateOptions()
        options.samples = 10
        let validated = try Validator(connection: db.connection).run(
            table: "f", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        let predicted = try #require(validated.prediction)
        let report = try db.load("f", csv: csv) { $0.samples = 10 }
        let parent = try #require(report.parent("p"))
        #expect(parent.inserted == 2)
        #expect(predicted.parents.first?.inserted == parent.inserted)
        #expect(predicted.parents.first?.sampleKeys == parent.sampleKeys)
        #expect(try db.values("SELECT count(*)::text FROM p") == [["2"]])
    }
}
