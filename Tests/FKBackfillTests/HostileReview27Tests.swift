@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 27: trigger firing state and replica mode, the role's session settings,
/// keys at the edges of their types. PostgreSQL is the oracle: the load never keeps a row
/// its own checks (here another table's FK, fired by the user's code) would refuse, and
/// validate, staged or read-only on the standby, says what `load --dry-run` does or names
/// why it cannot know. Each test failed on main at 652891c.
@Suite(.timeLimit(.minutes(30))) struct HostileReview27Tests {
    func csv(_ db: TestDatabase, _ text: String) throws -> InputSource {
        .csv(path: try db.csvFile(text), options: CSVOptions())
    }

    /// `side (n, owner_id → owner)`, empty owner, and `writer(int)`: a VOLATILE PL/pgSQL
    /// function that inserts a `side` row no owner holds (PostgreSQL's FK of `side`
    /// refuses it in any ordinary session), and the parent `p (k)` the facts reference.
    func sideWriter(_ db: TestDatabase) throws { try Self.sideWriter(db) }

    /// The same, for other suites' probes of code that writes.
    static func sideWriter(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE owner (id int PRIMARY KEY);
            CREATE TABLE side (n int, owner_id int REFERENCES owner);
            CREATE FUNCTION writer(n int) RETURNS int LANGUAGE plpgsql VOLATILE
                AS $$ BEGIN INSERT INTO \(db.schema).side VALUES (n, 999); RETURN n; END $$;
            CREATE TABLE p (k text PRIMARY KEY);
            """)
    }

    /// The set-based check inserts the facts with `session_replication_role = replica`, so
    /// the code the insert runs itself must write nothing: replica mode skips the FK
    /// trigger of whatever it writes. The blocker trusted declared volatility and looked
    /// only at functions a DEFAULT, CHECK or column domain depends on directly. Each of
    /// these wrote `side (…, 999)` with no owner 999 and the load committed (exit 0, "FK
    /// check: set-based"): an IMMUTABLE PL/pgSQL or SQL wrapper around the writer
    /// (PostgreSQL checks only the wrapper's own statements), an operator whose function
    /// writes (the CHECK depends on the operator, not the function). Now the walk follows
    /// operators (and arrays, ranges, composites and domain chains to the domains' code),
    /// and trusts only IMMUTABLE C code: per-row, PostgreSQL refuses the side row, nothing
    /// is written; `--fk-check set-based` is refused.
    @Test(arguments: [
        ("CREATE FUNCTION pure() RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN %S.writer(1); END $$; "
            + "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, tag int DEFAULT %S.pure())", "id,k\n1,A\n"),
        ("CREATE FUNCTION pure_sql() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT %S.writer(1) $$; "
            + "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, CHECK (%S.pure_sql() > 0))", "id,k\n1,A\n"),
        ("CREATE FUNCTION writes_ok(int, int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RETURN %S.writer($1) IS NOT NULL; END $$; "
            + "CREATE OPERATOR %S.=~= (FUNCTION = %S.writes_ok, LEFTARG = int, RIGHTARG = int); "
            + "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, CHECK (id OPERATOR(%S.=~=) 0))", "id,k\n1,A\n"),
    ]) func codeTheInsertRunsInReplicaModeIsWalkedNotTrusted(_ schema: String, _ text: String) throws {
        let db = try TestDatabase()
        try sideWriter(db)
        try db.run(schema.replacingOccurrences(of: "%S", with: db.schema))
        let error = try #require(throws: FKBackfillError.self) { try db.load("fact", csv: text) }
        #expect(error.kind == .foreignKeyViolations || "\(error)".contains("side_owner_id_fkey"), "\(error)")
        #expect(try db.values("SELECT count(*) FROM side") == [["0"]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["0"]])
        let explicit = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: text) { $0.fkCheck = .setBased }
        }
        #expect(explicit.kind == .setBasedCheckUnsafe, "\(explicit)")
    }

    /// A domain's code reached through an array of it (its CHECK), or through a domain
    /// over it (its DEFAULT, on a column the input leaves out): PostgreSQL refuses the side
    /// row, nothing is written (a regression guard for the walk: staging casts to the
    /// domain and the per-row fallback caught these on main too).
    @Test(arguments: [
        ("CREATE DOMAIN logged AS int CHECK (%S.writer(VALUE) IS NOT NULL); "
            + "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, tags logged[])", "id,k,tags\n1,A,{1}\n"),
        ("CREATE DOMAIN logged AS int DEFAULT %S.writer(1); CREATE DOMAIN logged2 AS logged; "
            + "CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, n logged2)", "id,k\n1,A\n"),
    ]) func aDomainsCodeNeverRunsUnchecked(_ schema: String, _ text: String) throws {
        let db = try TestDatabase()
        try sideWriter(db)
        try db.run(schema.replacingOccurrences(of: "%S", with: db.schema))
        #expect(throws: (any Error).self) { try db.load("fact", csv: text) }
        #expect(try db.values("SELECT count(*) FROM side") == [["0"]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["0"]])
    }

    /// What the walk must not catch: an IMMUTABLE C function behind an operator of the
    /// user's (a lookalike `=` on `int4eq`) and a domain over a domain with a built-in
    /// CHECK, in an array column: the insert runs no code of the user's that could write.
    @Test func builtInCodeBehindUserObjectsStaysSetBased() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE OPERATOR \(db.schema).=== (FUNCTION = int4eq, LEFTARG = int, RIGHTARG = int);
            CREATE DOMAIN small AS int CHECK (VALUE < 100); CREATE DOMAIN small2 AS small;
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, tags small2[], CHECK (NOT (id OPERATOR(\(db.schema).===) -1)));
            """)
        let report = try db.load("fact", csv: "id,k,tags\n1,A,{1}\n")
        #expect(report.fkCheck == .setBased, "\(report.fkCheckNote ?? "")")
    }

    /// A nullable column's DEFAULT that runs the user's code, here a writer whose row
    /// another table's FK refuses: the load fails ("PostgreSQL's FK check refused a stored
    /// row"), and both validates said "would load" with nothing in notExact (only NOT NULL
    /// columns' DEFAULTs calling user code were tried or named). The staged validate now
    /// tries the fact insert and says would not load; the standby names the column.
    @Test func aNullableColumnsDefaultThatWritesIsTriedOrNamed() throws {
        let db = try TestDatabase()
        try sideWriter(db)
        try db.run("CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p, tag int DEFAULT \(db.schema).writer(7))")
        let text = "id,k\n1,A\n"
        #expect(throws: FKBackfillError.self) { try db.load("fact", csv: text) { $0.dryRun = true } }
        let reports = try db.validateBothWays("fact", input: try csv(db, text))
        #expect(!reports[0].wouldLoad, "\(reports[0].notExact)")
        #expect(!reports[1].wouldLoad || reports[1].notExact.contains { $0.contains("left to a DEFAULT that calls the user's code (tag)") },
                "\(reports[1].notExact)")
    }

    /// A role (or database) whose `default_transaction_isolation` is `serializable`, as
    /// shops that mandate SERIALIZABLE set it: on a hot standby PostgreSQL refuses every
    /// query of such a session ("cannot use serializable mode in a hot standby"), so
    /// read-only validate stopped on its first statement (exit 3). The tool's transactions
    /// name their isolation; its session's default is lowered there, and the verdict is
    /// the staged one.
    @Test func aStandbySessionWhoseDefaultIsolationIsSerializable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY); INSERT INTO p VALUES ('A');
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p);
            """)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('default_transaction_isolation', 'serializable', false)")
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).fact", input: try csv(db, "id,k\n1,A\n2,B\n"), options: ValidateOptions())
        #expect(report.wouldLoad, "\(report.notExact)")
        #expect(report.foreignKeys.map(\.missingKeys) == [1])
    }

    /// A loading role with SELECT and INSERT on the target but only a column grant on the
    /// parent that leaves out its key: PostgreSQL's check reads the parent as its owner, so
    /// the role's INSERT of a present key succeeds. The tool must read the key to find what
    /// is missing; the load names the GRANT before writing, but validate stopped on a bare
    /// "database error: permission denied for table p" (exit 3, no hint). It names the
    /// GRANT now, as the load does (`.missingPrivileges`).
    @Test func noSelectOnTheParentsKeyIsNamedByValidateAsByTheLoad() throws {
        let db = try TestDatabase()
        let role = "\(db.schema)_nokey"
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY, secret text); INSERT INTO p VALUES ('A', 's');
            CREATE TABLE fact (id int PRIMARY KEY, k text REFERENCES p);
            CREATE ROLE \(role);
            GRANT USAGE ON SCHEMA \(db.schema) TO \(role);
            GRANT SELECT, INSERT ON fact TO \(role);
            GRANT SELECT (secret) ON p TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        try db.run("BEGIN; INSERT INTO fact VALUES (1, 'A'); ROLLBACK;")
        let text = "id,k\n1,A\n"
        let validate = try #require(throws: FKBackfillError.self) { _ = try db.predict("fact", csv: text) }
        #expect(validate.kind == .missingPrivileges, "\(validate)")
        #expect(validate.details.contains { $0.hasPrefix("GRANT SELECT ON") && $0.contains("\"p\"") }, "\(validate.details)")
        let load = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: text) { $0.dryRun = true } }
        #expect(load.kind == .missingPrivileges, "\(load)")
    }

    /// A parent whose primary key is DEFERRABLE (made so for swaps), with a plain UNIQUE on
    /// the same column for the FKs to reference (PostgreSQL refuses an FK to a deferrable
    /// key): `ON CONFLICT (k)` infers both indexes and PostgreSQL refuses the statement
    /// ("does not support deferrable unique constraints … as arbiters", 55000). The load
    /// stopped (exit 3) where a plain INSERT of the parent row and the facts succeeds, and
    /// both validates said would load. The arbiter is the referenced constraint now; with
    /// a bare unique index, a plain INSERT.
    @Test(arguments: ["CONSTRAINT p_uk UNIQUE (k)", "CONSTRAINT p_other CHECK (true)"])
    func aDeferrablePrimaryKeyBesideTheReferencedUnique(_ referenced: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k int, label text, CONSTRAINT p_pk PRIMARY KEY (k) DEFERRABLE INITIALLY IMMEDIATE, \(referenced));
            \(referenced.contains("UNIQUE") ? "" : "CREATE UNIQUE INDEX p_uk ON p (k);")
            INSERT INTO p VALUES (1, 'a');
            CREATE TABLE fact (id int PRIMARY KEY, k int REFERENCES p (k));
            """)
        let text = "id,k\n1,1\n2,2\n3,2\n"
        for report in try db.validateBothWays("fact", input: try csv(db, text)) { #expect(report.wouldLoad, "\(report.notExact)") }
        let report = try db.load("fact", csv: text)
        #expect(report.parent("p")?.inserted == 1)
        #expect(try db.values("SELECT k FROM p ORDER BY k") == [["1"], ["2"]])
    }

    /// Keys equal under their type's `=` but not by their text: `-0` and `0` (float8),
    /// `'1 day'` and `'24 hours'` (interval), `1.0` and `1.00` (numeric), and `NaN`, which
    /// PostgreSQL's float and numeric equality take as equal to itself. The load backfills
    /// one parent row per equal key and PostgreSQL's check takes every fact; validate on
    /// both paths counts the keys the same way. (A regression guard: these held on main.)
    @Test(arguments: [
        ("double precision", "0", "id,k\n1,-0\n2,NaN\n3,nan\n4,-5\n", 2),
        ("interval", "1 day", "id,k\n1,24 hours\n2,2 days\n3,48:00:00\n4,1 mon\n5,30 days\n", 2),
        ("numeric", "1.0", "id,k\n1,1.00\n2,2.0\n3,2.000\n4,NaN\n5,nan\n", 2),
    ]) func keysEqualButNotByTheirText(_ type: String, _ present: String, _ text: String, _ missing: Int) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k \(type) PRIMARY KEY); INSERT INTO p VALUES ('\(present)');
            CREATE TABLE fact (id int PRIMARY KEY, k \(type) REFERENCES p);
            """)
        // On the standby one row a batch: the keys go from batch to batch as text.
        var oneRow = ValidateOptions()
        oneRow.streamBatchRows = 1
        for report in try db.validateBothWays("fact", input: try csv(db, text)) + [try db.validateOnStandby("fact", input: try csv(db, text), options: oneRow)] {
            #expect(report.wouldLoad, "\(report.notExact)")
            #expect(report.foreignKeys.map(\.missingKeys) == [missing])
        }
        _ = try db.load("fact", csv: text)
        #expect(try db.values("SELECT count(*) FROM p") == [["\(1 + missing)"]])
    }
}
