import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The audit's Citus findings on a coordinator.
@Suite struct CitusAuditTests {
    /// The annuity fact table as it comes (not yet distributed): its identity primary key
    /// holds none of its FK columns, and the identity itself blocks distribution — the
    /// two things the first try had to change by hand.
    @Test func whatBlocksDistributingTheAnnuityFactTable() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let (_, business) = try db.loadAnnuityExample()
        let audit = try Binary.json(["audit", "--schema", business], status: 0...1)
        let findings = (audit["findings"] as? [[String: Any]]) ?? []
        let kinds = Set(findings.compactMap { $0["kind"] as? String })
        #expect(kinds.contains("citus-identity-column"), "\(findings)")
        #expect(kinds.contains("citus-unique-without-distribution-column"), "\(findings)")
        #expect(findings.contains { ($0["object"] as? String)?.hasSuffix("规模明细.id") == true && $0["kind"] as? String == "citus-identity-column" })
    }

    /// Once distributed with its keys fixed, no Citus finding remains.
    @Test func aDistributedFactWithReferenceParentsHasNone() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("audit")
        try db.run(CitusCommandTests.tables(s))
        try CitusCommandTests.distribute(db, s, layout: CitusCommandTests.referenceParents)
        let audit = try Binary.json(["audit", "--schema", s], status: 0...1)
        let kinds = ((audit["findings"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        #expect(!kinds.contains { $0.hasPrefix("citus-") }, "\(kinds)")
    }
}
