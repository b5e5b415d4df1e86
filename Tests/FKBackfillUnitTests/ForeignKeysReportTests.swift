@testable import FKBackfill
import Foundation
import Testing

/// `fkbackfill fks` output from a catalog built in memory: order, notes, key columns,
/// and the JSON fields docs/json-output.md documents.
@Suite struct ForeignKeysReportTests {
    static var catalog: Catalog {
        var s = Schema()
        s.table("company", col("id", "integer", notNull: true), col("name"))
        s.table("plan", col("code", "character varying(20)", notNull: true), col("company_id", "integer"))
        s.table("org", col("id", "integer", notNull: true))
        s.table("fact", col("plan_code", "character varying(20)", notNull: true), col("org_id", "integer"),
                col("amount", "numeric", default: "0"))
        s.keys = [
            ForeignKey(name: "fact_plan", table: Schema.name("fact"), columns: ["plan_code"],
                       referencedTable: Schema.name("plan"), referencedColumns: ["code"],
                       deferrable: true, initiallyDeferred: true),
            ForeignKey(name: "fact_org", table: Schema.name("fact"), columns: ["org_id"],
                       referencedTable: Schema.name("org"), referencedColumns: ["id"], match: .full, validated: false,
                       onDelete: .cascade, onUpdate: .setNull, declaredOn: Schema.name("fact_2024"),
                       referencedKey: .init(kind: .uniqueIndex, name: "org_id_idx")),
            ForeignKey(name: "plan_company", table: Schema.name("plan"), columns: ["company_id"],
                       referencedTable: Schema.name("company"), referencedColumns: ["id"],
                       referencedKey: .init(kind: .uniqueConstraint, name: "company_id_key")),
        ]
        return s.catalog(root: "fact")
    }

    @Test func theTargetsKeysComeFirstThenItsParentsByName() {
        #expect(ForeignKeysReport(catalog: Self.catalog).foreignKeys.map(\.name) == ["fact_org", "fact_plan", "plan_company"])
    }

    @Test func textSummaryWithNotes() {
        let text = ForeignKeysReport(catalog: Self.catalog).render(.text)
        #expect(text.hasPrefix("Foreign keys of s.fact and its parents: 3 keys on 2 tables\n\n"))
        let tables = Alignment.tables(text)
        #expect(tables.count == 2)
        #expect(tables.first == [
            ["TABLE", "CONSTRAINT", "COLUMNS", "REFERENCES", "MATCH", "ON DELETE", "ON UPDATE", "NOTES"],
            ["s.fact", "fact_org", "org_id", "s.org (id)", "FULL", "CASCADE", "SET NULL",
             "NOT VALID; declared on s.fact_2024; to unique index org_id_idx"],
            ["s.fact", "fact_plan", "plan_code", "s.plan (code)", "SIMPLE", "NO ACTION", "NO ACTION",
             "deferrable, initially deferred"],
            ["s.plan", "plan_company", "company_id", "s.company (id)", "SIMPLE", "NO ACTION", "NO ACTION",
             "to unique constraint company_id_key"],
        ])
    }

    @Test func textKeyColumnsWithTypesAndNullability() {
        let text = ForeignKeysReport(catalog: Self.catalog).render(.text)
        #expect(text.contains("\nKey columns:\n"))
        #expect(Alignment.tables(text).last == [
            ["CONSTRAINT", "COLUMN", "TYPE", "NULL", "REFERENCED COLUMN", "TYPE", "NULL"],
            ["fact_org", "org_id", "integer", "yes", "id", "integer", "no"],
            ["fact_plan", "plan_code", "character varying(20)", "no", "code", "character varying(20)", "no"],
            ["plan_company", "company_id", "integer", "yes", "id", "integer", "no"],
        ])
    }

    @Test func selfReferencesDeclaredRelationsAndUnknownColumns() {
        var s = Schema()
        s.table("node", col("id", "integer", notNull: true), col("parent_id", "integer"))
        s.fk("node_parent", "node", ["parent_id"], "node", ["id"])
        s.fk("ghost_id -> s.ghost", "node", ["ghost_id"], "ghost", ["id"], declared: true)
        let text = ForeignKeysReport(catalog: s.catalog(root: "node")).render(.text)
        #expect(text.hasPrefix("Foreign keys of s.node and its parents: 2 keys on 1 table\n"))
        let tables = Alignment.tables(text)
        #expect(tables.first?.map { $0.last } == [
            "NOTES", "declared (rules file, not in the database)", "self-reference",
        ])
        // Columns the catalog does not know print as "?" and "no".
        #expect(tables.last?[1] == ["ghost_id -> s.ghost", "ghost_id", "?", "no", "id", "?", "no"])
    }

    @Test func aTableWithoutKeys() {
        var s = Schema()
        s.table("lonely", col("id"))
        #expect(ForeignKeysReport(catalog: s.catalog(root: "lonely")).render(.text)
            == "Foreign keys of s.lonely and its parents: 0 keys on 0 tables\n\n(s.lonely references no other table)\n")
        #expect(ForeignKeysReport(catalog: s.catalog(root: "lonely")).render(.dot).hasPrefix("Foreign keys of s.lonely"))
    }

    @Test func jsonFieldsOfOneKey() throws {
        let json = try jsonObject(ForeignKeysReport(catalog: Self.catalog).render(.json))
        #expect(json["table"] as? [String: String] == ["display": "s.fact", "schema": "s", "name": "fact"])
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        #expect(keys.map { $0["name"] as? String } == ["fact_org", "fact_plan", "plan_company"])
        let org = keys[0]
        #expect((org["table"] as? [String: String])?["display"] == "s.fact")
        #expect(org["columns"] as? [String] == ["org_id"])
        #expect(org["referencedTable"] as? [String: String] == ["display": "s.org", "schema": "s", "name": "org"])
        #expect(org["referencedColumns"] as? [String] == ["id"])
        #expect(org["match"] as? String == "FULL")
        #expect(org["deferrable"] as? Bool == false)
        #expect(org["initiallyDeferred"] as? Bool == false)
        #expect(org["validated"] as? Bool == false)
        #expect(org["onDelete"] as? String == "CASCADE")
        #expect(org["onUpdate"] as? String == "SET NULL")
        #expect((org["declaredOn"] as? [String: String])?["name"] == "fact_2024")
        #expect(org["declared"] as? Bool == false)
        let key = try #require(org["referencedKey"] as? [String: Any])
        #expect(key["kind"] as? String == "uniqueIndex")
        #expect(key["name"] as? String == "org_id_idx")
        #expect(keys[1]["deferrable"] as? Bool == true)
        #expect(keys[1]["initiallyDeferred"] as? Bool == true)
    }

    /// A target in a cycle (a parent references it back): its own FKs still come first,
    /// in text and JSON, as docs/json-output.md promises.
    @Test(arguments: ["department", "employee"])
    func theTargetsOwnKeysComeFirstAlsoInACycle(root: String) throws {
        let report = ForeignKeysReport(catalog: PlannerGraphTests.cycle.catalog(root: root))
        let json = try jsonObject(report.render(.json))
        let tables = try #require(json["foreignKeys"] as? [[String: Any]]).map { ($0["table"] as? [String: String])?["name"] }
        #expect(tables.first == root, "\(tables)")
        #expect(tables.prefix { $0 == root }.count == tables.filter { $0 == root }.count, "\(tables)")
    }

    /// Names JSON gives apart: a schema named `Odd "Sch".ema` is one name, not two.
    @Test func jsonGivesATablesPartsBesideItsDisplayName() throws {
        var s = Schema()
        s.table("t", col("id"))
        var catalog = s.catalog(root: "t")
        catalog.root = TableName(schema: "Odd \"Sch\".ema", name: "t")
        let json = try jsonObject(ForeignKeysReport(catalog: catalog).render(.json))
        #expect(json["schemaVersion"] as? Int == 2)
        #expect(json["table"] as? [String: String] == ["display": #""Odd ""Sch"".ema".t"#, "schema": "Odd \"Sch\".ema", "name": "t"])
    }

    @Test func jsonColumnDetailsKeepNullFields() throws {
        let json = try jsonObject(ForeignKeysReport(catalog: Self.catalog).render(.json))
        let keys = try #require(json["foreignKeys"] as? [[String: Any]])
        let plan = try #require(keys.first { $0["name"] as? String == "fact_plan" })
        let details = try #require(plan["columnDetails"] as? [[String: Any]])
        #expect(details.count == 1)
        #expect(details[0]["name"] as? String == "plan_code")
        #expect(details[0]["type"] as? String == "character varying(20)")
        #expect(details[0]["nullable"] as? Bool == false)
        // Absent values are written as null, not left out.
        for field in ["default", "identity", "generated"] { #expect(details[0][field] is NSNull, "\(field)") }
        let referenced = try #require(plan["referencedColumnDetails"] as? [[String: Any]])
        #expect(referenced[0]["name"] as? String == "code")
        let company = try #require(keys.first { $0["name"] as? String == "plan_company" })
        #expect((company["columnDetails"] as? [[String: Any]])?.first?["nullable"] as? Bool == true)
    }
}
