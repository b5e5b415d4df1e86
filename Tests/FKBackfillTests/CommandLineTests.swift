import FKBackfill
import Foundation
import Testing
import TestSupport

/// The `fkbackfill` executable as a user runs it: output, messages, exit codes.
@Suite struct CommandLineTests {
    /// `make test` passes the built binary's path; a plain `swift test` finds it in .build.
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    func fkbackfill(_ arguments: String..., environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        #expect(FileManager.default.isExecutableFile(atPath: binary), "no fkbackfill binary at \(binary)")
        let result = try run(binary, arguments, environment: environment)
        // Every JSON document a test sees conforms to its schema (docs/schemas/).
        if let format = arguments.firstIndex(of: "--format"), arguments.dropFirst(format + 1).first == "json",
           result.status <= 1, let schema = ["fks": "fks", "graph": "graph", "load": "load-report", "backfill": "load-report",
                                              "validate": "validate", "audit": "audit"][arguments[0]] {
            expectConforms(result.stdout, to: schema)
        }
        return result
    }

    @Test func fksAndGraphOnTheAnnuityExample() throws {
        let db = try TestDatabase()
        let (mapping, business) = try db.loadAnnuityExample()
        let fks = try fkbackfill("fks", "\(business).规模明细")
        #expect(fks.status == 0, "\(fks.stderr)")
        #expect(fks.stdout.contains("fk_规模明细_产品线"))
        let graph = try fkbackfill("graph", "\(business).规模明细", "--format", "json")
        #expect(graph.status == 0, "\(graph.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(graph.stdout.utf8)) as? [String: Any]
        #expect((json?["order"] as? [String])?.first == "\(mapping).产品线")
        let dot = try fkbackfill("graph", "\(business).规模明细", "--format", "dot")
        #expect(dot.stdout.hasPrefix("digraph"))
    }

    @Test func connectionStringOptionTakesAURI() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE solo (id int)")
        let env = ProcessInfo.processInfo.environment
        let host = try #require(env["PGHOST"]), port = env["PGPORT"] ?? "5432", database = env["PGDATABASE"] ?? "postgres"
        let socket = host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? host
        let uri = "postgresql://\(env["PGUSER"] ?? "postgres")@\(socket):\(port)/\(database)"
        var clean = env
        for key in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] { clean[key] = nil }
        let result = try fkbackfill("fks", "\(db.schema).solo", "--db", uri, environment: clean)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("references no other table"))
    }

    @Test func unknownTableIsUsageErrorWithSuggestion() throws {
        let db = try TestDatabase()
        let (_, business) = try db.loadAnnuityExample()
        let result = try fkbackfill("graph", "\(business).规模名细")
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: table \(business).规模名细 not found"))
        #expect(result.stderr.contains("hint: did you mean \(business).规模明细?"))
        #expect(result.stdout.isEmpty)
    }

    @Test func unreachableDatabaseIsExitCodeThreeWithoutPassword() throws {
        let result = try fkbackfill("fks", "x", "--db", "postgresql://u:hunter2@127.0.0.1:1/db?connect_timeout=2")
        #expect(result.status == 3)
        #expect(result.stderr.contains("could not connect"))
        #expect(result.stderr.contains("hint:"))
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test func badUsageIsExitCodeTwo() throws {
        #expect(try fkbackfill("graph", "x", "--format", "png").status == 2)
        #expect(try fkbackfill("fks", "x", "--format", "dot").status == 2)
        #expect(try fkbackfill("fks").status == 2)
        #expect(try fkbackfill("nonsense").status == 2)
    }

    @Test func loadPrintsTheReportAndWritesJSON() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE fact (org_code text REFERENCES org, name text);
            """)
        let csv = try db.csvFile("org_code,name\nG1,one\nG2,two\n")
        let reportPath = csv + ".json"
        let result = try fkbackfill("load", "\(db.schema).fact", "--csv", csv, "--report", reportPath, "--print-sql")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Loaded \(db.schema).fact from \(csv)"))
        #expect(result.stdout.contains("Target \(db.schema).fact: 2 staged, 0 deleted, 2 inserted"))
        #expect(result.stderr.contains("INSERT INTO \"\(db.schema)\".\"org\""))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any]
        let target = json?["target"] as? [String: Any]
        #expect(target?["inserted"] as? Int == 2)
        #expect(json?["dryRun"] as? Bool == false)
        let parents = json?["parents"] as? [[String: Any]]
        #expect(parents?.first?["sampleKeys"] as? [[String]] == [["G1"], ["G2"]])
        #expect((json?["steps"] as? [[String: Any]])?.isEmpty == false)
    }

    @Test func loadReadsStandardInputAndLogsJSON() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let result = try run(binary, ["load", "\(db.schema).fact", "--csv", "-", "--format", "json", "--log-level", "debug",
                                      "--log-format", "json"], input: "\u{FEFF}org_code,n\nG1,1\nG2,2\n")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["input"] as? String == "<stdin>")
        #expect((report?["target"] as? [String: Any])?["inserted"] as? Int == 2)
        let logLines = result.stderr.split(separator: "\n")
        #expect(!logLines.isEmpty)
        for line in logLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] as? String != nil, "\(line)")
        }
        #expect(try db.count("org") == 2)
    }

    /// Starts a load whose input query sleeps on the server, then disturbs it.
    func slowLoad(_ db: TestDatabase, tag: String, disturb: (Process) throws -> Void) throws -> (status: Int32, stderr: String) {
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // The query runs inside the tool's INSERT … SELECT from its compiled view, so the
        // statement is found by the process's application name while it sleeps.
        process.environment = ProcessInfo.processInfo.environment.merging(["PGAPPNAME": tag]) { $1 }
        process.arguments = ["load", "\(db.schema).fact", "--query",
                             "SELECT 'G' || n AS org_code, n FROM generate_series(1, 3) AS n, pg_sleep(30) AS \(tag)"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = Pipe()
        try process.run()
        // Wait until the sleeping statement runs on the server: the disturbance must hit it.
        #expect(try db.waitUntilActive(application: tag, where: "a.wait_event = 'PgSleep'"), "the load never reached its query")
        try disturb(process)
        let output = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func sigintCancelsTheRunningStatementAndWritesNothing() throws {
        let db = try TestDatabase()
        let started = Date()
        let result = try slowLoad(db, tag: "sigint_\(db.schema)") { $0.interrupt() }
        #expect(result.status == 130)
        #expect(result.stderr.contains("interrupted by SIGINT: the running statement was cancelled"))
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try db.count("org") == 0)
        #expect(try db.count("pg_stat_activity", "query LIKE '%sigint_\(db.schema)%' AND pid <> pg_backend_pid()") == 0)
    }

    @Test func sigtermToo() throws {
        let db = try TestDatabase()
        let result = try slowLoad(db, tag: "sigterm_\(db.schema)") { $0.terminate() }
        #expect(result.status == 143)
        #expect(result.stderr.contains("interrupted by SIGTERM"))
        #expect(try db.count("fact") == 0)
    }

    @Test func aTerminatedBackendIsADistinctExitCode() throws {
        let db = try TestDatabase()
        let tag = "killed_\(db.schema)"
        let result = try slowLoad(db, tag: tag) { _ in
            try db.connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(bind: tag) AND pid <> pg_backend_pid()")
        }
        #expect(result.status == 4)
        #expect(result.stderr.contains("lost the connection to the database during the run"))
        #expect(try db.count("org") == 0)
        // Unreachable is still 3.
        #expect(try fkbackfill("fks", "x", "--db", "postgresql://127.0.0.1:1/db?connect_timeout=2").status == 3)
    }

    @Test func loadExitCodes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE fact (org_code text REFERENCES org);
            """)
        let csv = try db.csvFile("org_code\nG1\n")
        let uncovered = try fkbackfill("load", "\(db.schema).fact", "--csv", csv)
        #expect(uncovered.status == 1)
        #expect(uncovered.stderr.contains("  - \(db.schema).org.name is NOT NULL"))
        #expect(try fkbackfill("load", "\(db.schema).fact").status == 2)
        #expect(try fkbackfill("load", "\(db.schema).fact", "--csv", csv, "--source", "x").status == 2)
        #expect(try fkbackfill("load", "\(db.schema).fact", "--csv", "/nonexistent.csv").status == 2)
        let json = try fkbackfill("backfill", "\(db.schema).fact", "--query", "SELECT NULL::text AS org_code", "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains("\"inserted\" : 0"))
    }

    @Test func auditAndValidateExitCodes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE fact (org_code text CONSTRAINT f_org REFERENCES org, n int);
            CREATE INDEX ON fact (org_code);
            """)
        let audit = try fkbackfill("audit", "\(db.schema).fact")
        #expect(audit.status == 1, "\(audit.stderr)")
        #expect(audit.stdout.contains("uncovered"))
        let rules = try db.csvFile("tables:\n  \(db.schema).org:\n    columns:\n      owner: { value: me }\n")
        let covered = try fkbackfill("audit", "\(db.schema).fact", "--rules", rules, "--format", "junit")
        #expect(covered.status == 0, "\(covered.stdout)")
        #expect(covered.stdout.hasPrefix("<?xml"))
        #expect(try fkbackfill("audit", "--schema", "\(db.schema)", "--all").status == 2)
        #expect(try fkbackfill("audit", "--schema", "no_such_schema_here").status == 2)
        // Only the findings asked for count for the exit code; an unknown kind is a usage error.
        #expect(try fkbackfill("audit", "\(db.schema).fact", "--only", "missing-index").status == 0)
        #expect(try fkbackfill("audit", "\(db.schema).fact", "--only", "no-such-kind").status == 2)
        #expect(try fkbackfill("audit", "\(db.schema).fact", "--sample-rows", "0").status == 2)
        let csv = try db.csvFile("org_code,n\nG1,1\n")
        let failing = try fkbackfill("validate", "\(db.schema).fact", "--csv", csv)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("would not load"))
        let passing = try fkbackfill("validate", "\(db.schema).fact", "--csv", csv, "--rules", rules, "--format", "markdown")
        #expect(passing.status == 0, "\(passing.stdout)")
        #expect(passing.stdout.contains("✅"))
        #expect(try fkbackfill("validate", "\(db.schema).fact", "--csv", csv, "--rules", rules, "--strict").status == 1)
        let badRules = try db.csvFile("tables:\n  \(db.schema).org:\n    columns:\n      ownr: { value: me }\n")
        let bad = try fkbackfill("validate", "\(db.schema).fact", "--csv", csv, "--rules", badRules)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(":4:7: \(db.schema).org has no column ownr (did you mean owner?)"))
        // With --in-place, a staging table with the target's types is checked where it is.
        try db.run("CREATE TABLE staged (LIKE fact); INSERT INTO staged VALUES ('G1', 1), ('G9', 2)")
        let inPlace = try fkbackfill("validate", "\(db.schema).fact", "--source", "\(db.schema).staged", "--in-place", "--format", "json")
        #expect(inPlace.status == 1)
        #expect(inPlace.stdout.contains("\"lineNumbers\" : \"none\""), "\(inPlace.stdout)")
        #expect(inPlace.stdout.contains("\"G9\""))
        #expect(inPlace.stdout.contains("\"lines\" : [\n\n") || inPlace.stdout.contains("\"lines\" : []"))
    }

    @Test func helpShowsAnExampleForEveryCommand() throws {
        for command in ["fks", "graph", "load", "backfill", "init", "audit", "validate"] {
            let help = try fkbackfill(command, "--help")
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example:"))
            #expect(help.stdout.contains("fkbackfill \(command) "))
        }
        let root = try fkbackfill("--help")
        #expect(root.status == 0)
        #expect(root.stdout.contains("Exit codes"))
    }
}

/// libpq echoes pieces of a connection string it cannot parse; none may show a password.
@Suite struct PasswordLeakTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test(arguments: [
        "postgresql://u:S3cret%PW9@host/db",
        "postgresql://u:S3cret/PW9@host:5432",
        "postgresql://u:S3cret@PW9@host",
        "u:S3cret/PW9@host:5432",
        "u:S3cret@PW9@host",
        "host=127.0.0.1 port=1 password=S3cretPW9 connect_timeout=2",
        "postgresql://u@localhost/db?password=S3cret%PW9",
    ])
    func malformedConnectionStringsNeverShowThePassword(uri: String) throws {
        for format in [["--log-format", "text"], ["--log-format", "json"]] {
            let result = try run(binary, ["load", "x", "--csv", "-", "--db", uri, "--log-level", "trace", "--print-sql"] + format, input: "a\n1\n")
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("could not connect"), "\(result.stderr)")
            for secret in ["S3cret", "PW9"] {
                #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(uri): \(result.stderr)")
            }
        }
    }
}

/// The getting-started article's program: it builds, it loads, and the article shows it as it is.
@Suite struct EmbeddingExampleTests {
    @Test func theEmbeddedLoadRunsAndTheArticleShowsItsCode() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org, n int)")
        let csv = try db.csvFile("org_code,n\nG1,1\n \u{3000},2\nG2,3\n")
        let binary = URL(fileURLWithPath: ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path)
            .deletingLastPathComponent().appendingPathComponent("embed-load").path
        let result = try run(binary, ["\(db.schema).fact", csv])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("inserted 3 rows"), "\(result.stdout)")
        #expect(try db.values("SELECT code FROM org ORDER BY code") == [["G1"], ["G2"]])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
        let root = TestDatabase.repositoryRoot
        let code = try String(contentsOf: root.appendingPathComponent("examples/embedding/main.swift"), encoding: .utf8)
        let article = try String(
            contentsOf: root.appendingPathComponent("Sources/FKBackfill/FKBackfill.docc/GettingStarted.md"), encoding: .utf8)
        #expect(article.contains("```swift\n" + code + "```"))
        #expect(code.split(separator: "\n").count <= 22)
    }
}

/// The session is the tool's own: replica mode inherited from PGOPTIONS, role or database
/// settings is put back to origin before anything runs, so PostgreSQL's own FK check
/// still refuses what it refuses.
@Suite struct InheritedSessionTests {
    @Test(arguments: ["per-row", "set-based"])
    func inheritedReplicaModeIsPutBackToOrigin(mode: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org)")
        let rules = try db.csvFile("foreign_keys:\n  fact_org_code_fkey: { skip: true }\n")
        let csv = try db.csvFile("org_code\nNOPE\n")
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c session_replication_role=replica"
        let binary = ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
        let result = try run(binary, ["load", "\(db.schema).fact", "--csv", csv, "--rules", rules, "--fk-check", mode],
                             environment: environment)
        #expect(result.status != 0, "\(result.stdout)")
        #expect(try db.count("fact") == 0)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }
}

/// A format a command has no form for is an argument error, not text with exit 0.
@Suite struct FormatArgumentTests {
    @Test(arguments: ["markdown", "junit"])
    func graphRefusesFormatsItDoesNotHave(format: String) throws {
        let binary = ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
        let result = try run(binary, ["graph", "any.table", "--format", format])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fkbackfill: error:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
