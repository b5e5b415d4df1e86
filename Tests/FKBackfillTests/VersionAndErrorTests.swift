import Foundation
import Testing
import TestSupport

/// What a pipeline greps for: one error voice, and a `--version` fit for a bug report.
@Suite struct VersionAndErrorTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    /// Argument errors come from ArgumentParser, yet read like every other error:
    /// `fkbackfill: error: …`, then only `hint:` lines, exit code 2, nothing on stdout.
    @Test(arguments: [
        ["fks"], ["fks", "x", "--format", "dot"], ["nonsense"], ["fks", "x", "--bogus"],
        ["load", "x", "--csv", "a", "--source", "b"], ["load", "x"], ["validate", "x", "--samples", "-1"],
        ["audit"], ["--db", "x", "fks", "t"],
    ])
    func argumentErrorsSpeakWithOneVoice(arguments: [String]) throws {
        let result = try run(binary, arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("fkbackfill: error: ") == true, "\(result.stderr)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("hint: ") }, "\(result.stderr)")
        #expect(!result.stderr.contains("Error:"))
        #expect(lines.last?.contains("--help") == true, "\(result.stderr)")
    }

    /// After a subcommand too, where ArgumentParser's own flag would print "0.1.0" alone.
    @Test(arguments: [["--version"], ["fks", "--version"]])
    func versionNamesTheCommitAndLibpq(arguments: [String]) throws {
        let result = try run(binary, arguments)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.wholeMatch(of: /fkbackfill \d+\.\d+\.\d+/) != nil, "\(result.stdout)")
        #expect(lines.dropFirst().first?.wholeMatch(of: /commit ([0-9a-f]{12}(-dirty)?|unknown)/) != nil, "\(result.stdout)")
        #expect(lines.last?.wholeMatch(of: /libpq \d+\.\d+(\.\d+)?/) != nil, "\(result.stdout)")
    }

    @Test func versionWithDbAddsTheServer() throws {
        // '' means the PG* variables `make test` exports.
        let result = try run(binary, ["--version", "--db", ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("server PostgreSQL ") == true, "\(result.stdout)")
        let unreachable = try run(binary, ["--version", "--db", "postgresql://127.0.0.1:1/db?connect_timeout=2"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.hasPrefix("fkbackfill: error: could not connect"))
    }
}
