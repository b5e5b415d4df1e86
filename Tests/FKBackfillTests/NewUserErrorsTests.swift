import Foundation
import Testing
import TestSupport

/// Errors a new user met (issue 28), each saying what was meant: another CSV dialect's
/// delimiter, a `--db` that is no connection string, plurals, "row is too big" with its
/// line; and the progress line of a long step on a terminal (none off one).
@Suite struct NewUserErrorsTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test(arguments: [(";", "';'"), ("\t", "$'\\t'"), ("|", "'|'")])
    func aHeaderWithAnotherDialectsDelimiterGetsADelimiterHint(delimiter: String, shown: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (a int, b int)")
        let csv = try db.csvFile("a\(delimiter)b\n1\(delimiter)2\n")
        for command in ["load", "validate"] {
            let result = try run(binary, [command, "\(db.schema).fact", "--csv", csv])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("\nhint: the header holds "), "\(result.stderr)")
            #expect(result.stderr.contains("if the file is separated by it, pass --delimiter \(shown)\n"), "\(result.stderr)")
        }
        // With that delimiter, the file loads.
        let loaded = try run(binary, ["load", "\(db.schema).fact", "--csv", csv, "--delimiter", delimiter])
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    @Test(arguments: ["not a conninfo", "host=h dbname"])
    func aDBThatIsNoConnectionStringIsAnErrorNamingTheProblem(text: String) throws {
        for arguments in [["fks", "x", "--db", text], ["--version", "--db", text]] {
            let result = try run(binary, arguments)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("fkbackfill: error: --db: the connection string is "), "\(result.stderr)")
            #expect(!result.stderr.contains("socket"), "\(result.stderr)")
        }
    }

    @Test func oneNewRowIsSingular() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE fact (org_code text REFERENCES org);
            """)
        let csv = try db.csvFile("org_code\nG1\n")
        for command in ["load", "validate"] {
            let result = try run(binary, [command, "\(db.schema).fact", "--csv", csv])
            #expect(result.status == 1)
            #expect((result.stdout + result.stderr).contains("(1 new row needed)"), "\(result.stdout)\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("1 new rows"))
        }
    }

    /// 1,100 bigint columns are wider than a page, but only where no value is NULL: the
    /// first row (line 2) fits, line 3 does not. validate (and a load with --max-rejects,
    /// which stages as text) names line 3; a plain load's COPY writes rows in batches and
    /// knows only the line it had read to. Exit 2 either way, nothing written.
    @Test(arguments: [["validate"], ["load", "--max-rejects", "5"], ["load"]])
    func rowIsTooBigNamesTheLine(command: [String]) throws {
        let db = try TestDatabase()
        let columns = (1...1100).map { "c\($0)" }
        try db.run("CREATE TABLE wide (" + columns.map { "\($0) bigint" }.joined(separator: ", ") + ")")
        let full = Array(repeating: "1", count: columns.count).joined(separator: ",")
        let sparse = "1" + String(repeating: ",", count: columns.count - 1)
        let csv = try db.csvFile(columns.joined(separator: ",") + "\n" + sparse + "\n" + full + "\n" + sparse + "\n")
        let result = try run(binary, [command[0], "\(db.schema).wide", "--csv", csv] + command.dropFirst())
        #expect(result.status == 2, "\(result.stderr)")
        let expected = command == ["load"] ? "\(csv): row is too big: size 8976, maximum size 8160 (in the rows up to line "
            : "\(csv):3: row is too big"
        #expect(result.stderr.hasPrefix("fkbackfill: error: \(expected)"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: a row must fit in a page"), "\(result.stderr)")
        #expect(try db.values("SELECT count(*)::text FROM wide") == [["0"]])
    }

    /// On a terminal (`script` gives the command one for stdout and stderr), a step that
    /// runs over a second shows its name and time; off one, nothing.
    @Test func aLongStepShowsProgressOnATerminalOnly() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org)")
        let query = "SELECT 'G1' AS org_code FROM pg_sleep(2.5)"
        let arguments = ["load", "\(db.schema).fact", "--query", query]
        let command = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let terminal = try run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("stage input: 1 s") || terminal.stdout.contains("stage input: 2 s"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("Loaded \(db.schema).fact"))
        let plain = try run(binary, arguments)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.isEmpty, "\(plain.stderr)")
    }
}
