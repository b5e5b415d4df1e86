@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A target that references itself, validated read-only (issue #29): a key is present
/// when the table has it or a row of the input carries it, in any batch. Each case is
/// held against `load --dry-run` on the primary and against the staged validate.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlySelfReferenceTests {
    /// Records per streamed batch (`ValidateOptions.streamBatchRows`): the 120 rows of a
    /// chain are three batches, as 25,000 were two of the default 20,000.
    static let batch = 50

    func validate(_ connection: Connection, _ db: TestDatabase, _ csv: String, maxRejects: Int = 0) throws -> ValidationReport {
        var options = ValidateOptions()
        options.streamBatchRows = Self.batch
        options.maxRejects = maxRejects
        return try Validator(connection: connection).run(
            table: "\(db.schema).node", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
    }

    func standby(_ db: TestDatabase) throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return standby
    }

    func dryRunLoads(_ db: TestDatabase, _ csv: String) -> Bool {
        (try? db.load("node", csv: csv) { $0.dryRun = true }) != nil
    }

    func summary(_ report: ValidationReport) -> String {
        "\(report.wouldLoad) " + report.foreignKeys.map { "\($0.violatingRows)/\($0.missingKeys)/\($0.fixableKeys) \($0.samples.map { "\($0.key.map { $0 ?? "NULL" })\($0.lines)" }.joined(separator: ","))" }
            .joined(separator: "; ")
    }

    /// Rows that reference rows of a later batch, of the same batch and of the table: only
    /// the key nobody has is missing, a placeholder the load adds (its name may be NULL).
    @Test func keysOfRowsInOtherBatchesArePresent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE node (id int PRIMARY KEY, up int CONSTRAINT node_up REFERENCES node, name text);
            INSERT INTO node VALUES (1, NULL, 'root');
            """)
        var rows = ["id,up,name", "2,121,early", "3,1,b", "4,3,c", "5,90000,lost"]
        for i in 6...121 { rows.append("\(i),\(i - 1),n") }
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(dryRunLoads(db, csv))
        let readOnly = try validate(try standby(db), db, csv)
        let staged = try validate(db.connection, db, csv)
        #expect(summary(readOnly) == "true 1/1/1 [\"90000\"][5]", "\(summary(readOnly)) \(readOnly.notExact)")
        #expect(readOnly.foreignKeys.map(\.missingKeys) == staged.foreignKeys.map(\.missingKeys))
        #expect(readOnly.notExact.isEmpty, "\(readOnly.notExact)")
    }

    /// Child columns of another type than the key's, that print equal values alike: a
    /// `bigint` referencing an `integer` key, a `varchar` referencing a `text` one (were
    /// refused, exit 3). The batches follow them by text, as the dry run finds them.
    @Test(arguments: [("int", "bigint", "90000"), ("text", "varchar(12)", "k90000"), ("varchar(20)", "text", "k90000")])
    func childColumnsOfAnotherTypeThatPrintAlike(_ key: String, _ child: String, _ lost: String) throws {
        let db = try TestDatabase()
        let k = key == "int" ? "" : "k"
        try db.run("""
            CREATE TABLE node (id \(key) PRIMARY KEY, up \(child) CONSTRAINT node_up REFERENCES node, name text);
            INSERT INTO node VALUES ('\(k)1', NULL, 'root');
            """)
        var rows = ["id,up,name", "\(k)2,\(k)121,early", "\(k)3,\(k)1,b", "\(k)4,\(k)3,c", "\(k)5,\(lost),lost"]
        for i in 6...121 { rows.append("\(k)\(i),\(k)\(i - 1),n") }
        let csv = rows.joined(separator: "\n") + "\n"
        let dryRun = try db.load("node", csv: csv) { $0.dryRun = true }
        #expect(dryRun.parents.first { $0.table.name == "node" }?.inserted == 1, "\(dryRun.parents)")
        let readOnly = try validate(try standby(db), db, csv)
        #expect(summary(readOnly) == "true 1/1/1 [\"\(lost)\"][5]", "\(summary(readOnly)) \(readOnly.notExact)")
    }

    /// The placeholder a missing key needs cannot be written (a NOT NULL name no rule
    /// fills): would not load, as the load fails.
    @Test func aPlaceholderThatCannotBeWritten() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id int PRIMARY KEY, up int CONSTRAINT node_up REFERENCES node, name text NOT NULL)")
        let csv = "id,up,name\n1,,a\n2,1,b\n3,7,c\n"
        #expect(!dryRunLoads(db, csv))
        // The input has a name column: the load says the target's own placeholders take none of it (sweep 14).
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("node", csv: csv) { $0.dryRun = true } }
        #expect(([error.message] + error.details).joined().contains("placeholder rows of the target itself take no input column's value"),
                "\(error.message) \(error.details)")
        let readOnly = try validate(try standby(db), db, csv)
        #expect(!readOnly.wouldLoad && readOnly.foreignKeys.map(\.unfixableKeys) == [1], "\(summary(readOnly))")
        #expect(dryRunLoads(db, "id,up,name\n1,,a\n2,1,b\n3,2,c\n"))
        #expect(try validate(try standby(db), db, "id,up,name\n1,,a\n2,1,b\n3,2,c\n").wouldLoad)
    }

    /// With --max-rejects a row set aside gives no key: one referenced only by it is
    /// missing read-only as in the load (whose placeholder would need a name: it fails),
    /// and without the row that needs it the rest loads with it set aside; with --replace-by
    /// too, where the row set aside deletes nothing (row 3, which another row references).
    @Test func aRowSetAsideGivesNoKey() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE node (id int PRIMARY KEY, up int CONSTRAINT node_up REFERENCES node, name text NOT NULL)")
        let needsIt = "id,up,name\n1,,a\n2,1,b\n3,2,\n4,3,d\n"
        let withoutIt = "id,up,name\n1,,a\n2,1,b\n3,2,\n"
        for (csv, loads) in [(needsIt, false), (withoutIt, true)] {
            let dryRun = try? db.load("node", csv: csv) { $0.dryRun = true; $0.maxRejects = 3 }
            #expect((dryRun != nil) == loads && (dryRun?.rejected ?? 1) == 1, "\(csv)")
            let readOnly = try validate(try standby(db), db, csv, maxRejects: 3)
            #expect(readOnly.wouldLoad == loads && readOnly.rejected == 1, "\(summary(readOnly)) \(readOnly.notExact)")
            #expect(readOnly.foreignKeys.map(\.missingKeys) == [loads ? 0 : 1], "\(summary(readOnly))")
        }
        // With --replace-by too (refused read-only before: ReadOnlySelfReplaceTests has the rest).
        try db.run("INSERT INTO node VALUES (1, NULL, 'old'), (3, NULL, 'old'), (5, 3, 'kept')")
        var options = ValidateOptions()
        options.replaceBy = ["id"]
        options.maxRejects = 3
        let dryRun = try db.load("node", csv: withoutIt) { $0.dryRun = true; $0.maxRejects = 3; $0.replaceBy = ["id"] }
        let replaced = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).node", input: .csv(path: try db.csvFile(withoutIt), options: CSVOptions()), options: options)
        #expect(replaced.wouldLoad && replaced.rejected == dryRun.rejected && replaced.deleted == dryRun.deleted && dryRun.deleted == 1,
                "\(summary(replaced)) \(replaced.notExact)")
        #expect(replaced.notExact.isEmpty, "\(replaced.notExact)")
    }

    /// A `--source` table checked in place on the standby: its rows' keys are present to
    /// each other (the relation itself), only the key nobody has is missing; and the
    /// table's own rows (no input), which the standby refused before.
    @Test func aSourceInPlaceAndTheTablesOwnRows() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE node (id int PRIMARY KEY, up int CONSTRAINT node_up REFERENCES node, name text);
            INSERT INTO node VALUES (1, NULL, 'root');
            CREATE TABLE incoming (LIKE node);
            INSERT INTO incoming VALUES (3, 2, 'c'), (2, 1, 'b'), (4, 77, 'd');
            """)
        #expect((try? db.load("node", input: .table("\(db.schema).incoming")) { $0.dryRun = true }) != nil)
        var options = ValidateOptions()
        options.inPlace = true
        let report = try Validator(connection: try standby(db)).run(table: "\(db.schema).node", input: .table("\(db.schema).incoming"), options: options)
        #expect(report.wouldLoad && report.foreignKeys.map { "\($0.missingKeys) \($0.fixableKeys)" } == ["1 1"], "\(summary(report)) \(report.notExact)")
        let own = try Validator(connection: try standby(db)).run(table: "\(db.schema).node", input: nil, options: ValidateOptions())
        #expect(own.wouldLoad && own.foreignKeys.map(\.missingKeys) == [0], "\(summary(own))")
    }

    /// A target that references itself in a cycle with its parents, which the standby
    /// refused before. Parents first (the cycle's FK into the target can wait), its own
    /// placeholders go in with the parents, as without the cycle. Target first (only its FK
    /// into the cycle can wait), the load puts the fact rows before the cycle's parents once
    /// they get new rows, and its placeholders after them: a row whose key of itself is new
    /// then stops the load at PostgreSQL's check, unless that FK is deferrable.
    @Test func aTargetInACycleWithItsParents() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE team (id text PRIMARY KEY, lead text);
            CREATE TABLE node (id text PRIMARY KEY, team text REFERENCES team, up text CONSTRAINT node_up REFERENCES node, name text);
            ALTER TABLE team ADD FOREIGN KEY (lead) REFERENCES node DEFERRABLE;
            INSERT INTO node VALUES ('n1', NULL, NULL, 'root');
            INSERT INTO team VALUES ('t1', 'n1');
            """)
        let placeholder = "id,team,up,name\nn2,t1,n1,a\nn3,t2,n2,b\nn4,t3,n9,c\nn5,t3,n4,d\n"
        #expect(dryRunLoads(db, placeholder))
        var readOnly = try validate(try standby(db), db, placeholder)
        #expect(summary(readOnly) == "true 3/2/2 [\"t2\"][3],[\"t3\"][4, 5]; 1/1/1 [\"n9\"][4]", "\(summary(readOnly)) \(readOnly.notExact)")
        try db.run("ALTER TABLE node ALTER name SET NOT NULL")
        #expect(!dryRunLoads(db, placeholder))
        readOnly = try validate(try standby(db), db, placeholder)
        #expect(!readOnly.wouldLoad, "\(summary(readOnly))")

        let first = try TestDatabase()
        try first.run("""
            \(TargetFirstCycle.schema)
            """)
        let newCycleRows = "id,c1,up\n100,N2,999\n101,K1,\n"
        let noCycleRows = "id,c1,up\n100,K1,999\n101,K1,100\n"
        #expect(!dryRunLoads(first, newCycleRows))
        readOnly = try validate(try standby(first), first, newCycleRows)
        #expect(!readOnly.wouldLoad && readOnly.foreignKeys.map(\.unfixableKeys) == [0, 1], "\(summary(readOnly))")
        #expect(readOnly.foreignKeys[1].reasons.contains { $0.contains("its own placeholder rows follow the fact rows") }, "\(readOnly.foreignKeys[1].reasons)")
        #expect(dryRunLoads(first, noCycleRows))
        #expect(try validate(try standby(first), first, noCycleRows).wouldLoad)
        try first.run("ALTER TABLE node ALTER CONSTRAINT node_up DEFERRABLE")
        #expect(dryRunLoads(first, newCycleRows))
        readOnly = try validate(try standby(first), first, newCycleRows)
        #expect(readOnly.wouldLoad, "\(summary(readOnly)) \(readOnly.notExact)")
    }
}
