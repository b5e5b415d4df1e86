import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Every command against each way Citus holds a fact table and its parents, checked by
/// counting rows and by the orphan oracle after each write.
@Suite struct CitusCommandTests {
    /// November: new plans (one with a new region: a parent of a parent) and a new org.
    static let november = """
        month,plan_code,region_code,org_code,amount
        2024-11-01,P1,R1,G1,10
        2024-11-01,P2,R2,G1,20
        2024-11-01,P2,R2,G2,30
        2024-11-01,P3,R1,G2,40
        2024-11-01,P4,R3,,50
        2024-11-01,P1,R1,G1,60

        """
    /// December: one more of each.
    static let december = """
        month,plan_code,region_code,org_code,amount
        2024-12-01,P5,R4,G3,70
        2024-12-01,P1,R1,G1,80

        """

    /// region ← plan ← fact, org ← fact; one row of each parent there before.
    static func tables(_ s: String) -> String {
        """
        CREATE TABLE \(s).region (code text PRIMARY KEY, name text);
        CREATE TABLE \(s).plan (code text PRIMARY KEY, region_code text NOT NULL REFERENCES \(s).region, name text);
        CREATE TABLE \(s).org (code text PRIMARY KEY);
        CREATE TABLE \(s).fact (id bigserial, month date NOT NULL, plan_code text NOT NULL REFERENCES \(s).plan,
                                region_code text, org_code text REFERENCES \(s).org, amount numeric);
        INSERT INTO \(s).region VALUES ('R1', 'north');
        INSERT INTO \(s).plan VALUES ('P1', 'R1', 'one');
        INSERT INTO \(s).org VALUES ('G1');
        """
    }

    static let referenceParents = "reference parents"
    static let colocatedParent = "co-located distributed parent"

    /// Distributes the tables of `tables(s)`: the fact table by plan_code, its parents as
    /// reference tables or (`colocatedParent`) plan distributed alongside it. Citus refuses
    /// an FK from a table not yet distributed to a distributed one, so there the fact's FK
    /// to plan comes back once both are distributed.
    static func distribute(_ db: TestDatabase, _ s: String, layout: String) throws {
        let statements = layout == referenceParents ? [
            "SELECT create_reference_table('\(s).region')", "SELECT create_reference_table('\(s).plan')",
            "SELECT create_reference_table('\(s).org')", "SELECT create_distributed_table('\(s).fact', 'plan_code')",
        ] : [
            "ALTER TABLE \(s).fact DROP CONSTRAINT fact_plan_code_fkey",
            "SELECT create_reference_table('\(s).region')", "SELECT create_reference_table('\(s).org')",
            "SELECT create_distributed_table('\(s).plan', 'code')",
            "SELECT create_distributed_table('\(s).fact', 'plan_code', colocate_with => '\(s).plan')",
            "ALTER TABLE \(s).fact ADD CONSTRAINT fact_plan_code_fkey FOREIGN KEY (plan_code) REFERENCES \(s).plan",
        ]
        for statement in statements { try db.run(statement) }
    }

    /// Runs every command on `s.fact` and checks counts and orphans after each write.
    /// `setBased`: whether the set-based check is exact there (every parent on the coordinator).
    func everyCommand(_ db: TestDatabase, schema s: String, setBased: Bool) throws {
        let fact = "\(s).fact"
        let november = try db.csvFile(Self.november), december = try db.csvFile(Self.december)
        let tables = ["region", "plan", "org", "fact"].map { "\(s).\($0)" }
        func counts() throws -> [Int] { try tables.map { try db.count($0) } }

        let fks = try Binary.run(["fks", fact])
        #expect(fks.status == 0 && fks.stdout.contains("fact_plan_code_fkey") && fks.stdout.contains("fact_org_code_fkey"), "\(fks)")
        let graph = try Binary.json(["graph", fact])
        #expect((graph["order"] as? [String]).map { Set($0) } == Set(["\(s).region", "\(s).plan", "\(s).org", fact]),
                "graph order: \(graph["order"] ?? "none")")
        _ = try Binary.json(["audit", "--schema", s], status: 0...1)
        // validate: for a parent on the workers, against a coordinator copy of its keys.
        let validate = try Binary.json(["validate", fact, "--csv", november], status: 0...1)
        #expect(validate.description.contains("P2"), "validate names the missing plan P2: \(validate)")

        // --dry-run: everything, then rolled back.
        let before = try db.checksum(tables)
        let dry = try Binary.json(["load", fact, "--csv", november, "--dry-run"])
        #expect((dry["target"] as? [String: Any])?["inserted"] as? Int == 6)
        #expect(try db.checksum(tables) == before, "--dry-run changed a table")

        // per-row: the workers' triggers check each row.
        let perRow = try Binary.json(["load", fact, "--csv", november, "--fk-check", "per-row"])
        #expect(perRow["fkCheck"] as? String == "per-row")
        #expect((perRow["fkCheckNote"] as? String)?.contains("Citus") == true, "\(perRow["fkCheckNote"] ?? "no note")")
        #expect(try counts() == [3, 4, 2, 6])
        try db.expectNoOrphans([s])

        // set-based where it is exact, refused (exit 2, nothing written) where it is not.
        let forced = try Binary.run(["load", fact, "--csv", november, "--fk-check", "set-based", "--replace-by", "month", "--format", "json"])
        if setBased {
            #expect(forced.status == 0, "\(forced.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any]
            #expect(report?["fkCheck"] as? String == "set-based")
            #expect((report?["fkCheckNote"] as? String)?.contains("sent to the workers") == true)
            #expect((report?["target"] as? [String: Any])?["deleted"] as? Int == 6)
        } else {
            #expect(forced.status == 2, "set-based should be refused: \(forced.stdout) \(forced.stderr)")
            #expect(forced.stderr.contains("Citus"), "\(forced.stderr)")
        }
        #expect(try counts() == [3, 4, 2, 6])

        // --replace-by with auto: still one copy of November.
        let reload = try Binary.json(["load", fact, "--csv", november, "--replace-by", "month"])
        #expect((reload["target"] as? [String: Any])?["deleted"] as? Int == 6)
        #expect(reload["fkCheck"] as? String == (setBased ? "set-based" : "per-row"), "\(reload["fkCheckNote"] ?? "")")
        #expect(try counts() == [3, 4, 2, 6])
        try db.expectNoOrphans([s])

        // backfill: December's parents only.
        _ = try Binary.json(["backfill", fact, "--csv", december])
        #expect(try counts() == [4, 5, 3, 6])
        #expect(try db.values("SELECT region_code FROM \(s).plan WHERE code = 'P5'") == [["R4"]])

        let load = try Binary.json(["load", fact, "--csv", december])
        #expect((load["target"] as? [String: Any])?["inserted"] as? Int == 2)
        #expect(try counts() == [4, 5, 3, 8])
        #expect(try db.count(fact, "month = '2024-12-01'") == 2)
        try db.expectNoOrphans([s])
        // validate in place: the fact table's own rows, all of them with their parents.
        let inPlace = try Binary.json(["validate", fact])
        #expect(inPlace.description.contains("violating") || inPlace["foreignKeys"] != nil, "\(inPlace)")
    }

    @Test func distributedFactWithReferenceParents() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("ref")
        try db.run(Self.tables(s))
        try Self.distribute(db, s, layout: Self.referenceParents)
        #expect(try db.citusKind("\(s).fact") == "hs")
        #expect(try db.citusKind("\(s).plan") == "nt")
        try everyCommand(db, schema: s, setBased: true)
    }

    @Test func distributedParentColocatedWithTheFactTable() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("coloc")
        try db.run(Self.tables(s))
        try Self.distribute(db, s, layout: Self.colocatedParent)
        #expect(try db.citusKind("\(s).plan") == "hs")
        try everyCommand(db, schema: s, setBased: false)
    }

    @Test func schemaBasedShardedSchema() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("tenant")
        try db.run(Self.tables(s) + "SELECT citus_schema_distribute('\(s)');")
        #expect(try db.citusKind("\(s).fact") == "ns")
        #expect(try db.citusKind("\(s).plan") == "ns")
        try everyCommand(db, schema: s, setBased: false)
    }

    /// fill-null-only on a distributed parent: the NULL label of P1 is filled from the
    /// input, P2 is inserted, and the facts load (Citus refuses the row locks the fill
    /// takes elsewhere; the parent is locked whole instead).
    @Test func fillNullOnlyOnADistributedParent() throws {
        let db = try TestDatabase()
        try db.requireCitus()
        let s = try db.makeSchema("fill")
        for statement in [
            "CREATE TABLE \(s).plan (code text PRIMARY KEY, label text)",
            "CREATE TABLE \(s).fact (plan_code text NOT NULL, label text, n int)",
            "INSERT INTO \(s).plan VALUES ('P1', NULL), ('P3', 'kept')",
            "SELECT create_distributed_table('\(s).plan', 'code')",
            "SELECT create_distributed_table('\(s).fact', 'plan_code', colocate_with => '\(s).plan')",
            "ALTER TABLE \(s).fact ADD FOREIGN KEY (plan_code) REFERENCES \(s).plan",
        ] { try db.run(statement) }
        let csv = try db.csvFile("plan_code,label\nP1,first\nP2,second\nP3,other\n")
        let report = try Binary.json(["load", "\(s).fact", "--csv", csv, "--mode", "fill-null-only"])
        #expect(report["fkCheck"] as? String == "per-row")
        #expect(try db.values("SELECT code, label FROM \(s).plan ORDER BY code") == [["P1", "first"], ["P2", "second"], ["P3", "kept"]])
        #expect(try db.count("\(s).fact") == 3)
        try db.expectNoOrphans([s])
    }
}

