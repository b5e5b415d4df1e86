@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A `--source` or `--query` whose column types differ from the target's: the load casts
/// each value explicitly to the target's type, validate and `--max-rejects` stage it as
/// text first. Both must give what the load stores (PostgreSQL's cast of the value itself,
/// not of its text), and neither may cut a value an INSERT would refuse as too long.
@Suite struct SourceCastTests {
    func schema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE plan (code varchar(3) PRIMARY KEY);
            INSERT INTO plan VALUES ('P1');
            CREATE TABLE fact (id int PRIMARY KEY, plan_code varchar(3) REFERENCES plan, amount int, day date, flag char(2));
            CREATE TABLE typed (id numeric, plan_code text, amount numeric, day timestamp, flag text);
            INSERT INTO typed VALUES (1, 'P1', 4.4, '2024-01-31 23:59', 'ab'), (2.5, 'P1', 2.5, '2024-02-01 00:00', 'c');
            CREATE TABLE long_values (id int, plan_code text, amount int);
            INSERT INTO long_values VALUES (10, 'P1', 1), (11, 'ABCDEF', 2), (12, 'P1', 3);
            CREATE TABLE out_of_range (id int, plan_code text, amount numeric);
            INSERT INTO out_of_range VALUES (20, 'P1', 1), (21, 'P1', 1e20);
            """)
    }

    func validate(_ connection: Connection, _ table: String, _ input: InputSource) throws -> ValidationReport {
        try Validator(connection: connection).run(table: table, input: input, options: ValidateOptions())
    }

    func problems(_ report: ValidationReport) -> [String] {
        report.columns.map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" }
    }

    /// numeric 4.4 and 2.5 into an integer are 4 and 3, a timestamp into a date its day, as
    /// the load's cast makes them: validate (staged and on the standby) and `--max-rejects`
    /// agree. Before, their text ('4.4', '2.5') did not convert for validate and the
    /// rejecting load, while the plain load stored 4 and 3.
    @Test func aTypedValueConvertsAsTheLoadsCastConvertsIt() throws {
        let db = try TestDatabase()
        try schema(db)
        let table = "\(db.schema).fact"
        let inputs: [InputSource] = [.table("\(db.schema).typed"), .query("SELECT * FROM \(db.schema).typed")]
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for input in inputs {
            let staged = try validate(db.connection, table, input)
            let streamed = try validate(standby, table, input)
            #expect(staged.wouldLoad && staged.columns.isEmpty && staged.prediction?.wouldLoad == true, "\(problems(staged))")
            #expect(streamed.wouldLoad && streamed.columns.isEmpty && streamed.notExact.isEmpty, "\(problems(streamed)) \(streamed.notExact)")
            for rejects in [0, 5] {
                let report = try db.load(table, input: input) { $0.dryRun = true; $0.maxRejects = rejects }
                #expect(report.inserted == 2 && report.rejected == 0, "\(input.label) --max-rejects \(rejects)")
            }
        }
        _ = try db.load(table, input: inputs[0]) { $0.maxRejects = 5 }
        let stored = try db.values("SELECT id || ':' || amount || ':' || day || ':' || flag AS v FROM fact ORDER BY id").map { $0.first ?? nil }
        #expect(stored == ["1:4:2024-01-31:ab", "3:3:2024-02-01:c"], "\(stored)")
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// 'ABCDEF' into a varchar(3) key: an explicit cast cut it to 'ABC' and the load stored
    /// that (an INSERT, COPY and validate refuse it). Now the load refuses it as the input's
    /// bad value, nothing written; validate names the row on both sessions; `--max-rejects`
    /// sets it aside.
    @Test func aValueTooLongIsRefusedNotCut() throws {
        let db = try TestDatabase()
        try schema(db)
        let table = "\(db.schema).fact"
        let inputs: [InputSource] = [.table("\(db.schema).long_values"), .query("SELECT id, plan_code, amount FROM \(db.schema).long_values")]
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for input in inputs {
            let error = try #require(throws: FKBackfillError.self) { _ = try db.load(table, input: input) }
            #expect(error.kind == .badInput(line: nil) && error.message.hasPrefix("\(input.label): value too long for type character varying(3)"), "\(error)")
            #expect(try db.count("fact") == 0 && db.count("plan") == 1)
            for connection in [db.connection, standby] {
                let report = try validate(connection, table, input)
                #expect(!report.wouldLoad && problems(report) == ["plan_code tooLong 1 [2]"], "\(problems(report))")
            }
            let kept = try db.load(table, input: input) { $0.dryRun = true; $0.maxRejects = 1 }
            #expect(kept.inserted == 2 && kept.rejected == 1)
        }
    }

    /// A value that does not convert even as its own type's cast (1e20 into an integer):
    /// refused by the load as the input's, "does not convert" for validate, set aside with
    /// `--max-rejects`.
    @Test func aValueOutOfRangeIsTheInputsFault() throws {
        let db = try TestDatabase()
        try schema(db)
        let table = "\(db.schema).fact"
        let input = InputSource.table("\(db.schema).out_of_range")
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load(table, input: input) }
        #expect(error.kind == .badInput(line: nil) && error.message.contains("integer out of range"), "\(error)")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for connection in [db.connection, standby] {
            let report = try validate(connection, table, input)
            #expect(!report.wouldLoad && problems(report) == ["amount conversion 1 [2]"], "\(problems(report))")
        }
        let kept = try db.load(table, input: input) { $0.dryRun = true; $0.maxRejects = 1 }
        #expect(kept.inserted == 1 && kept.rejected == 1)
    }
}
