@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

extension RealSchema {
    /// The fourth sweep's fixture: a Chinese-named annuity warehouse (`s18dw`) and a Kimball
    /// star schema in a schema whose name has a capital and a space (`"s18Star Mart"`),
    /// Tests/Fixtures/realschema4/app.sql.
    static let warehouse = Fixture(folder: "Tests/Fixtures/realschema4/", app: "s18dw", second: "s18Star Mart", suffix: "Star Mart")
}

/// The fourth real-schema sweep, as an outside tester on the schemas this tool's users
/// run: data warehouses (Tests/Fixtures/realschema4/app.sql, in the projects' own DDL
/// habits). The star: an int yyyymmdd date dimension whose NOT NULL attributes come from
/// `sql:` rules, surrogate keys GENERATED ALWAYS and BY DEFAULT, business keys UNIQUE, an
/// SCD2 product dimension with a partial unique index on the current row, a snowflaked
/// product → category → department, a junk dimension referenced by its composite natural
/// key, facts partitioned by month (a DEFAULT partition on one, none on the other), CHECKs
/// on measures, loaded_at/batch_id defaults and BEFORE INSERT audit triggers calling bare
/// names. The annuity warehouse: the write-up's 规模明细 with its config imported by
/// `import-rules`, Chinese names, '2024/11/01' dates, 'P0001 ' and full-width 'Ｐ0002'
/// keys, '(空白)' and '' blanks, '1,234.56' amounts. Each case holds validate on the
/// primary (staged) and on the hot standby (read-only) against `load --dry-run`, then runs
/// the real load and checks for orphans (`SweepOutcome`).
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweep4Tests {
    static let star = "\"s18Star Mart\""
    static let guimo = "s18dw.规模明细"
    static let rules = "annuity_performance.rules.yaml"

    static let cases: [SweepCase] = [
        // The star.
        .csv("fact_sales: new dates, products of a new category, stores, order profiles; three CHECKs set aside", "\(star).fact_sales",
             "sales_nov.csv", rules: "sales_nov.rules.yaml", maxRejects: 5),
        .csv("fact_sales: the same three CHECKs over --max-rejects 2", "\(star).fact_sales", "sales_nov.csv", rules: "sales_nov.rules.yaml",
             maxRejects: 2, commits: false),
        .csv("fact_sales: new customer surrogate keys of a GENERATED ALWAYS identity", "\(star).fact_sales", "sales_newcustomers.csv",
             rules: "sales_newcustomers.rules.yaml"),
        .csv("fact_sales: rows of months without a partition go to the DEFAULT partition", "\(star).fact_sales", "sales_default_partition.csv",
             rules: "sales_default_partition.rules.yaml"),
        .csv("fact_sales: SCD2, new surrogate keys whose business key has no current row", "\(star).fact_sales", "sales_scd2_closed.csv",
             rules: "sales_scd2_closed.rules.yaml"),
        .csv("fact_sales: an empty customer_sk the BEFORE INSERT trigger maps to the unknown member", "\(star).fact_sales", "sales_late_customers.csv"),
        .csv("fact_sales: new stores, store_name NOT NULL without a rule", "\(star).fact_sales", "sales_newstores.csv", commits: false),
        .csv("fact_inventory_snapshot: October reloaded by month, a new product and store", "\(star).fact_inventory_snapshot", "inventory_oct.csv",
             rules: "inventory_oct.rules.yaml", replaceBy: ["snapshot_month"]),
        .csv("fact_inventory_snapshot: December has no partition", "\(star).fact_inventory_snapshot", "inventory_dec.csv", commits: false),
        .csv("fact_inventory_snapshot: December has no partition, --max-rejects", "\(star).fact_inventory_snapshot", "inventory_dec.csv",
             maxRejects: 20),
        SweepCase(name: "fact_sales from a --query of text without phone orders", table: "\(star).fact_sales",
                  input: .query("""
                      SELECT sale_date, date_key, customer_sk, product_sk, store_code, payment_type, sales_channel, is_promotion, order_number,
                             order_line, quantity, sales_amount, discount_amount, product_code, category_id
                      FROM s18dw.sales_raw WHERE sales_channel <> 'phone'
                      """),
                  rules: "sales_raw.rules.yaml", staged: ("sales_raw.csv", "sales_raw")),
        // The annuity warehouse.
        .csv("规模明细: new plans, portfolios, product lines, organisations, customers; imported rules", guimo, "guimo_202411.csv", rules: rules),
        .csv("规模明细: new plans without rules, 计划全称 NOT NULL", guimo, "guimo_202411.csv", commits: false),
        .csv("规模明细: amounts with thousand separators", guimo, "guimo_thousands.csv", rules: rules, commits: false),
        .csv("规模明细: amounts with thousand separators set aside", guimo, "guimo_thousands.csv", rules: rules, maxRejects: 5),
        .csv("规模明细: October reloaded by 月度", guimo, "guimo_202410.csv", rules: rules, replaceBy: ["月度"]),
        .csv("规模明细: a customer name the 年金客户 trigger trims", guimo, "guimo_padded_customer.csv", rules: rules, commits: false),
        SweepCase(name: "规模明细 from a --source table of text", table: guimo, input: .source("guimo_raw"), rules: rules,
                  staged: ("guimo_202411.csv", "guimo_raw")),
    ]

    @Test(arguments: cases)
    func validateAgreesWithTheLoad(_ c: SweepCase) throws {
        let schema = try RealSchema(RealSchema.warehouse)
        try SweepOutcome(c, schema).expectAgreement(c, schema)
    }

    /// What only an insert tells, which the standby names in notExact while it says
    /// "would load" (the primary tries the insert and agrees with the load): an SCD2
    /// dimension's new surrogate key whose business key (product_code, a same-named input
    /// column, picked per key) already has a current row, refused by the partial unique
    /// index `(product_code) WHERE is_current`. Read-only evaluates such an index only over
    /// values every new row gets alike (Coverage+PartialUniques.swift), not over values
    /// derived per key from the input.
    static let standbyCannotTell: [SweepCase] = [
        .csv("fact_sales: SCD2, a new surrogate key whose business key is current", "\(star).fact_sales", "sales_scd2_current.csv",
             rules: "sales_scd2_current.rules.yaml", commits: false),
    ]

    @Test(arguments: standbyCannotTell)
    func theStandbyNamesWhatItCannotTell(_ c: SweepCase) throws {
        let schema = try RealSchema(RealSchema.warehouse)
        let outcome = try SweepOutcome(c, schema)
        let readOnly = try outcome.readOnly.get()
        #expect(readOnly.notExact.contains { $0.hasPrefix("unique index dim_product_current_uk") }, "\(c.name): \(readOnly.notExact)")
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.name)") {
            try outcome.expectAgreement(c, schema)
        }
    }
}
