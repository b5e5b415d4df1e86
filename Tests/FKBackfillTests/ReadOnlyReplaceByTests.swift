@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// `validate --replace-by` read-only (issue #29): a CSV streamed on the standby, and a
/// `--source` checked in place, against `load --dry-run --replace-by` on the primary. The
/// load deletes the target rows whose replace-by values an input row has before it
/// inserts, so their keys clash with nothing; a key another target row holds still does.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyReplaceByTests {
    func options(_ replaceBy: [String]) -> ValidateOptions {
        var options = ValidateOptions()
        options.replaceBy = replaceBy
        return options
    }

    func standby(_ db: TestDatabase) throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return standby
    }

    func readOnly(_ db: TestDatabase, _ csv: String, replaceBy: [String], table: String = "fact") throws -> ValidationReport {
        try Validator(connection: try standby(db)).run(
            table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options(replaceBy))
    }

    func staged(_ db: TestDatabase, _ csv: String, replaceBy: [String], table: String = "fact") throws -> ValidationReport {
        try Validator(connection: db.connection).run(
            table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options(replaceBy))
    }

    /// `load --dry-run --replace-by` on the primary: the rows it would delete, or nil when it fails.
    func dryRun(_ db: TestDatabase, _ csv: String, replaceBy: [String], table: String = "fact") -> Int? {
        try? db.load(table, csv: csv) { $0.dryRun = true; $0.replaceBy = replaceBy }.deleted
    }

    func problems(_ report: ValidationReport) -> [String] {
        report.columns.map { "\($0.column)|\($0.detail)|\($0.rows)|\($0.sampleLines)" }
    }

    /// Reloading a month: every key is already in the target, in rows the reload deletes.
    /// Without `--replace-by` each clashes; with it, the verdict is the dry run's, the same
    /// rows counted as deleted, on the standby, in place and staged.
    @Test func reloadingAMonth() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P1');
            CREATE TABLE fact (month date NOT NULL, ref text NOT NULL, plan_code text REFERENCES plan, n int,
                               CONSTRAINT one_ref UNIQUE (month, ref));
            INSERT INTO fact VALUES ('2024-01-01', 'r1', 'P1', 1), ('2024-01-01', 'r2', 'P1', 2), ('2024-01-01', 'r3', 'P1', 3),
                                    ('2024-02-01', 'r1', 'P1', 4);
            """)
        let csv = "month,ref,plan_code,n\n2024-01-01,r1,P1,10\n2024-01-01,r2,P2,20\n2024-01-01,r4,P1,40\n"
        #expect(dryRun(db, csv, replaceBy: []) == nil)
        let plain = try readOnly(db, csv, replaceBy: [])
        #expect(!plain.wouldLoad && problems(plain) == ["month, ref|key (month, ref) already in \(db.schema).fact (one_ref)|2|[2, 3]"], "\(problems(plain))")

        #expect(dryRun(db, csv, replaceBy: ["month"]) == 3)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(report.wouldLoad && report.columns.isEmpty && report.notExact.isEmpty, "\(problems(report)) \(report.notExact)")
        #expect(report.deleted == 3)
        #expect(report.foreignKeys.map(\.fixableKeys) == [1])
        let json = report.render(.json)
        #expect(json.contains("\"deleted\":3") || json.contains("\"deleted\" : 3"), "\(json)")
        #expect(report.render(.text).contains("--replace-by would delete 3 target rows before the insert"))
        let stagedReport = try staged(db, csv, replaceBy: ["month"])
        #expect(stagedReport.wouldLoad && stagedReport.prediction?.deleted == 3 && stagedReport.deleted == nil)

        // The same rows as a table with the target's types, checked in place on the standby.
        try db.run("""
            CREATE TABLE next_month (LIKE fact);
            INSERT INTO next_month VALUES ('2024-01-01', 'r1', 'P1', 10), ('2024-01-01', 'r2', 'P2', 20), ('2024-01-01', 'r4', 'P1', 40);
            """)
        var inPlace = options(["month"])
        inPlace.inPlace = true
        let source = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).fact", input: .table("\(db.schema).next_month"), options: inPlace)
        #expect(source.wouldLoad && source.columns.isEmpty && source.deleted == 3, "\(problems(source))")
        inPlace.replaceBy = []
        let unreplaced = try Validator(connection: try standby(db)).run(
            table: "\(db.schema).fact", input: .table("\(db.schema).next_month"), options: inPlace)
        #expect(!unreplaced.wouldLoad && unreplaced.deleted == nil && problems(unreplaced) == ["month, ref|key (month, ref) already in \(db.schema).fact (one_ref)|2|[]"],
                "\(problems(unreplaced))")
    }

    /// A key another month's row holds is not freed by reloading this month: it clashes,
    /// in the staged path's words, as the dry run fails.
    @Test func aKeyOfARowNotReplacedStillClashes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, ref text PRIMARY KEY, n int);
            INSERT INTO fact VALUES ('2024-01-01', 'r1', 1), ('2024-02-01', 'r5', 5);
            """)
        let csv = "month,ref,n\n2024-01-01,r1,10\n2024-01-01,r5,50\n"
        #expect(dryRun(db, csv, replaceBy: ["month"]) == nil)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(!report.wouldLoad)
        #expect(problems(report) == ["ref|key (ref) already in \(db.schema).fact (fact_pkey), not replaced by --replace-by|1|[3]"], "\(problems(report))")
        let stagedReport = try staged(db, csv, replaceBy: ["month"])
        #expect(stagedReport.prediction?.rejections.map { "\($0.reason) \($0.sampleLines)" }
            == ["key (ref) already in \(db.schema).fact (fact_pkey), not replaced by --replace-by [3]"])
    }

    /// The month that frees a key comes in a later batch: the clash the first batch
    /// cannot resolve alone is resolved after the last (and one that no batch frees is kept).
    @Test func aKeyFreedByALaterBatch() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, ref text PRIMARY KEY, n int);
            INSERT INTO fact VALUES ('2024-02-01', 'r10', 1), ('2024-03-01', 'r11', 2);
            """)
        var rows = ["month,ref,n"]
        for i in 0..<20_000 { rows.append("2024-01-01,r\(i),\(i)") }
        for i in 20_000..<25_000 { rows.append("2024-02-01,r\(i),\(i)") }
        let csv = rows.joined(separator: "\n") + "\n"
        // r11's row (line 13) clashes with March's, which nothing replaces.
        #expect(dryRun(db, csv, replaceBy: ["month"]) == nil)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(problems(report) == ["ref|key (ref) already in \(db.schema).fact (fact_pkey), not replaced by --replace-by|1|[13]"], "\(problems(report))")
        #expect(report.deleted == 1 && report.notExact.isEmpty, "\(report.notExact)")

        let freed = csv.replacingOccurrences(of: "\n2024-01-01,r11,11\n", with: "\n")
        #expect(dryRun(db, freed, replaceBy: ["month"]) == 1)
        let clean = try readOnly(db, freed, replaceBy: ["month"])
        #expect(clean.wouldLoad && clean.columns.isEmpty && clean.deleted == 1, "\(problems(clean))")
    }

    /// Compared with the column type's own equality, as the load compares: reloading
    /// `JAN` as `jan` (citext) replaces it, on the standby and staged (which compared
    /// with text's `=` before, and said the keys clash).
    @Test func theColumnsOwnEquality() throws {
        let db = try TestDatabase()
        let ext = try StoredTruthTests.extensions(db)
        try db.run("""
            CREATE TABLE fact (month \(ext.citext).citext, ref text PRIMARY KEY, n int);
            INSERT INTO fact VALUES ('JAN', 'r1', 1), ('JAN', 'r2', 2);
            """)
        let csv = "month,ref,n\njan,r1,10\njan,r2,20\n"
        #expect(dryRun(db, csv, replaceBy: ["month"]) == 2)
        let report = try readOnly(db, csv, replaceBy: ["month"])
        #expect(report.wouldLoad && report.deleted == 2, "\(problems(report))")
        let stagedReport = try staged(db, csv, replaceBy: ["month"])
        #expect(stagedReport.wouldLoad && stagedReport.prediction?.deleted == 2, "\(String(describing: stagedReport.prediction))")
    }

    /// A table whose FK may refuse the DELETE of a row it references: the staged path
    /// tries the DELETE; read-only evaluates NO ACTION (ReadOnlyReplaceChildTests) and
    /// names SET NULL as not evaluated (what it writes is the other table's).
    @Test func anFKThatMayRefuseTheDeleteIsNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, ref text PRIMARY KEY, n int);
            CREATE TABLE note (ref text CONSTRAINT note_ref REFERENCES fact ON DELETE SET NULL);
            INSERT INTO fact VALUES ('2024-01-01', 'r1', 1);
            """)
        let report = try readOnly(db, "month,ref,n\n2024-01-01,r1,10\n", replaceBy: ["month"])
        #expect(report.notExact.contains { $0.hasPrefix("FK note_ref of \(db.schema).note references rows --replace-by deletes") }, "\(report.notExact)")
    }

    /// With `--max-rejects`, a row set aside replaces nothing: October's only row fails its
    /// CHECK, so October's row keeps its key and the November row that has it clashes —
    /// two rows set aside, as the dry run sets aside, nothing deleted.
    @Test func aRowSetAsideReplacesNothing() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (month date NOT NULL, ref text PRIMARY KEY, n int CHECK (n >= 0));
            INSERT INTO fact VALUES ('2024-10-01', 'r5', 1);
            """)
        let csv = "month,ref,n\n2024-11-01,r1,1\n2024-10-01,r9,-1\n2024-11-01,r5,2\n"
        func dry(_ maxRejects: Int) -> LoadReport? {
            try? db.load("fact", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"]; $0.maxRejects = maxRejects }
        }
        func readOnly(_ maxRejects: Int) throws -> ValidationReport {
            var options = options(["month"])
            options.maxRejects = maxRejects
            return try Validator(connection: try standby(db)).run(
                table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        }
        #expect(dry(2).map { "\($0.rejected) \($0.deleted)" } == "2 0")
        let report = try readOnly(2)
        #expect(report.wouldLoad && report.rejected == 2 && report.deleted == 0, "\(problems(report)) \(report.notExact)")
        #expect(dry(1) == nil)
        #expect(try !readOnly(1).wouldLoad)
    }

    /// Without an input there is nothing to replace with: refused (it was silently ignored).
    @Test func withoutAnInputItIsRefused() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (month date NOT NULL, ref text PRIMARY KEY)")
        let error = try #require(throws: FKBackfillError.self) {
            _ = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: nil, options: options(["month"]))
        }
        #expect(error.kind == .invalidOptions && error.message.hasPrefix("--replace-by needs an input"), "\(error)")
    }
}
