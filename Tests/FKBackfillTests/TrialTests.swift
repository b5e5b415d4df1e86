import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What only PostgreSQL can tell, asked of PostgreSQL: validate tries the write steps a
/// parent's or the target's own code and constraints decide in a savepoint it rolls back,
/// and its verdict is the load's; the load says what PostgreSQL refused as a finding
/// (exit 1) naming the constraint, never a bare SQLSTATE (issues #23 and #24).
@Suite(.timeLimit(.minutes(30))) struct TrialTests {
    /// A placeholder row that collides on the parent's other unique key or its exclusion
    /// constraint: the load stops (blocked, exit 1) naming the constraint and the key,
    /// with nothing written; validate predicts exactly that.
    @Test(arguments: ["UNIQUE (name)", "EXCLUDE USING btree (name WITH =)"])
    func aPlaceholderCollidingOnAnotherConstraintIsAFinding(constraint: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text NOT NULL DEFAULT 'unnamed', \(constraint));
            INSERT INTO plan VALUES ('P0', 'unnamed');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            """)
        let csv = "plan_code,n\nP0,1\nP1,2\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .blocked, "\(error)")
        #expect(error.message.contains("new rows of \(db.schema).plan were refused") && error.message.contains("plan_name"), "\(error.message)")
        #expect(error.details.contains { $0.contains("(name)=(unnamed)") }, "\(error.details)")
        #expect(try db.count("plan") == 1 && db.count("fact") == 0)
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad)
        #expect(predicted.blockers.contains { $0.contains("plan_name") }, "\(predicted.blockers)")
        #expect(predicted.tried.contains { $0.contains("of \(db.schema).plan") }, "\(predicted.tried)")
    }

    /// An exclusion constraint on the target: the load's refusal is a finding naming it,
    /// and validate, which tries the insert, predicts it.
    @Test func anExclusionConstraintOnTheTargetIsAFinding() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (plan_code text REFERENCES plan, slot int, EXCLUDE USING btree (slot WITH =));
            INSERT INTO fact VALUES ('P0', 1);
            """)
        let csv = "plan_code,slot\nP0,2\nP1,1\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .rowRefused(line: nil), "\(error)")
        #expect(error.message.contains("exclusion constraint \"fact_slot_excl\""), "\(error.message)")
        #expect(try db.count("plan") == 1 && db.count("fact") == 1)
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad)
        #expect(predicted.blockers.contains { $0.contains("fact_slot_excl") }, "\(predicted.blockers)")
    }

    /// A BEFORE INSERT trigger on the target that skips some rows: validate's counts are
    /// the insert's own, and exact.
    @Test func rowsATargetTriggerSkipsArePredictedExactly() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION skip_negative() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.n < 0 THEN RETURN NULL; END IF; RETURN NEW; END $$;
            CREATE TRIGGER skip_negative BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION skip_negative();
            """)
        let csv = "plan_code,n\nP1,1\nP2,-1\nP1,3\n"
        let predicted = try db.predict("fact", csv: csv)
        #expect(predicted.wouldLoad && predicted.exact, "\(predicted.notExact)")
        #expect(predicted.inserted == 2 && predicted.skipped == 1)
        #expect(predicted.tried.contains { $0.contains("skip_negative") }, "\(predicted.tried)")
        let report = try db.load("fact", csv: csv)
        #expect(report.inserted == 2 && report.skipped == 1)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// A trigger that refuses a row with RAISE EXCEPTION is the user's own check: the
    /// load's refusal is a finding with the trigger's words, and validate predicts it.
    @Test func aTriggerThatRaisesIsAFinding() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION no_big() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.n > 100 THEN RAISE EXCEPTION 'n % is too big', NEW.n; END IF; RETURN NEW; END $$;
            CREATE TRIGGER no_big BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION no_big();
            """)
        let csv = "plan_code,n\nP1,1\nP1,500\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .rowRefused(line: nil), "\(error)")
        #expect(error.message.contains("n 500 is too big"), "\(error.message)")
        #expect(try db.count("plan") == 0)
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad)
        #expect(predicted.blockers.contains { $0.contains("n 500 is too big") }, "\(predicted.blockers)")
    }

    /// A NOT NULL column whose DEFAULT is NULL, left out of the input, is as missing as one
    /// with no default (a partition's own DEFAULT does not apply when the server routes):
    /// the load refuses the input before writing, and validate says so.
    @Test func aNotNullColumnDefaultingToNullIsMissing() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (kind text NOT NULL, c3 varchar(6) NOT NULL DEFAULT NULL, n int) PARTITION BY LIST (kind);
            CREATE TABLE fact_b PARTITION OF fact FOR VALUES IN ('b');
            ALTER TABLE fact_b ALTER COLUMN c3 SET DEFAULT 'P8';
            """)
        let csv = "kind,n\nb,1\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .badInput(line: 1), "\(error)")
        #expect(error.message.contains("column c3"), "\(error.message)")
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad && predicted.blockers.contains { $0.contains("column c3") }, "\(predicted.blockers)")
        #expect(try db.count("fact") == 0)
    }

    /// `--replace-by` deleting a row another table still references (NO ACTION): the
    /// load's refusal is a finding naming the FK, and validate, which tries the DELETE,
    /// predicts it (open finding R1 of the differential).
    @Test func aReplacedRowStillReferencedIsAFinding() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, batch int);
            INSERT INTO fact VALUES (1, 1);
            CREATE TABLE note (fact_id int REFERENCES fact);
            INSERT INTO note VALUES (1);
            """)
        let csv = "id,batch\n2,1\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) { $0.replaceBy = ["batch"] } }
        #expect(error.kind == .blocked, "\(error)")
        #expect(error.message.contains("still referenced") && error.message.contains("note_fact_id_fkey"), "\(error.message)")
        var options = ValidateOptions()
        options.replaceBy = ["batch"]
        let report = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        let predicted = try #require(report.prediction)
        #expect(!predicted.wouldLoad && predicted.blockers.contains { $0.contains("still referenced") }, "\(predicted.blockers)")
        #expect(predicted.tried.contains { $0.contains("note_fact_id_fkey") }, "\(predicted.tried)")
        #expect(try db.count("fact") == 1)
    }

    /// A partitioned parent with no partition for a new key (and no default partition):
    /// the load's refusal names the parent, and validate, which tries its insert, agrees.
    @Test func aParentWithNoPartitionForANewKeyIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY) PARTITION BY LIST (code);
            CREATE TABLE p_a PARTITION OF p FOR VALUES IN ('A');
            CREATE TABLE f (id int, code text REFERENCES p);
            """)
        let csv = "id,code\n1,A\n2,B\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("f", csv: csv) }
        #expect(error.kind == .blocked && error.message.contains("no partition"), "\(error)")
        let predicted = try db.predict("f", csv: csv)
        #expect(!predicted.wouldLoad && predicted.blockers.contains { $0.contains("no partition") }, "\(predicted.blockers)")
        #expect(try db.count("p") == 0)
    }

    /// Row-level security hiding an existing parent row from the loading role (issue #24
    /// item 6): the hidden key looks missing, and inserting it is refused. validate, which
    /// tries the parent's insert, says what the load says, with the same hint.
    @Test func aParentRowHiddenByRowLevelSecurityIsPredicted() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_rls"
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, name text);
            INSERT INTO p VALUES ('K1', 'a'), ('K2', 'b');
            ALTER TABLE p ENABLE ROW LEVEL SECURITY;
            CREATE POLICY hide ON p USING (code <> 'K2') WITH CHECK (true);
            CREATE TABLE f (id int, code text REFERENCES p);
            CREATE ROLE \(role);
            GRANT USAGE ON SCHEMA \(db.schema) TO \(role);
            GRANT SELECT, INSERT, UPDATE ON p, f TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let csv = "id,code\n1,K1\n2,K2\n3,K3\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("f", csv: csv) }
        #expect(error.kind == .blocked && error.hint?.contains("row-level security") == true, "\(error)")
        let predicted = try db.predict("f", csv: csv)
        #expect(!predicted.wouldLoad && predicted.blockers.contains { $0.contains("row-level security") }, "\(predicted.blockers)")
        #expect(predicted.tried.contains { $0.contains("row-level security of") }, "\(predicted.tried)")
        try db.run("RESET ROLE")
        #expect(try db.count("p") == 2 && db.count("f") == 0)
    }

    /// A key a partition generates itself (its own GENERATED column where the partitioned
    /// table's is plain) is no key the input gives: PostgreSQL refuses the row, the load
    /// stops with exit 1 and nothing written, and validate predicts it.
    @Test func aKeyAPartitionGeneratesIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('A'), ('A_G');
            CREATE TABLE fact (part int, src text, code text REFERENCES plan) PARTITION BY LIST (part);
            CREATE TABLE fact_1 (part int, src text, code text GENERATED ALWAYS AS (src || '_G') STORED);
            ALTER TABLE fact ATTACH PARTITION fact_1 FOR VALUES IN (1);
            CREATE TABLE fact_2 PARTITION OF fact FOR VALUES IN (2);
            """)
        let csv = "part,src,code\n1,A,A\n1,B,B\n2,C,C\n"
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad, "\(predicted.blockers) \(predicted.notExact)")
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .foreignKeyViolations, "\(error)")
        #expect(try db.count("fact") == 0 && db.count("plan") == 2)
    }

    /// A target trigger that rewrites a key, with another row already set aside: the
    /// refusal is not blamed on the row set aside (it was never given to the insert).
    @Test func aRefusalIsNotBlamedOnARowSetAside() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (id int UNIQUE, plan_code text REFERENCES plan);
            CREATE FUNCTION rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.id = 3 THEN NEW.plan_code := 'ZZ'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER rewrite BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION rewrite();
            """)
        let csv = "id,plan_code\nx,P0\n2,P0\n3,P0\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) { $0.maxRejects = 5 } }
        #expect(error.kind == .foreignKeyViolations, "\(error)")
        #expect(!error.message.contains(":2:"), "\(error.message)")
        #expect(try db.count("fact") == 0)
        let predicted = try db.predict("fact", csv: csv, maxRejects: 5)
        #expect(!predicted.wouldLoad && predicted.rejected == 1, "\(predicted.blockers)")
    }

    /// Keys the parent's type would store as another value (numeric(5,1) rounds, real
    /// loses digits, timestamp(0) drops fractions) would never match their fact rows:
    /// such rows are set aside with their line, by load and validate alike.
    @Test(arguments: [("numeric(5,1)", "numeric", "1.25"), ("real", "float8", "1.1"),
                      ("timestamp(0)", "timestamp", "2024-01-01 10:00:00.5")])
    func keysTheParentTypeWouldChangeAreRejected(parentType: String, factType: String, key: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k \(parentType) PRIMARY KEY);
            CREATE TABLE fact (id int, k \(factType) REFERENCES p);
            """)
        let csv = "id,k\n1,\(key)\n"
        let predicted = try db.predict("fact", csv: csv, maxRejects: 5)
        #expect(predicted.rejections.map(\.sampleLines) == [[2]], "\(predicted.rejections.map(\.reason))")
        let report = try db.load("fact", csv: csv) { $0.maxRejects = 5 }
        #expect(report.rejected == 1 && report.inserted == 0)
        #expect(report.rejections.first?.reason == predicted.rejections.first?.reason)
        #expect(try db.count("p") == 0)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }
}
