import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Rejected rows: every input row is loaded or rejected with a reason.
@Suite struct RejectTests {
    static let csv = """
        org_code,n,code,amount
        G1,1,ab,10
        G2,x,ab,10
        G3,3,toolong,10
        G4,,ab,10
        G5,5,ab,-1
        "G6
        multi",6,ab,10
        "",7,ab,10
        G8,8,ab,10

        """

    func setup() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int NOT NULL, code varchar(3), amount int CHECK (amount >= 0));
            """)
        return db
    }

    @Test func badValuesAreRejectedWithReasonsAndTheRestLoads() throws {
        let db = try setup()
        let file = try db.csvFile("") + ".rejects.csv"
        let rules = try RulesParser.parse("blank:\n  on_blank: reject\n", file: "rules.yaml")
        let report = try db.load("fact", csv: Self.csv) {
            $0.maxRejects = 10
            $0.rejectFile = file
            $0.rejectTable = "rejects"
            $0.rules = rules
        }
        #expect(report.staged == 8)
        #expect(report.inserted == 3)
        #expect(report.rejected == 5)
        #expect(report.inserted + report.rejected == report.staged)
        #expect(try db.values("SELECT n::text FROM fact ORDER BY n") == [["1"], ["6"], ["8"]])
        #expect(try db.values("SELECT code FROM org ORDER BY code") == [["G1"], ["G6\nmulti"], ["G8"]])
        // The reject file keeps the file's line numbers (the multi-line record shifts later ones).
        let rejects = try String(contentsOfFile: file, encoding: .utf8)
        #expect(rejects == """
            line,reason,org_code,n,code,amount
            3,n: not a valid integer,G2,x,ab,10
            4,code: longer than 3 characters,G3,3,toolong,10
            5,n: NULL in a NOT NULL column,G4,,ab,10
            6,fails CHECK fact_amount_check,G5,5,ab,-1
            9,blank key in org_code,"",7,ab,10

            """)
        #expect(try db.values("SELECT line::text, reason, original->>'n' FROM rejects ORDER BY line") == [
            ["3", "n: not a valid integer", "x"], ["4", "code: longer than 3 characters", "3"],
            ["5", "n: NULL in a NOT NULL column", nil], ["6", "fails CHECK fact_amount_check", "5"],
            ["9", "blank key in org_code", "7"],
        ])
    }

    @Test func tooManyRejectsWriteTheFileButNothingElse() throws {
        let db = try setup()
        let file = try db.csvFile("") + ".rejects.csv"
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: Self.csv) {
                $0.maxRejects = 2
                $0.rejectFile = file
                $0.rejectTable = "rejects"
            }
        }
        #expect(error.kind == .tooManyRejects)
        #expect(error.category == .findings)
        #expect(error.message == "4 input rows rejected (at most 2 allowed), nothing was written")
        #expect(try db.count("fact") == 0)
        #expect(try db.count("org") == 0)
        #expect(try db.count("pg_class", "relname = 'rejects' AND relnamespace = '\(db.schema)'::regnamespace") == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 5)
    }

    @Test func withoutRejectOptionsABadValueStillFailsTheWholeRun() throws {
        let db = try setup()
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: Self.csv) }
        #expect(error.kind == .badInput(line: 3))
        #expect(error.message.contains(":3: invalid input syntax for type integer"))
        #expect(try db.count("fact") == 0)
    }
}

extension RejectTests {
    /// Every value converts: the file goes straight into the typed stage, and NULL and
    /// CHECK rejects still come with their lines.
    @Test func cleanValuesTakeTheTypedPathAndStillRejectNullsAndChecks() throws {
        let db = try setup()
        let file = try db.csvFile("") + ".rejects.csv"
        let statements = LockedBox<[String]>()
        let report = try db.load("fact", csv: "org_code,n,code,amount\n\"G1\nx\",1,ab,1\nG2,,ab,1\nG3,3,ab,-5\nG4,4,ab,4\n") {
            $0.maxRejects = 5
            $0.rejectFile = file
            $0.onStatement = { statements.append($0.description) }
        }
        #expect(report.inserted == 2)
        #expect(report.rejected == 2)
        #expect(!statements.value.contains { $0.contains("fkb_raw") })
        #expect(try String(contentsOfFile: file, encoding: .utf8) == """
            line,reason,org_code,n,code,amount
            4,n: NULL in a NOT NULL column,G2,,ab,1
            5,fails CHECK fact_amount_check,G3,3,ab,-5

            """)
    }
}
