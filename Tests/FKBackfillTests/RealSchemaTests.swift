import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Issue #24's cases on schemas built here the way applications write them: trigger
/// functions with unqualified names, parent triggers that assign keys, placeholder rows
/// a CHECK refuses, serial keys written explicitly.
@Suite struct RealSchemaTests {
    /// Trigger functions written as applications write them, with unqualified names of
    /// tables, sequences and functions in the application's schema, run as they do in
    /// the user's session: on the target (an audit row) and on a parent (a counter).
    @Test(arguments: [FKCheckMode.auto, .perRow])
    func triggersWithUnqualifiedNamesRunAsInTheUsersSession(mode: FKCheckMode) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE projects (id int PRIMARY KEY, name text);
            CREATE TABLE issues (id int PRIMARY KEY, project_id int REFERENCES projects, title text);
            CREATE TABLE work_item_transitions (issue_id int, at_step bigint);
            CREATE SEQUENCE transition_step;
            CREATE TABLE project_counters (project_id int, n int);
            CREATE FUNCTION bump(p int) RETURNS void LANGUAGE sql AS $$ INSERT INTO project_counters VALUES (p, 1) $$;
            CREATE FUNCTION note_transition() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO work_item_transitions VALUES (NEW.id, nextval('transition_step')); RETURN NEW; END $$;
            CREATE TRIGGER note_transition AFTER INSERT ON issues FOR EACH ROW EXECUTE FUNCTION note_transition();
            CREATE FUNCTION count_project() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM bump(NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER count_project AFTER INSERT ON projects FOR EACH ROW EXECUTE FUNCTION count_project();
            INSERT INTO projects VALUES (1, 'one');
            """)
        let report = try db.load("issues", csv: "id,project_id,title\n1,1,a\n2,2,b\n3,1,c\n") { $0.fkCheck = mode }
        #expect(report.inserted == 3)
        #expect(try db.count("work_item_transitions") == 3)
        #expect(try db.count("project_counters") == 2)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// A parent whose BEFORE INSERT trigger assigns the key from a sequence: the row the
    /// load asked for is stored under another key. The load reads the keys back and
    /// stops, naming the trigger and both keys; validate, which tries it, predicts that.
    @Test func aParentTriggerThatAssignsTheKeyStopsTheLoadNamingIt() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE SEQUENCE org_ids START 1000;
            CREATE TABLE org (id int PRIMARY KEY);
            CREATE FUNCTION assign_id() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW.id := nextval('org_ids'); RETURN NEW; END $$;
            CREATE TRIGGER assign_id BEFORE INSERT ON org FOR EACH ROW EXECUTE FUNCTION assign_id();
            CREATE TABLE fact (org_id int REFERENCES org, n int);
            """)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "org_id,n\n7,1\n") }
        #expect(error.kind == .blocked, "\(error)")
        let details = error.details.joined(separator: "\n")
        #expect(details.contains("keys asked for: 7") && details.contains("keys stored: 1000") && details.contains("trigger assign_id"), "\(details)")
        #expect(try db.count("org") == 0)
        var options = ValidateOptions()
        options.samples = 5
        let report = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile("org_id,n\n7,1\n"), options: CSVOptions()), options: options)
        // validate tries the parent's insert in a savepoint: the trigger's key is seen.
        #expect(report.prediction?.wouldLoad == false)
        #expect(report.prediction?.blockers.contains { $0.contains("not stored in \(db.schema).org as asked") } == true)
        #expect(report.prediction?.blockers.contains { $0.contains("keys asked for: 7") } == true, "\(report.prediction?.blockers ?? [])")
        #expect(report.prediction?.tried.contains { $0.contains("trigger assign_id") } == true, "\(report.prediction?.tried ?? [])")
    }

    /// A placeholder parent row that fails a CHECK stops the load before anything is
    /// written, with exit 1 (blocked) and the constraint, as validate predicts; never a
    /// raw 23514 from the middle of the backfill.
    @Test func aPlaceholderThatFailsACheckStopsTheLoadBeforeItWrites() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text NOT NULL DEFAULT 'x' CHECK (kind IN ('A', 'B')));
            CREATE TABLE fact (plan_code text REFERENCES plan, n int);
            """)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "plan_code,n\nP1,1\n") }
        #expect(error.kind == .blocked, "\(error)")
        #expect(error.details.contains { $0.contains("fails CHECK plan_kind_check") }, "\(error.details)")
        #expect(try db.count("plan") == 0)
    }

    /// Explicit keys written into serial and identity columns move their sequences past
    /// them, as pg_dump and pgloader do: the application's next ordinary insert works.
    /// The report names each sequence moved; a sequence already past is left alone.
    @Test func sequencesFedExplicitKeysAreAdvanced() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (customer_id serial PRIMARY KEY, name text);
            CREATE TABLE store (store_id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);
            CREATE TABLE rental (rental_id serial PRIMARY KEY, customer_id int REFERENCES customer, store_id int REFERENCES store);
            INSERT INTO customer (name) SELECT 'c' || g FROM generate_series(1, 5) g;
            INSERT INTO store DEFAULT VALUES;
            """)
        let report = try db.load("rental", csv: "rental_id,customer_id,store_id\n10,5,1\n11,600,1\n12,604,7\n")
        #expect(report.inserted == 3)
        let moved = Dictionary(uniqueKeysWithValues: report.advancedSequences.map { ($0.sequence, $0.value) })
        #expect(moved["\(db.schema).customer_customer_id_seq"] == 604, "\(moved)")
        #expect(moved["\(db.schema).store_store_id_seq"] == 7, "\(moved)")
        #expect(moved["\(db.schema).rental_rental_id_seq"] == 12, "\(moved)")
        // The application's next ordinary inserts.
        try db.run("""
            INSERT INTO customer (name) VALUES ('next');
            INSERT INTO store DEFAULT VALUES;
            INSERT INTO rental (customer_id, store_id) VALUES (1, 1);
            """)
        #expect(try db.values("SELECT max(customer_id) FROM customer") == [["605"]])
        // Never backwards: a second load with small keys leaves the sequences where they are.
        let again = try db.load("rental", csv: "rental_id,customer_id,store_id\n8,2,1\n")
        #expect(again.advancedSequences.map(\.sequence) == [], "\(again.advancedSequences)")
    }

    /// pagila's film.fulltext: NOT NULL, filled by `tsvector_update_trigger`. The column
    /// is the trigger's, not a blocker: the new film loads, and validate tries the new
    /// row's insert (naming the trigger, the second UNIQUE and the exclusion constraint).
    @Test func aColumnATriggerFillsIsNoBlocker() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE EXTENSION IF NOT EXISTS btree_gist;
            CREATE TABLE film (film_id int PRIMARY KEY, title text, slot int, fulltext tsvector NOT NULL,
                               UNIQUE (title), EXCLUDE USING gist (slot WITH =));
            CREATE TRIGGER film_fulltext BEFORE INSERT OR UPDATE ON film FOR EACH ROW
                EXECUTE FUNCTION tsvector_update_trigger(fulltext, 'pg_catalog.english', title);
            CREATE TABLE inventory (film_id int REFERENCES film, store int);
            """)
        let csv = "film_id,store\n7,1\n"
        var options = ValidateOptions()
        options.samples = 5
        let report = try Validator(connection: db.connection).run(
            table: "inventory", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        let prediction = try #require(report.prediction)
        #expect(prediction.wouldLoad, "\(prediction.blockers)")
        // Tried in a savepoint: what the trigger stores and the constraints are PostgreSQL's to tell.
        #expect(prediction.exact, "\(prediction.notExact)")
        let tried = prediction.tried.joined(separator: "; ")
        #expect(tried.contains("fulltext") && tried.contains("film_fulltext"), "\(tried)")
        #expect(tried.contains("unique index film_title_key") && tried.contains("exclusion constraint"), "\(tried)")
        #expect(try db.load("inventory", csv: csv).inserted == 1)
        #expect(try db.count("film", "fulltext IS NOT NULL") == 1)
    }

    /// A parent with rules (differential finding F1): PostgreSQL refuses ON CONFLICT and a
    /// RETURNING in a WITH there, so its new rows go in by a plain INSERT. A DO ALSO rule
    /// runs as it would for any insert; a DO INSTEAD NOTHING rule drops the key, and the
    /// load stops naming the rule, nothing written.
    @Test func aParentWithRulesIsBackfilledOrRefusedNamingTheRule() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE org_log (code text);
            CREATE RULE org_logged AS ON INSERT TO org DO ALSO INSERT INTO org_log VALUES (NEW.code);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            CREATE TABLE team (id int PRIMARY KEY);
            CREATE RULE team_frozen AS ON INSERT TO team DO INSTEAD NOTHING;
            CREATE TABLE member (team_id int REFERENCES team, n int);
            """)
        let report = try db.load("fact", csv: "org_code,n\nA,1\nB,2\n")
        #expect(report.inserted == 2)
        #expect(report.parent("org")?.inserted == 2)
        #expect(try db.count("org_log") == 2)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("member", csv: "team_id,n\n7,1\n") }
        #expect(error.kind == .blocked, "\(error)")
        #expect(error.details.joined().contains("rule team_frozen"), "\(error.details)")
        #expect(try db.count("member") == 0)
    }
}
