import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// --exclusive and --lock-timeout.
///
/// The time limit: these tests wait on locks and other sessions, and a hang must fail the
/// test rather than stall the run (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct LockingTests {
    @Test func exclusiveLoadsWaitForEachOtherAndLockTimeoutBoundsTheWait() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org);
            """)
        let oid = try db.values("SELECT 'fact'::regclass::oid::text")[0][0]!
        let holder = try Connection()
        try holder.execute("BEGIN")
        try holder.execute("SELECT pg_advisory_xact_lock(hashtextextended('fkbackfill load ' || \(bind: oid), 0))")
        let blocked = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code\nG1\n") {
                $0.exclusive = true
                $0.lockTimeout = "300ms"
            }
        }
        #expect(blocked.kind == .lockTimeout)
        #expect(blocked.message.hasPrefix("timed out waiting for a lock"))
        #expect(blocked.category == .database)
        #expect(try db.count("org") == 0)
        // Without --exclusive the advisory lock is not asked for.
        _ = try db.load("fact", csv: "org_code\nG1\n") { $0.lockTimeout = "300ms" }
        try holder.execute("COMMIT")
        let report = try db.load("fact", csv: "org_code\nG2\n") {
            $0.exclusive = true
            $0.lockTimeout = "300ms"
        }
        #expect(report.inserted == 1)
        // A row lock held elsewhere is bounded the same way.
        try holder.execute("BEGIN")
        try holder.execute("SELECT * FROM \(ident: db.schema).org WHERE code = 'G1' FOR UPDATE")
        let rowLock = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code\nG1\n") { $0.lockTimeout = "300ms" }
        }
        #expect(rowLock.kind == .lockTimeout)
        #expect(rowLock.message.hasPrefix("timed out waiting for a lock"))
        try holder.execute("ROLLBACK")
    }
}
