@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// New parent rows validated on the standby (issue #29): the load's placeholder for a new
/// key that no partition accepts is refused ("no partition of relation … found for row"),
/// one a CHECK over its key refuses stops the load's pre-check; read-only evaluates each
/// leaf's partition constraint, and the CHECKs that read only the key and columns left
/// NULL, over the new keys (Validator+ParentNewRows.swift), as `load --dry-run` on the
/// primary finds. Each case is held against the dry run.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyParentNewRowTests {
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var partitions: String
        var csv: String
        var loads: Bool
    }

    static let cases: [Case] = [
        Case(description: "list partitions, a new key in a partition that does not exist",
             partitions: "PARTITION BY LIST (part); CREATE TABLE p_100 PARTITION OF p FOR VALUES IN (100); CREATE TABLE p_101 PARTITION OF p FOR VALUES IN (101)",
             csv: "part,ref\n100,1\n102,5\n101,7\n", loads: false),
        Case(description: "list partitions, every new key routed",
             partitions: "PARTITION BY LIST (part); CREATE TABLE p_100 PARTITION OF p FOR VALUES IN (100); CREATE TABLE p_101 PARTITION OF p FOR VALUES IN (101)",
             csv: "part,ref\n100,1\n100,5\n101,7\n", loads: true),
        Case(description: "a default partition takes the new key",
             partitions: "PARTITION BY LIST (part); CREATE TABLE p_100 PARTITION OF p FOR VALUES IN (100); CREATE TABLE p_other PARTITION OF p DEFAULT",
             csv: "part,ref\n100,1\n102,5\n", loads: true),
        Case(description: "range partitions, a key past the last bound",
             partitions: "PARTITION BY RANGE (part); CREATE TABLE p_a PARTITION OF p FOR VALUES FROM (0) TO (101)",
             csv: "part,ref\n100,1\n100,3\n101,5\n", loads: false),
        Case(description: "two levels, the sub-partition lacks the new key's range",
             partitions: """
                 PARTITION BY LIST (part); CREATE TABLE p_100 PARTITION OF p FOR VALUES IN (100) PARTITION BY RANGE (ref);
                 CREATE TABLE p_100_low PARTITION OF p_100 FOR VALUES FROM (0) TO (10)
                 """,
             csv: "part,ref\n100,1\n100,9\n100,12\n", loads: false),
        Case(description: "hash partitions, every remainder there",
             partitions: "PARTITION BY HASH (ref); CREATE TABLE p_0 PARTITION OF p FOR VALUES WITH (MODULUS 2, REMAINDER 0); CREATE TABLE p_1 PARTITION OF p FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
             csv: "part,ref\n100,1\n100,5\n100,6\n", loads: true),
    ]

    @Test(arguments: cases)
    func theStandbyRoutesTheNewKeysAsTheDryRun(_ c: Case) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (part bigint NOT NULL, ref bigint NOT NULL, PRIMARY KEY (part, ref)) \(c.partitions);
            INSERT INTO p VALUES (100, 1);
            CREATE TABLE m (id bigserial PRIMARY KEY, part bigint NOT NULL, ref integer,
                            CONSTRAINT m_p FOREIGN KEY (part, ref) REFERENCES p (part, ref));
            """)
        let loads = (try? db.load("m", csv: c.csv) { $0.dryRun = true }) != nil
        #expect(loads == c.loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).m", input: .csv(path: try db.csvFile(c.csv), options: CSVOptions()), options: ValidateOptions())
        #expect(report.wouldLoad == loads, "\(report.foreignKeys) \(report.notExact)")
        #expect(!report.notExact.contains { $0.contains("partition") }, "\(report.notExact)")
        if !loads {
            let reasons = report.foreignKeys.flatMap(\.reasons)
            #expect(reasons.contains { $0.contains("no partition of \(db.schema).p accepts key (part, ref) = (") }, "\(reasons)")
        }
    }

    struct CheckCase: CustomStringConvertible, Sendable {
        var description: String
        var schema: String
        var csv: String
        var loads: Bool
        /// Evaluated (no notExact line for the parent's CHECKs), or named as not evaluated.
        var evaluated: Bool
    }

    static let checkCases: [CheckCase] = [
        CheckCase(description: "a CHECK on the key refuses a lower-case code",
                  schema: "CREATE TABLE cur (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'), name text)",
                  csv: "cur\nEUR\nusd\n", loads: false, evaluated: true),
        CheckCase(description: "a CHECK on the key every new code passes",
                  schema: "CREATE TABLE cur (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'), name text)",
                  csv: "cur\nEUR\nUSD\n", loads: true, evaluated: true),
        CheckCase(description: "a CHECK over the key and a column left NULL",
                  schema: "CREATE TABLE cur (code text PRIMARY KEY, name text, CHECK (name IS NOT NULL OR code IN ('EUR', 'XXX')))",
                  csv: "cur\nXXX\nUSD\n", loads: false, evaluated: true),
        CheckCase(description: "a BEFORE INSERT trigger runs first: not evaluated",
                  schema: """
                      CREATE TABLE cur (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'), name text);
                      CREATE FUNCTION cur_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := 'n'; RETURN NEW; END $$;
                      CREATE TRIGGER cur_up BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_up()
                      """,
                  csv: "cur\nEUR\nUSD\n", loads: true, evaluated: false),
        CheckCase(description: "a CHECK over a column with a DEFAULT: not evaluated",
                  schema: "CREATE TABLE cur (code text PRIMARY KEY, digits int DEFAULT 2, CHECK (digits BETWEEN 0 AND 4 AND code <> ''))",
                  csv: "cur\nEUR\nUSD\n", loads: true, evaluated: false),
    ]

    @Test(arguments: checkCases)
    func theStandbyChecksTheNewRowsAsTheDryRun(_ c: CheckCase) throws {
        let db = try TestDatabase()
        try db.run("""
            \(c.schema);
            INSERT INTO cur (code) VALUES ('EUR');
            CREATE TABLE price (id serial PRIMARY KEY, cur text CONSTRAINT price_cur REFERENCES cur);
            """)
        let loads = (try? db.load("price", csv: c.csv) { $0.dryRun = true }) != nil
        #expect(loads == c.loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).price", input: .csv(path: try db.csvFile(c.csv), options: CSVOptions()), options: ValidateOptions())
        #expect(report.wouldLoad == loads, "\(report.foreignKeys) \(report.notExact)")
        #expect(report.notExact.contains { $0.hasPrefix("CHECK constraints of new rows of \(db.schema).cur") } == !c.evaluated, "\(report.notExact)")
        if !loads {
            let reasons = report.foreignKeys.flatMap(\.reasons)
            #expect(reasons.contains { $0.hasPrefix("new rows of \(db.schema).cur would be refused: CHECK ") }, "\(reasons)")
        }
    }

    /// A rule or a trigger that keeps every new row out of the parent: the load reads back
    /// what was stored and stops ("new keys were not stored as asked"); read-only tells it
    /// from the catalog where it is sure (Validator+ParentDroppedRows.swift). A trigger that
    /// decides, or a rule's condition over a derived column, stays named as not tried.
    @Test(arguments: [
        ("CREATE RULE cur_nothing AS ON INSERT TO cur DO INSTEAD NOTHING", false, true),
        // A DO INSTEAD NOTHING rule's condition over the key and columns left NULL is evaluated.
        ("CREATE RULE cur_nothing AS ON INSERT TO cur WHERE NEW.name IS NULL DO INSTEAD NOTHING", false, true),
        ("CREATE RULE cur_nothing AS ON INSERT TO cur WHERE NEW.code = 'XXX' DO INSTEAD NOTHING", true, true),
        ("CREATE RULE \"cur WHERE true DO INSTEAD\" AS ON INSERT TO cur WHERE lower(NEW.code) = NEW.code DO INSTEAD NOTHING", true, true),
        ("CREATE RULE \"cur WHERE true DO INSTEAD\" AS ON INSERT TO cur WHERE upper(NEW.code) = NEW.code AND NEW.name IS NULL DO INSTEAD NOTHING", false, true),
        // One reading a column with a DEFAULT, or doing something else instead, stays named.
        ("CREATE RULE cur_nothing AS ON INSERT TO cur WHERE NEW.since IS NOT NULL DO INSTEAD NOTHING", false, false),
        ("CREATE RULE cur_elsewhere AS ON INSERT TO cur WHERE NEW.name IS NULL DO INSTEAD INSERT INTO cur_audit VALUES (NEW.code)", false, false),
        ("CREATE RULE cur_log AS ON INSERT TO cur DO ALSO NOTHING", true, true),
        ("""
         CREATE FUNCTION cur_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN -- IF NEW.code = 'x' THEN
           INSERT INTO cur_audit VALUES (NEW.code); RETURN NULL; END $$;
         CREATE TRIGGER cur_skip BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_skip()
         """, false, true),
        ("""
         CREATE FUNCTION cur_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.code = 'XXX' THEN RETURN NULL; END IF; RETURN NEW; END $$;
         CREATE TRIGGER cur_skip BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_skip()
         """, true, true),
        // A parent's one trigger that skips rows under a condition over the key and columns
        // left NULL: evaluated (differential seed 9191).
        ("""
         CREATE FUNCTION cur_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name IS NULL THEN RETURN NULL; END IF; RETURN NEW; END $$;
         CREATE TRIGGER cur_skip BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_skip()
         """, false, true),
        // Beside another BEFORE INSERT trigger (which may fill name first), or reading a
        // column with a DEFAULT: named, not tried.
        ("""
         CREATE FUNCTION cur_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name IS NULL THEN RETURN NULL; END IF; RETURN NEW; END $$;
         CREATE TRIGGER cur_skip BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_skip();
         CREATE FUNCTION cur_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := 'filled'; RETURN NEW; END $$;
         CREATE TRIGGER cur_a_fill BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_fill()
         """, true, false),
        ("""
         CREATE FUNCTION cur_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.since IS NOT NULL THEN RETURN NULL; END IF; RETURN NEW; END $$;
         CREATE TRIGGER cur_skip BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_skip()
         """, false, false),
    ])
    func rulesAndTriggersThatKeepNewRowsOut(_ hook: String, _ loads: Bool, _ sure: Bool) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE cur (code text PRIMARY KEY, name text, since date DEFAULT '2024-01-01');
            CREATE TABLE cur_audit (code text);
            INSERT INTO cur VALUES ('EUR', 'euro');
            \(hook);
            CREATE TABLE price (id serial PRIMARY KEY, cur text CONSTRAINT price_cur REFERENCES cur);
            """)
        let csv = "cur\nEUR\nUSD\n"
        let loaded = (try? db.load("price", csv: csv) { $0.dryRun = true }) != nil
        #expect(loaded == loads, "dry run")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).price", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        if sure {
            #expect(report.wouldLoad == loads, "\(report.foreignKeys) \(report.notExact)")
        } else {
            #expect(report.notExact.contains { $0.contains("on \(db.schema).cur (cur_") && $0.contains("are not tried") }, "\(report.notExact)")
        }
        if !loads && sure {
            #expect(report.foreignKeys.flatMap(\.reasons).contains { $0.hasPrefix("new rows of \(db.schema).cur would not be stored: ") }, "\(report.foreignKeys)")
        }
    }
}
