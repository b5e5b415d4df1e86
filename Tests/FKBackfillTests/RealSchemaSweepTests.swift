@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A real-schema sweep (issue #29): a GitLab-style schema of 52 tables in two schemas
/// (Tests/Fixtures/realschema/app.sql: identity and serial keys, citext, char and varchar
/// natural keys, composite keys, self-references, two cycles, deferrable FKs, partial
/// unique indexes, domains, enums, generated columns, two partitioned tables, two inheritance
/// pairs, and trigger functions with unqualified names that assign, normalise and write
/// rows), and per target a few hundred rows (generate.py) with new and existing keys,
/// blanks and bad rows. Each case holds validate on the primary (staged) and on the hot
/// standby (read-only) against `load --dry-run`, then runs the real load: its outcome is
/// the dry run's, and the orphan check (anti-joins `FROM ONLY` the parent with the FK's
/// operators) finds nothing after it. What the standby still cannot tell is in
/// `disagreeing`, held as known issues; the harness (`RealSchema`, `SweepCase`,
/// `SweepOutcome`) serves the second sweep too.
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweepTests {
    /// The orphan check can fail: a row whose key only an inheritance child has, written
    /// with the FK triggers off, is an orphan for PostgreSQL (`FROM ONLY`); a partitioned
    /// parent's rows, which live in its partitions, are parent rows.
    @Test func theOrphanCheckReadsOnlyTheParent() throws {
        let schema = try RealSchema()
        try schema.db.run("""
            SET session_replication_role = replica;
            INSERT INTO audit_event_streaming_headers (audit_event_id, key, value) VALUES (500, 'k', 'v');
            INSERT INTO ci_build_trace_metadata (partition_id, execution_config_id) VALUES (100, 1), (101, 2);
            RESET session_replication_role;
            """)
        #expect(try RealSchema.orphans(in: [schema.app, schema.ci], on: schema.db.connection) == ["audit_event_streaming_headers_audit_event_id_fkey on audit_event_streaming_headers: 1 rows"])
    }

    @Test(arguments: SweepCase.agreeing)
    func validateAgreesWithTheLoad(_ c: SweepCase) throws {
        let schema = try RealSchema()
        try SweepOutcome(c, schema).expectAgreement(c, schema)
    }

    /// What the sweep found and the mends made agree.
    @Test(arguments: SweepCase.mended)
    func validateAgreesWithTheLoadSinceTheSweep(_ c: SweepCase) throws {
        let schema = try RealSchema()
        try SweepOutcome(c, schema).expectAgreement(c, schema)
    }

    /// What the standby still cannot tell (see `SweepCase.disagreeing`): it names it in
    /// notExact, and its verdict differs from the load's.
    @Test(arguments: SweepCase.disagreeing)
    func validateDisagreesWithTheLoad(_ c: SweepCase) throws {
        let schema = try RealSchema()
        let outcome = try SweepOutcome(c, schema)
        if case .success(let readOnly) = outcome.readOnly {
            #expect(!readOnly.notExact.isEmpty || readOnly.foreignKeys.contains { !$0.reasons.isEmpty }, "\(c.name): nothing named")
        }
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.name)") {
            try outcome.expectAgreement(c, schema)
        }
    }

    /// comments references itself and has a BEFORE INSERT trigger: with --max-rejects the
    /// standby refused the CSV (exit 3) until such a target streamed with it (issue #29,
    /// ReadOnlySelfTriggerOptionsTests). It now agrees with the load as the primary does:
    /// 238 rows, 2 set aside, the comments 9001 and 9002 backfilled.
    @Test func aSelfReferencingTargetWithATriggerStreamsOnTheStandby() throws {
        let schema = try RealSchema()
        let c = SweepCase.csv("comments", "s12app.comments", "comments.csv", rules: "comments.rules.yaml", maxRejects: 5)
        let o = try SweepOutcome(c, schema)
        try o.expectAgreement(c, schema)
        let readOnly = try o.readOnly.get()
        let dryRun = try o.dryRun.get()
        let own = readOnly.foreignKeys.filter { $0.referencedTable == readOnly.table }.reduce(0) { $0 + $1.fixableKeys }
        #expect(readOnly.rejected == dryRun.rejected && own == dryRun.parents.first { $0.table == readOnly.table }?.inserted && own == 2,
                "\(readOnly.rejected ?? -1) set aside, \(own) new comments; dry run \(dryRun.rejected), \(dryRun.parents.map { "\($0.table) \($0.inserted)" })")
        #expect(try o.load.get().inserted == 238)
    }

    /// The load's error for a self-referencing input with one bad row names that row:
    /// (1, 2, a) references the next line's row, (3, 1, NULL) has no body. Seen: the load
    /// says line 2's key (parent_id) is missing, which line 3 gives, and not line 4's NULL
    /// (without the forward reference it names line 4). validate names line 4, until the
    /// target has a BEFORE INSERT trigger (a no-op one here): it then tries the load's
    /// insert and repeats the load's message.
    @Test func theErrorOfASelfReferencingInputNamesTheBadRow() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE c (id int PRIMARY KEY, parent_id int REFERENCES c, body text NOT NULL)")
        let csv = "id,parent_id,body\n1,2,a\n2,,b\n3,1,\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("c", csv: csv) { $0.dryRun = true } }
        #expect(error.message.contains(":4:") && error.message.contains("NULL"), "\(error.message)")
        for trigger in [false, true] {
            if trigger {
                try db.run("""
                    CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                    CREATE TRIGGER keep BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION keep();
                    """)
            }
            let report = try Validator(connection: db.connection).run(
                table: "c", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
            let said = (report.prediction?.blockers ?? []) + (report.prediction?.rejections.map { "\($0.reason) \($0.sampleLines)" } ?? [])
            #expect(!report.wouldLoad)
            #expect(said.contains { $0.contains(":4:") || $0.contains("[4]") } && !said.contains { $0.contains("missing") }, "trigger \(trigger): \(said)")
        }
    }

    /// A rule gives every new parent row the same path, which a partial (or expression)
    /// unique index allows once: the load fails, the staged validate says so; read-only
    /// validate said "would load" with nothing in notExact (a plain unique index, the
    /// first case, it finds).
    @Test(arguments: ["(path)", "(path) WHERE parent IS NULL", "(lower(path))"])
    func aPartialUniqueIndexOfAParentReadOnly(_ index: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (id int PRIMARY KEY, path text NOT NULL, parent int);
            CREATE UNIQUE INDEX org_path ON org \(index);
            CREATE TABLE fact (org_id int REFERENCES org, n int);
            """)
        var options = ValidateOptions()
        options.rules = try RulesParser.parse("tables:\n  \(db.schema).org:\n    columns:\n      path: { value: Imported }\n", file: "rules.yaml")
        let csv = "org_id,n\n1,1\n2,2\n"
        #expect(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) { $0.rules = options.rules; $0.dryRun = true } }
        let input = InputSource.csv(path: try db.csvFile(csv), options: CSVOptions())
        #expect(!(try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: input, options: options).wouldLoad))
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let readOnly = try Validator(connection: standby).run(table: "\(db.schema).fact", input: input, options: options)
        #expect(!readOnly.wouldLoad || !readOnly.notExact.isEmpty, "would load, not exact: \(readOnly.notExact)")
    }

    /// A new person's AFTER INSERT trigger writes the person's detail row (as users_after
    /// writes user_details), and the target references both: the load inserts 3 people
    /// and no detail (the trigger wrote 7 and 9); validate predicted 2 new details too.
    @Test func aParentTriggerWritesAnotherParentsRows() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE person (id int PRIMARY KEY, name text);
            CREATE TABLE detail (person_id int PRIMARY KEY REFERENCES person, bio text);
            CREATE FUNCTION person_after() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO detail (person_id) VALUES (NEW.id); RETURN NULL; END $$;
            CREATE TRIGGER person_after AFTER INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_after();
            CREATE TABLE pref (id int PRIMARY KEY, person_id int REFERENCES person, detail_id int REFERENCES detail);
            """)
        let csv = "id,person_id,detail_id\n1,7,7\n2,8,\n3,,9\n"
        let load = try db.load("pref", csv: csv) { $0.dryRun = true }
        let prediction = try db.predict("pref", csv: csv)
        #expect(prediction.wouldLoad)
        #expect(prediction.parents.map { "\($0.table.name) \($0.inserted)" } == load.parents.filter { $0.inserted > 0 }.map { "\($0.table.name) \($0.inserted)" })
    }
}
