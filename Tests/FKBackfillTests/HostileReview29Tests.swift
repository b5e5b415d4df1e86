@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 29: the set-based check's replica-mode code walk and where it starts,
/// error lines after quoted newlines. PostgreSQL is the oracle: the load never keeps a
/// row its own checks (here another table's FK, fired by the user's code) would refuse.
/// Each test failed on main at bba7009.
@Suite(.timeLimit(.minutes(30))) struct HostileReview29Tests {
    /// `side (n, owner_id → owner)`, empty owner; `writer(int)`, a VOLATILE PL/pgSQL
    /// function that inserts a `side` row no owner holds, behind `pure(int)`, an IMMUTABLE
    /// PL/pgSQL wrapper (PostgreSQL checks only the wrapper's own statements); the parent
    /// `p (k)` the facts reference.
    func sideWriter(_ db: TestDatabase) throws {
        try HostileReview27Tests.sideWriter(db)
        try db.run("CREATE FUNCTION pure(n int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN \(db.schema).writer(n); END $$")
    }

    /// The insert runs more of the user's code than DEFAULTs, CHECKs and domains: an
    /// index's expression or predicate, a partition key's expression, and the support
    /// function of an operator class an index or a partition key uses (the btree
    /// comparison a unique index calls, the hash function routing calls). On built-in
    /// column types with no DEFAULT or CHECK the walk was not even run ("no seed"), and
    /// it never looked at indexes or partition keys: each wrote `side (…, 999)` with no
    /// owner 999 under replica mode and the load committed (exit 0, "FK check:
    /// set-based"). Now indexes and partition keys seed the walk, and an operator class
    /// leads to its support functions: per-row, PostgreSQL refuses the side row, nothing
    /// is written; `--fk-check set-based` is refused.
    @Test(arguments: [
        "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p); CREATE INDEX ON fact ((%S.pure(id)))",
        "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p); CREATE INDEX ON fact (id) WHERE %S.pure(id) > 0",
        "CREATE TABLE fact (id int, k text REFERENCES p) PARTITION BY RANGE ((%S.pure(id))); "
            + "CREATE TABLE fact1 PARTITION OF fact FOR VALUES FROM (MINVALUE) TO (MAXVALUE)",
        "CREATE FUNCTION myhash(int, int8) RETURNS int8 LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM %S.writer($1); RETURN $1; END $$; "
            + "CREATE OPERATOR CLASS myops FOR TYPE int USING hash AS OPERATOR 1 =, FUNCTION 2 %S.myhash(int, int8); "
            + "CREATE TABLE fact (id int, k text REFERENCES p) PARTITION BY HASH (id %S.myops); "
            + "CREATE TABLE fact0 PARTITION OF fact FOR VALUES WITH (MODULUS 1, REMAINDER 0)",
        "CREATE FUNCTION mycmp(int, int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM %S.writer($1); RETURN btint4cmp($1, $2); END $$; "
            + "CREATE OPERATOR CLASS mybt FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, "
            + "FUNCTION 1 %S.mycmp(int, int); "
            + "CREATE TABLE fact (id int, k text REFERENCES p); CREATE UNIQUE INDEX ON fact (id %S.mybt)",
    ]) func indexesAndPartitionKeysAreWalkedToo(_ schema: String) throws {
        let db = try TestDatabase()
        try sideWriter(db)
        try db.run(schema.replacingOccurrences(of: "%S", with: db.schema))
        let text = "id,k\n1,A\n2,A\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: text) }
        #expect(try db.values("SELECT count(*) FROM ONLY side s WHERE NOT EXISTS (SELECT 1 FROM ONLY owner o WHERE o.id = s.owner_id)") == [["0"]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["0"]])
        let explicit = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: text) { $0.fkCheck = .setBased }
        }
        #expect(explicit.kind == .setBasedCheckUnsafe, "\(explicit)")
    }

    /// What must stay set-based: plain and unique indexes on built-in operator classes, a
    /// hash partition key, an expression index on built-in code, an extension's operator
    /// class in C (citext's): the walk finds nothing.
    @Test func builtInIndexesAndKeysStaySetBased() throws {
        let db = try TestDatabase()
        let ext = try StoredTruthTests.extensions(db)
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int, k text REFERENCES p, note text, tag \(ext.citext).citext) PARTITION BY HASH (id);
            CREATE TABLE fact0 PARTITION OF fact FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE fact1 PARTITION OF fact FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            CREATE UNIQUE INDEX ON fact (id); CREATE INDEX ON fact (lower(note)) WHERE note IS NOT NULL;
            CREATE UNIQUE INDEX ON fact (tag, id);
            """)
        let report = try db.load("fact", csv: "id,k,note,tag\n1,A,x,a\n2,B,,b\n")
        #expect(report.fkCheck == .setBased, "\(report.fkCheckNote ?? "")")
    }
    /// A non-unique index on an expression, or with a predicate, that fails on a value of
    /// the input (here `CAST(note AS int)` on "x"): PostgreSQL evaluates it at the insert
    /// and `load --dry-run` fails (22P02), but validate, staged and read-only, said would
    /// load with nothing in notExact (only partial or expression *unique* indexes were
    /// tried or named). Now each is evaluated over the input as the insert would: staged,
    /// would not load; read-only, named in notExact.
    @Test(arguments: ["CREATE INDEX ON fact ((CAST(note AS int)))", "CREATE INDEX ON fact (id) WHERE CAST(note AS int) > 0"])
    func aNonUniqueExpressionIndexThatFailsOnAValue(_ index: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text); " + index)
        let text = "id,k,note\n1,A,5\n2,A,x\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: text) { $0.dryRun = true } }
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(text), options: CSVOptions()))
        #expect(!reports[0].wouldLoad, "\(reports[0].notExact)")
        #expect(reports[0].prediction?.blockers.contains { $0.contains("invalid input syntax for type integer") } == true,
                "\(String(describing: reports[0].prediction?.blockers))")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("evaluating it raised") }, "\(reports[1].notExact)")
    }

    /// What does not raise stays exact: `lower(note)`, a predicate, a user function that
    /// raises only on a value the input does not have.
    @Test func expressionIndexesThatDoNotRaiseStayExact() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE FUNCTION strict_code(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
                BEGIN IF t = 'bad' THEN RAISE EXCEPTION 'bad code'; END IF; RETURN upper(t); END $$;
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, note text);
            CREATE INDEX ON fact (lower(note)) WHERE note IS NOT NULL;
            CREATE INDEX ON fact (\(db.schema).strict_code(note));
            """)
        let good = "id,k,note\n1,A,x\n2,B,\n"
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(good), options: CSVOptions()))
        for report in reports { #expect(report.wouldLoad && report.notExact.isEmpty, "\(report.notExact)") }
        #expect(try db.load("fact", csv: good).inserted == 2)
        // The user function raising on a value: the load fails, both validates say so.
        let bad = "id,k,note\n3,A,bad\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: bad) }
        let refused = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(bad), options: CSVOptions()))
        #expect(!refused[0].wouldLoad, "\(refused[0].notExact)")
        #expect(!refused[1].wouldLoad || refused[1].notExact.contains { $0.contains("bad code") }, "\(refused[1].notExact)")
    }

    /// An index over a column the input leaves to its DEFAULT: the insert's to evaluate.
    /// Staged, the fact insert is tried (and fails); read-only names the index.
    @Test func anIndexOverAColumnTheInsertFillsIsTriedOrNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, code text DEFAULT 'x');
            CREATE INDEX ON fact ((CAST(code AS int)));
            """)
        let text = "id,k\n1,A\n"
        #expect(throws: (any Error).self) { try db.load("fact", csv: text) { $0.dryRun = true } }
        let reports = try db.validateBothWays("fact", input: .csv(path: try db.csvFile(text), options: CSVOptions()))
        #expect(!reports[0].wouldLoad, "\(reports[0].notExact)")
        #expect(reports[0].prediction?.tried.contains { $0.contains("read what the input does not give") } == true,
                "\(String(describing: reports[0].prediction?.tried))")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("evaluated by the insert, not here") }, "\(reports[1].notExact)")
    }
}
