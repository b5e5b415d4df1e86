@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 15: the newest mends (816cb23..b8292d1) held against `load --dry-run`
/// on the primary (PostgreSQL the oracle): read-only validate's evaluation of a parent's
/// key trigger (`Validator+KeyTriggers.swift`), the user's code the load and validate run
/// under the pinned path (domain and CHECK functions), a parent trigger's errors and
/// whole-row fills, a generated column and the target's placeholders (`unheld`). Every
/// test here fails on main at b8292d1; no production code is changed.
@Suite(.timeLimit(.minutes(30))) struct HostileReview15Tests: HostileSuite {
    /// validate read-only on the standby, under the user's path as on the primary.
    func standbyValidate(_ db: TestDatabase, _ table: String, _ input: InputSource, path: String? = nil) throws -> ValidationReport {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: path ?? db.schema), false)")
        return try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: ValidateOptions())
    }


    /// A parent's BEFORE INSERT trigger whose `NEW.code := upper(NEW.code)` never runs on
    /// the backfilled rows, or whose effect a later statement undoes: in a statement CASE
    /// whose branch is not taken, in a loop that runs no times, after the RETURN, in a
    /// trigger whose WHEN clause is false for a placeholder, followed by
    /// `SELECT lower(NEW.code) INTO NEW.code`; or an assignment reading a local variable
    /// named `k` (`substr(NEW.code, 1 + length(k))` with k = '': the key as it is), or
    /// naming `new.code` in a string literal (the surgery replaces it there too). The
    /// load commits each (exit 0: key xa stored as asked). Read-only validate says
    /// "would not load" (exit 1), "cannot fix: a BEFORE INSERT trigger of p stores new
    /// keys other than asked (xa → XA)" (`keyAssignments` counts only IFs, reads neither
    /// CASE/LOOP/RETURN nor `tgqual` nor `SELECT … INTO NEW.x`; `keysChanged` evaluates
    /// the expression in a query where `k` is the key's own column `u.k`).
    @Test func keyAssignmentsThatNeverRunOrAreUndone() throws {
        let bodies: [(String, String)] = [
            ("case", "BEGIN CASE WHEN NEW.name IS NOT NULL THEN NEW.code := upper(NEW.code); ELSE NULL; END CASE; RETURN NEW; END"),
            ("loop", "BEGIN FOR i IN 1..0 LOOP NEW.code := upper(NEW.code); END LOOP; RETURN NEW; END"),
            ("while", "BEGIN WHILE false LOOP NEW.code := upper(NEW.code); END LOOP; RETURN NEW; END"),
            ("after return", "BEGIN RETURN NEW; NEW.code := upper(NEW.code); END"),
            ("when", "BEGIN NEW.code := upper(NEW.code); RETURN NEW; END"),
            ("select into", "BEGIN NEW.code := upper(NEW.code); SELECT lower(NEW.code) INTO NEW.code; RETURN NEW; END"),
            ("variable k", "DECLARE k text := ''; BEGIN NEW.code := substr(NEW.code, 1 + length(k)); RETURN NEW; END"),
            ("literal", "BEGIN NEW.code := CASE WHEN length('new.code') = 8 THEN NEW.code ELSE upper(NEW.code) END; RETURN NEW; END"),
        ]
        for (name, body) in bodies {
            let db = try TestDatabase()
            let when = name == "when" ? "WHEN (NEW.name IS NOT NULL)" : ""
            try db.run("""
                CREATE TABLE p (code text PRIMARY KEY, name text);
                CREATE TABLE fact (id int, code text REFERENCES p);
                CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$ \(body) $f$;
                CREATE TRIGGER tf BEFORE INSERT ON p FOR EACH ROW \(when) EXECUTE FUNCTION tf();
                """)
            let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
            #expect(try dryRunLoads(db, "fact", input), "\(name)")
            let standby = try standbyValidate(db, "fact", input)
            #expect(standby.wouldLoad, "\(name): \(summary(standby))")
        }
    }
    /// A BEFORE INSERT trigger on one partition of a partitioned parent upper-cases the
    /// key (`p_up FOR VALUES IN ('AA', 'BB')`); the new key xa goes to the default
    /// partition, which has no trigger. The load commits (exit 0: xa stored as asked).
    /// Read-only validate says "cannot fix: a BEFORE INSERT trigger of p stores new keys
    /// other than asked (xa → XA)" (exit 1): `keyAssignments` applies every partition's
    /// triggers to every new key, wherever PostgreSQL routes it. (With the trigger on the
    /// partitioned table itself, each clone adds its assignment again: a key-swapping
    /// `translate(NEW.code, 'ab', 'ba')` applied twice reads as "keys kept", masked only
    /// by the generic "triggers … are not tried" note.)
    @Test func aPartitionsKeyTriggerAppliedToKeysRoutedElsewhere() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, name text) PARTITION BY LIST (code);
            CREATE TABLE p_up PARTITION OF p FOR VALUES IN ('AA', 'BB');
            CREATE TABLE p_d PARTITION OF p DEFAULT;
            CREATE TABLE fact (id int, code text REFERENCES p);
            CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN NEW.code := upper(NEW.code); RETURN NEW; END $f$;
            CREATE TRIGGER tf BEFORE INSERT ON p_up FOR EACH ROW EXECUTE FUNCTION tf();
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "fact", input))
        let standby = try standbyValidate(db, "fact", input)
        #expect(standby.wouldLoad, "\(summary(standby))")
    }
    /// A domain whose CHECK calls a SQL function that reads an unqualified table
    /// (review 13's case, now on validate): the load stages the CSV under the user's path
    /// (the COPY into the domain-typed stage) and commits (exit 0). validate, staged on the
    /// primary and read-only on the standby, stops with "database error: relation
    /// \"allowed\" does not exist (SQLSTATE 42P01)" (exit 3): its stage copies text and
    /// casts it to the domain in `INSERT INTO pg_temp.fkb_stage … CAST(r.code AS dcode)`
    /// and in `pg_temp.fkb_casts_N`, both under the pinned path (the helper with
    /// `SET search_path = pg_catalog, pg_temp` and `EXCEPTION WHEN others`, which would
    /// call every value "does not convert" if the INSERT did not throw first).
    /// Mended on branch casts: those casts run under the user's path (`TextStaging.castsUnderUserPath`).
    @Test func aDomainCheckReadingAnUnqualifiedTableOnValidate() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE allowed (v text);
            INSERT INTO allowed VALUES ('xa'), ('xb');
            CREATE FUNCTION ok(text) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT 1 FROM allowed WHERE v = $1)';
            CREATE DOMAIN dcode AS text CHECK (ok(VALUE));
            CREATE TABLE p (code dcode PRIMARY KEY, name text);
            CREATE TABLE fact (id int, code dcode REFERENCES p, note dcode);
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code,note\n1,xa,xb\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "fact", input))
        let staged = Result { try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions()) }
        let standby = Result { try standbyValidate(db, "fact", input) }
        #expect((try? staged.get())?.wouldLoad == true, "staged: \(staged.map(summary))")
        #expect((try? standby.get())?.wouldLoad == true, "standby: \(standby.map(summary))")
    }
    /// The parent's key is a domain whose CHECK reads an unqualified table; the fact's
    /// column is plain text. PostgreSQL, under the user's path, inserts key xa into the
    /// parent (`INSERT INTO p (code) VALUES ('xa')` here). The load stops with "database
    /// error: relation \"allowed\" does not exist (SQLSTATE 42P01)" (exit 3), nothing
    /// written: its check that each new key fits the parent's type casts it to the domain
    /// (`… CAST(CAST(d.v AS text) AS dcode) …` in the reject UPDATE) under the pinned path.
    /// Mended on branch casts: the fit is cast under the user's path (`KeyFit.runsUserCode`),
    /// and the new rows' values the pinned path computes are held in the domain's base type
    /// (`Column.pinnedType`) until the insert, under the user's path, assigns them.
    @Test func aParentKeyDomainWhoseCheckReadsAnUnqualifiedTable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE allowed (v text);
            INSERT INTO allowed VALUES ('xa'), ('xb');
            CREATE FUNCTION ok(text) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT 1 FROM allowed WHERE v = $1)';
            CREATE DOMAIN dcode AS text CHECK (ok(VALUE));
            CREATE TABLE p (code dcode PRIMARY KEY, name text);
            CREATE TABLE fact (id int, code text REFERENCES p);
            INSERT INTO p (code) VALUES ('xb');
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        let load = Result { try db.load("fact", input: input) { $0.dryRun = true } }
        #expect((try? load.get()) != nil, "\(load)")
    }
    /// The parent's CHECK calls a SQL function that reads an unqualified table
    /// (`CHECK (ok(code))`). PostgreSQL inserts key xa into the parent under the user's
    /// path (here, in setup: xb). The load stops with "database error: relation
    /// \"allowed\" does not exist (SQLSTATE 42P01)" (exit 3): the new rows' CHECK is
    /// pre-evaluated (`count(*) FILTER (WHERE NOT (ok(code)))` over the new keys,
    /// `LoadRun+NewRowChecks.swift`) under the pinned path. (With a BEFORE INSERT trigger
    /// on the parent the CHECK is left to its insert, and the same load commits.) The
    /// staged validate stops with the same SQLSTATE (exit 3).
    @Test func aParentCheckCallingAFunctionThatReadsAnUnqualifiedTable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE allowed (v text);
            INSERT INTO allowed VALUES ('xa'), ('xb');
            CREATE FUNCTION ok(text) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT 1 FROM allowed WHERE v = $1)';
            CREATE TABLE p (code text PRIMARY KEY CHECK (ok(code)), name text);
            CREATE TABLE fact (id int, code text REFERENCES p);
            INSERT INTO p VALUES ('xb');
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        let load = Result { try db.load("fact", input: input) { $0.dryRun = true } }
        #expect((try? load.get()) != nil, "\(load)")
        let staged = Result { try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions()) }
        #expect((try? staged.get())?.wouldLoad == true, "staged: \(staged.map(summary))")
    }
    /// A parent's BEFORE INSERT trigger fills its NOT NULL column by assigning the whole
    /// row (`NEW := ROW(NEW.code, 1)`, or a record copied from NEW, changed and returned).
    /// PostgreSQL inserts the parent's new row (here, in setup). The load stops before
    /// writing, "p.qty is NOT NULL with no default and no input column to fill it" (exit
    /// 1): `ParentColumnFacts.assignedColumns` reads `NEW.x :=` and `SELECT … INTO NEW.x`
    /// only, so the column counts as unfilled. The staged validate agrees with the load.
    @Test func aTriggerThatFillsANotNullColumnThroughTheWholeRow() throws {
        let bodies = ["BEGIN NEW := ROW(NEW.code, 1); RETURN NEW; END",
                      "DECLARE r record; BEGIN r := NEW; r.qty := 3; RETURN r; END"]
        for body in bodies {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE p (code text PRIMARY KEY, qty int NOT NULL);
                CREATE TABLE fact (id int, code text REFERENCES p);
                CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$ \(body) $f$;
                CREATE TRIGGER tf BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION tf();
                INSERT INTO p (code) VALUES ('xb');
                """)
            let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
            #expect(try dryRunLoads(db, "fact", input), "\(body)")
        }
    }

    /// A parent's BEFORE INSERT trigger that fails on every row with an error of the
    /// user's own schema (`NEW.qty := NEW.nosuch`: 42703). PostgreSQL refuses the new
    /// row, so the load must stop, as a finding naming the parent (exit 1, as for a
    /// trigger's RAISE or a division by zero there). It stops with "database error:
    /// record \"new\" has no field \"nosuch\" (SQLSTATE 42703)" (exit 3); the staged
    /// validate says "stops the load: … record \"new\" has no field" (exit 1).
    @Test func aParentTriggerWithAnErrorOfTheUsersSchema() throws {
        // 42703 and 42883 (an undefined function): both exit 3 on main.
        for assigned in ["NEW.nosuch", "nosuchfn(1)"] {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE p (code text PRIMARY KEY, qty int);
                CREATE TABLE fact (id int, code text REFERENCES p);
                CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN NEW.qty := \(assigned); RETURN NEW; END $f$;
                CREATE TRIGGER tf BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION tf();
                """)
            let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
            do {
                _ = try db.load("fact", input: input) { $0.dryRun = true }
                Issue.record("\(assigned): loaded, but PostgreSQL refuses the parent's new row")
            } catch let error as FKBackfillError {
                if case .database = error.kind { Issue.record("\(assigned): a database error (exit 3), not a finding: \(error)") }
            }
        }
    }
    /// A parent's stored generated column whose expression fails on the placeholder row
    /// (`r GENERATED ALWAYS AS (100 / qty) STORED`, qty DEFAULT 0). The load stops: "new
    /// rows of p were refused: division by zero, nothing was written" (exit 1). validate,
    /// staged on the primary and read-only on the standby, says "would load after
    /// backfilling 1 new parent row" (exit 0), nothing in notExact: the staged trial does
    /// not insert the parent's rows (no trigger, no rule to try) and neither path
    /// evaluates a generated column's expression on the new rows.
    @Test func aParentGeneratedColumnThatFailsOnThePlaceholder() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, qty int NOT NULL DEFAULT 0, r int GENERATED ALWAYS AS (100 / qty) STORED);
            CREATE TABLE fact (id int, code text REFERENCES p);
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        #expect(try !dryRunLoads(db, "fact", input))
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions())
        #expect(!staged.wouldLoad || !staged.notExact.isEmpty, "staged: \(summary(staged))")
        let standby = try standbyValidate(db, "fact", input)
        #expect(!standby.wouldLoad || !standby.notExact.isEmpty, "standby: \(summary(standby))")
    }
    /// A self-referencing target whose placeholder row (parent 99, not in the input) gets
    /// its FK column's DEFAULT 'ZZ', which cat lacks; the input's own row backfills cat
    /// with A. The load inserts the placeholder and PostgreSQL refuses it: "new rows of
    /// fact were refused: … violates foreign key constraint fact_cat_fkey, Key
    /// (cat)=(ZZ) is not present" (exit 1). validate, staged and read-only, says "would
    /// load after backfilling 2 new parent rows" (exit 0), nothing in notExact:
    /// `PlaceholderKeys.unheld` skips cat because the load adds rows to it (`addsTo`),
    /// whichever keys those are, and the staged prediction does not try the insert.
    @Test func aTargetPlaceholderDefaultTheLoadAddsOtherKeysFor() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE cat (code text PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, parent_id int REFERENCES fact, cat text NOT NULL DEFAULT 'ZZ' REFERENCES cat);
            """)
        let input = InputSource.csv(path: try db.csvFile("id,parent_id,cat\n1,99,A\n"), options: CSVOptions())
        #expect(try !dryRunLoads(db, "fact", input))
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: ValidateOptions())
        #expect(!staged.wouldLoad || !staged.notExact.isEmpty, "staged: \(summary(staged))")
        let standby = try standbyValidate(db, "fact", input)
        #expect(!standby.wouldLoad || !standby.notExact.isEmpty, "standby: \(summary(standby))")
    }
    /// The user's path puts their schema before pg_catalog (`search_path = s, pg_catalog`)
    /// and the schema has a domain named `text` (over varchar(1)). The key-trigger
    /// evaluation's own casts name the parent's type unqualified (`CAST(… AS text)`,
    /// `sqlType`) and run under that path: they resolve to the user's `s.text`, truncate
    /// XA to X and say "cannot fix: a BEFORE INSERT trigger of p stores new keys other
    /// than asked (XA → X)" (exit 1). The trigger upper-cases an upper-case key: the load
    /// commits (exit 0), under the same path too.
    @Test func theKeyTriggerEvaluationsOwnCastResolvesToTheUsersType() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN \(db.schema).text AS pg_catalog.varchar(1);
            CREATE TABLE p (code pg_catalog.text PRIMARY KEY, name pg_catalog.text);
            CREATE TABLE fact (id pg_catalog.int4, code pg_catalog.varchar(10) REFERENCES p);
            CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN NEW.code := upper(NEW.code); RETURN NEW; END $f$;
            CREATE TRIGGER tf BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION tf();
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,XA\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "fact", input))
        let standby = try standbyValidate(db, "fact", input, path: "\(db.schema), pg_catalog")
        #expect(standby.wouldLoad, "\(summary(standby))")
    }
}
