@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 19, realistic schemas against the standby's verdict: loads the dry run
/// refuses where validate — staged and read-only — said would load with nothing named.
@Suite(.timeLimit(.minutes(30))) struct HostileReview19Tests {
    /// Validate staged on the primary and read-only on the standby.
    func validations(_ db: TestDatabase, _ table: String, csv: String, rules: String? = nil) throws -> [ValidationReport] {
        var options = ValidateOptions()
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        return try db.validateBothWays(table, input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
    }

    /// A domain's NOT NULL refuses NULL as the column's does: a parent's new row that
    /// leaves such a column NULL, and a target column of it the input lacks, stop the load
    /// before it writes; validate both ways says would not load.
    @Test func aNotNullDomainIsNotNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN nonempty AS text NOT NULL CHECK (VALUE <> '');
            CREATE TABLE brand (code text PRIMARY KEY, label nonempty); INSERT INTO brand VALUES ('ACME', 'Acme');
            CREATE TABLE product (sku text PRIMARY KEY, brand_code text NOT NULL REFERENCES brand, price numeric);
            CREATE TABLE item (sku text PRIMARY KEY, brand_code text NOT NULL REFERENCES brand, note nonempty);
            CREATE DOMAIN stamped AS text NOT NULL DEFAULT 'etl';
            CREATE TABLE batch (id int PRIMARY KEY, brand_code text REFERENCES brand, loaded_by stamped);
            """)
        let csv = "sku,brand_code,price\nP1,ACME,1\nP2,NEWB,2\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("product", csv: csv) }
        #expect(error?.kind == .blocked, "\(String(describing: error))")
        #expect(error?.details.contains { $0.hasPrefix("\(db.schema).brand.label is NOT NULL with no default and no input column") } == true,
                "\(String(describing: error?.details))")
        for report in try validations(db, "product", csv: csv) {
            #expect(!report.wouldLoad, "\(report.foreignKeys) \(report.notExact)")
        }
        // The target's own column: the input lacks it, PostgreSQL would refuse every row.
        let item = "sku,brand_code\nP1,ACME\n"
        let missing = #expect(throws: FKBackfillError.self) { try db.load("item", csv: item) }
        #expect(missing?.message.contains("column note of \(db.schema).item is NOT NULL and has no default") == true, "\(String(describing: missing))")
        #expect(try db.count("item") == 0 && db.count("brand") == 1)
        // A domain with a DEFAULT fills it: loads.
        #expect(try db.load("batch", csv: "id,brand_code\n1,ACME\n").inserted == 1)
        #expect(try db.values("SELECT loaded_by FROM batch") == [["etl"]])
    }

    /// A new store's region, taken from an input column, is blank or longer than the
    /// region's varchar(4) key: the store row's insert would fail after the writes began.
    /// The load stops before it writes and names the keys; the staged validate says would
    /// not load; the standby, which does not compute a new row's values, names it.
    @Test(arguments: [("EUROPE", "gives a key (region) longer than its 4 characters (EUROPE)"), ("", "gives a blank key (region), which is never backfilled")])
    func aGrandparentKeyNoBackfillCanSupply(_ region: String, _ problem: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (code varchar(4) PRIMARY KEY); INSERT INTO region VALUES ('EMEA');
            CREATE TABLE store (code text PRIMARY KEY, region varchar(10) NOT NULL REFERENCES region); INSERT INTO store VALUES ('S1', 'EMEA');
            CREATE TABLE sales (id int PRIMARY KEY, store text NOT NULL REFERENCES store, qty int NOT NULL);
            """)
        let csv = "id,store,region,qty\n1,S1,EMEA,1\n2,S4,\"\(region)\",1\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("sales", csv: csv) }
        #expect(error?.kind == .blocked, "\(String(describing: error))")
        #expect(error?.details.contains("new rows of \(db.schema).store need keys \(db.schema).region cannot hold: 1 new row \(problem)") == true,
                "\(String(describing: error?.details))")
        #expect(try db.count("store") == 1 && db.count("region") == 1 && db.count("sales") == 0)
        let reports = try validations(db, "sales", csv: csv)
        #expect(!reports[0].wouldLoad)
        #expect(reports[1].notExact.contains("keys of \(db.schema).region that new rows of \(db.schema).store give it (region) are not checked: "
            + "a blank one, or one longer than its key column, stops the load"), "\(reports[1].notExact)")
        // A key that fits loads, and the standby still says what it did not check.
        let fits = "id,store,region,qty\n2,S4,EUR,1\n"
        #expect(try db.load("sales", csv: fits).inserted == 1)
        #expect(try db.values("SELECT code, region FROM store ORDER BY code") == [["S1", "EMEA"], ["S4", "EUR"]])
    }

    /// A dimension's surrogate key seeded with explicit ids: its sequence is behind, and
    /// the new rows' insert clashes. The standby names it (a standby reads a sequence up to
    /// 32 values ahead of the primary: near the stored values it names it too); after a
    /// setval well past them it says nothing.
    @Test func aParentsSequenceBehindItsRowsIsNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE dim_customer (customer_sk int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, customer_code text NOT NULL UNIQUE);
            INSERT INTO dim_customer VALUES (1, 'C1'), (2, 'C2');
            CREATE TABLE fact_sales (customer_code text NOT NULL REFERENCES dim_customer (customer_code), qty int NOT NULL);
            """)
        let csv = "customer_code,qty\nC1,1\nC9,2\n"
        let line = "new rows of \(db.schema).dim_customer take customer_sk from a sequence not known to be ahead of the values there: their insert may clash on dim_customer_pkey"
        var reports = try validations(db, "fact_sales", csv: csv)
        #expect(!reports[0].wouldLoad)
        #expect(reports[1].notExact.contains(line), "\(reports[1].notExact)")
        #expect(throws: FKBackfillError.self) { try db.load("fact_sales", csv: csv) }
        // Past what a standby may read ahead (it sees the sequence up to 32 values on).
        try db.run("SELECT setval(pg_get_serial_sequence('\(db.schema).dim_customer', 'customer_sk'), 100)")
        reports = try validations(db, "fact_sales", csv: csv)
        #expect(reports.allSatisfy(\.wouldLoad) && !reports[1].notExact.contains(line), "\(reports[1].notExact)")
        #expect(try db.load("fact_sales", csv: csv).inserted == 2)
    }

    /// A tenant's accounts, `UNIQUE (tenant_id, name)` with name left to DEFAULT '': two
    /// new accounts of one tenant clash. The staged validate tries the insert; the standby names it.
    @Test func aUniqueIndexOverPartOfTheKeyAndADefault() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE tenants (id int PRIMARY KEY); INSERT INTO tenants VALUES (1);
            CREATE TABLE accounts (tenant_id int NOT NULL REFERENCES tenants, id int NOT NULL, name text NOT NULL DEFAULT '',
                                   plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),
                                   PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, name));
            CREATE TABLE events (tenant_id int NOT NULL, account_id int NOT NULL, kind text, FOREIGN KEY (tenant_id, account_id) REFERENCES accounts);
            """)
        let csv = "tenant_id,account_id,kind\n1,3,login\n1,2,login\n"
        #expect(throws: FKBackfillError.self) { try db.load("events", csv: csv) }
        let reports = try validations(db, "events", csv: csv)
        #expect(!reports[0].wouldLoad)
        #expect(reports[1].notExact.contains { $0.hasPrefix("unique index accounts_tenant_id_name_key of \(db.schema).accounts over (tenant_id) of the key") },
                "\(reports[1].notExact)")
        // A CHECK over a column every new row gets a constant DEFAULT in is evaluated on it: not named.
        #expect(!reports[1].notExact.contains { $0.hasPrefix("CHECK constraints of new rows") }, "\(reports[1].notExact)")
        // One new account per tenant loads.
        #expect(try db.load("events", csv: "tenant_id,account_id,kind\n1,3,login\n").inserted == 1)
        // The CHECK the constant fails: the standby says would not load, as the load.
        try db.run("ALTER TABLE accounts DROP CONSTRAINT accounts_plan_check, ADD CONSTRAINT accounts_plan_check CHECK (plan = 'pro') NOT VALID")
        let one = "tenant_id,account_id,kind\n1,4,login\n"
        #expect(throws: FKBackfillError.self) { try db.load("events", csv: one) }
        #expect(try validations(db, "events", csv: one).allSatisfy { !$0.wouldLoad })
    }
}
