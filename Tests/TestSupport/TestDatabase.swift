import Foundation
import PostgresClient
#if canImport(Testing)
import Testing
#endif

/// A private schema on the test cluster for one test, dropped afterwards.
///
/// Connects through the `PG*` variables that `make test` exports. With no database
/// there, `init` throws and the test fails: database tests never skip.
public final class TestDatabase {
    public let connection: Connection
    /// The test's own schema, first on `search_path`.
    public let schema: String
    private var extraSchemas: [String] = []
    /// Orphans this test makes on purpose (a NOT VALID FK's old rows): the oracle at
    /// teardown then checks nothing.
    public var expectsOrphans = false

    public init() throws {
        ServerLog.install()
        do {
            connection = try Connection()
        } catch {
            throw PostgresError(
                kind: error.kind,
                message: "no test database: \(error.message) — run the tests with `make test`, "
                    + "which starts a throwaway PostgreSQL and exports PGHOST/PGPORT")
        }
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try connection.execute("CREATE SCHEMA \(ident: schema)")
        try connection.execute("SET search_path TO \(ident: schema), public")
    }

    /// At teardown, the orphan oracle: whatever the test committed, every FK of its
    /// schemas must hold (docs/testing.md). A finding is recorded against the test.
    deinit {
        if !expectsOrphans {
            _ = try? connection.execute("RESET ROLE")
            do {
                let orphans = try OrphanOracle.orphans(in: [schema] + extraSchemas, on: connection)
                if !orphans.isEmpty { Self.record("orphan oracle: \(orphans.joined(separator: "; "))") }
            } catch {
                Self.record("orphan oracle could not run: \(error)")
            }
        }
        for name in [schema] + extraSchemas {
            _ = try? connection.execute("DROP SCHEMA IF EXISTS \(ident: name) CASCADE")
        }
    }

    /// Fails the running test. (A release build of the package, for the man pages,
    /// compiles this target without the testing library; nothing runs it there.)
    static func record(_ message: String) {
        #if canImport(Testing)
        Issue.record(Comment(rawValue: message))
        #else
        FileHandle.standardError.write(Data((message + "\n").utf8))
        #endif
    }

    /// Another schema owned by this test (for cross-schema cases), named after it.
    public func makeSchema(_ suffix: String) throws -> String {
        let name = "\(schema)_\(suffix)"
        try connection.execute("CREATE SCHEMA \(ident: name)")
        extraSchemas.append(name)
        return name
    }

    /// Runs a script of statements.
    public func run(_ sql: String) throws {
        try connection.executeScript(unsafeRaw: sql)
    }

    /// The example annuity schema with its `mapping` and `business` schemas renamed to
    /// ones this test owns. Returns the two schema names.
    public func loadAnnuityExample() throws -> (mapping: String, business: String) {
        let mapping = "\(schema)_mapping"
        let business = "\(schema)_business"
        extraSchemas += [mapping, business]
        let sql = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("examples/annuity/schema.sql"), encoding: .utf8)
            .replacingOccurrences(of: "SCHEMA IF NOT EXISTS mapping", with: "SCHEMA \(mapping)")
            .replacingOccurrences(of: "SCHEMA IF NOT EXISTS business", with: "SCHEMA \(business)")
            .replacingOccurrences(of: "mapping.", with: "\(mapping).")
            .replacingOccurrences(of: "business.", with: "\(business).")
        try run(sql)
        return (mapping, business)
    }

    /// The package's top folder, found from this file's path.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
