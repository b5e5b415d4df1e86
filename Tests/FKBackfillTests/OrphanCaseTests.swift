import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The ways the set-based check once committed orphans with exit 0. Each must now be
/// refused: by the verify of the rows as stored (`verified`: the key a DEFAULT, a
/// generated column or routing produced is read back and found missing), or by
/// PostgreSQL's own check (auto falls back to per-row, and says why) or, with
/// `--fk-check set-based`, refused up front; never an orphan.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct OrphanCaseTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var schema: String
        var table = "fact"
        var csv: String
        /// Words the fallback reason must contain, or the violation's key when `verified`.
        var reason: String
        /// The set-based path runs and its verify of the stored rows refuses them.
        var verified = false
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "an FK column filled by its DEFAULT",
             schema: "CREATE TABLE q (id int PRIMARY KEY); CREATE TABLE fact (k text, v int, qid int DEFAULT 999 REFERENCES q (id))",
             csv: "k,v\nA,1\n", reason: "keys 999", verified: true),
        Case(name: "an FK on a stored generated column",
             schema: """
                CREATE TABLE q (id int PRIMARY KEY); INSERT INTO q VALUES (100);
                CREATE TABLE fact (k text, v int, g int GENERATED ALWAYS AS (v * 100) STORED REFERENCES q (id))
                """,
             csv: "k,v\nA,1\nB,2\n", reason: "keys 200", verified: true),
        Case(name: "an FK column whose domain has a DEFAULT",
             schema: "CREATE TABLE q (code text PRIMARY KEY); CREATE DOMAIN code_dom AS text DEFAULT 'NOPE'; CREATE TABLE fact (k text, code code_dom REFERENCES q)",
             csv: "k\nA\n", reason: "keys NOPE", verified: true),
        // Issue #23, break 2: the partitioned table declares the column plain, the
        // partition generates it; only the stored value tells.
        Case(name: "an FK column a partition generates",
             schema: """
                CREATE TABLE p (code text PRIMARY KEY); INSERT INTO p VALUES ('A');
                CREATE TABLE fact (id int, src text, code text REFERENCES p) PARTITION BY LIST (id);
                CREATE TABLE fact_1 (id int, src text, code text GENERATED ALWAYS AS (src || '_G') STORED);
                ALTER TABLE fact ATTACH PARTITION fact_1 FOR VALUES IN (1);
                """,
             csv: "id,src\n1,A\n", reason: "keys A_G", verified: true),
        Case(name: "a DEFAULT that calls a function writing to a table with an FK",
             schema: """
                CREATE TABLE q (code text PRIMARY KEY); CREATE TABLE audit (code text REFERENCES q);
                CREATE FUNCTION note() RETURNS text LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
                    BEGIN INSERT INTO audit VALUES ('NOPE'); RETURN 'n'; END $$;
                CREATE TABLE fact (k text REFERENCES q, tag text DEFAULT note()); INSERT INTO q VALUES ('A');
                """,
             csv: "k\nA\n", reason: "defaults, checks, indexes or partition key call"),
        Case(name: "a view over a table",
             schema: "CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE base (k text REFERENCES p); CREATE VIEW v_fact AS SELECT * FROM base",
             table: "v_fact", csv: "k\nNOPE\n", reason: "not a table"),
        Case(name: "an ENABLE ALWAYS BEFORE trigger that rewrites the key",
             schema: """
                CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE fact (k text REFERENCES p);
                CREATE FUNCTION rewrite() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.k := NEW.k || '_x'; RETURN NEW; END $$;
                CREATE TRIGGER rewrite BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION rewrite();
                ALTER TABLE fact ENABLE ALWAYS TRIGGER rewrite;
                """,
             csv: "k\nA\n", reason: "ENABLE ALWAYS"),
        Case(name: "an ENABLE ALWAYS AFTER trigger that writes to a table with an FK",
             schema: """
                CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE fact (k text REFERENCES p);
                CREATE TABLE p2 (k text PRIMARY KEY); CREATE TABLE other (k text REFERENCES p2);
                CREATE FUNCTION copy_out() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN INSERT INTO other VALUES (NEW.k || '_o'); RETURN NEW; END $$;
                CREATE TRIGGER copy_out AFTER INSERT ON fact FOR EACH ROW EXECUTE FUNCTION copy_out();
                ALTER TABLE fact ENABLE ALWAYS TRIGGER copy_out;
                """,
             csv: "k\nA\n", reason: "ENABLE ALWAYS"),
    ]

    @Test(arguments: cases, [FKCheckMode.auto, .setBased])
    func neverAnOrphan(orphanCase: Case, mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run(orphanCase.schema)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load(orphanCase.table, csv: orphanCase.csv) { $0.fkCheck = mode }
        }
        if orphanCase.verified {
            #expect(error.kind == .foreignKeyViolations, "\(error)")
            #expect(error.details.joined().contains(orphanCase.reason), "\(error.details)")
        } else if mode == .setBased {
            #expect(error.kind == .setBasedCheckUnsafe, "\(error)")
            #expect(error.details.joined().contains(orphanCase.reason), "\(error.details)")
        } else {
            // PostgreSQL's own per-row check refused the row: a finding (exit 1), its cause kept.
            #expect(error.kind == .foreignKeyViolations, "\(error)")
            #expect(error.cause?.sqlState == SQLState.foreignKeyViolation, "\(error)")
        }
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
        #expect(try db.count(orphanCase.table) == 0)
    }

    /// An FK column left to its DEFAULT no longer forces per-row: the stored value is
    /// verified. A trigger that fires on INSERT does, and the report says why; one that
    /// fires only on UPDATE (pagila's last_updated) does not (issue #23, break 10).
    @Test func autoSaysWhyItFellBack() throws {
        let db = try TestDatabase()
        try db.run(Self.cases[0].schema + "; INSERT INTO q VALUES (999)")
        let report = try db.load("fact", csv: "k,v\nA,1\n")
        #expect(report.fkCheck == .setBased, "\(report.fkCheckNote ?? "")")
        #expect(report.inserted == 1)
        try db.run("""
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER last_updated BEFORE UPDATE ON fact FOR EACH ROW EXECUTE FUNCTION touch();
            """)
        #expect(try db.load("fact", csv: "k,v\nB,1\n").fkCheck == .setBased)
        try db.run("CREATE TRIGGER on_insert BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION touch()")
        let fallback = try db.load("fact", csv: "k,v\nC,1\n")
        #expect(fallback.fkCheck == .perRow)
        #expect(fallback.fkCheckNote?.contains("trigger on_insert") == true, "\(fallback.fkCheckNote ?? "")")
    }

    /// Issue #23, break 1: a key held only by an inheritance child of the parent is
    /// missing for PostgreSQL's check (it reads FROM ONLY the parent), so it is
    /// backfilled into the parent itself, and the fact row loads without an orphan.
    @Test(arguments: [FKCheckMode.auto, .perRow])
    func aKeyOnlyInAnInheritanceChildIsBackfilledIntoTheParent(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY); CREATE TABLE pc () INHERITS (p); INSERT INTO pc VALUES ('K1');
            CREATE TABLE f (id int, code text REFERENCES p);
            """)
        let report = try db.load("f", csv: "id,code\n1,K1\n") { $0.fkCheck = mode }
        #expect(report.inserted == 1)
        #expect(report.parents.first?.inserted == 1)
        #expect(try db.values("SELECT code FROM ONLY \"\(db.schema)\".p") == [["K1"]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// An FK added while the load waited for the target: the load reads the FKs only once
    /// it holds the target, so it sees, and honours, the new one.
    @Test(arguments: [FKCheckMode.auto, .perRow])
    func aForeignKeyAddedWhileTheLoadWaitsIsHonoured(mode: FKCheckMode) async throws {
        let db = try setUpWaitingLoad(mode: mode)
        let (load, tag) = (db.1, db.2)
        let test = db.0
        #expect(try test.waitUntilBlocked(application: tag), "the load never waited for the ALTER TABLE")
        try db.3.execute("COMMIT")
        let report = try await load.result().get()
        #expect(report.inserted == 1)
        #expect(report.parents.map(\.table.name).contains("r"))
        #expect(try test.values("SELECT id FROM r") == [["R1"]])
        #expect(try OrphanOracle.orphans(in: [test.schema], on: test.connection) == [])
    }

    func setUpWaitingLoad(mode: FKCheckMode) throws -> (TestDatabase, OwnThread<LoadReport>, String, Connection) {
        let db = try TestDatabase()
        let schema = db.schema
        try db.run("CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE r (id text PRIMARY KEY); CREATE TABLE fact (k text REFERENCES p, x text)")
        let alter = try Connection()
        try alter.execute("SET search_path TO \(ident: schema)")
        try alter.execute("BEGIN")
        try alter.execute("ALTER TABLE fact ADD CONSTRAINT fact_x_fkey FOREIGN KEY (x) REFERENCES r (id)")
        let tag = "fkwait_\(schema)_\(mode.rawValue)"
        let csv = try db.csvFile("k,x\nA,R1\n")
        let load = OwnThread {
            let connection = try Connection(applicationName: tag)
            try connection.execute("SET search_path TO \(ident: schema)")
            var options = LoadOptions()
            options.fkCheck = mode
            return try Loader(connection: connection).run(table: "fact", input: .csv(path: csv, options: CSVOptions()), options: options)
        }
        return (db, load, tag, alter)
    }
}
