import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A hostile review of validate's trial, refusals as findings and lossy keys: what
/// PostgreSQL decides at COMMIT (deferred constraints and constraint triggers, which the
/// load now checks with SET CONSTRAINTS ALL IMMEDIATE before it ends), a trigger's
/// `set_config` of the replication role, deferrable unique keys under replica mode,
/// polymorphic operators, a custom SQLSTATE, a concurrent writer. Each test states the
/// promise: validate's verdict is `load --dry-run`'s and the real load's; a refusal is a
/// finding (exit 1), never a bare database error (exit 3); 0 orphans after a load.
@Suite(.timeLimit(.minutes(30))) struct HostileReviewTests {
    /// Runs validate, `load --dry-run` and the load; the three must agree, and a refusal
    /// must be a finding. Returns the real load's error, if any.
    func agreeing(_ db: TestDatabase, csv: String, refusal: Bool = true) throws -> FKBackfillError? {
        let predicted = try db.predict("fact", csv: csv)
        var dryError: FKBackfillError?
        do { _ = try db.load("fact", csv: csv) { $0.dryRun = true } } catch let error as FKBackfillError { dryError = error }
        var loadError: FKBackfillError?
        do { _ = try db.load("fact", csv: csv) } catch let error as FKBackfillError { loadError = error }
        #expect(predicted.wouldLoad == (loadError == nil),
                "validate says wouldLoad=\(predicted.wouldLoad) but the load \(loadError.map { "failed: \($0.message)" } ?? "succeeded")")
        #expect((dryError == nil) == (loadError == nil),
                "load --dry-run \(dryError.map { "failed: \($0.message)" } ?? "succeeded") but the load \(loadError.map { "failed: \($0.message)" } ?? "succeeded")")
        if let loadError, refusal {
            #expect(loadError.category == .findings, "a refusal at COMMIT is a bare database error: \(loadError.kind) \(loadError.message)")
        }
        return loadError
    }

    /// A DEFERRABLE INITIALLY DEFERRED constraint trigger on the target that refuses a
    /// row at COMMIT: the trial's savepoint and the dry run's ROLLBACK never reach it, so
    /// both say the input loads; the load then fails at COMMIT with exit 3.
    @Test func aDeferredConstraintTriggerOnTheTargetIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION no_big() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.n > 100 THEN RAISE EXCEPTION 'n % is too big', NEW.n; END IF; RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER no_big AFTER INSERT ON fact DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION no_big();
            """)
        let error = try agreeing(db, csv: "plan_code,n\nP0,1\nP1,500\n")
        #expect(error != nil)
        #expect(try db.count("plan") == 1 && db.count("fact") == 0)
    }

    /// The same on a parent: the new placeholder row is refused at COMMIT.
    @Test func aDeferredConstraintTriggerOnAParentIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text);
            INSERT INTO plan VALUES ('P0', 'x');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION need_name() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.name IS NULL THEN RAISE EXCEPTION 'plan % has no name', NEW.code; END IF; RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER need_name AFTER INSERT ON plan DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION need_name();
            """)
        let error = try agreeing(db, csv: "plan_code,n\nP0,1\nP1,5\n")
        #expect(error?.category == .findings, "\(String(describing: error))")
        #expect(try db.count("plan") == 1 && db.count("fact") == 0)
    }

    /// No user code at all: a parent's own FK is DEFERRABLE INITIALLY DEFERRED and the
    /// placeholder takes a DEFAULT that no grandparent holds. validate and the dry run
    /// say it loads; the load fails at COMMIT with a raw 23503 (exit 3).
    @Test func aParentsDeferredForeignKeyIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (id int PRIMARY KEY);
            INSERT INTO region VALUES (1);
            CREATE TABLE plan (code text PRIMARY KEY, region_id int NOT NULL DEFAULT 99
                REFERENCES region DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO plan VALUES ('P0', 1);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            """)
        let error = try agreeing(db, csv: "plan_code,n\nP0,1\nP1,5\n")
        #expect(error?.category == .findings, "\(String(describing: error))")
        #expect(try db.count("plan") == 1 && db.count("fact") == 0)
    }

    /// The target's FK is DEFERRABLE INITIALLY DEFERRED and its BEFORE trigger changes
    /// the key to one nobody backfilled: the trial's per-row check is deferred past the
    /// savepoint's rollback, so validate and the dry run say it loads; the load fails at
    /// COMMIT with a raw 23503 (exit 3) instead of the FK finding.
    @Test func aDeferredTargetForeignKeyAndAKeyChangingTriggerArePredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (plan_code text REFERENCES plan DEFERRABLE INITIALLY DEFERRED, n int);
            CREATE FUNCTION up() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW.plan_code := pg_catalog.upper(NEW.plan_code); RETURN NEW; END $$;
            CREATE TRIGGER up BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION up();
            """)
        let error = try agreeing(db, csv: "plan_code,n\nP0,1\np1,2\n")
        #expect(error?.kind == .foreignKeyViolations, "\(String(describing: error))")
        #expect(try db.count("fact") == 0)
    }

    /// A target trigger (ENABLE ALWAYS) that switches the session to replica mode and
    /// changes a key: the per-row path's RI check is skipped for the rest of the
    /// statement, nothing verifies the stored rows afterwards, and the load returns with
    /// an orphan. Needs a role that may set session_replication_role (the test cluster's
    /// superuser, or GRANT SET ON PARAMETER), as the set-based path does itself.
    @Test func aTriggerSwitchingToReplicaModeLeavesNoOrphan() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION sneak() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_catalog.set_config('session_replication_role', 'replica', false);
                      IF NEW.n = 2 THEN NEW.plan_code := 'GHOST'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER sneak BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION sneak();
            ALTER TABLE fact ENABLE ALWAYS TRIGGER sneak;
            """)
        var loadError: FKBackfillError?
        do { _ = try db.load("fact", csv: "plan_code,n\nP0,1\nP0,2\n") } catch let error as FKBackfillError { loadError = error }
        // Whatever the session is left in, the oracle must read in origin mode.
        try db.run("SET session_replication_role = origin")
        let orphans = try OrphanOracle.orphans(in: [db.schema], on: db.connection)
        #expect(loadError != nil || orphans.isEmpty, "the load returned and left orphans: \(orphans)")
        if !orphans.isEmpty { db.expectsOrphans = true }
    }

    /// The target's UNIQUE, PRIMARY KEY or EXCLUDE constraint is DEFERRABLE INITIALLY
    /// DEFERRED. Without --max-rejects the load gives every row to the insert and relies
    /// on PostgreSQL refusing a duplicate; the set-based path's replica mode also skips
    /// the deferred recheck trigger (unique_key_recheck), so a row duplicating an existing
    /// key is COMMITTED: the table then violates its own constraint (REINDEX fails).
    /// validate says "would not load" (or, for the exclusion constraint, "would load"
    /// from a trial that never reaches the deferred check). With per-row (a role that may
    /// not set session_replication_role) the load fails at COMMIT with a raw 23505 (exit 3)
    /// and the dry run says it loads.
    @Test(arguments: [
        ("CONSTRAINT fact_n_key UNIQUE (n) DEFERRABLE INITIALLY DEFERRED", "plan_code,n\nP0,1\nP1,2\n"),
        ("CONSTRAINT fact_n_key PRIMARY KEY (n) DEFERRABLE INITIALLY DEFERRED", "plan_code,n\nP0,1\nP1,2\n"),
        ("CONSTRAINT fact_n_key EXCLUDE USING btree (n WITH =) DEFERRABLE INITIALLY DEFERRED", "plan_code,n\nP0,2\nP1,1\n"),
        // DEFERRABLE alone (INITIALLY IMMEDIATE): the recheck runs at the end of the statement, in replica mode not at all.
        ("CONSTRAINT fact_n_key UNIQUE (n) DEFERRABLE", "plan_code,n\nP0,1\nP1,2\n"),
    ])
    func aDeferredUniqueOrExclusionOnTheTargetIsNeverCommittedViolated(constraint: String, csv: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            INSERT INTO plan VALUES ('P0');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int NOT NULL, \(constraint));
            INSERT INTO fact VALUES ('P0', 1);
            """)
        let error = try agreeing(db, csv: csv)
        var refused = false
        if case .rowRefused = error?.kind { refused = true }
        #expect(refused, "the load should refuse the row that collides: \(String(describing: error))")
        let duplicates = try db.count("fact f", "EXISTS (SELECT 1 FROM fact g WHERE g.n = f.n AND g.ctid <> f.ctid)")
        #expect(duplicates == 0, "the load committed \(duplicates) rows that violate the target's deferred fact_n_key")
    }

    /// A placeholder that collides on a parent's DEFERRABLE INITIALLY DEFERRED unique
    /// key: the trial's insert does not raise (the check waits for COMMIT), validate and
    /// the dry run say the input loads, the load fails at COMMIT with a raw 23505 (exit 3).
    @Test func aDeferredUniqueKeyOfAParentIsPredicted() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text NOT NULL DEFAULT 'unnamed',
                CONSTRAINT plan_name_key UNIQUE (name) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO plan VALUES ('P0', 'unnamed');
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            """)
        let error = try agreeing(db, csv: "plan_code,n\nP0,1\nP1,2\n")
        #expect(error?.category == .findings, "\(String(describing: error))")
        #expect(try db.count("plan") == 1 && db.count("fact") == 0)
    }

    /// An array key whose parent's element type has a typmod (numeric[] → numeric(5,1)[]):
    /// the FK's operator is array_eq(anyarray, anyarray) and the anti-join casts both
    /// sides to `pg_catalog.anyarray`, which PostgreSQL rejects ("operator does not
    /// exist: anyarray pg_catalog.= numeric[]"): validate, the dry run and the load all
    /// stop with a bare exit 3 on the tool's own SQL.
    @Test func anArrayKeyWithATypmodParentRunsTheToolsOwnSQL() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (k numeric(5,1)[] PRIMARY KEY);
            CREATE TABLE fact (k numeric[] REFERENCES plan, n int);
            """)
        let csv = "k,n\n\"{1.5}\",1\n\"{1.25}\",2\n"
        do { _ = try db.predict("fact", csv: csv) } catch let error as FKBackfillError {
            #expect(error.category != .database, "validate: \(error.message)")
        }
        do { _ = try db.load("fact", csv: csv) { $0.maxRejects = 1 } } catch let error as FKBackfillError {
            #expect(error.category != .database, "load: \(error.message)")
        }
    }

    /// A trigger's RAISE EXCEPTION with its own ERRCODE (here 'U0001', as shops do to
    /// tell their checks apart): validate says the load stops (exit 1), the load says
    /// "database error" (exit 3). docs/validate.md and LoadRun+Refusals call a trigger's
    /// RAISE EXCEPTION the user's own check, a finding; only SQLSTATE P0001 is mapped.
    @Test func aRaiseWithItsOwnErrcodeIsAFindingInTheLoadToo() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION not_approved() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'plan % is not approved', NEW.code USING ERRCODE = 'U0001'; END $$;
            CREATE TRIGGER not_approved BEFORE INSERT ON plan FOR EACH ROW EXECUTE FUNCTION not_approved();
            """)
        let csv = "plan_code,n\nP1,1\n"
        let predicted = try db.predict("fact", csv: csv)
        #expect(!predicted.wouldLoad)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) }
        #expect(error.kind == .blocked, "\(error.kind): \(error.message)")
    }

    /// The same on a parent: its BEFORE trigger (ENABLE ALWAYS) switches to replica
    /// mode, so the new row's own FK (a DEFAULT no grandparent holds) goes unchecked;
    /// the tool reasserts origin only before the fact insert and verifies only the
    /// target's FKs, and the load returns with an orphan in the parent.
    @Test func aParentTriggerSwitchingToReplicaModeLeavesNoOrphan() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (id int PRIMARY KEY);
            CREATE TABLE plan (code text PRIMARY KEY, org_id int DEFAULT 99 REFERENCES org);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION sneak() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_catalog.set_config('session_replication_role', 'replica', false); RETURN NEW; END $$;
            CREATE TRIGGER sneak BEFORE INSERT ON plan FOR EACH ROW EXECUTE FUNCTION sneak();
            ALTER TABLE plan ENABLE ALWAYS TRIGGER sneak;
            """)
        var loadError: FKBackfillError?
        do { _ = try db.load("fact", csv: "plan_code,n\nP1,1\n") } catch let error as FKBackfillError { loadError = error }
        try db.run("SET session_replication_role = origin")
        let orphans = try OrphanOracle.orphans(in: [db.schema], on: db.connection)
        #expect(loadError != nil || orphans.isEmpty, "the load returned and left orphans: \(orphans)")
        if !orphans.isEmpty { db.expectsOrphans = true }
    }

    /// validate used to only read; its trial now inserts the new parent rows, so an
    /// uncommitted insert of the same key by another session (a load running now) makes
    /// validate wait for it, with no bound: validate has no --lock-timeout (load has) and
    /// sets no lock_timeout of its own. Here the other session holds its row for 20 s;
    /// validate should answer (or fail with .lockTimeout) well before.
    @Test func validatesTrialDoesNotWaitUnboundedForAConcurrentWriter() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER noop BEFORE INSERT ON plan FOR EACH ROW EXECUTE FUNCTION noop();
            """)
        let other = try Connection()
        // The server ends the writer's transaction after 20 s idle, so the test ends either way.
        try other.execute("SET idle_in_transaction_session_timeout = '20s'")
        try other.execute("BEGIN")
        try other.execute("INSERT INTO \(ident: db.schema).plan VALUES ('P1')")
        let csv = try db.csvFile("plan_code,n\nP1,1\n")
        let started = Date()
        var options = ValidateOptions()
        options.samples = 1
        let report = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: csv, options: CSVOptions()), options: options)
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 15, "validate waited \(Int(waited)) s for another session's uncommitted parent row")
        // It says why its verdict is not exact: the tried write was not tried.
        #expect(report.prediction?.notExact.contains { $0.contains("waited 5s for a lock") } == true, "\(report.prediction?.notExact ?? [])")
        try other.execute("ROLLBACK")
    }
}
