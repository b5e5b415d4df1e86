import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What the Citus tests share: running the binary, counting, distributing tables.
/// They run against `scripts/citus-cluster.sh` (a coordinator and two workers), which
/// `make test-citus` starts; `PG*` point at the coordinator.
extension TestDatabase {
    /// Fails the test unless this is a Citus coordinator with two active workers: a
    /// Citus test against plain PostgreSQL would prove nothing.
    func requireCitus() throws {
        let citus = try connection.execute("SELECT count(*) AS n FROM pg_catalog.pg_extension WHERE extname = 'citus'").rows[0].int("n")
        try #require(citus == 1, "no Citus in this database: run these tests with `make test-citus`")
        let workers = try connection.execute(
            "SELECT count(*) AS n FROM pg_catalog.pg_dist_node WHERE isactive AND groupid <> 0").rows[0].int("n")
        try #require(workers == 2, "not a Citus coordinator with two workers: run these tests with `make test-citus`")
    }

    /// How Citus holds a table: h (distributed), n with t (reference), n with s (single shard).
    func citusKind(_ table: String) throws -> String? {
        try values("SELECT CAST(partmethod AS text) || CAST(repmodel AS text) FROM pg_dist_partition WHERE logicalrelid = '\(table)'::regclass").first?.first ?? nil
    }

    /// The orphan oracle, run now (it also runs at teardown).
    func expectNoOrphans(_ schemas: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(try OrphanOracle.orphans(in: schemas, on: connection) == [], sourceLocation: sourceLocation)
    }
}

/// The `fkbackfill` binary: `make test-citus` passes its path, else .build/debug.
enum Binary {
    static var path: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    /// Runs `fkbackfill` with `arguments`; stderr goes through a file so that neither pipe
    /// can fill while the other is read.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        #expect(FileManager.default.isExecutableFile(atPath: path), "no fkbackfill binary at \(path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let errors = TestFiles.url(suffix: ".stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: errors)
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try stderr.close()
        let err = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: errors)
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), err)
    }

    /// Runs a command with `--format json` and decodes its object; fails on another status.
    static func json(_ arguments: [String], status expected: ClosedRange<Int32> = 0...0,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try run(arguments + ["--format", "json"])
        #expect(expected.contains(result.status), "fkbackfill \(arguments.joined(separator: " ")): exit \(result.status): \(result.stderr)",
                sourceLocation: sourceLocation)
        let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object as [String: Any]?, "no JSON from fkbackfill \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)",
                            sourceLocation: sourceLocation)
    }
}

