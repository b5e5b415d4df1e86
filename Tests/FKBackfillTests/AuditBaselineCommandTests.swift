import FKBackfill
import Foundation
import Testing
import TestSupport

/// The CI recipe of docs/pipelines.md end to end: a schema with findings is baselined;
/// the next run hides them all and passes; an FK added without an index is the one new
/// finding and fails the run; a finding fixed since is reported as gone.
@Suite struct AuditBaselineCommandTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test func onlyTheNewFindingFails() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE site (id int PRIMARY KEY);
            CREATE TABLE fact (id int PRIMARY KEY, org_id int REFERENCES org, site_id int CONSTRAINT fact_site REFERENCES site, n int);
            CREATE TABLE other (id int PRIMARY KEY, site_id int CONSTRAINT other_site REFERENCES site);
            """)
        let file = TestFiles.url(suffix: ".json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Today: an uncovered FK (error) and three FKs without an index (warnings).
        let today = try run(binary, ["audit", "--schema", db.schema, "--fail-on", "warning"])
        #expect(today.status == 1)
        let write = try run(binary, ["audit", "--schema", db.schema, "--fail-on", "warning", "--write-baseline", file])
        #expect(write.status == 0, "\(write.stderr)")
        let recorded = try AuditBaseline.read(path: file)
        #expect(recorded.entries.map(\.kind).sorted() == ["missing-index", "missing-index", "missing-index", "uncovered-fk"])

        let clean = try run(binary, ["audit", "--schema", db.schema, "--fail-on", "warning", "--baseline", file])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("baseline:     \(file): 0 new, 4 known hidden, 0 gone"), "\(clean.stdout)")

        // One FK without an index later, and one old finding fixed.
        try db.run("""
            CREATE TABLE region (id int PRIMARY KEY);
            ALTER TABLE other ADD COLUMN region_id int CONSTRAINT other_region REFERENCES region;
            CREATE INDEX ON fact (site_id);
            """)
        let json = try run(binary, ["audit", "--schema", db.schema, "--fail-on", "warning", "--baseline", file, "--format", "json"])
        #expect(json.status == 1, "\(json.stderr)")
        expectConforms(json.stdout, to: "audit")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.map { "\($0["kind"]!) \($0["object"]!)" } == ["missing-index \(db.schema).other (region_id)"])
        let baseline = try #require(document["baseline"] as? [String: Any])
        #expect(baseline["new"] as? Int == 1 && baseline["hidden"] as? Int == 3)
        let gone = try #require(baseline["gone"] as? [[String: String]])
        #expect(gone == [["kind": "missing-index", "object": "\(db.schema).fact (site_id)"]])
        // At the default --fail-on error the new warning is shown and the run passes.
        let text = try run(binary, ["audit", "--schema", db.schema, "--baseline", file])
        #expect(text.status == 0)
        #expect(text.stdout.contains("1 new, 3 known hidden, 1 gone") && text.stdout.contains("gone: missing-index \(db.schema).fact (site_id)"))
        // A file that is no baseline: exit 2 before connecting, nothing printed on stdout.
        let bad = try run(binary, ["audit", "--schema", db.schema, "--baseline", file + ".missing"])
        #expect(bad.status == 2 && bad.stdout.isEmpty)
        #expect(bad.stderr.hasPrefix("fkbackfill: error: cannot read the baseline"), "\(bad.stderr)")
    }

    @Test func summaryAloneAndTheFixNamesTheAuditedTable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE plan (id int PRIMARY KEY, org_id int NOT NULL REFERENCES org);
            CREATE TABLE fact (plan_id int REFERENCES plan);
            """)
        let summary = try run(binary, ["audit", "\(db.schema).fact", "--summary"])
        #expect(summary.status == 1)
        #expect(summary.stdout.hasPrefix("Audit of \(db.schema).fact\n  tables:       3\n"))
        #expect(!summary.stdout.contains("==") && !summary.stdout.contains("fix:"))
        #expect(try run(binary, ["audit", "\(db.schema).fact", "--summary", "--format", "json"]).status == 2)
        let report = try Auditor(connection: db.connection).run(.table("\(db.schema).fact"))
        let uncovered = report.findings.filter { $0.kind == "uncovered-fk" }
        #expect(uncovered.count == 2)
        #expect(uncovered.allSatisfy { $0.fix.contains("`fkbackfill init \(db.schema).fact > rules.yaml`") }, "\(uncovered.map(\.fix))")
        // plan's chain points at org instead of repeating org's reasons.
        let plan = try #require(uncovered.first { $0.object.hasSuffix("fact_plan_id_fkey") })
        #expect(plan.message.contains("need rows in \(db.schema).org (see the reasons for \(db.schema).org)"), "\(plan.message)")
        #expect(!plan.message.contains("org.name"))
    }
}
