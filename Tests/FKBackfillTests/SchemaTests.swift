import Foundation
import Testing
import TestSupport

/// Every `--format json` output of the real binary against its schema in docs/schemas/:
/// the contract pipelines rely on (docs/json-output.md).
@Suite struct SchemaTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    /// Runs the binary, expects one of `statuses`, and checks stdout against `schema`.
    @discardableResult
    func json(_ schema: String, _ arguments: [String], statuses: Set<Int32> = [0],
              sourceLocation: SourceLocation = #_sourceLocation) throws -> (stdout: String, stderr: String) {
        let result = try run(binary, arguments + ["--format", "json"])
        #expect(statuses.contains(result.status), "\(arguments): \(result.status) \(result.stderr)", sourceLocation: sourceLocation)
        expectConforms(result.stdout, to: schema, sourceLocation: sourceLocation)
        return (result.stdout, result.stderr)
    }

    /// A schema with a self-reference (a breakable cycle), an FK to a unique constraint,
    /// a deferrable and a NOT VALID FK, a declared-on-partition-free fact table, and an
    /// input with new keys, a bad date and a too-long value: every optional part of
    /// every document shows up at least once.
    func setUp() throws -> (db: TestDatabase, csv: String) {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (code text PRIMARY KEY, parent text REFERENCES region);
            CREATE TABLE org (code text PRIMARY KEY, region text NOT NULL REFERENCES region, name text,
                              CONSTRAINT org_code_name UNIQUE (code, name));
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                               org_code text NOT NULL REFERENCES org DEFERRABLE INITIALLY DEFERRED,
                               region text, n int NOT NULL DEFAULT 0, d date, note varchar(3));
            ALTER TABLE fact ADD CONSTRAINT fact_region FOREIGN KEY (region) REFERENCES region NOT VALID;
            INSERT INTO region VALUES ('EU', NULL);
            INSERT INTO org VALUES ('G1', 'EU', 'one');
            """)
        let csv = try db.csvFile("""
            org_code,region,n,d,note
            G1,EU,1,2024-11-01,ok
            G2,AS,2,2024-11-02,ok
            G3,AS,3,not a date,ok
            G4,AS,4,2024-11-04,too long
            """ + "\n")
        return (db, csv)
    }

    @Test func everyCommandsJSONOutputConformsToItsSchema() throws {
        let (db, csv) = try setUp()
        let fact = "\(db.schema).fact"
        let fks = try json("fks", ["fks", fact])
        #expect(fks.stdout.contains("\"schemaVersion\" : 2"))
        try json("graph", ["graph", fact])
        try json("graph", ["graph", "\(db.schema).region"])
        try json("validate", ["validate", fact, "--csv", csv], statuses: [1])
        try json("validate", ["validate", fact])  // the table is empty: nothing to find
        try json("audit", ["audit", fact])  // findings below the default --fail-on
        try json("audit", ["audit", "--schema", db.schema, "--fail-on", "info"], statuses: [1])
        try json("audit", ["audit", "--schema", db.schema, "--sample-rows", "10", "--time-budget", "5", "--min-severity", "warning",
                           "--only", "not-valid"], statuses: [0])
        try json("load-report", ["backfill", fact, "--csv", csv, "--max-rejects", "2", "--dry-run"])
        let report = TestFiles.url(suffix: ".json").path
        let load = try json("load-report", ["load", fact, "--csv", csv, "--max-rejects", "2", "--report", report,
                                            "--log-format", "json", "--log-level", "debug"])
        #expect(load.stdout.contains("\"rejected\" : 2"), "\(load.stdout)")
        expectConforms(try String(contentsOfFile: report, encoding: .utf8), to: "load-report")
        let logLines = load.stderr.split(separator: "\n")
        #expect(!logLines.isEmpty)
        for line in logLines { expectConforms(String(line), to: "log-line") }
        try json("validate", ["validate", fact, "--query", "SELECT 'G9' AS org_code, 1 AS n"], statuses: [1])
    }

    @Test func theValidatorRejectsWhatDoesNotConform() throws {
        let schema = try JSONSchema("graph")
        let good = #"{"schemaVersion": 1, "root": "s.t", "tables": [{"name": "s.t", "depth": 0}], "edges": [], "order": ["s.t"], "cycles": [], "cycleDetails": []}"#
        #expect(schema.problems(good).isEmpty, "\(schema.problems(good))")
        let problems = schema.problems(#"""
            {"schemaVersion": 2, "root": "", "tables": [{"name": "s.t", "depth": -1}], "edges": [{"from": "s.t"}],
             "order": [1], "cycles": [[]], "cycleDetails": [], "extra": true}
            """#)
        for expected in ["$.schemaVersion: 2, expected 1", "$.root: shorter than 1", "$.tables[0].depth: -1.0 is below 0.0",
                         "$.edges[0]: no to", "$.order[0]: integer, expected string", "$.cycles[0]: fewer than 1 items",
                         "$: field extra is not in the schema"] {
            #expect(problems.contains(expected), "\(problems)")
        }
        #expect(schema.problems("not json").first?.hasPrefix("$: not JSON") == true)
        // Published schemas are open: a reader's old schema accepts a newer field.
        #expect(schema.problems(#"{"schemaVersion": 1, "root": "s.t", "tables": [], "edges": [], "order": [], "cycles": [], "cycleDetails": [], "new": 1}"#,
                                closed: false).isEmpty)
    }
}

/// Expects `json` to conform to `docs/schemas/SCHEMA.schema.json`, closed: a field the
/// schema does not name is a failure, so code and schema cannot drift apart.
func expectConforms(_ json: String, to schema: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let problems = try JSONSchema(schema).problems(json)
        #expect(problems.isEmpty, "\(schema): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
    } catch {
        Issue.record("cannot read docs/schemas/\(schema).schema.json: \(error)", sourceLocation: sourceLocation)
    }
}
