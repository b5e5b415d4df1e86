import FKBackfill
import Testing
import TestSupport

/// Values aggregated straight from the stage (`LoadStatements+Direct.swift`) keep what
/// the refs tables gave: every row behind a key once, whichever way it reaches the key.
@Suite struct DirectValuesTests {
    /// New portfolios feed two parents, their plan and their organisation. F1's rows all
    /// carry its plan but two organisations; F2's all carry its organisation but two plans.
    /// Rows reaching a key through a new portfolio count even where they name another key
    /// themselves: organisation G2 is derived from rows 1–3 (not only 2 and 3, which name
    /// it), plan P3 from rows 4–6, so their `kind` (most frequent, ties to the smallest)
    /// is a and x, not b and y. The shortcut for rows that add nothing (a portfolio whose
    /// rows all carry the key it derives) holds for one parent's columns only, and must
    /// not leave out the other parent's rows, whichever of the two comes first.
    @Test func rowsThroughANewParentCountForEachParentItFeeds() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text);
            CREATE TABLE org (code text PRIMARY KEY, kind text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan,
                                    org_code text REFERENCES org, kind text);
            CREATE TABLE fact (plan_code text REFERENCES plan, portfolio_code text REFERENCES portfolio,
                               org_code text REFERENCES org, kind text);
            """)
        let csv = "plan_code,portfolio_code,org_code,kind\nP1,F1,G1,a\nP1,F1,G2,b\nP1,F1,G2,c\nP2,F2,G3,x\nP3,F2,G3,y\nP3,F2,G3,z\n"
        let report = try db.load("fact", csv: csv)
        #expect(report.inserted == 6)
        #expect(try db.values("SELECT code, plan_code, org_code, kind FROM portfolio ORDER BY code")
            == [["F1", "P1", "G2", "a"], ["F2", "P3", "G3", "x"]])
        #expect(try db.values("SELECT code, kind FROM plan ORDER BY code") == [["P1", "a"], ["P2", "x"], ["P3", "x"]])
        #expect(try db.values("SELECT code, kind FROM org ORDER BY code") == [["G1", "a"], ["G2", "a"], ["G3", "x"]])
    }

    /// In fill mode a portfolio's plan is its existing row's plan where it has one: F1's
    /// rows all carry P1, but F1 belongs to P9, so they reach P9 through F1 and fill its
    /// `kind`, even though every one of them names P1 itself (no shortcut for a child in
    /// fill mode).
    @Test func inFillModeRowsReachTheExistingParentOfTheirParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan, kind text);
            CREATE TABLE fact (plan_code text REFERENCES plan, portfolio_code text REFERENCES portfolio, kind text);
            INSERT INTO plan VALUES ('P9', NULL); INSERT INTO portfolio VALUES ('F1', 'P9', NULL);
            """)
        let report = try db.load("fact", csv: "plan_code,portfolio_code,kind\nP1,F1,a\nP1,F1,a\n") { $0.mode = .fillNullOnly }
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT code, plan_code, kind FROM portfolio") == [["F1", "P9", "a"]])
        #expect(try db.values("SELECT code, kind FROM plan ORDER BY code") == [["P1", "a"], ["P9", "a"]])
    }
}
