import FKBackfill
import PostgresClient
import TestSupport

extension TestDatabase {
    /// A database of its own with TEMPORARY revoked from PUBLIC (so that doing so touches
    /// no other test), holding `org (code)` and `fact (org_code → org)` plus `script`,
    /// and a login role given `grants` (e.g. `GRANT SELECT ON org, fact TO %ROLE%`);
    /// `body` gets a connection to it as that role. Both are dropped afterwards.
    func withoutTemporary(script: String = "", grants: String, _ body: (_ connection: Connection, _ database: String, _ role: String) throws -> Void) throws {
        let database = "\(schema)_notemp", role = "\(schema)_notemp"
        try connection.execute("CREATE DATABASE \(ident: database)")
        defer {
            _ = try? connection.execute("DROP DATABASE IF EXISTS \(ident: database) WITH (FORCE)")
            _ = try? connection.execute("DROP ROLE IF EXISTS \(ident: role)")
        }
        try run("CREATE ROLE \(role) LOGIN")
        let admin = try Connection(ConnectionString("dbname=\(database)"))
        try admin.executeScript(unsafeRaw: """
            REVOKE TEMPORARY ON DATABASE \(database) FROM PUBLIC;
            CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org);
            \(script)
            \(grants.replacingOccurrences(of: "%ROLE%", with: role))
            """)
        try body(try Connection(ConnectionString("dbname=\(database) user=\(role)")), database, role)
    }
}
