@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A target that references itself, validated read-only with `--replace-by` (issue #29):
/// the load deletes the rows the input's replace-by values match, where its FK to itself
/// refuses (NO ACTION, RESTRICT), cascades or sets NULL, then adds its own placeholders
/// and inserts. Every case runs validate on the standby and `load --dry-run` on the
/// primary, under each ON DELETE action: the same verdict, deleted rows, new rows of the
/// target itself and rows set aside, and where the load fails, its refused key or row.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlySelfReplaceTests {
    /// One input: its CSV (columns id, boss, dept), --max-rejects, and whether validate
    /// may say what it cannot know instead (`exact` false: notExact must say something
    /// whenever the verdicts differ).
    struct Case {
        var name: String
        var csv: String
        var maxRejects = 0
        var exact = true
    }

    /// What a run found, compared: the verdict, rows deleted, new rows of the target, rows set aside.
    struct Outcome: Equatable, CustomStringConvertible {
        var loads: Bool
        var deleted: Int
        var newRows: Int
        var rejected: Int
        var description: String { "loads \(loads), deleted \(deleted), new \(newRows), set aside \(rejected)" }
    }

    /// The employees: a and b reference each other's rows, c stands alone.
    static let rows = "(1, NULL, 'a'), (2, 1, 'a'), (3, 2, 'b'), (4, 1, 'b'), (5, NULL, 'c'), (8, 5, 'c')"

    static let cases: [Case] = [
        // Reloading a re-gives 1 and 2, but b's rows reference them at the DELETE.
        Case(name: "re-given keys", csv: "id,boss,dept\n1,,a\n2,1,a\n6,2,a\n"),
        // Reloading b: nobody else references 3 or 4; 7 references 4, which the input gives again.
        Case(name: "a department nobody references", csv: "id,boss,dept\n3,2,b\n4,5,b\n7,4,b\n"),
        // 2 is deleted and not given again: its placeholder; 3 (kept or cascaded) referenced it.
        Case(name: "a deleted key not given again", csv: "id,boss,dept\n1,,a\n6,2,a\n"),
        // 6 references 3, which only b's row holds: cascaded away under CASCADE.
        Case(name: "a key of a row the DELETE cascades to", csv: "id,boss,dept\n1,,a\n2,1,a\n6,3,a\n"),
        // ... and given again by the input: no clash once cascaded (the load marks none first).
        Case(name: "a cascaded key given again", csv: "id,boss,dept\n1,,a\n2,1,a\n6,3,a\n3,2,a\n"),
        // With --max-rejects the load marks the clash before the DELETE (its row set aside),
        // and 6 then references a key the cascade takes: validate says it checked it as loaded.
        Case(name: "a cascaded key given again, rejects allowed", csv: "id,boss,dept\n1,,a\n2,1,a\n6,3,a\n3,2,a\n", maxRejects: 2, exact: false),
        // A row set aside replaces nothing: a's rows stay, and b's references to them are fine.
        Case(name: "a row set aside deletes nothing", csv: "id,boss,dept\n6,5,c\nx,1,a\n", maxRejects: 1),
        // A key a kept row holds (5) and one clashing with a kept row (8 of c, reloading a).
        Case(name: "a key a kept row holds, and a clash", csv: "id,boss,dept\n1,,a\n2,5,a\n8,1,a\n"),
        // (The row set aside for the clash is resolved after the last batch, its keys checked as if it loaded: notExact.)
        Case(name: "a clash set aside", csv: "id,boss,dept\n1,,a\n2,5,a\n8,1,a\n", maxRejects: 1, exact: false),
    ]

    /// The ON DELETE actions of the FK to itself (SET DEFAULT of a column without a DEFAULT sets NULL).
    static let actions = ["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]

    func oracle(_ db: TestDatabase, _ test: Case) -> (Outcome, FKBackfillError?) {
        do {
            let report = try db.load("e", csv: test.csv) { $0.dryRun = true; $0.replaceBy = ["dept"]; $0.maxRejects = test.maxRejects }
            return (Outcome(loads: true, deleted: report.deleted, newRows: report.parent("e")?.inserted ?? 0, rejected: report.rejected), nil)
        } catch let error as FKBackfillError {
            return (Outcome(loads: false, deleted: 0, newRows: 0, rejected: 0), error)
        } catch {
            Issue.record("\(error)")
            return (Outcome(loads: false, deleted: 0, newRows: 0, rejected: 0), nil)
        }
    }

    func validate(_ standby: Connection, _ db: TestDatabase, _ csv: String, maxRejects: Int) throws -> ValidationReport {
        var options = ValidateOptions()
        options.replaceBy = ["dept"]
        options.maxRejects = maxRejects
        return try Validator(connection: standby).run(
            table: "\(db.schema).e", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
    }

    func outcome(_ report: ValidationReport) -> Outcome {
        let own = report.foreignKeys.filter { $0.referencedTable == report.table }
        return Outcome(loads: report.wouldLoad, deleted: report.wouldLoad ? report.deleted ?? 0 : 0,
                       newRows: report.wouldLoad ? own.reduce(0) { $0 + $1.fixableKeys } : 0, rejected: report.wouldLoad ? report.rejected ?? 0 : 0)
    }

    /// Where the load failed, what of its words the report must have: the key PostgreSQL
    /// names (still referenced, or violating the FK after the cascade) or the clash.
    func refusal(_ error: FKBackfillError, _ report: ValidationReport) -> String? {
        let said = ([error.message] + error.details).joined(separator: " ")
        let reasons = report.foreignKeys.flatMap(\.reasons).joined(separator: " ")
        if said.contains("still referenced") {
            guard let key = said.firstMatch(of: /\(id\)=\((\d+)\)/)?.1 else { return "no key in \(said)" }
            return reasons.contains("still referenced") && reasons.contains("(\(key))") ? nil : "no (\(key)) still referenced in \(reasons)"
        }
        if said.contains("violate e_boss_fkey") {
            guard let key = said.firstMatch(of: /keys (\d+)/)?.1 else { return "no key in \(said)" }
            return reasons.contains("ON DELETE CASCADE") && reasons.contains("(\(key))") ? nil : "no cascaded (\(key)) in \(reasons)"
        }
        if said.contains("duplicate key") || said.contains("already in") {
            return report.columns.contains { $0.problem == .keyExists } ? nil : "no clash in \(report.columns.map(\.detail))"
        }
        if said.contains("rejected (at most") { return report.rejected ?? 0 > report.maxRejects ? nil : "not too many set aside" }
        return "unexpected refusal \(said)"
    }

    @Test(arguments: actions) func theDryRunsVerdict(_ action: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE e (id int PRIMARY KEY, boss int CONSTRAINT e_boss_fkey REFERENCES e ON DELETE \(action), dept text);
            INSERT INTO e VALUES \(Self.rows);
            """)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var verdicts = Set<Bool>()
        defer { #expect(verdicts == [true, false], "\(action): every case \(verdicts)") }
        for test in Self.cases {
            let (expected, error) = oracle(db, test)
            verdicts.insert(expected.loads)
            let report = try validate(standby, db, test.csv, maxRejects: test.maxRejects)
            let found = outcome(report)
            if test.exact {
                #expect(report.notExact.isEmpty, "\(action), \(test.name): \(report.notExact)")
            }
            if report.notExact.isEmpty {
                #expect(found == expected, "\(action), \(test.name): validate \(found), load --dry-run \(expected) \(report.foreignKeys.map(\.reasons))")
                if let error, !found.loads { #expect(refusal(error, report) == nil, "\(action), \(test.name): \(refusal(error, report) ?? "")") }
            } else {
                #expect(found.loads == expected.loads || !test.exact, "\(action), \(test.name): \(found) vs \(expected) \(report.notExact)")
            }
        }
    }

    /// Batches: the rows of the department reloaded reference each other across 25,000
    /// lines, one a deleted key (2) only the last batch gives again, one a kept row's key
    /// (5), one a deleted key nobody gives (9: its placeholder); b's rows, which reference
    /// a's, are reloaded too. Then one more row of b, not reloaded, still references a row
    /// the DELETE removes: PostgreSQL refuses the DELETE, whatever the batches gave.
    @Test func acrossBatches() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE e (id int PRIMARY KEY, boss int CONSTRAINT e_boss_fkey REFERENCES e, dept text);
            INSERT INTO e VALUES \(Self.rows), (9, 8, 'a');
            """)
        var rows = ["id,boss,dept", "100,2,a", "101,5,a", "102,9,b"]
        for id in 103..<25_100 { rows.append("\(id),\(id + 1),a") }
        rows += ["25100,1,a", "1,,a", "2,1,a", "3,2,b", "4,1,b"]
        let csv = rows.joined(separator: "\n") + "\n"
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let (expected, _) = oracle(db, Case(name: "batches", csv: csv))
        #expect(expected == Outcome(loads: true, deleted: 5, newRows: 1, rejected: 0), "\(expected)")
        let report = try validate(standby, db, csv, maxRejects: 0)
        #expect(outcome(report) == expected && report.notExact.isEmpty, "\(outcome(report)) \(report.notExact)")
        #expect(report.foreignKeys.first?.samples.map(\.key) == [["9"]] && report.foreignKeys.first?.samples.first?.lines == [4])

        try db.run("INSERT INTO e VALUES (11, 3, 'd')")
        try Standby.waitForReplay(of: db.connection, on: standby)
        let (refused, error) = oracle(db, Case(name: "batches", csv: csv))
        #expect(!refused.loads && error?.message.contains("still referenced") == true)
        let stopped = try validate(standby, db, csv, maxRejects: 0)
        #expect(!stopped.wouldLoad && stopped.notExact.isEmpty, "\(stopped.foreignKeys.map(\.reasons)) \(stopped.notExact)")
        #expect(stopped.foreignKeys.flatMap(\.reasons) == [
            "--replace-by would delete rows of \(db.schema).e that are still referenced (e_boss_fkey ON DELETE NO ACTION): "
                + "1 row of \(db.schema).e it keeps references rows it deletes by e_boss_fkey (keys (3))",
        ])
    }

    /// What validate cannot know names itself: a deferred FK (the input or a placeholder
    /// may give the key again by its check), SET DEFAULT to a key, SET NULL under a CHECK.
    @Test func whatIsNotEvaluatedIsNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE e (id int PRIMARY KEY, boss int CONSTRAINT e_boss_fkey REFERENCES e DEFERRABLE INITIALLY DEFERRED, dept text);
            INSERT INTO e VALUES \(Self.rows);
            """)
        let standby = try Standby.connect()
        let csv = "id,boss,dept\n1,,a\n2,1,a\n"
        let cases: [(String, String)] = [
            ("", "is checked at the end of the load (deferred)"),
            ("ALTER TABLE e DROP CONSTRAINT e_boss_fkey, ALTER boss SET DEFAULT 5, "
                + "ADD CONSTRAINT e_boss_fkey FOREIGN KEY (boss) REFERENCES e ON DELETE SET DEFAULT", "whether that key is there after the DELETE"),
            ("ALTER TABLE e DROP CONSTRAINT e_boss_fkey, ALTER boss DROP DEFAULT, ADD CONSTRAINT boss_set CHECK (boss IS NOT NULL OR dept IS NOT NULL), "
                + "ADD CONSTRAINT e_boss_fkey FOREIGN KEY (boss) REFERENCES e ON DELETE SET NULL", "CHECK boss_set of"),
        ]
        for (change, named) in cases {
            if !change.isEmpty { try db.run(change) }
            try Standby.waitForReplay(of: db.connection, on: standby)
            #expect(oracle(db, Case(name: named, csv: csv)).0.loads)
            let report = try validate(standby, db, csv, maxRejects: 0)
            #expect(report.wouldLoad && report.notExact.contains { $0.contains(named) }, "\(report.notExact)")
        }
    }
}
