@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// New parent rows' NOT NULL columns derived from an input column, validated read-only
/// (on the standby) against `load --dry-run`: a key whose every row has NULL there would
/// give the parent a NULL, which the batches find and merge exactly
/// (Validator+StreamedDerivations), across batches too.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyNewParentRowsTests {
    let notExact = ReadOnlyNotExactTests()

    func readOnly(_ db: TestDatabase, _ csv: String, rules: String? = nil) throws -> ValidationReport {
        try notExact.readOnly(db, "fact", csv, rules: rules)
    }

    func dryRunLoads(_ db: TestDatabase, _ csv: String, rules: String? = nil) throws -> Bool {
        try notExact.dryRunLoads(db, "fact", csv, rules: rules)
    }

    @Test func aSameNamedColumnNullOnEveryRowOfAKey() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE fact (code text REFERENCES p, name text);
            """)
        // N1's only row has no name; N2 has one. Then N1 gets a name 25,000 lines on: fine.
        let bad = "code,name\nN1,\nN2,x\n"
        #expect(try !dryRunLoads(db, bad))
        let report = try readOnly(db, bad)
        #expect(!report.wouldLoad)
        let fk = try #require(report.foreignKeys.first)
        #expect((fk.fixableKeys, fk.unfixableKeys) == (0, 2), "\(fk)")
        #expect(fk.reasons == ["\(db.schema).p.name is NOT NULL but input column name is NULL for all rows of 1 new keys"], "\(fk.reasons)")
        #expect(report.notExact.isEmpty, "\(report.notExact)")

        var rows = ["code,name", "N1,", "N2,x"]
        for i in 0..<25_000 { rows.append("N2,x\(i)") }
        rows.append("N1,late")
        let good = rows.joined(separator: "\n") + "\n"
        #expect(try dryRunLoads(db, good))
        let merged = try readOnly(db, good)
        #expect(merged.wouldLoad && merged.foreignKeys.first?.fixableKeys == 2, "\(merged.foreignKeys)")
    }

    /// A rule's pick that skips NULLs: the staged path's words for it; and a portfolio's
    /// plan code, from the fact's NOT NULL plan code, is never named (it cannot be NULL).
    /// (A parent reached from two places, the plan here, is named in notExact instead.)
    @Test func aRulesPickAndAColumnThatCannotBeNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan);
            CREATE TABLE org (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE fact (plan_code text NOT NULL REFERENCES plan, portfolio_code text REFERENCES portfolio,
                               org_code text REFERENCES org, customer text);
            INSERT INTO org VALUES ('G1', 'someone');
            """)
        let rules = "tables:\n  \(db.schema).org:\n    columns:\n      owner: { from: customer, pick: first }\n"
        let bad = "plan_code,portfolio_code,org_code,customer\nP2,F1,G2,\nP1,F2,G1,c\n"
        #expect(try !dryRunLoads(db, bad, rules: rules))
        let report = try readOnly(db, bad, rules: rules)
        #expect(!report.wouldLoad)
        let org = try #require(report.foreignKeys.first { $0.referencedTable.name == "org" })
        #expect(org.reasons == ["1 new rows of \(db.schema).org: owner is NOT NULL but its rule gives NULL"], "\(org.reasons)")
        #expect(report.notExact.isEmpty, "\(report.notExact)")
        let good = "plan_code,portfolio_code,org_code,customer\nP2,F1,G2,c\n"
        #expect(try dryRunLoads(db, good, rules: rules))
        #expect(try readOnly(db, good, rules: rules).wouldLoad)
    }

    /// Differential 555 case 418: plans are maintained elsewhere (mode: skip); new
    /// portfolios take their plan from the fact's plan code, every one of which the plans
    /// hold: the load inserts the portfolios and needs no plan. Read-only called the
    /// portfolios unfixable ("need rows in plan, whose mode is skip"); and with a plan code
    /// the plans lack, both refuse.
    @Test func aGrandparentMaintainedElsewhereThatHoldsEveryKey() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan);
            CREATE TABLE fact (plan_code text NOT NULL REFERENCES plan, portfolio_code text REFERENCES portfolio);
            INSERT INTO plan VALUES ('P1'), ('P2');
            """)
        let rules = "tables:\n  \(db.schema).plan:\n    mode: skip\n"
        let held = "plan_code,portfolio_code\nP1,F1\nP2,F2\n"
        #expect(try dryRunLoads(db, held, rules: rules))
        let report = try readOnly(db, held, rules: rules)
        #expect(report.wouldLoad, "\(report.foreignKeys)")
        let lacking = "plan_code,portfolio_code\nP9,F1\n"
        #expect(try !dryRunLoads(db, lacking, rules: rules))
        #expect(try !readOnly(db, lacking, rules: rules).wouldLoad)
    }

    /// A parent in a cycle with the target whose new rows point back at it by a value of one
    /// input row (a rule's pick of the target's own key, or of an FK of it whose keys are all
    /// given): those rows are loaded, so no placeholder of the target is needed, and one it
    /// could not take (a NOT NULL note) does not matter. Read-only said "would not load".
    @Test func aCycleParentsKeyTakenFromARowLoaded() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id text PRIMARY KEY, team text, mentor text, note text NOT NULL);
            CREATE TABLE team (id text PRIMARY KEY, lead text REFERENCES fact DEFERRABLE);
            ALTER TABLE fact ADD FOREIGN KEY (team) REFERENCES team;
            """)
        let csv = "id,team,mentor,note\np2,t1,,a\np3,t2,p2,b\np4,t2,p9,c\n"
        for pick in ["first", "last", "min", "max", "most_frequent", "{ max_by: note }"] {
            let rules = "tables:\n  \(db.schema).team:\n    columns:\n      lead: { from: id, pick: \(pick) }\n"
            #expect(try dryRunLoads(db, csv, rules: rules), "\(pick)")
            let report = try readOnly(db, csv, rules: rules)
            #expect(report.wouldLoad, "\(pick): \(report.foreignKeys.map(\.reasons))")
        }
        // From another column, a key no row gives: the placeholder it needs cannot be written.
        let mentor = "tables:\n  \(db.schema).team:\n    columns:\n      lead: { from: mentor, pick: max }\n"
        #expect(try !dryRunLoads(db, csv, rules: mentor))
        #expect(try !readOnly(db, csv, rules: mentor).wouldLoad)
    }
}
