import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// What `session_replication_role` does on Citus, which decides the set-based path there
/// (docs/citus.md, FKCheck+Citus.swift). If Citus changes it, these fail first.
@Suite struct CitusFKCheckTests {
    func orphanInsert(_ db: TestDatabase, _ s: String, settings: [String]) throws -> String? {
        try db.connection.execute("BEGIN")
        defer { _ = try? db.connection.execute("ROLLBACK") }
        for setting in settings { try db.connection.execute(SQL(unsafeRaw: setting)) }
        do {
            try db.connection.execute("INSERT INTO \(ident: s).fact (month, plan_code, amount) VALUES ('2024-11-01', 'NOPE', 1)")
            return nil
        } catch {
            return error.sqlState
        }
    }

    @Test func theCoordinatorsReplicaModeDoesNotReachTheWorkersUnlessPropagated() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("role")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: CitusCommandTests.referenceParents)
        // Origin: the shard's FK trigger on the worker refuses the orphan.
        #expect(try orphanInsert(db, s, settings: []) == "23503")
        // Replica mode on the coordinator only (what the set-based path does on plain
        // PostgreSQL): the workers' triggers still fire.
        #expect(try orphanInsert(db, s, settings: ["SELECT set_config('session_replication_role', 'replica', true)"]) == "23503")
        #expect(try orphanInsert(db, s, settings: ["SET LOCAL session_replication_role = replica"]) == "23503")
        // Propagated to the workers' sessions: the triggers are off there too.
        #expect(try orphanInsert(db, s, settings: [
            "SET LOCAL citus.propagate_set_commands = 'local'", "SET LOCAL session_replication_role = replica",
        ]) == nil)
        #expect(try db.count("\(s).fact") == 0)
    }
}
