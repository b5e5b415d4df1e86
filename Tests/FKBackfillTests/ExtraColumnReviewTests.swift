import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A hostile review of #24 item 9 (extra input columns): an extra column shared by
/// parents of different types, a value one of them cannot take, header names PostgreSQL
/// cannot give a column, a name that would forge a second error line, a name differing
/// only by case. Each failed on the first cut.
@Suite struct ExtraColumnReviewTests {
    func validate(_ db: TestDatabase, _ path: String, ignore: Bool = false) throws(FKBackfillError) -> ValidationReport {
        var options = ValidateOptions()
        options.ignoreExtraColumns = ignore
        return try Validator(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: options)
    }

    func load(_ db: TestDatabase, _ path: String, ignore: Bool = false) throws(FKBackfillError) -> LoadReport {
        var options = LoadOptions()
        options.ignoreExtraColumns = ignore
        return try Loader(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: options)
    }

    /// Two new parents have a column `code`, one text, one integer: the extra column is
    /// staged as text (ExtraColumns.typed) and the integer parent's insert then fails
    /// with a raw 42804 (exit 3) although validate predicted the load (exit 0). A value
    /// that converts must load (cast per parent column); one that does not must be a
    /// finding at its line in validate and load alike, never a database error.
    @Test func anExtraColumnFeedingParentsOfDifferentTypesLoadsWhenItsValuesConvert() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE staff (staff_id int PRIMARY KEY, code text NOT NULL);
            CREATE TABLE customer (customer_id int PRIMARY KEY, code int NOT NULL);
            CREATE TABLE rental (rental_id serial PRIMARY KEY,
                customer_id int NOT NULL REFERENCES customer, staff_id int NOT NULL REFERENCES staff);
            """)
        let path = try db.csvFile("customer_id,staff_id,code\n600,7,5\n")
        let predicted = try validate(db, path)
        #expect(predicted.prediction?.wouldLoad == true)
        let report = try #require(try? load(db, path), "validate predicted a load; load must do it")
        #expect(report.inserted == 1)
        #expect(try db.values("SELECT code::text FROM customer") == [["5"]])
        #expect(try db.values("SELECT code FROM staff") == [["5"]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    @Test func anExtraValueOneParentTypeCannotTakeIsAFindingNotADatabaseError() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE staff (staff_id int PRIMARY KEY, code text NOT NULL);
            CREATE TABLE customer (customer_id int PRIMARY KEY, code int NOT NULL);
            CREATE TABLE rental (rental_id serial PRIMARY KEY,
                customer_id int NOT NULL REFERENCES customer, staff_id int NOT NULL REFERENCES staff);
            """)
        let path = try db.csvFile("customer_id,staff_id,code\n600,7,abc\n")
        let predicted = try? validate(db, path)
        #expect(predicted?.prediction?.wouldLoad != true, "validate must not predict a load that fails")
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, path) }
        #expect(error.category != .database, "\(error.message)")
        #expect(try db.values("SELECT count(*)::text FROM customer") == [["0"]])
    }

    /// `First_Name` in the header, `first_name` in the parent: refusing it is right, but
    /// the hint says "customer.first_name of new rows takes its DEFAULT or rule, not the
    /// input's value" (parentSuggestion compares lowercased names, then treats distance 0
    /// as the very name). first_name has neither; the hint should name the spelling.
    @Test func aHeaderDifferingOnlyByCaseGetsADidYouMeanNotADefaultStory() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (customer_id int PRIMARY KEY, first_name text NOT NULL);
            CREATE TABLE rental (rental_id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer);
            """)
        let path = try db.csvFile("customer_id,First_Name\n600,Ann\n")
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, path) }
        #expect(error.kind == .unusedInputColumn(column: "First_Name"))
        #expect(error.hint?.contains("takes its DEFAULT or rule") == false, "\(error.hint ?? "")")
        #expect(error.hint?.contains("did you mean first_name?") == true, "\(error.hint ?? "")")
    }

    /// Ignored columns PostgreSQL cannot stage: a system column name (`ctid`), two
    /// names longer than 63 bytes that truncate to one identifier, and an empty name (a
    /// header with a trailing comma, as spreadsheets write it). Today: raw 42701 / 42601
    /// (the tool's own SQL quotes "" as an identifier), exit 3, from validate and load. Expected: a usage error at FILE:1 naming the column.
    @Test(arguments: [
        "ctid",
        "",
        String(repeating: "c", count: 63) + "_one," + String(repeating: "c", count: 63) + "_two",
    ])
    func ignoredColumnsPostgreSQLCannotStageAreUsageErrorsAtTheHeader(extra: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (customer_id int PRIMARY KEY);
            CREATE TABLE rental (rental_id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer);
            INSERT INTO customer VALUES (1);
            """)
        let values = extra.split(separator: ",").map { _ in "x" }.joined(separator: ",")
        let path = try db.csvFile("customer_id,\(extra)\n1,\(values)\n")
        let loaded = try #require(throws: FKBackfillError.self) { _ = try load(db, path, ignore: true) }
        let validated = try #require(throws: FKBackfillError.self) { _ = try validate(db, path, ignore: true) }
        for error in [loaded, validated] {
            #expect(error.category == .usage, "\(error.message)")
            #expect(error.message.hasPrefix("\(path):1:"), "\(error.message)")
        }
    }

    /// A quoted header field holding a line break: the refusal prints the name raw, so the
    /// one `fkbackfill: error:` line becomes two and the second can forge output
    /// ("fkbackfill: done, 0 errors"). The name should be escaped (as `--print-sql` and
    /// identifiers are) so the error stays one line.
    @Test func anUnusedColumnNameWithALineBreakStaysOnOneErrorLine() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (customer_id int PRIMARY KEY);
            CREATE TABLE rental (rental_id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer);
            """)
        let path = try db.csvFile("customer_id,\"evil\nfkbackfill: done, 0 errors\"\n1,x\n")
        let error = try #require(throws: FKBackfillError.self) { _ = try load(db, path) }
        #expect(error.kind == .unusedInputColumn(column: "evil\nfkbackfill: done, 0 errors"))
        #expect(!error.message.contains("\n"), "\(error.message)")
    }

    /// An extra column fills a new parent's FK back into the target with keys of rows
    /// this very load inserts (customer.last_rental_id → rental). validate counts them as
    /// present (staged rows carry them) and predicts the load (exit 0); load inserts the
    /// customers first and fails with raw 23503 (exit 3). PostgreSQL accepts these rows in
    /// one transaction (customers with NULL, rentals, then UPDATE), as item 2 orders a
    /// cycle through the target; at the least validate and load must agree.
    @Test func anExtraColumnPointingANewParentAtRowsOfThisLoadLoadsOrIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (customer_id int PRIMARY KEY, last_rental_id int);
            CREATE TABLE rental (rental_id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customer);
            ALTER TABLE customer ADD FOREIGN KEY (last_rental_id) REFERENCES rental;
            """)
        let path = try db.csvFile("rental_id,customer_id,last_rental_id\n10,600,11\n11,601,10\n")
        let predicted = try validate(db, path)
        let outcome: Result<LoadReport, FKBackfillError>
        do { outcome = .success(try load(db, path)) } catch { outcome = .failure(error) }
        switch outcome {
        case .success(let report):
            #expect(predicted.prediction?.wouldLoad == true)
            #expect(report.inserted == 2)
            #expect(try db.values("SELECT customer_id::text, last_rental_id::text FROM customer ORDER BY 1") == [["600", "11"], ["601", "10"]])
            #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
        case .failure(let error):
            #expect(error.category != .database, "\(error.message)")
            #expect(predicted.prediction?.wouldLoad == false, "validate predicted a load that failed: \(error.message)")
        }
    }
}
