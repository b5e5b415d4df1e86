@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

extension RealSchema {
    /// The third sweep's fixture: an Odoo-style ERP (`s17erp`) and a Mastodon/Rails-style
    /// social network (`s17soc`), Tests/Fixtures/realschema3/app.sql.
    static let social = Fixture(folder: "Tests/Fixtures/realschema3/", app: "s17erp", second: "s17soc", suffix: "soc")
}

/// The third real-schema sweep, as an outside tester on schemas nobody here wrote
/// (Tests/Fixtures/realschema3/app.sql, 24 tables in two schemas, in the projects' own DDL
/// habits): Odoo's res_users/res_partner/res_company cycle that every table's
/// create_uid/write_uid joins, required fields NOT NULL without defaults, jsonb
/// translations, selections as varchar CHECKs, a many2many table keyed by its two FKs, a
/// partial unique index on variants; Mastodon's Rails timestamps NOT NULL without
/// defaults, timestamp_id() as a PL/pgSQL default, the lower(username) expression unique
/// index, partial unique indexes, counter triggers with unqualified names that update
/// parents and write a child, and the statuses self-references (one deferrable). Per
/// target a few dozen to a few hundred rows (generate.py). Each case holds validate on
/// the primary (staged) and on the hot standby (read-only) against `load --dry-run`, then
/// runs the real load and checks for orphans (`SweepOutcome`).
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweep3Tests {
    static let cases: [SweepCase] = [
        .csv("sale_order_line: new orders and products, section lines, the accountable CHECK", "s17erp.sale_order_line", "sale_order_line.csv",
             rules: "sale_order_line.rules.yaml", maxRejects: 5),
        .csv("sale_order_line reloaded by order", "s17erp.sale_order_line", "sale_order_line_reload.csv", replaceBy: ["order_id"]),
        .csv("sale_order: new partners, companies and salesmen of the cycle, a selection CHECK", "s17erp.sale_order", "sale_order.csv",
             rules: "sale_order_partners.rules.yaml", maxRejects: 5),
        .csv("sale_order: a new company without rules, currency_id uncovered", "s17erp.sale_order", "sale_order_newcompany.csv", commits: false),
        .csv("res_partner: the target in the cycle, new companies, users, countries, parent_id", "s17erp.res_partner", "res_partner_known_parents.csv",
             rules: "res_partner.rules.yaml", maxRejects: 5),
        .csv("res_partner: the target in the cycle goes first, its placeholder parents 901 and 902 after it: stops both", "s17erp.res_partner",
             "res_partner.csv", rules: "res_partner.rules.yaml", maxRejects: 5, commits: false),
        .csv("res_partner: a contact without a name (res_partner_check_name)", "s17erp.res_partner", "res_partner_noname.csv", commits: false),
        .csv("res_users: the target in the cycle, new partners and companies, logins repeated", "s17erp.res_users", "res_users.csv",
             rules: "res_users.rules.yaml", maxRejects: 5),
        .csv("res_users: a new company without rules", "s17erp.res_users", "res_users_newcompany.csv", commits: false),
        .csv("many2many rel: new categories (jsonb names) and partners, pairs repeated", "s17erp.res_partner_res_partner_category_rel",
             "res_partner_res_partner_category_rel.csv", rules: "res_partner_res_partner_category_rel.rules.yaml", maxRejects: 120),
        SweepCase(name: "product_product from a --source table of text, new templates", table: "s17erp.product_product", input: .source("variants_raw"),
                  rules: "product_product_clean.rules.yaml", staged: ("product_product_clean.csv", "variants_raw")),
        // A partial unique index of the target: the standby's batches evaluate it; an expression
        // unique index of a parent, evaluated on its new rows' DEFAULT or rule value (issue 29).
        .csv("statuses of new accounts without rules: username's DEFAULT '' twice", "s17soc.statuses", "statuses_newaccounts.csv", commits: false),
        .csv("follows: every new account a ghost (lower(username) unique index)", "s17soc.follows", "follows_ghosts.csv", rules: "follows_ghosts.rules.yaml",
             commits: false),
        .csv("product_product: two active variants of one combination (a partial unique index)", "s17erp.product_product", "product_product.csv",
             rules: "product_product.rules.yaml", maxRejects: 5, commits: false),
        .csv("statuses: two reblogs of one status by one account (partial unique)", "s17soc.statuses", "statuses_reblogs.csv", commits: false),
        .csv("favourites: new statuses and accounts, the counter trigger writes status_stats", "s17soc.favourites", "favourites.csv",
             rules: "favourites.rules.yaml", maxRejects: 200),
        .csv("follows: new target accounts, self-follows", "s17soc.follows", "follows.csv", rules: "follows.rules.yaml", maxRejects: 110),
        .csv("statuses_tags: new tags and statuses, repeated pairs", "s17soc.statuses_tags", "statuses_tags.csv", rules: "statuses_tags.rules.yaml",
             maxRejects: 150),
        SweepCase(name: "notifications from a --query without polls, new senders", table: "s17soc.notifications",
                  input: .query("SELECT activity_id, activity_type, created_at, updated_at, account_id, from_account_id, type FROM s17erp.notifications_raw WHERE type <> 'poll'"),
                  rules: "notifications.rules.yaml", maxRejects: 150, staged: ("notifications.csv", "notifications_raw")),
        .csv("mentions reloaded by status, a new account", "s17soc.mentions", "mentions.csv", rules: "mentions.rules.yaml", replaceBy: ["status_id"]),
        .csv("users: new accounts, emails and accounts repeated", "s17soc.users", "users.csv", rules: "users.rules.yaml", maxRejects: 5),
        .csv("statuses: replies and reblogs in the input and missing, new accounts, the counter trigger", "s17soc.statuses", "statuses.csv",
             rules: "statuses.rules.yaml", maxRejects: 5),
    ]

    @Test(arguments: cases)
    func validateAgreesWithTheLoad(_ c: SweepCase) throws {
        let schema = try RealSchema(RealSchema.social)
        try SweepOutcome(c, schema).expectAgreement(c, schema)
    }

    /// What only an insert tells, which the standby names in notExact while it says
    /// "would load" (the primary tries the insert and agrees with the load): a name template reading `{company_id}`
    /// through new partners whose rows name other companies (docs/backfill.md: a key's
    /// rows include those of the new child row that needed it), so two new companies get
    /// one name (res_company_name_uniq).
    static let standbyCannotTell: [SweepCase] = [
        .csv("sale_order: a company name template through new partners gives two companies one name", "s17erp.sale_order", "sale_order.csv",
             rules: "sale_order.rules.yaml", maxRejects: 5, commits: false),
    ]

    @Test(arguments: standbyCannotTell)
    func theStandbyNamesWhatItCannotTell(_ c: SweepCase) throws {
        let schema = try RealSchema(RealSchema.social)
        let outcome = try SweepOutcome(c, schema)
        let readOnly = try outcome.readOnly.get()
        #expect(!readOnly.notExact.isEmpty, "\(c.name): would load, nothing named")
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.name)") {
            try outcome.expectAgreement(c, schema)
        }
    }
}
