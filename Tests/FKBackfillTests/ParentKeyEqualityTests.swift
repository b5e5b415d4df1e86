import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Keys the input tells apart but the parent's key does not (a case-insensitive
/// collation, char(n) padding) are one new parent row: the load inserts each missing key
/// `ON CONFLICT DO NOTHING`, and validate predicts the rows it keeps, not the keys it
/// was given (found by hostile review 2).
@Suite(.timeLimit(.minutes(30))) struct ParentKeyEqualityTests {
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

    /// A key the parent's domain refuses (`CHECK (VALUE ~ '^[[:alnum:]]')`, given " K2") can
    /// never exist in the parent: a reject with its line, in validate as in the load, never
    /// a bare 23514 from validate's check of keys the parent's type would change (seed
    /// 2312009 case 464).
    @Test func aKeyTheParentsDomainRefusesIsARejectInBoth() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN d_key AS varchar(8) CHECK (VALUE ~ '^[[:alnum:]]');
            CREATE TABLE p (code d_key PRIMARY KEY);
            CREATE TABLE f (c1 text REFERENCES p, n int);
            """)
        let csv = "c1,n\nK1,1\n\" K2\",2\n"
        let predicted = try db.predict("f", csv: csv)
        #expect(!predicted.wouldLoad)
        #expect(predicted.rejections.map(\.sampleLines) == [[3]])
        let error = try #require(throws: FKBackfillError.self) { try db.load("f", csv: csv) }
        #expect(error.kind == .tooManyRejects, "\(error.message)")
        let report = try db.load("f", csv: csv) { $0.maxRejects = 1 }
        #expect(report.rejected == 1 && report.inserted == 1)
        #expect(report.rejections.first?.sampleLines == predicted.rejections.first?.sampleLines)
    }
}
