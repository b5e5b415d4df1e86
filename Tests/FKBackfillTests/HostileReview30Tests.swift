@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 30 of d87178f (non-unique expression and partial indexes evaluated in
/// validate, as the insert does). PostgreSQL is the oracle: `load --dry-run` on the
/// primary; validate staged and on the standby must agree with it or say why not. Each
/// test failed on main at 74ebd86.
@Suite(.timeLimit(.minutes(30))) struct HostileReview30Tests {
    /// A non-unique expression index declared on one partition only (not on the
    /// partitioned table): the insert routed to that partition evaluates it and fails
    /// (22P02), but validate read only the partitioned table's indexes and said would
    /// load with nothing in notExact, staged and read-only. Now it is a partition's own
    /// index like a CHECK or unique index there: the fact insert is tried, or it is named.
    @Test(arguments: ["CREATE INDEX ON fact1 ((CAST(note AS int)))", "CREATE INDEX ON fact1 (id) WHERE CAST(note AS int) > 0"])
    func aPartitionsOwnExpressionIndex(_ index: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int, k text REFERENCES p, note text) PARTITION BY RANGE (id);
            CREATE TABLE fact1 PARTITION OF fact FOR VALUES FROM (0) TO (100);
            """ + index)
        let text = "id,k,note\n1,A,5\n2,A,x\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: text) { $0.dryRun = true } }
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(text), options: CSVOptions()))
        #expect(!reports[0].wouldLoad, "\(reports[0].notExact)")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("a partition's own") }, "\(reports[1].notExact)")
    }

    /// An index whose expression takes the whole row (`fact_len(fact.*)`), with a
    /// predicate over a column so it has one to read: staged, its text was evaluated over
    /// the stage, where `fact` is no relation ("missing FROM-clause entry"), and validate
    /// said would not load with that as the load's blocker, where the load loads. Now it
    /// is what the input cannot evaluate by name: the fact insert is tried (and loads);
    /// read-only names it.
    @Test func aWholeRowIndexExpression() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text);
            CREATE FUNCTION fact_len(fact) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT length($1.note)';
            CREATE INDEX ON fact ((\(db.schema).fact_len(fact.*))) WHERE note IS NOT NULL;
            """)
        let text = "id,k,note\n1,A,5\n2,A,x\n"
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(text), options: CSVOptions()))
        #expect(reports[0].wouldLoad, "\(String(describing: reports[0].prediction?.blockers))")
        #expect(reports[1].wouldLoad, "\(reports[1].columns)")
        #expect(reports[1].notExact.contains { $0.contains("evaluated by the insert, not here") }, "\(reports[1].notExact)")
        #expect(try db.load("fact", csv: text).inserted == 2)
    }

    /// A predicate that compares under the column's own collation (`note < 'a'` on an
    /// "und-x-icu" column, where 'Z' sorts after 'a'; under the database's C.UTF-8 it
    /// sorts before): the insert does not evaluate `CAST(note AS int)` for "Z" and loads,
    /// but staged validate evaluated it over the stage, typed by the type alone, and said
    /// would not load. Now the stage's columns are read under the table's collations.
    @Test func aPredicateUnderTheColumnsCollation() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text COLLATE "und-x-icu");
            CREATE INDEX ON fact ((CAST(note AS int))) WHERE note < 'a';
            """)
        let text = "id,k,note\n1,A,Z\n"
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(text), options: CSVOptions()))
        for report in reports {
            #expect(report.wouldLoad && report.notExact.isEmpty, "\(String(describing: report.prediction?.blockers)) \(report.notExact)")
        }
        #expect(try db.load("fact", csv: text).inserted == 1)
    }

    /// A target-first cycle (`node.c1 → p1`, `p1.tid NOT NULL → node`, new keys of p1):
    /// the fact rows go in with c1 NULL and an UPDATE sets it once p1 has its rows, so
    /// the insert evaluates `CAST(note AS int) … WHERE c1 IS NULL` and fails on "x".
    /// Read-only validate evaluated the index on the input's c1 ('N2': the predicate
    /// false) and said would load with nothing in notExact. Now an index reading such a
    /// column is the insert's to evaluate: named read-only, tried staged. Without new
    /// rows in the cycle c1 goes in as given: staged, that loads and validates.
    @Test func anIndexOverATargetFirstCyclesNulledColumn() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (code text PRIMARY KEY, name text);
            CREATE TABLE node (id int PRIMARY KEY, c1 text REFERENCES p1, note text);
            ALTER TABLE p1 ADD COLUMN tid int, ADD CONSTRAINT p1_tid FOREIGN KEY (tid) REFERENCES node (id);
            INSERT INTO p1 (code, name) VALUES ('K1', 'old');
            INSERT INTO node (id, c1) VALUES (1, 'K1');
            UPDATE p1 SET tid = 1; ALTER TABLE p1 ALTER COLUMN tid SET NOT NULL;
            CREATE INDEX ON node ((CAST(note AS int))) WHERE c1 IS NULL;
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).p1:\n    columns:\n      tid: { from: id, pick: first }\n", file: "rules.yaml")
        var options = ValidateOptions()
        options.rules = rules
        let newCycleRows = "id,c1,note\n100,N2,x\n"
        #expect(throws: (any Error).self) { try db.load("node", csv: newCycleRows) { $0.dryRun = true; $0.rules = rules } }
        let reports = try db.validateBothWays("node", input: .csv(path: try db.csvFile(newCycleRows), options: CSVOptions()), options: options)
        #expect(!reports[0].wouldLoad, "\(reports[0].notExact)")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("evaluated by the insert, not here") }, "\(reports[1].notExact)")
        let noCycleRows = "id,c1,note\n101,K1,x\n"
        let staged = try db.validateBothWays("node", input: .csv(path: try db.csvFile(noCycleRows), options: CSVOptions()), options: options)[0]
        #expect(staged.wouldLoad, "\(String(describing: staged.prediction?.blockers))")
        #expect(try db.load("node", csv: noCycleRows) { $0.rules = rules }.inserted == 1)
    }

    /// Read-only, the batches evaluate indexes on built-in code in one statement (cost:
    /// one statement per index rebuilt the batch each time); where one raises, each runs
    /// alone, so notExact names the one that raised, not its neighbours.
    @Test func builtInIndexesTogetherNameTheOneThatRaises() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text, code text);
            CREATE INDEX lower_note ON fact (lower(note));
            CREATE INDEX int_code ON fact ((CAST(code AS int))) WHERE note IS NOT NULL;
            CREATE INDEX upper_note ON fact (upper(note));
            """)
        let good = "id,k,note,code\n1,A,a,5\n"
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(good), options: CSVOptions()))
        for report in reports { #expect(report.wouldLoad && report.notExact.isEmpty, "\(report.notExact)") }
        let bad = "id,k,note,code\n1,A,a,5\n2,A,b,x\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: bad) { $0.dryRun = true } }
        let refused = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(bad), options: CSVOptions()))
        #expect(!refused[0].wouldLoad)
        #expect(refused[1].notExact.filter { $0.contains("evaluating it raised") }.count == 1, "\(refused[1].notExact)")
        #expect(refused[1].notExact.contains { $0.contains("int_code") && $0.contains("evaluating it raised") }, "\(refused[1].notExact)")
    }

    /// An index on two expressions where the second raises (`CAST(code AS int)` on "x",
    /// a cast to a domain whose CHECK refuses 0): the insert evaluates both, but the
    /// evaluation's `ROW(e1, e2) IS NULL` is planned as `e1 IS NULL AND e2 IS NULL`,
    /// which stops at the first non-NULL value: validate said would load with nothing in
    /// notExact, staged and read-only. Now every expression is an aggregate's argument.
    @Test(arguments: ["CREATE INDEX ON fact ((CAST(note AS int)), (CAST(code AS int)))",
                      "CREATE DOMAIN posint AS int CHECK (VALUE > 0); CREATE INDEX ON fact (note, (CAST(code AS posint)))"])
    func theSecondExpressionOfAnIndex(_ index: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text, code text); " + index)
        let bad = "id,k,note,code\n1,A,5,x\n".replacingOccurrences(of: ",x", with: index.contains("posint") ? ",0" : ",x")
        #expect(throws: (any Error).self) { try db.load("fact", csv: bad) { $0.dryRun = true } }
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(bad), options: CSVOptions()))
        #expect(!reports[0].wouldLoad, "\(String(describing: reports[0].prediction?.blockers))")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("evaluating it raised") }, "\(reports[1].notExact)")
        let good = "id,k,note,code\n1,A,5,7\n"
        for report in try db.validateBothWays("fact", input: .csv(path: try db.csvFile(good), options: CSVOptions())) {
            #expect(report.wouldLoad && report.notExact.isEmpty, "\(report.notExact)")
        }
    }
}
