import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Issue #23's breaks that need an extension type or a second role: a lookalike operator
/// beside the constraint's own, `--replace-by` on citext and on a domain over ltree, rows
/// a trigger does not store, and `sql:` rules reaching code another role controls.
@Suite struct StoredTruthTests {
    /// citext and ltree in a schema of their own, created once per database (extensions
    /// are database-wide; the advisory lock keeps parallel tests from racing). The lock
    /// is the transaction's, held until the schema is committed: a session lock released
    /// inside the script's one implicit transaction let a second test's CREATE SCHEMA IF
    /// NOT EXISTS wait on the uncommitted row and fail with 23505 (seen in a clean-clone run).
    static func extensions(_ db: TestDatabase) throws -> (citext: String, ltree: String) {
        try db.run("""
            BEGIN;
            SELECT pg_advisory_xact_lock(2323);
            CREATE SCHEMA IF NOT EXISTS fkb_ext;
            CREATE EXTENSION IF NOT EXISTS citext SCHEMA fkb_ext;
            CREATE EXTENSION IF NOT EXISTS ltree SCHEMA fkb_ext;
            COMMIT;
            """)
        func schema(_ name: String) throws -> String {
            try db.values("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = '\(name)'")[0][0] ?? ""
        }
        return (try schema("citext"), try schema("ltree"))
    }

    /// Break 3: a role with CREATE in the schema holding citext's `=` adds
    /// `=(citext, the fact column's domain)`. PostgreSQL would pick it for uncast operands
    /// (shown first); the tool casts every operand to the operator's input types, so it
    /// is never called, by validate or by either FK check, and the role stays plain.
    @Test(arguments: [FKCheckMode.auto, .perRow])
    func aLookalikeBesideTheConstraintsOperatorIsNeverCalled(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        let ext = try Self.extensions(db).citext
        let s = db.schema
        let evil = "\(s)_evil"
        // Under the extension lock: both cases GRANT on the one shared schema, and two
        // concurrent ACL updates of its row fail ("tuple concurrently updated").
        try db.run("""
            BEGIN;
            SELECT pg_advisory_xact_lock(2323);
            CREATE DOMAIN email AS \(ext).citext;
            CREATE TABLE person (email \(ext).citext PRIMARY KEY);
            INSERT INTO person VALUES ('a@x');
            CREATE TABLE fact (id int, email email REFERENCES person);
            CREATE SEQUENCE calls;
            CREATE ROLE \(evil) NOLOGIN;
            GRANT USAGE, CREATE ON SCHEMA \(ext) TO \(evil);
            GRANT USAGE ON SCHEMA \(s) TO \(evil);
            GRANT USAGE, UPDATE ON SEQUENCE calls TO \(evil);
            SET ROLE \(evil);
            CREATE FUNCTION \(ext).\(evil)_eq(\(ext).citext, \(s).email) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_catalog.nextval('\(s).calls'); RETURN CAST($1 AS text) = CAST($2 AS text); END $$;
            CREATE OPERATOR \(ext).= (LEFTARG = \(ext).citext, RIGHTARG = \(s).email, FUNCTION = \(ext).\(evil)_eq);
            RESET ROLE;
            COMMIT;
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "BEGIN; SELECT pg_advisory_xact_lock(2323); DROP OPERATOR IF EXISTS \(ext).= (\(ext).citext, \(s).email); DROP FUNCTION IF EXISTS \(ext).\(evil)_eq; REVOKE ALL ON SCHEMA \(ext) FROM \(evil); DROP OWNED BY \(evil); DROP ROLE IF EXISTS \(evil); COMMIT") }
        func calls() throws -> String? {
            try db.values("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM calls")[0][0]
        }
        // The lookalike is live: uncast operands pick it.
        _ = try db.values("SELECT count(*) FROM person p, fact f WHERE p.email OPERATOR(\(ext).=) f.email")
        _ = try db.values("SELECT p.email OPERATOR(\(ext).=) CAST('A@X' AS email) FROM person p")
        let baseline = try calls()
        #expect(baseline != "0")
        let csv = "id,email\n1,A@X\n2,b@x\n"
        var validate = ValidateOptions()
        validate.samples = 10
        _ = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: validate)
        let report = try db.load("fact", csv: csv) { $0.fkCheck = mode }
        _ = try db.load("fact", csv: csv) { $0.fkCheck = mode; $0.replaceBy = ["email"] }
        #expect(report.inserted == 2)
        #expect(try calls() == baseline, "the lookalike operator was called")
        #expect(try db.values("SELECT rolsuper FROM pg_roles WHERE rolname = '\(evil)'") == [["f"]])
        // citext's own equality: A@X found a@x, only b@x was new.
        #expect(try db.count("person") == 2)
        // The orphan oracle's own plain `=` would pick the lookalike: drop it first.
        try db.run("DROP OPERATOR \(ext).= (\(ext).citext, \(s).email)")
        #expect(try OrphanOracle.orphans(in: [s], on: db.connection) == [])
    }

    /// Break 5: `--replace-by` compares with the column type's own equality: reloading the
    /// slice `JAN` as `jan` replaces it (citext), and a domain over ltree works at all.
    @Test func replaceByUsesTheTypesOwnEquality() throws {
        let db = try TestDatabase()
        let ext = try Self.extensions(db)
        try db.run("""
            CREATE DOMAIN node_path AS \(ext.ltree).ltree;
            CREATE TABLE fact (month \(ext.citext).citext, node node_path, n int);
            """)
        _ = try db.load("fact", csv: "month,node,n\nJAN,a.b,1\nJAN,a.c,2\n")
        let again = try db.load("fact", csv: "month,node,n\njan,a.b,3\n") { $0.replaceBy = ["month"] }
        #expect(again.deleted == 2)
        #expect(try db.count("fact") == 1)
        let byPath = try db.load("fact", csv: "month,node,n\nfeb,a.b,4\n") { $0.replaceBy = ["node"] }
        #expect(byPath.deleted == 1)
        #expect(try db.values("SELECT month, n FROM fact") == [["feb", "4"]])
    }

    /// Break 6: loaded + rejected + skipped = input. A BEFORE INSERT trigger that returns
    /// NULL for some rows is counted and named, and a parent backfilled only for such
    /// rows is reported, in both FK modes.
    @Test(arguments: [FKCheckMode.auto, .perRow])
    func rowsATriggerDoesNotStoreAreCounted(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int CHECK (n > 0));
            CREATE FUNCTION drop_big() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.n >= 100 THEN RETURN NULL; END IF; RETURN NEW; END $$;
            CREATE TRIGGER drop_big BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION drop_big();
            """)
        let report = try db.load("fact", csv: "org_code,n\nA,1\nB,100\nB,200\nC,0\nA,2\n") {
            $0.fkCheck = mode
            $0.maxRejects = 5
        }
        #expect(report.staged == 5)
        #expect(report.inserted == 2)
        #expect(report.rejected == 1)
        #expect(report.skipped == 2)
        #expect(report.inserted + report.rejected + report.skipped == report.staged)
        #expect(report.skippedBy == ["trigger drop_big"])
        #expect(report.unstoredParents.map { "\($0.table.name) \($0.keys)" } == ["org 1"])
        #expect(report.render(.text).contains("2 not stored by trigger drop_big"), "\(report.render(.text))")
        #expect(report.render(.text).contains("backfilled only for rows that were not stored"))
        #expect(try db.count("fact") == 2)
    }

    /// Break 4: a `sql:` rule may not reach code another role controls: a function owned
    /// by a plain role, a SECURITY DEFINER one, or one in a schema others may create in.
    @Test func aRuleReachingAnotherRolesCodeIsRefused() throws {
        let db = try TestDatabase()
        let s = db.schema
        let other = "\(s)_other"
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, note text);
            CREATE TABLE fact (plan_code text REFERENCES plan);
            CREATE SCHEMA \(s)_util;
            CREATE ROLE \(other) NOLOGIN;
            GRANT USAGE, CREATE ON SCHEMA \(s)_util TO \(other);
            CREATE FUNCTION \(s)_util.mine(v text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper(v) $$;
            CREATE FUNCTION \(s).definer(v text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT upper(v) $$;
            CREATE FUNCTION \(s).theirs(v text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper(v) $$;
            ALTER FUNCTION \(s).theirs(text) OWNER TO \(other);
            CREATE FUNCTION \(s).label(v text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT upper(v) $$;
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP SCHEMA IF EXISTS \(s)_util CASCADE; DROP OWNED BY \(other); DROP ROLE IF EXISTS \(other)") }
        func load(_ expression: String) throws -> LoadReport {
            let path = try db.csvFile("tables:\n  plan:\n    columns:\n      note: { sql: \"\(expression)\" }\n")
            let rules = try RulesParser.load(path: path)
            return try db.load("fact", csv: "plan_code\nP1\n") { $0.rules = rules }
        }
        for (expression, words) in [
            ("\(s).theirs(min(plan_code))", "owned by \(other)"),
            ("\(s).definer(min(plan_code))", "SECURITY DEFINER"),
            ("\(s)_util.mine(min(plan_code))", "\(other) may create"),
        ] {
            let error = try #require(throws: FKBackfillError.self) { _ = try load(expression) }
            #expect(error.kind == .rulesProblems, "\(error)")
            #expect(error.details.joined().contains(words), "\(expression): \(error.details)")
            #expect(error.details.joined().contains(":4:"), "FILE:LINE:COL: \(error.details)")
        }
        #expect(try db.count("plan") == 0)
        // The loading role's own function in a schema nobody else may create in is fine.
        #expect(try load("\(s).label(min(plan_code))").inserted == 1)
        #expect(try db.values("SELECT note FROM plan") == [["P1"]])
    }
}
