@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 23 of review 22's mends: a DEFAULT the tool computed that runs a view of
/// the user's through a STABLE built-in, trigger bodies whose quoting the call reader
/// misread, and keys of a nondeterministic collation referencing a deterministic one.
@Suite(.timeLimit(.minutes(30))) struct HostileReview23Tests {
    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    static func advisoryLocks(_ connection: Connection) throws -> Int {
        Int(try connection.execute("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").rows[0]["n"] ?? "") ?? -1
    }

    /// A NOT NULL DEFAULT `schema_to_xml('app', …)` (STABLE, calls nothing VOLATILE by
    /// its tree) reads every view of the schema, running the functions they call as the
    /// role that evaluates it: a plain role's table made the superuser running an audit or
    /// a read-only validate run its code (`ALTER ROLE … SUPERUSER` in the view's function).
    /// Here the view takes an advisory lock, which outlives the rollback.
    @Test func aDefaultThatRunsAViewIsNotComputedOutsideTheInsert() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE VIEW spy AS SELECT pg_catalog.pg_try_advisory_lock(23001) AS taken;
            CREATE TABLE note (id int PRIMARY KEY, doc xml NOT NULL DEFAULT schema_to_xml('\(db.schema)', true, true, ''));
            CREATE TABLE plan (code text PRIMARY KEY, doc xml NOT NULL DEFAULT table_to_xml('spy', true, true, ''));
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            """)
        _ = try Validator(connection: db.connection).run(table: "\(db.schema).note", input: try csv(db, "id\n1\n"), options: ValidateOptions())
        _ = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: try csv(db, "id,plan\n1,P1\n"), options: ValidateOptions())
        _ = try Auditor(connection: db.connection).run(.table("\(db.schema).fact"))
        #expect(try Self.advisoryLocks(db.connection) == 0)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        for (table, text) in [("note", "id\n1\n"), ("fact", "id,plan\n1,P1\n")] {
            _ = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: try csv(db, text), options: ValidateOptions())
        }
        #expect(try Self.advisoryLocks(standby) == 0)
        // The load's insert runs it, as PostgreSQL does.
        #expect(try db.load("fact", csv: "id,plan\n1,P1\n").inserted == 1)
        _ = try db.values("SELECT pg_advisory_unlock_all()")
    }

    static let ev = "CREATE TABLE org (id int PRIMARY KEY); INSERT INTO org VALUES (1); "
        + "CREATE TABLE ev (id int PRIMARY KEY, org_id int REFERENCES org, note text); INSERT INTO ev VALUES (1, 1, 'old'); "
    static func purge(_ name: String) -> String {
        "CREATE FUNCTION \(name)(k int) RETURNS int LANGUAGE sql AS $$ DELETE FROM ev WHERE id = k RETURNING 1 $$; "
    }
    static func trigger(_ body: String) -> String {
        "CREATE FUNCTION ev_bi() RETURNS trigger LANGUAGE plpgsql AS $body$ \(body) $body$; "
            + "CREATE TRIGGER ev_bi BEFORE INSERT ON ev FOR EACH ROW EXECUTE FUNCTION ev_bi();"
    }

    /// A trigger whose call of a function that deletes the clashing row the reader missed:
    /// quoted text holding `--`, `/*` or a quote the reader took for a string's end, a
    /// name of letters beyond ASCII, or SQL text `query_to_xml` runs. The dry run loads; the standby said would not load.
    static let hiddenCalls: [String] = [
        ev + purge("purge_old") + trigger("DECLARE n int; s text; BEGIN s := '--'; n := purge_old(new.id); RETURN new; END"),
        ev + purge("purge_old") + trigger("DECLARE n int; s text; BEGIN s := '/*'; n := purge_old(new.id); s := '*/'; RETURN new; END"),
        ev + purge("purge_old") + trigger("DECLARE n int; s text; BEGIN s := $q$it's$q$; n := purge_old(new.id); s := 'x'; RETURN new; END"),
        ev + purge("purge_old") + trigger("DECLARE n int; s text; BEGIN s := E'it\\'s'; n := purge_old(new.id); s := 'x'; RETURN new; END"),
        ev + purge("purge_old") + trigger("DECLARE n int; \"s--\" text; BEGIN n := purge_old(new.id); RETURN new; END"),
        ev + purge("purge_ält") + trigger("DECLARE n int; BEGIN n := purge_ält(new.id); RETURN new; END"),
        ev + purge("purge_old") + trigger("DECLARE n int; BEGIN n := length(CAST(query_to_xml('SELECT purge_old(' || new.id || ')', true, true, '') AS text)); RETURN new; END"),
    ]

    @Test(arguments: hiddenCalls) func aHiddenCallIsRead(_ sql: String) throws {
        let db = try TestDatabase()
        try db.run(sql)
        let text = "id,org_id,note\n1,1,new\n"
        _ = try db.load("ev", csv: text) { $0.dryRun = true }
        let report = try db.validateOnStandby("ev", input: try csv(db, text), onSchemaPath: true)
        #expect(report.wouldLoad, "\(report.foreignKeys.flatMap(\.reasons)) \(report.notExact)")
    }

    /// Keys of a nondeterministic collation (case-insensitive) referencing a "C" key:
    /// PostgreSQL's check compares under "C", so `eu` and `EU` need a parent row each.
    @Test func nondeterministicKeysOfADeterministicParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE region (code text COLLATE "C" PRIMARY KEY);
            INSERT INTO region VALUES ('eu');
            CREATE TABLE fact (id int PRIMARY KEY, region text COLLATE ci REFERENCES region);
            """)
        let text = "id,region\n1,eu\n2,EU\n3,Eu\n"
        for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact)") }
        let report = try db.load("fact", csv: text)
        #expect(report.inserted == 3)
        #expect(try db.values("SELECT code FROM region ORDER BY code COLLATE \"C\"") == [["EU"], ["Eu"], ["eu"]])
    }

    /// A case-insensitive (nondeterministic) parent key referenced from a "C" column and
    /// from one of its own collation: `EU` finds `eu`, no new row; the near-duplicate
    /// look compares under it without error.
    @Test(arguments: ["\"C\"", "ci"]) func aNondeterministicParentKey(_ childCollation: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
            CREATE TABLE region (code text COLLATE ci PRIMARY KEY);
            INSERT INTO region VALUES ('eu');
            CREATE TABLE fact (id int PRIMARY KEY, region text COLLATE \(childCollation) REFERENCES region);
            """)
        let text = "id,region\n1,eu\n2,EU\n3,us\n4,US \n"
        for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact)") }
        let report = try db.load("fact", csv: text)
        #expect(report.inserted == 4)
        #expect(try db.values("SELECT code FROM region ORDER BY code COLLATE \"C\"") == [["US "], ["eu"], ["us"]])
        #expect(try db.count("region") == 3)
    }

    /// Column privileges on a parent with a second unique column its new rows take: the
    /// load reads no more of it than PostgreSQL's INSERT does.
    @Test func columnPrivilegesWithASecondUniqueColumn() throws {
        let db = try TestDatabase()
        try db.underColumnGrants(label: "UNIQUE", insert: "code, label") { _ in
            let text = "id,plan,label\n1,A,x\n2,B,y\n"
            for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact) \(report.columns)") }
            #expect(try db.load("fact", csv: text).inserted == 2)
        }
    }

    /// A trigger function's own `SET search_path` naming a schema that needs quoting
    /// (`"Ops"`, kept quoted in `proconfig`): its call resolves there, not on the user's path.
    @Test func aCallResolvedOnTheFunctionsQuotedPath() throws {
        let db = try TestDatabase()
        let ops = "\(db.schema)_Ops"
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP SCHEMA IF EXISTS \"\(ops)\" CASCADE") }
        try db.run(Self.ev + """
            CREATE SCHEMA "\(ops)";
            CREATE FUNCTION "\(ops)".purge_old(k int) RETURNS int LANGUAGE sql AS $$ DELETE FROM \(db.schema).ev WHERE id = k RETURNING 1 $$;
            CREATE FUNCTION ev_bi() RETURNS trigger LANGUAGE plpgsql SET search_path = "\(ops)", pg_catalog
                AS $body$ DECLARE n int; BEGIN n := purge_old(new.id); RETURN new; END $body$;
            CREATE TRIGGER ev_bi BEFORE INSERT ON ev FOR EACH ROW EXECUTE FUNCTION ev_bi();
            """)
        let text = "id,org_id,note\n1,1,new\n"
        _ = try db.load("ev", csv: text) { $0.dryRun = true }
        let report = try db.validateOnStandby("ev", input: try csv(db, text), onSchemaPath: true)
        #expect(report.wouldLoad, "\(report.notExact)")
    }

    /// A parent under row-level security with no SELECT policy for the loading role (here
    /// FOR UPDATE and FOR INSERT only): the role sees none of its rows, PostgreSQL's FK
    /// check (run as the owner, row security off) sees them all, so a plain INSERT of a
    /// fact whose key is there succeeds. The load counts the hidden key missing, inserts
    /// it, and the policies refuse the new row (its RETURNING is judged by the SELECT
    /// policies): it refuses what PostgreSQL accepts. Recorded; the staged validate agrees
    /// with the load, and the standby names the policies, no longer saying the load finds
    /// the hidden keys.
    @Test func aParentWhoseRowsTheLoadingRoleCannotSee() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_rls"
        try db.run("""
            CREATE ROLE \(role) LOGIN;
            GRANT USAGE, CREATE ON SCHEMA \(db.schema) TO \(role);
            SET ROLE \(role);
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('A');
            ALTER TABLE plan ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY touch ON plan FOR UPDATE USING (true);
            CREATE POLICY add ON plan FOR INSERT WITH CHECK (true);
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        let text = "id,plan\n1,A\n"
        withKnownIssue("the load reads a parent's keys under the loading role's row-level security; a key it hides is inserted and refused") {
            _ = try db.load("fact", csv: text) { $0.dryRun = true }
        }
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(!staged.wouldLoad)
        try Standby.waitForReplay(of: db.connection, on: try Standby.connect())
        let standby = try Validator(connection: try Standby.connect(user: role)).run(table: "\(db.schema).fact", input: try csv(db, text), options: ValidateOptions())
        #expect(standby.notExact == ["row-level security on \(db.schema).plan applies to this role: keys it hides are counted missing here; "
            + "PostgreSQL's FK check sees them, and so does a load by a role that bypasses it, not one by this role (it inserts them, which the policies may refuse)"], "\(standby.notExact)")
        // PostgreSQL itself takes the fact row.
        try db.run("INSERT INTO fact VALUES (1, 'A')")
    }

    /// A trigger that writes through an operator of the user's (`new.id ### 0`, whose
    /// function deletes the clashing row): the call reader looks for names before a
    /// parenthesis, so the standby called the clash certain where the load loads. The
    /// body's operators are looked up like its calls. (Casts WITH FUNCTION are not.)
    @Test func aTriggerWritingThroughAnOperator() throws {
        let db = try TestDatabase()
        try db.run(Self.ev + Self.purge("purge_op") + """
            CREATE FUNCTION purge_pair(k int, z int) RETURNS int LANGUAGE sql AS $$ SELECT purge_op(k) $$;
            CREATE OPERATOR ### (LEFTARG = int, RIGHTARG = int, FUNCTION = purge_pair);
            """ + Self.trigger("DECLARE n int; BEGIN n := new.id ### 0; RETURN new; END"))
        let text = "id,org_id,note\n1,1,new\n"
        _ = try db.load("ev", csv: text) { $0.dryRun = true }
        let report = try db.validateOnStandby("ev", input: try csv(db, text), onSchemaPath: true)
        #expect(report.wouldLoad, "\(report.notExact)")
    }
}
