@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 24: stored truth in the load on cross-type keys, where the value a new
/// parent row stores is not the fact row's own, yet PostgreSQL's check matches them.
@Suite(.timeLimit(.minutes(30))) struct HostileReview24Tests {
    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    /// A `timestamp` FK to a `timestamptz` key, in New York: 02:30 on the day DST starts is
    /// an hour the clocks skip, so the new parent row holds 03:30-04, and PostgreSQL's
    /// `timestamptz = timestamp` (the FK's `conpfeqop`, which reads the fact's value in the
    /// session's zone) matches it: a plain INSERT of both rows is taken. The key-fit test
    /// cast the parent's value back to `timestamp` (03:30) and compared it with the input's
    /// under `conffeqop`, so the load set the row aside ("cannot exist in hour.ts") and
    /// stopped, and both validates said so. It compares as PostgreSQL does now.
    @Test func aSkippedHourReferencingATimestamptzKey() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE hour (ts timestamptz PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, ts timestamp REFERENCES hour);
            SET TimeZone = 'America/New_York';
            """)
        // PostgreSQL itself takes the pair (rolled back).
        try db.run("""
            BEGIN; INSERT INTO hour VALUES ('2024-03-10 02:30'); INSERT INTO fact VALUES (0, '2024-03-10 02:30'); ROLLBACK;
            """)
        // 03:30 too, which asks for the same parent row.
        let text = "id,ts\n1,2024-03-10 02:30\n2,2024-03-10 04:30\n3,2024-03-10 03:30\n"
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(staged.wouldLoad, "\(staged.notExact)")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SET TimeZone = 'America/New_York'")
        let readOnly = try Validator(connection: standby).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(readOnly.wouldLoad, "\(readOnly.notExact)")
        let report = try db.load("fact", csv: text)
        #expect(report.inserted == 3 && report.rejected == 0)
        #expect(try db.values("SELECT CAST(h.ts AS text) FROM hour h ORDER BY h.ts") == [["2024-03-10 03:30:00-04"], ["2024-03-10 04:30:00-04"]])
        // A key no parent can match is still set aside: a date parent of a time of day.
        try db.run("""
            CREATE TABLE day (d date PRIMARY KEY);
            CREATE TABLE visit (id int PRIMARY KEY, at timestamptz REFERENCES day);
            """)
        let error = #expect(throws: FKBackfillError.self) { try db.load("visit", csv: "id,at\n1,2024-01-02 10:00\n2,2024-01-03 00:00\n") }
        #expect(error?.message.contains("1 input row rejected") == true)
    }

    /// One `bigint` key referenced by an `integer` FK and a `bigint` one (a key widened and
    /// not every FK to it, as after a migration): the keys of both go into one table, of
    /// the UNION's type `bigint`, which the load compared with the first FK's `int84eq`,
    /// casting 5000000000 to `integer`: "integer out of range", where PostgreSQL takes the
    /// rows once the parent has them. So did both validates. Also `smallint` and `integer`
    /// FKs to a `bigint` key, where neither is of the key's type.
    @Test(arguments: [FKCheckMode.auto, .perRow]) func aKeyReferencedByFKsOfTwoIntegerTypes(_ mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE account (id bigint PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, owner_id integer REFERENCES account, payer_id bigint REFERENCES account);
            CREATE TABLE tally (id bigint PRIMARY KEY);
            CREATE TABLE tick (id int PRIMARY KEY, small smallint REFERENCES tally, wide integer REFERENCES tally);
            """)
        let text = "id,owner_id,payer_id\n1,1,5000000000\n2,7,1\n"
        for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact)") }
        #expect(try db.load("fact", csv: text) { $0.fkCheck = mode }.inserted == 2)
        #expect(try db.values("SELECT CAST(a.id AS text) FROM account a ORDER BY a.id") == [["1"], ["7"], ["5000000000"]])
        let ticks = "id,small,wide\n1,1,40000\n2,7,1\n"
        for report in try db.validateBothWays("tick", input: try csv(db, ticks)) { #expect(report.wouldLoad, "\(report.notExact)") }
        #expect(try db.load("tick", csv: ticks) { $0.fkCheck = mode }.inserted == 2)
        #expect(try db.values("SELECT CAST(t.id AS text) FROM tally t ORDER BY t.id") == [["1"], ["7"], ["40000"]])
    }

    /// A composite key `(bigint, text)` referenced by `(integer, text)` and `(bigint,
    /// varchar)`: the second is of the key's types (varchar compares as text) and goes first.
    /// Where the wide types are spread over the FKs, `(integer, bigint)` and `(bigint,
    /// integer)` to a `(bigint, bigint)` key, every source's operators cast one position to
    /// `integer`: the load stopped on "integer out of range" (PostgreSQL takes the rows once
    /// the parent has them). The operators are chosen per key column now.
    @Test func aCompositeKeyWhoseWidestTypesAreSpreadOverItsFKs() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (a bigint, b text, PRIMARY KEY (a, b));
            CREATE TABLE fact (id int PRIMARY KEY, x integer, y text, z bigint, w varchar(10),
                               FOREIGN KEY (x, y) REFERENCES p, FOREIGN KEY (z, w) REFERENCES p);
            CREATE TABLE q (a bigint, b bigint, PRIMARY KEY (a, b));
            CREATE TABLE spread (id int PRIMARY KEY, x integer, y bigint, z bigint, w integer,
                                 FOREIGN KEY (x, y) REFERENCES q, FOREIGN KEY (z, w) REFERENCES q);
            """)
        #expect(try db.load("fact", csv: "id,x,y,z,w\n1,1,u,6000000000,v\n").inserted == 1)
        #expect(try db.count("p") == 2)
        // Each key column compared with the operator of an FK of its own type
        // (`LoadPlanner.keyOperatorSources`): 6000000000 in either column stays a bigint.
        let report = try db.load("spread", csv: "id,x,y,z,w\n1,1,6000000000,6000000000,1\n")
        #expect(report.inserted == 1)
        #expect(try db.count("q") == 2)
        let more = "id,x,y,z,w\n2,2,7000000000,7000000000,2\n"
        for report in try db.validateBothWays("spread", input: try csv(db, more)) { #expect(report.wouldLoad, "\(report.notExact)") }
        #expect(try db.load("spread", csv: more) { $0.fkCheck = .perRow }.inserted == 1)
    }
}
