import Foundation
import Testing
import TestSupport

/// examples/pipelines/load_step.py, the recipe of docs/pipelines.md, run for real with
/// the machine's python3 (standard library only) against the test database.
@Suite struct PipelineExampleTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    func loadStep(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["FKBACKFILL"] = binary
        let script = TestDatabase.repositoryRoot.appendingPathComponent("examples/pipelines/load_step.py").path
        return try run("/usr/bin/env", ["python3", script] + arguments, environment: environment)
    }

    func setUp() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE fact (org_code text NOT NULL REFERENCES org, n int NOT NULL);
            INSERT INTO org VALUES ('G1', 'one');
            """)
        return db
    }

    @Test func aCleanFileLoadsAndBackfills() throws {
        let db = try setUp()
        let csv = try db.csvFile("org_code,n\nG1,1\nG2,2\n")
        let result = try loadStep(["\(db.schema).fact", csv])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("loaded 2 rows into \(db.schema).fact"), "\(result.stdout)")
        #expect(result.stdout.contains("\"\(db.schema).org\": 1"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(try db.count("fact") == 2)
    }

    @Test func rejectsFailTheStepAndWriteNothing() throws {
        let db = try setUp()
        let csv = try db.csvFile("org_code,n\nG1,1\nG2,two\n")
        let result = try loadStep(["\(db.schema).fact", csv, "--rejects", "fail"])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("load_step: the input would not load"), "\(result.stderr)")
        #expect(result.stderr.contains("  - n: does not convert (1 rows)"), "\(result.stderr)")
        #expect(try db.count("fact") == 0)
        #expect(try db.count("org") == 1)
    }

    @Test func rejectsBecomeAWarningAndTheRestLoads() throws {
        let db = try setUp()
        let csv = try db.csvFile("org_code,n\nG1,1\nG2,two\nG3,3\n")
        let rejects = TestFiles.url(suffix: ".rejects.csv").path
        let result = try loadStep(["\(db.schema).fact", csv, "--rejects", "warn", "--max-rejects", "5", "--reject-file", rejects])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("warning: 1 rows rejected from \(csv): 1 x "), "\(result.stderr)")
        #expect(result.stdout.contains("loaded 2 rows"), "\(result.stdout)")
        #expect(try db.count("fact") == 2)
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).contains("two"))
    }

    @Test func toolErrorsKeepTheirExitCodeAndHints() throws {
        let db = try setUp()
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let result = try loadStep(["\(db.schema).nonexistent", csv])
        #expect(result.status == 2)
        #expect(result.stderr.contains("load_step: table \(db.schema).nonexistent not found"), "\(result.stderr)")
        #expect(result.stderr.contains("  hint: "), "\(result.stderr)")
    }
}
