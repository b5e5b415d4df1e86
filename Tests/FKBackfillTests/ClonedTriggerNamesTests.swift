@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A partitioned target's trigger is cloned onto each partition (`tgparentid`): the
/// tool names it once, by the table it was declared on. Read-only validate's notExact
/// said "BEFORE INSERT trigger stamp, stamp (on fact_2024), stamp (on fact_def)". A
/// partition's own trigger, and a clone enabled under a disabled parent trigger, still
/// count: they fire.
@Suite(.timeLimit(.minutes(30))) struct ClonedTriggerNamesTests {
    func schema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY); INSERT INTO p VALUES ('A');
            CREATE TABLE fact (id int, k text REFERENCES p, note text) PARTITION BY RANGE (id);
            CREATE TABLE fact_low PARTITION OF fact FOR VALUES FROM (0) TO (100);
            CREATE TABLE fact_def PARTITION OF fact DEFAULT;
            CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'stamped'; RETURN NEW; END $$;
            CREATE TRIGGER stamp BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION stamp();
            """)
    }

    func triggerReason(_ report: ValidationReport) -> [String] {
        report.notExact.filter { $0.contains("BEFORE INSERT trigger") }
    }

    @Test func aClonedTriggerIsNamedOnce() throws {
        let db = try TestDatabase()
        try schema(db)
        let input = InputSource.csv(path: try db.csvFile("id,k\n1,A\n200,A\n"), options: CSVOptions())
        let report = try db.validateOnStandby("fact", input: input, options: ValidateOptions())
        #expect(triggerReason(report) == ["BEFORE INSERT trigger stamp may change or skip rows"], "\(report.notExact)")
        #expect(try db.load("fact", csv: "id,k\n1,A\n200,A\n").inserted == 2)
        #expect(try db.values("SELECT DISTINCT note FROM fact") == [["stamped"]])
    }

    /// A partition's own trigger is named with its table; a clone enabled where the
    /// partitioned table's trigger is disabled is named as the partition's.
    @Test func aPartitionsOwnTriggerAndAnEnabledCloneAreNamed() throws {
        let db = try TestDatabase()
        try schema(db)
        try db.run("""
            CREATE TRIGGER own BEFORE INSERT ON fact_low FOR EACH ROW EXECUTE FUNCTION stamp();
            ALTER TABLE fact DISABLE TRIGGER stamp;
            ALTER TABLE fact_def ENABLE TRIGGER stamp;
            """)
        let enabled = try db.values("""
            SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgname IN ('stamp', 'own') AND t.tgenabled <> 'D' AND c.relnamespace = '\(db.schema)'::regnamespace ORDER BY 1
            """).map { $0[0] ?? "" }
        let input = InputSource.csv(path: try db.csvFile("id,k\n1,A\n200,A\n"), options: CSVOptions())
        let report = try db.validateOnStandby("fact", input: input, options: ValidateOptions())
        let reason = try #require(triggerReason(report).first, "\(report.notExact)")
        #expect(reason.contains("own (on fact_low)"), "\(reason)")
        // Whichever clones PostgreSQL left enabled (DISABLE on the parent recurses or not).
        for name in enabled where name.hasSuffix(".stamp") {
            let table = name.split(separator: ".")[0]
            #expect(reason.contains("stamp (on \(table))") || (table == "fact" && reason.contains("trigger stamp")), "\(reason) \(enabled)")
        }
        #expect(!reason.contains("stamp (on fact_low)") || enabled.contains("fact_low.stamp"), "\(reason) \(enabled)")
    }
}
