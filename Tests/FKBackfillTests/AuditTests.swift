import FKBackfill
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PostgresClient
import Testing
import TestSupport

/// `fkbackfill audit` against a real server.
@Suite struct AuditTests {
    func audit(_ db: TestDatabase, _ scope: AuditScope, rules yaml: String? = nil, options: AuditOptions = AuditOptions()) throws -> AuditReport {
        let rules = try yaml.map { try RulesParser.parse($0, file: "rules.yaml") } ?? .none
        return try Auditor(connection: db.connection).run(scope, rules: rules, options: options)
    }

    func fk(_ report: AuditReport, _ name: String) throws -> AuditReport.ForeignKeyResult {
        try #require(report.foreignKeys.first { $0.name == name }, "no \(name) in \(report.foreignKeys.map(\.name))")
    }

    @Test func everyStatus() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plain (code text PRIMARY KEY, name text);
            CREATE TABLE strict (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE ruled (code text PRIMARY KEY, kind text NOT NULL);
            CREATE TABLE ignored (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE fact (plain_code text CONSTRAINT f_plain REFERENCES plain, strict_code text CONSTRAINT f_strict REFERENCES strict,
                               ruled_code text CONSTRAINT f_ruled REFERENCES ruled, ignored_code text CONSTRAINT f_ignored REFERENCES ignored);
            """)
        let report = try audit(db, .table("fact"), rules: """
            tables:
              ruled:
                columns:
                  kind: { value: placeholder }
            foreign_keys:
              f_ignored: { on_missing: reject }
            """)
        #expect(try fk(report, "f_plain").status == .auto)
        #expect(try fk(report, "f_ruled").status == .rule)
        #expect(try fk(report, "f_ignored").status == .skipped)
        #expect(try fk(report, "f_ignored").reasons == ["on_missing: reject in rules.yaml"])
        let strict = try fk(report, "f_strict")
        #expect(strict.status == .uncovered)
        #expect(strict.reasons == ["\(db.schema).strict.owner is NOT NULL with no default, no same-named input column and no rule"])
        #expect(report.findings.contains { $0.kind == "uncovered-fk" && $0.severity == .error && $0.object == "\(db.schema).fact.f_strict" })
        #expect(report.fails(at: .error))
        // Without rules, the ruled table is uncovered too.
        #expect(try fk(try audit(db, .table("fact")), "f_ruled").status == .uncovered)
    }

    @Test func checkUniquePrivilegeCycleAndParentOfParentReasons() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE checked (code text PRIMARY KEY, status text DEFAULT 'new' CHECK (status IN ('open', 'closed')),
                                  note text CHECK (note IS NOT NULL OR code = 'x'));
            CREATE TABLE uniq (code text PRIMARY KEY, slot int NOT NULL DEFAULT 1 UNIQUE, other text UNIQUE);
            CREATE TABLE locked (code text PRIMARY KEY);
            CREATE TABLE a (id text PRIMARY KEY, b_id text NOT NULL);
            CREATE TABLE b (id text PRIMARY KEY, a_id text NOT NULL REFERENCES a);
            ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
            CREATE TABLE grand (code text PRIMARY KEY, must text NOT NULL);
            CREATE TABLE parent (code text PRIMARY KEY, grand_code text NOT NULL REFERENCES grand);
            CREATE TABLE fact (checked_code text CONSTRAINT f_checked REFERENCES checked, uniq_code text CONSTRAINT f_uniq REFERENCES uniq,
                               locked_code text CONSTRAINT f_locked REFERENCES locked, a_id text CONSTRAINT f_a REFERENCES a,
                               parent_code text CONSTRAINT f_parent REFERENCES parent, grand_code text);
            CREATE ROLE \(db.schema)_auditor;
            GRANT USAGE ON SCHEMA \(db.schema) TO \(db.schema)_auditor;
            GRANT SELECT ON ALL TABLES IN SCHEMA \(db.schema) TO \(db.schema)_auditor;
            GRANT INSERT ON checked, uniq, a, b, grand, parent TO \(db.schema)_auditor;
            SET ROLE \(db.schema)_auditor;
            """)
        defer {
            _ = try? db.connection.execute("RESET ROLE")
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(db.schema)_auditor; DROP ROLE \(db.schema)_auditor")
        }
        let report = try audit(db, .table("fact"))
        let checked = try fk(report, "f_checked")
        #expect(checked.reasons.count == 1)
        #expect(checked.reasons.first?.contains("would fail CHECK checked_status_check: CHECK ((status = ANY (ARRAY['open'::text, 'closed'::text])))") == true)
        #expect(try fk(report, "f_uniq").reasons == [
            "placeholder rows of \(db.schema).uniq would all get the same (slot), which unique index uniq_slot_key allows only once",
        ])
        #expect(try fk(report, "f_locked").reasons == ["the current role may not INSERT into \(db.schema).locked"])
        #expect(try fk(report, "f_a").reasons.contains { $0.contains("is in a cycle") && $0.contains("no nullable or deferrable FK") })
        // parent itself is fine (its grand_code comes from the fact rows), but its grandparent is not.
        #expect(try fk(report, "f_parent").reasons == [
            "new rows of \(db.schema).parent need rows in \(db.schema).grand: \(db.schema).grand.must is NOT NULL with no default, "
                + "no same-named input column and no rule",
        ])
    }

    @Test func everyFinding() throws {
        let db = try TestDatabase()
        // Rows a NOT VALID (or partition-only) FK never checked: orphans on purpose.
        db.expectsOrphans = true
        try db.run("""
            CREATE TABLE org (code varchar(10) PRIMARY KEY);
            CREATE TABLE region (region_code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (line_no int, org_code varchar(255), region_code text, month date NOT NULL) PARTITION BY RANGE (month);
            CREATE TABLE fact_2024 PARTITION OF fact FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            INSERT INTO fact VALUES (1, 'G1', 'R1', '2024-05-01'), (2, 'G9', NULL, '2024-06-01');
            ALTER TABLE fact_2024 ADD CONSTRAINT fact_2024_org_fk FOREIGN KEY (org_code) REFERENCES org NOT VALID;
            CREATE FUNCTION \(db.schema).noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER fact_audit BEFORE INSERT ON fact_2024 FOR EACH ROW EXECUTE FUNCTION \(db.schema).noop();
            CREATE TABLE small (code text PRIMARY KEY);
            CREATE TABLE other (small_code text REFERENCES small);
            CREATE INDEX ON other (small_code);
            CREATE TRIGGER other_audit BEFORE INSERT ON other FOR EACH ROW EXECUTE FUNCTION \(db.schema).noop();
            """)
        let report = try audit(db, .table("fact"))
        func finding(_ kind: String) throws -> AuditReport.Finding {
            try #require(report.findings.first { $0.kind == kind }, "no \(kind) in \(report.findings.map(\.kind))")
        }
        let index = try finding("missing-index")
        #expect(index.severity == .warning)
        #expect(index.fix == "CREATE INDEX ON \"\(db.schema)\".\"fact\" (\"org_code\");")
        let mismatch = try finding("type-mismatch")
        #expect(mismatch.message.contains("org_code is character varying(255) but \(db.schema).org.code is character varying(10)"))
        #expect(mismatch.fix == "ALTER TABLE \"\(db.schema)\".\"fact\" ALTER COLUMN \"org_code\" TYPE character varying(10);")
        // Orphans are counted only when data checks are allowed.
        let notValid = try finding("not-valid")
        #expect(notValid.message.hasSuffix("existing rows of \(db.schema).fact_2024 are not checked"))
        let sampled = try audit(db, .table("fact"), options: AuditOptions(sampleRows: 1000))
        #expect(sampled.findings.first { $0.kind == "not-valid" }?.message.hasSuffix("; 1 row has no parent") == true)
        // The only partition has the FK: declaring it on the partitioned table is safe.
        let partition = try finding("partition-only-fk")
        #expect(partition.object == "\(db.schema).fact (org_code)")
        #expect(partition.fix.hasSuffix("ALTER TABLE \"\(db.schema)\".\"fact\" ADD FOREIGN KEY (\"org_code\") REFERENCES \"\(db.schema)\".\"org\" (\"code\");"))
        // Other tests' tables may imply relations too (same column names); ours is on region_code.
        let implied = try #require(report.findings.first { $0.kind == "implied-relation" && $0.object == "\(db.schema).fact.region_code" })
        #expect(implied.severity == .info)
        #expect(implied.object == "\(db.schema).fact.region_code")
        #expect(implied.evidence.first == "the name region_code is the parent's name and key (region.region_code)")
        #expect(implied.snippet == "relations:\n  - from: \(db.schema).fact (region_code)\n    to: \(db.schema).region (region_code)")
        #expect(implied.fix.hasSuffix("FOREIGN KEY (\"region_code\") REFERENCES \"\(db.schema)\".\"region\" (\"region_code\") NOT VALID;"))
        // Triggers on the audited target (the partition's trigger fires for the fact table's rows too).
        let schemaReport = try audit(db, .schema(db.schema))
        #expect(schemaReport.findings.contains { $0.kind == "enabled-triggers" && $0.object == "\(db.schema).other" })
        #expect(schemaReport.foreignKeys.map(\.table.name).sorted() == ["fact", "other"])
        // Warnings pass the default --fail-on error; --fail-on warning fails.
        #expect(!report.fails(at: .error))
        #expect(report.fails(at: .warning))
        // Declaring the implied relation makes it go away.
        let declared = try audit(db, .table("fact"), rules: """
            relations:
              - from: fact (region_code)
                to: region (region_code)
            """)
        #expect(!declared.findings.contains { $0.kind == "implied-relation" && $0.object == "\(db.schema).fact.region_code" })
        #expect(declared.foreignKeys.contains { $0.declared && $0.referencedTable.name == "region" })
    }

    @Test func everyFormat() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE strict (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE "A&B<c>" (code text PRIMARY KEY);
            CREATE TABLE fact (strict_code text CONSTRAINT f_strict REFERENCES strict, ab text CONSTRAINT "f_&<""'>" REFERENCES "A&B<c>");
            """)
        let report = try audit(db, .table("fact"))
        #expect(report.render(.text).contains("\(db.schema).strict (uncovered: f_strict):"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(Set(keys[0].keys) == ["name", "table", "columns", "referencedTable", "referencedColumns", "declared", "status", "reasons", "declaredOn", "validated"])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.allSatisfy { ["kind", "severity", "object", "message", "fix"].allSatisfy($0.keys.contains) })
        let markdown = report.render(.markdown)
        #expect(markdown.contains("| ❌ uncovered | `\(db.schema).fact` | `f_strict` |"))
        try JUnitCheck.validate(report.render(.junit), tests: 2 + report.findings.filter { $0.kind != "uncovered-fk" }.count, failures: 1)
    }
}

/// Checks JUnit XML with a real XML parser and the schema's required structure.
enum JUnitCheck {
    static func validate(_ xml: String, tests: Int, failures: Int) throws {
        let document = try XMLDocument(xmlString: xml)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == String(tests))
        #expect(root.attribute(forName: "failures")?.stringValue == String(failures))
        let suites = root.elements(forName: "testsuite")
        #expect(!suites.isEmpty)
        var cases = 0, failed = 0
        for suite in suites {
            #expect(suite.attribute(forName: "name") != nil)
            for test in suite.elements(forName: "testcase") {
                cases += 1
                #expect(test.attribute(forName: "classname") != nil && test.attribute(forName: "name") != nil)
                failed += test.elements(forName: "failure").count
            }
            #expect(suite.attribute(forName: "tests")?.stringValue == String(suite.elements(forName: "testcase").count))
        }
        #expect(cases == tests)
        #expect(failed == failures)
    }
}
