@testable import FKBackfill
import Testing

/// The naming evidence of implied relations (docs/audit.md): a name counts only when it
/// names the parent table.
@Suite struct RelationNamingTests {
    func match(_ column: String, child: String = "orders", _ parent: String, key: String = "id", schema: String = "s")
        -> RelationNaming.Match?
    {
        RelationNaming.match(column: column, child: TableName(schema: "s", name: child), parent: TableName(schema: schema, name: parent), key: key)
    }

    @Test func singularPluralAndSchema() {
        #expect(match("user_id", "users") == .exact)
        #expect(match("users_id", "users") == .exact)
        #expect(match("category_id", "categories") == .exact)
        #expect(match("address_id", "addresses") == .exact)
        #expect(match("box_id", "boxes") == .exact)
        #expect(match("person_id", "person") == .exact)
        #expect(match("billing_account_id", "account", schema: "billing") == .exact)
        #expect(RelationNaming.forms("company") == ["company", "companies"])
    }

    @Test func keyNamesAndSuffixes() {
        #expect(match("region_code", "region", key: "region_code") == .exact)
        #expect(match("home_region_code", "region", key: "region_code") == .suffix)
        #expect(match("author_user_id", "users") == .suffix)
        #expect(match("currency_code", "currencies", key: "iso") == .idOrCode)
        #expect(match("pipeline_id", child: "ci_builds", "ci_pipelines") == .sharedPrefix)
        #expect(match("pipeline_id", child: "builds", "ci_pipelines") == nil)
    }

    @Test func decoysAreNoEvidence() {
        // Own ids, shared column names, one-to-one siblings keyed on another table's id.
        #expect(match("id", "users") == nil)
        #expect(match("external_id", "partners", key: "external_id") == nil)
        #expect(match("email", "customers", key: "email") == nil)
        #expect(match("user_id", "ai_testing_terms_acceptances", key: "user_id") == nil)
        #expect(match("parent_id", "categories") == nil)
    }

    @Test func copiesOfTables() {
        for name in ["users_backup", "orders_2019", "customers_history", "bak_users", "users_20240101", "old_orders"] {
            #expect(RelationNaming.looksLikeCopy(TableName(schema: "s", name: name)), "\(name)")
        }
        #expect(RelationNaming.looksLikeCopy(TableName(schema: "archive", name: "users")))
        for name in ["users", "order_lines", "t0001_items", "histogram_bins", "golden_records"] {
            #expect(!RelationNaming.looksLikeCopy(TableName(schema: "s", name: name)), "\(name)")
        }
    }
}
