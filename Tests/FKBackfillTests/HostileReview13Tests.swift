@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 13: today's mends (d63858f..aff6cee) held against `load --dry-run` on
/// the primary (PostgreSQL the oracle): a parent's BEFORE INSERT code read from the
/// catalog by read-only validate (d8abb2a), `--in-place` inputs that call the user's code
/// (fc0494f), the staged trial's fact insert for a parent whose insert writes elsewhere
/// (4b83b94), a target in a cycle (bf6ee15, aff6cee). Every test here fails on main at
/// aff6cee (two breaks predate today's commits: each test says); no production code is changed.
@Suite(.timeLimit(.minutes(30))) struct HostileReview13Tests: HostileSuite {
    /// validate on the primary (staged) and on the standby (streamed or in place).
    func validate(
        _ db: TestDatabase, _ table: String, _ input: InputSource, inPlace: Bool = false
    ) throws -> (staged: ValidationReport, standby: ValidationReport) {
        var options = ValidateOptions()
        options.inPlace = inPlace
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).\(table)", input: input, options: options)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        // The user's path on the standby too, as on the primary's connection.
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        let streamed = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: options)
        return (staged, streamed)
    }


    /// A parent's BEFORE INSERT trigger (or a DO ALSO rule on INSERT) writes the target's
    /// row for each new parent row (a new user's detail row, as 4b83b94's AFTER trigger
    /// did): the load backfills user 5, the trigger writes detail 5, and the fact insert
    /// fails ("key (user_id) already in detail (detail_pkey)", exit 1). The staged validate
    /// tries only the parents' insert for a BEFORE trigger or a rule
    /// (`parentWritesReasons` asks for AFTER triggers only), rolls it back, and says
    /// "would load" (exit 0) with nothing in notExact.
    @Test func aParentsBeforeTriggerOrAlsoRuleThatWritesTheTarget() throws {
        for hook in ["trigger", "rule"] {
            let db = try TestDatabase()
            try db.run("""
                CREATE TABLE users (id int PRIMARY KEY, name text);
                CREATE TABLE detail (user_id int PRIMARY KEY REFERENCES users DEFERRABLE INITIALLY DEFERRED, note text);
                """)
            if hook == "trigger" {
                try db.run("""
                    CREATE FUNCTION mkdetail() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN INSERT INTO \(db.schema).detail VALUES (NEW.id, 'auto'); RETURN NEW; END $$;
                    CREATE TRIGGER mkdetail BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION mkdetail();
                    """)
            } else {
                try db.run("CREATE RULE mkdetail AS ON INSERT TO users DO ALSO INSERT INTO \(db.schema).detail VALUES (NEW.id, 'auto')")
            }
            let input = InputSource.csv(path: try db.csvFile("user_id,note\n5,x\n"), options: CSVOptions())
            #expect(try !dryRunLoads(db, "detail", input), "\(hook)")
            let (staged, standby) = try validate(db, "detail", input)
            #expect(!staged.wouldLoad || !staged.notExact.isEmpty, "\(hook): \(summary(staged))")
            // The standby names the parent's trigger or rule in notExact: right.
            #expect(!standby.wouldLoad || !standby.notExact.isEmpty, "\(hook): \(summary(standby))")
        }
    }

    /// A BEFORE INSERT trigger on a partition of a partitioned parent upper-cases the new
    /// key (the partitioned parent has a default partition): the load reads the keys back
    /// and stops ("keys stored: XA, 1 … h1.p3 has trigger up3", exit 1), and the staged
    /// validate says "would not load". Read-only says "would load" with nothing in
    /// notExact: `ParentColumnFacts.read` and the standby's trigger note read the
    /// partitioned table's own triggers, not its partitions' (`ParentHooks` reads the
    /// partition tree). The audit calls the FK `auto` too.
    @Test func aKeyChangingTriggerOnAPartitionOfTheParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text, region int, PRIMARY KEY (code, region)) PARTITION BY LIST (region);
            CREATE TABLE p_1 PARTITION OF p FOR VALUES IN (1);
            CREATE TABLE p_d PARTITION OF p DEFAULT;
            CREATE FUNCTION up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.code := upper(NEW.code); RETURN NEW; END $$;
            CREATE TRIGGER up BEFORE INSERT ON p_1 FOR EACH ROW EXECUTE FUNCTION up();
            CREATE TABLE fact (id int, code text, region int, FOREIGN KEY (code, region) REFERENCES p);
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code,region\n1,xa,1\n"), options: CSVOptions())
        #expect(try !dryRunLoads(db, "fact", input))
        let (staged, standby) = try validate(db, "fact", input)
        #expect(!staged.wouldLoad, "\(summary(staged))")
        #expect(!standby.wouldLoad || standby.notExact.contains { $0.contains("up") }, "\(summary(standby))")
    }

    /// A parent's BEFORE INSERT trigger that never changes the new keys: enabled only for
    /// replication (`ENABLE REPLICA TRIGGER`: it does not fire in an ordinary session), or
    /// whose `NEW.code :=` is in a comment and whose only assignment is guarded by
    /// `IF NEW.code IS NULL` (a new key is never NULL). The load commits both (exit 0);
    /// read-only validate says "would not load" (exit 1), "cannot fix: trigger … assigns
    /// its key column code on INSERT" (`ParentColumnFacts` reads `tgenabled <> 'D'` and
    /// matches the function's text). The staged validate tries the insert and says
    /// "would load".
    @Test func aTriggerThatNeverChangesTheNewKeys() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, name text);
            CREATE TABLE fact (id int, code text REFERENCES p);
            CREATE FUNCTION up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.code := upper(NEW.code); RETURN NEW; END $$;
            CREATE TRIGGER up BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION up();
            ALTER TABLE p ENABLE REPLICA TRIGGER up;
            CREATE TABLE q (code text PRIMARY KEY, name text);
            CREATE TABLE fact2 (id int, code text REFERENCES q);
            CREATE FUNCTION fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                -- keys stay as given (this used to say NEW.code := upper(NEW.code))
                IF NEW.code IS NULL THEN NEW.code := 'none'; END IF;
                RETURN NEW; END $$;
            CREATE TRIGGER fill BEFORE INSERT ON q FOR EACH ROW EXECUTE FUNCTION fill();
            """)
        for table in ["fact", "fact2"] {
            let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
            #expect(try dryRunLoads(db, table, input), "\(table)")
            let (staged, standby) = try validate(db, table, input)
            #expect(staged.wouldLoad, "\(table): \(summary(staged))")
            #expect(standby.wouldLoad, "\(table): \(summary(standby))")
        }
    }

    /// `--in-place` with a view that reaches the user's SQL function through an operator
    /// (`~~~ raw`, the operator's function reads an unqualified `codes`) or through a
    /// domain's CHECK (`CAST(… AS known_code)`, `CHECK (known(VALUE))`), or a user's
    /// aggregate whose state function is SQL (the aggregate's pg_proc row says `internal`,
    /// which `callsUserCode` skips): the load works
    /// (it stages under the user's path); validate `--in-place`, on the primary and on the
    /// standby, fails: "relation codes does not exist" (42P01, exit 3). `callsUserCode`
    /// follows only the view's direct dependencies on pg_proc, not those through
    /// pg_operator, pg_type or pg_aggregate.
    @Test func aViewReachingTheUsersFunctionThroughAnOperatorOrADomain() throws {
        // InPlaceViewTests' schema: p, fact, codes, src and norm() reading an unqualified `codes`.
        let db = try InPlaceViewTests().schema()
        try db.run("""
            CREATE OPERATOR ~~~ (RIGHTARG = text, FUNCTION = norm);
            CREATE VIEW v_op AS SELECT id, ~~~ raw AS code FROM src;
            CREATE FUNCTION known(r text) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT EXISTS (SELECT 1 FROM codes WHERE code = r) $$;
            CREATE DOMAIN known_code AS text CHECK (known(VALUE));
            CREATE VIEW v_dom AS SELECT id, CAST(upper(raw) AS known_code) AS code FROM src;
            CREATE FUNCTION add_code(s text, r text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT coalesce(s, '') || norm(r) $$;
            CREATE AGGREGATE cat_codes(text) (sfunc = add_code, stype = text);
            CREATE VIEW v_agg AS SELECT id, cat_codes(raw) AS code FROM src GROUP BY id;
            """)
        for view in ["v_op", "v_dom", "v_agg"] {
            let input = InputSource.table("\(db.schema).\(view)")
            #expect(try dryRunLoads(db, "fact", input), "\(view)")
            var options = ValidateOptions()
            options.inPlace = true
            let standby = try Standby.connect()
            try Standby.waitForReplay(of: db.connection, on: standby)
            _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
            for (side, connection) in [("primary", db.connection), ("standby", standby)] {
                do {
                    let report = try Validator(connection: connection).run(table: "\(db.schema).fact", input: input, options: options)
                    #expect(report.wouldLoad && report.foreignKeys.map(\.missingKeys) == [1], "\(view) \(side): \(summary(report))")
                } catch {
                    Issue.record("\(view) \(side): validate --in-place failed where the load works: \(error)")
                }
            }
        }
    }

    /// Target first in a cycle (node.c1 → p1, p1.tid NOT NULL → node): node's rows go in
    /// with c1 NULL and the load's UPDATE restores it, which runs node's BEFORE UPDATE
    /// triggers (a plain INSERT would not). A trigger that changes a c1 being filled
    /// (`IF OLD.c1 IS NULL … NEW.c1 := 'K1'`) makes the load commit row 100 with c1 = K1
    /// where its input says N2 (exit 0): `lostTargetCycleValues` asks only whether the
    /// column is still NULL, not whether it holds the value restored.
    @Test func anUpdateTriggerThatRedirectsTheRestoredCycleValue() throws {
        let db = try TestDatabase()
        try db.run("""
            \(TargetFirstCycle.schema)
            CREATE FUNCTION redirect() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                IF OLD.c1 IS NULL AND NEW.c1 IS NOT NULL THEN NEW.c1 := 'K1'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER redirect BEFORE UPDATE ON node FOR EACH ROW EXECUTE FUNCTION redirect();
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).p1:\n    columns:\n      tid: { from: id, pick: first }\n", file: "rules.yaml")
        let input = InputSource.csv(path: try db.csvFile("id,c1,up\n100,N2,\n101,K1,100\n"), options: CSVOptions())
        do {
            _ = try db.load("node", input: input) { $0.rules = rules }
        } catch is FKBackfillError {
            return  // stopped, nothing written: what the promise allows
        }
        let stored = try db.connection.execute("SELECT c1 FROM \(ident: db.schema).node WHERE id = 100").rows.first?["c1"]
        #expect(stored == "N2", "committed row 100 with c1 \(String(describing: stored)), the input says N2")
    }

    /// The target's column is a domain whose CHECK calls the user's SQL function (it reads
    /// an unqualified `codes`): an INSERT in the user's session works, and docs/security.md
    /// promises "CHECK expressions calling your functions — runs as it does in your own
    /// session". `load --dry-run` fails: "database error: relation codes does not exist"
    /// (42P01, exit 3, no hint), and so do validate staged, `--in-place` and on the standby:
    /// the stage's column takes the domain type, and its COPY runs the CHECK under the pinned
    /// path (not from today's commits).
    @Test func aDomainCheckOnTheTargetCallingTheUsersFunction() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY);
            CREATE TABLE codes (code text);
            INSERT INTO codes VALUES ('A'), ('B'); INSERT INTO p VALUES ('A');
            CREATE FUNCTION known(r text) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT EXISTS (SELECT 1 FROM codes WHERE code = r) $$;
            CREATE DOMAIN known_code AS text CHECK (known(VALUE));
            CREATE TABLE fact (id int, code known_code REFERENCES p);
            INSERT INTO fact VALUES (0, 'A');
            """)
        do {
            let report = try db.load("fact", csv: "id,code\n1,A\n2,B\n") { $0.dryRun = true }
            #expect(report.inserted == 2)
        } catch {
            Issue.record("the load fails where an INSERT in the user's session works: \(error)")
        }
    }

    /// The target's placeholder row (node 50, which row 1 references) takes cat's DEFAULT
    /// 'C9', which cat lacks, but which row 1 gives: the load backfills C9 into cat. The FK
    /// is even deferred. PostgreSQL takes these rows (cat C9, node 50 with cat C9, rows 1
    /// and 2); the load stops before its first write: "placeholder rows of node would give
    /// node_cat_fkey (cat) a key cat lacks, which no step of the load adds", while its own
    /// prediction lists "new rows in cat: 1 (C9)". `PlaceholderKeys.unheld` asks the table
    /// as it is, not the keys the load adds from the input (without DEFERRABLE: the same).
    @Test func aPlaceholderValueTheInputBackfills() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE cat (code text PRIMARY KEY);
            CREATE TABLE node (id int PRIMARY KEY, up int REFERENCES node,
                cat text NOT NULL DEFAULT 'C9' REFERENCES cat DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO cat VALUES ('C1');
            """)
        // PostgreSQL takes what the load would write, placeholder first (rolled back).
        try db.run("""
            BEGIN; INSERT INTO cat VALUES ('C9'); INSERT INTO node (id) VALUES (50);
            INSERT INTO node VALUES (1, 50, 'C9'), (2, 1, 'C1'); SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK;
            """)
        let input = InputSource.csv(path: try db.csvFile("id,up,cat\n1,50,C9\n2,1,C1\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "node", input))
        let (staged, standby) = try validate(db, "node", input)
        #expect(staged.wouldLoad, "\(summary(staged))")
        #expect(standby.wouldLoad || !standby.notExact.isEmpty, "\(summary(standby))")
    }

    /// A parent's BEFORE INSERT trigger fills its NOT NULL created_by with `SELECT … INTO
    /// NEW.created_by` (PostgreSQL takes `INSERT INTO p (code)`): the load stops before its
    /// first write, "p.created_by is NOT NULL with no default and no input column to fill
    /// it", and validate says "would not load": `ParentColumnFacts.assignedColumns` knows
    /// only `NEW.x :=` / `=`, so the column counts as uncovered (read-only, since d8abb2a,
    /// the same; the reader predates today).
    @Test func aTriggerFillingANotNullColumnWithSelectInto() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (code text PRIMARY KEY, created_by text NOT NULL);
            CREATE TABLE fact (id int, code text REFERENCES p);
            CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN SELECT current_user INTO NEW.created_by; RETURN NEW; END $$;
            CREATE TRIGGER stamp BEFORE INSERT ON p FOR EACH ROW EXECUTE FUNCTION stamp();
            """)
        try db.run("BEGIN; INSERT INTO p (code) VALUES ('zz'); ROLLBACK;")  // PostgreSQL takes a new row
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "fact", input))
        let (staged, standby) = try validate(db, "fact", input)
        #expect(staged.wouldLoad && (standby.wouldLoad || standby.foreignKeys.map(\.unfixableKeys) == [0]), "\(summary(staged)) | \(summary(standby))")
    }
}
