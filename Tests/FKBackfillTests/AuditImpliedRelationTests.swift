import FKBackfill
import PostgresClient
import Testing
import TestSupport

/// Implied relations on a catalog with planted true relations and the decoys that made
/// the old audit's findings 96% noise (issue 15): own `id` columns, composite-key
/// partitioned tables, one-to-one sibling tables, column names many tables share, dump
/// and history tables, a mistyped column, statistics that rule a relation out. The
/// audit must reach at least 90% precision; its recall is stated (docs/audit.md).
@Suite struct AuditImpliedRelationTests {
    /// The relations nobody declared, as `child.column → parent`.
    static let planted: Set<String> = [
        "invoices.customer_id → customers",
        "invoices.billing_address_id → addresses",
        "shipments.warehouse_code → warehouses",
        "shipments.origin_warehouse_code → warehouses",
        "order_lines.product_sku → products",
        "order_lines.order_id → orders",
        "events.customer_id → customers",
        "catalog_items.category_id → categories",
        "shop_carts.coupon_id → shop_coupons",
        "reviews.customer_id → customers",
        "tickets.customer_id → customers",
        "prices.currency_code → currencies",
        // Issue 27: a one-to-one child keyed by the reference, a role name other tables
        // declare, an archive-named table that holds live rows.
        "customer_settings.customer_id → customers",
        "comments.author_id → users",
        "archive_jobs.order_id → orders",
        // A parent keyed on two columns, both in the child.
        "issues.project_id → projects",
        // Not found by design: a name that does not name its parent.
        "categories.parent_id → categories",
        "payments.iban → bank_accounts",
    ]

    static let schemaSQL = """
        CREATE TABLE customers (id bigint PRIMARY KEY, email text UNIQUE, external_id text, uuid uuid UNIQUE);
        CREATE TABLE addresses (id bigint PRIMARY KEY, line text, external_id text);
        CREATE TABLE warehouses (warehouse_code text PRIMARY KEY, name text);
        CREATE TABLE products (id bigint PRIMARY KEY, sku text UNIQUE, external_id text);
        CREATE TABLE orders (id bigint PRIMARY KEY, placed date, uuid uuid UNIQUE);
        CREATE TABLE categories (id bigint PRIMARY KEY, parent_id bigint, name text);
        CREATE TABLE currencies (iso char(3) PRIMARY KEY);
        CREATE TABLE bank_accounts (id bigint PRIMARY KEY, iban text UNIQUE);
        CREATE TABLE shop_coupons (id bigint PRIMARY KEY, code text);
        CREATE TABLE partners (id bigint PRIMARY KEY, external_id text UNIQUE, email text);
        CREATE TABLE vendors (id bigint PRIMARY KEY, external_id text UNIQUE, uuid uuid UNIQUE);
        -- One-to-one siblings of customers: one declares its FK, one does not.
        CREATE TABLE customer_profiles (customer_id bigint PRIMARY KEY REFERENCES customers, bio text);
        CREATE TABLE customer_settings (customer_id bigint PRIMARY KEY, theme text);
        -- Children with planted relations (and decoy columns).
        CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint, billing_address_id bigint, external_id text, email text,
                               uuid uuid);
        CREATE TABLE shipments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, warehouse_code text, origin_warehouse_code text,
                                external_id text);
        CREATE TABLE order_lines (order_id bigint, line_no int, product_sku text, PRIMARY KEY (order_id, line_no));
        CREATE TABLE catalog_items (id serial PRIMARY KEY, category_id bigint, uuid uuid);
        CREATE TABLE shop_carts (id bigint PRIMARY KEY, coupon_id bigint);
        CREATE TABLE reviews (id bigint PRIMARY KEY, customer_id bigint, email text);
        CREATE TABLE tickets (id bigint PRIMARY KEY, customer_id bigint, external_id text);
        CREATE TABLE prices (id bigint PRIMARY KEY, currency_code char(3), amount numeric);
        CREATE TABLE payments (id bigint PRIMARY KEY, iban text, invoice_id bigint REFERENCES invoices);
        -- Composite-key partitioned tables; a partition declares the FK on product_id.
        CREATE TABLE events (id bigint, created_at date, customer_id bigint, product_id bigint, PRIMARY KEY (id, created_at))
            PARTITION BY RANGE (created_at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        ALTER TABLE events_2024 ADD FOREIGN KEY (product_id) REFERENCES products;
        CREATE TABLE metrics (id bigint, taken_at date, value numeric, PRIMARY KEY (id, taken_at)) PARTITION BY RANGE (taken_at);
        CREATE TABLE metrics_2024 PARTITION OF metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        -- Dump and history tables: no key of their own, copies of live rows.
        CREATE TABLE customers_dump (id bigint, email text, external_id text);
        CREATE TABLE customers_history (id bigint, customer_id bigint, changed date);
        CREATE TABLE orders_2019 (id bigint PRIMARY KEY, customer_id bigint);
        -- A column named like a reference but typed differently.
        CREATE TABLE notes (id bigint PRIMARY KEY, customer_id text, order_id integer);
        -- Statistics rule it out: 200 distinct campaign ids, 3 campaigns.
        CREATE TABLE campaigns (id bigint PRIMARY KEY);
        CREATE TABLE clicks (id bigint PRIMARY KEY, campaign_id bigint);
        INSERT INTO campaigns SELECT g FROM generate_series(1, 3) g;
        INSERT INTO clicks SELECT g, g FROM generate_series(1, 200) g;
        ANALYZE campaigns; ANALYZE clicks;
        -- Role names: author_id always means users; owner_id means two parents, so nothing.
        CREATE TABLE users (id bigint PRIMARY KEY);
        CREATE TABLE posts (id bigint PRIMARY KEY, author_id bigint REFERENCES users);
        CREATE TABLE comments (id bigint PRIMARY KEY, author_id bigint);
        CREATE TABLE boards (id bigint PRIMARY KEY, owner_id bigint REFERENCES users);
        CREATE TABLE folders (id bigint PRIMARY KEY, owner_id bigint REFERENCES partners);
        CREATE TABLE files (id bigint PRIMARY KEY, owner_id bigint);
        -- A parent whose primary key is composite: its id alone is never the reference.
        CREATE TABLE projects (tenant_id bigint, id bigint UNIQUE, PRIMARY KEY (tenant_id, id));
        CREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint);
        CREATE TABLE issues (id bigint PRIMARY KEY, tenant_id bigint, project_id bigint);
        -- Named like an archive, shaped like a live table (its own key and FK).
        CREATE TABLE archive_jobs (id bigint PRIMARY KEY, order_id bigint, customer_id bigint REFERENCES customers);
        """

    /// `child.column → parent` for each implied relation found in the test's schema.
    func implied(_ report: AuditReport, schema: String) -> [String] {
        report.findings.filter { $0.kind == "implied-relation" && $0.table?.schema == schema }.map { finding in
            let parent = finding.snippet?.split(separator: "\n").last?.split(separator: " ").dropFirst(1).first.map(String.init) ?? "?"
            let parentName = parent.split(separator: ".").last.map(String.init) ?? parent
            return "\(finding.object.dropFirst(schema.count + 1)) → \(parentName)"
        }
    }

    @Test func precisionOnPlantedRelationsAndDecoys() throws {
        let db = try TestDatabase()
        try db.run(Self.schemaSQL)
        let report = try Auditor(connection: db.connection).run(.schema(db.schema))
        let found = implied(report, schema: db.schema)
        let truePositives = found.filter(Self.planted.contains)
        let precision = Double(truePositives.count) / Double(max(found.count, 1))
        let recall = Double(Set(truePositives).count) / Double(Self.planted.count)
        #expect(precision >= 0.9, "precision \(precision): false \(found.filter { !Self.planted.contains($0) })")
        // Recall as stated in docs/audit.md: 16 of the 18 planted relations.
        #expect(Set(truePositives).count == 16, "recall \(recall): missed \(Self.planted.subtracting(truePositives).sorted())")
        #expect(found.count == Set(found).count, "one finding per column: \(found)")
        // No scan: the default audit reads no table data.
        #expect(!report.dataRead.readsData && report.dataRead.checks == 0)
        // Evidence is stated, strongest first; the sibling and the dump are not candidates at all.
        let tickets = try #require(report.findings.first { $0.object == "\(db.schema).tickets.customer_id" })
        #expect(tickets.evidence.first == "the name customer_id is the parent's name and key (customers.id)")
        #expect(tickets.evidence.contains("same type (bigint)") && tickets.evidence.contains("customers.id is its primary key"))
        #expect(!report.findings.contains { $0.kind == "implied-relation" && $0.message.contains("→ \(db.schema).customer_settings") })
        let comments = try #require(report.findings.first { $0.object == "\(db.schema).comments.author_id" })
        #expect(comments.evidence.first?.hasPrefix("the name author_id is a role name: 1 declared FK elsewhere") == true, "\(comments.evidence)")
        #expect(!found.contains { $0.hasPrefix("files.") || $0.hasPrefix("tasks.") }, "\(found)")
        let issues = try #require(report.findings.first { $0.object == "\(db.schema).issues.project_id" })
        #expect(issues.fix.hasSuffix("FOREIGN KEY (\"tenant_id\", \"project_id\") REFERENCES \"\(db.schema)\".\"projects\" (\"tenant_id\", \"id\") NOT VALID;"), "\(issues.fix)")
        try db.run(issues.fix)  // PostgreSQL accepts the suggested constraint
    }

    @Test func dataChecksRunOnlyWhenAskedAndSayWhatTheyRead() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE suppliers (id bigint PRIMARY KEY);
            CREATE TABLE deliveries (id bigint PRIMARY KEY, supplier_id bigint);
            CREATE TABLE returns (id bigint PRIMARY KEY, supplier_id bigint);
            INSERT INTO suppliers SELECT g FROM generate_series(1, 10) g;
            INSERT INTO deliveries SELECT g, 1 + g % 10 FROM generate_series(1, 50) g;
            INSERT INTO returns SELECT g, 100 + g FROM generate_series(1, 50) g;
            """)
        // A second suppliers table elsewhere: the same schema wins, the other is counted as dropped.
        let other = try db.makeSchema("other")
        try db.run("CREATE TABLE \(other).suppliers (id bigint PRIMARY KEY)")
        let auditor = Auditor(connection: db.connection)
        let plain = try auditor.run(.schema(db.schema))
        #expect(plain.findings.filter { $0.kind == "implied-relation" }.count == 2)
        let best = try #require(plain.findings.first { $0.object == "\(db.schema).deliveries.supplier_id" })
        #expect(best.snippet?.hasSuffix("to: \(db.schema).suppliers (id)") == true)
        #expect(best.droppedCandidates == ["\(other).suppliers"])
        #expect(best.message.hasSuffix("; 1 other candidate dropped"))
        let sampled = try auditor.run(.schema(db.schema), options: AuditOptions(sampleRows: 20))
        #expect(sampled.dataRead == AuditReport.DataRead(sampleRows: 20, timeBudgetSeconds: nil, checks: 2, skippedChecks: 0))
        let deliveries = try #require(sampled.findings.first { $0.object == "\(db.schema).deliveries.supplier_id" })
        #expect(deliveries.evidence.last == "data: 20 of 20 sampled non-NULL values are in suppliers.id")
        // Most of returns' values are in no supplier: the data rules the relation out.
        #expect(!sampled.findings.contains { $0.object == "\(db.schema).returns.supplier_id" })
        // A spent budget skips the checks and says so.
        let budget = try auditor.run(.schema(db.schema), options: AuditOptions(timeBudget: 0.0000001))
        #expect(budget.dataRead.skippedChecks == 2 && budget.dataRead.checks == 0)
        #expect(budget.findings.filter { $0.kind == "implied-relation" }.count == 2)
    }
}
