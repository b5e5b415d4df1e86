import FKBackfill
import PostgresClient
import Testing
import TestSupport

/// Partitioned tables in the audit (issue 15): every FK of every partition, even with
/// colliding names; partitions that differ get no fix that would reject another
/// partition's rows; a schema of partitions only; triggers on partitions.
@Suite struct AuditPartitionTests {
    @Test func partitionsWithSameNamedFKsToDifferentParentsAreAllReported() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE north (id int PRIMARY KEY); CREATE TABLE south (id int PRIMARY KEY); CREATE TABLE west (id int PRIMARY KEY);
            CREATE TABLE sales (region text NOT NULL, site int) PARTITION BY LIST (region);
            CREATE TABLE sales_n PARTITION OF sales FOR VALUES IN ('n');
            CREATE TABLE sales_s PARTITION OF sales FOR VALUES IN ('s');
            CREATE TABLE sales_w PARTITION OF sales FOR VALUES IN ('w');
            CREATE TABLE sales_x PARTITION OF sales FOR VALUES IN ('x');
            ALTER TABLE sales_n ADD CONSTRAINT site_fk FOREIGN KEY (site) REFERENCES north;
            ALTER TABLE sales_s ADD CONSTRAINT site_fk FOREIGN KEY (site) REFERENCES south;
            ALTER TABLE sales_w ADD CONSTRAINT site_fk FOREIGN KEY (site) REFERENCES west;
            """)
        let report = try Auditor(connection: db.connection).run(.table("sales"))
        let catalog = try CatalogReader.read(table: "sales", on: db.connection)
        // As many as `fks` lists, each under the partitioned table, with its partition.
        #expect(report.foreignKeys.count == 3 && catalog.foreignKeys.count == 3)
        #expect(report.foreignKeys.map { $0.declaredOn?.name } == ["sales_n", "sales_s", "sales_w"])
        #expect(report.foreignKeys.allSatisfy { $0.table.name == "sales" && $0.name == "site_fk" })
        let differ = try #require(report.findings.first { $0.kind == "partition-fks-differ" })
        #expect(differ.message.contains("(site) → \(db.schema).north on \(db.schema).sales_n"))
        #expect(differ.message.contains("none of these on \(db.schema).sales_x"))
        #expect(!differ.fix.contains("ADD FOREIGN KEY") && differ.fix.hasPrefix("nothing to declare"))
        #expect(!report.findings.contains { $0.kind == "partition-only-fk" })
        // The text lists the three under sales, each with its partition.
        let text = report.render(.text)
        #expect(text.contains("site_fk (on \(db.schema).sales_n)") && text.contains("site_fk (on \(db.schema).sales_w)"))
    }

    @Test func theSameFKOnEveryPartitionGetsAFixPostgreSQLAccepts() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE site (id int PRIMARY KEY); INSERT INTO site VALUES (1), (2);
            CREATE TABLE visits (day date NOT NULL, site_id int) PARTITION BY RANGE (day);
            CREATE TABLE visits_a PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE visits_b PARTITION OF visits FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            ALTER TABLE visits_a ADD CONSTRAINT a_site FOREIGN KEY (site_id) REFERENCES site;
            ALTER TABLE visits_b ADD CONSTRAINT b_site FOREIGN KEY (site_id) REFERENCES site;
            CREATE INDEX ON visits (site_id);
            INSERT INTO visits VALUES ('2024-02-01', 1), ('2024-08-01', 2);
            """)
        let report = try Auditor(connection: db.connection).run(.table("visits"))
        let only = try #require(report.findings.first { $0.kind == "partition-only-fk" })
        #expect(only.message.contains("(a_site, b_site)"))
        #expect(!report.findings.contains { $0.kind == "partition-fks-differ" || $0.kind == "missing-index" })
        // PostgreSQL is the oracle: the suggested statement runs, on the data there is.
        let statement = try #require(only.fix.split(separator: ": ", maxSplits: 1).last.map(String.init))
        try db.run(statement)
        let after = try Auditor(connection: db.connection).run(.table("visits"))
        #expect(!after.findings.contains { $0.kind.hasPrefix("partition-") })
    }

    @Test func aSchemaOfPartitionsAndTheirTriggers() throws {
        let db = try TestDatabase()
        let parts = try db.makeSchema("parts")
        try db.run("""
            CREATE TABLE site (id int PRIMARY KEY);
            CREATE TABLE hits (day date NOT NULL, site_id int REFERENCES site) PARTITION BY RANGE (day);
            CREATE TABLE \(parts).hits_a PARTITION OF hits FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE \(parts).hits_b PARTITION OF hits FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            CREATE FUNCTION \(db.schema).noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER hits_b_log BEFORE INSERT ON \(parts).hits_b FOR EACH ROW EXECUTE FUNCTION \(db.schema).noop();
            """)
        let report = try Auditor(connection: db.connection).run(.schema(parts))
        #expect(report.scope == "schema \(parts)")
        #expect(report.tables == 1)
        #expect(report.foreignKeys.map(\.table.name) == ["hits"])
        let triggers = try #require(report.findings.first { $0.kind == "partition-triggers" })
        #expect(triggers.object == "\(db.schema).hits")
        #expect(triggers.message.contains("\(parts).hits_b: hits_b_log"))
        // --only and --min-severity choose what is shown; the summary counts everything.
        let warnings = try Auditor(connection: db.connection).run(.schema(parts), options: AuditOptions(minSeverity: .warning))
        #expect(!warnings.findings.contains { $0.severity == .info })
        #expect(warnings.allFindings.contains { $0.kind == "partition-triggers" && $0.count == 1 })
        let onlyTriggers = try Auditor(connection: db.connection).run(.schema(parts), options: AuditOptions(only: ["partition-triggers"]))
        #expect(onlyTriggers.findings.map(\.kind) == ["partition-triggers"])
    }
}
