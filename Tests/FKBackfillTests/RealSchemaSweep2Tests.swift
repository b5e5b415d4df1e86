@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The second real-schema sweep (issue #29): a Discourse-style forum and an ERP warehouse
/// (Tests/Fixtures/realschema2/app.sql, 36 tables and 5 partitions in two schemas:
/// natural-key dimensions, uuid keys, date-partitioned facts, soft deletes with partial
/// unique indexes, audit triggers writing a history table, composite natural keys with ON
/// UPDATE CASCADE, a CHECK calling a function, a generated column as an FK's key, an
/// inheritance pair, two cycles, citext, enums, domains, and trigger functions with
/// unqualified names that assign and normalise keys). Per target a few hundred rows
/// (generate.py). Each case holds validate on the primary (staged) and on the hot standby
/// (read-only) against `load --dry-run`, then runs the real load and checks for orphans.
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweep2Tests {
    static let cases: [ForumCase] = [
        .csv("posts: the target in the topics/posts cycle, new topics and users", "s14app.posts", "posts.csv", rules: "posts.rules.yaml", maxRejects: 5),
        .csv("topic_tags: new citext tags the trigger lower-cases", "s14app.topic_tags", "topic_tags.csv", rules: "topic_tags.rules.yaml", maxRejects: 200),
        .csv("topic_tags: a new tag the trigger trims", "s14app.topic_tags", "topic_tags_padded.csv", commits: false),
        .csv("post_actions: new posts, a skipped action type, duplicates on a partial unique index stop both", "s14app.post_actions", "post_actions.csv", rules: "post_actions.rules.yaml", maxRejects: 100,
             commits: false),
        .csv("category_users reloaded by category, new categories", "s14app.category_users", "category_users.csv", rules: "category_users.rules.yaml",
             maxRejects: 5, replaceBy: ["category_id"]),
        .csv("user_profiles: new users and locales, a website CHECK", "s14app.user_profiles", "user_profiles.csv", rules: "user_profiles.rules.yaml", maxRejects: 5),
        .csv("user_profiles: a new locale the trigger rewrites", "s14app.user_profiles", "user_profiles_dash.csv", commits: false),
        .csv("uploads: uuid keys, new users, a domain", "s14app.uploads", "uploads.csv", rules: "uploads.rules.yaml", maxRejects: 5),
        .csv("upload_references: new uploads by uuid", "s14app.upload_references", "upload_references.csv", rules: "upload_references.rules.yaml", maxRejects: 5),
        // A partial unique index of the target: the standby's batches evaluate it (issue 29).
        .csv("user_badges: new badges by name, a partial unique index", "s14app.user_badges", "user_badges.csv", rules: "user_badges.rules.yaml", maxRejects: 5,
             commits: false),
        .csv("topic_views: partitioned by date, new topics", "s14app.topic_views", "topic_views.csv", rules: "topic_views.rules.yaml"),
        .csv("topic_views (partitioned) reloaded by topic", "s14app.topic_views", "topic_views.csv", rules: "topic_views.rules.yaml", replaceBy: ["topic_id"]),
        .csv("price_list_items reloaded by price list", "s14wh.price_list_items", "price_list_items.csv", rules: "price_list_items.rules.yaml",
             maxRejects: 5, replaceBy: ["price_list_code", "currency"]),
        .csv("topic_views: a date no partition takes", "s14app.topic_views", "topic_views_2026.csv", rules: "topic_views_2026.rules.yaml", commits: false),
        .csv("group_users: new groups (a name CHECK the trigger satisfies), the users/groups cycle", "s14app.group_users", "group_users.csv",
             rules: "group_users.rules.yaml"),
        .csv("order_lines: a new order the trigger upper-cases", "s14wh.order_lines", "order_lines_lower.csv", rules: "order_lines_lower.rules.yaml", commits: false),
        .csv("stock_movements (partitioned): a new warehouse's locations, new orders", "s14wh.stock_movements", "stock_movements.csv",
             rules: "stock_movements.rules.yaml", maxRejects: 5),
        .csv("stock_movements: a new product by its generated key, no rule", "s14wh.stock_movements", "stock_movements_newsku.csv", commits: false),
        .csv("stock_movements: a new product by its generated key, sku from a rule", "s14wh.stock_movements", "stock_movements_newsku.csv",
             rules: "stock_movements_newsku.rules.yaml", commits: false),
        .csv("price_list_items: new composite price lists with a new currency, new products", "s14wh.price_list_items", "price_list_items.csv",
             rules: "price_list_items.rules.yaml", maxRejects: 5),
        .csv("document_links: document 500 only in the inheritance child", "s14wh.document_links", "document_links.csv"),
        .csv("sales_orders: new customers by uuid, currencies, warehouses", "s14wh.sales_orders", "sales_orders.csv", maxRejects: 5),
        .csv("sales_orders: a new currency the trigger upper-cases", "s14wh.sales_orders", "sales_orders_lower.csv", commits: false),
        .csv("topics: the target in the topics/posts cycle, new categories and users", "s14app.topics", "topics.csv", rules: "topics.rules.yaml", maxRejects: 5),
        ForumCase(name: "sales_orders from a --source table of text", table: "s14wh.sales_orders", input: .source("orders_raw"), maxRejects: 5,
                  staged: ("sales_orders.csv", "orders_raw")),
        ForumCase(name: "order_lines from a --query without the row qty_fits() refuses", table: "s14wh.order_lines",
                  input: .query("SELECT order_no, line_no, sku, qty, unit, unit_price FROM s14app.lines_raw WHERE NOT (unit = 'EA' AND qty LIKE '%.%')"),
                  rules: "order_lines.rules.yaml", maxRejects: 5, staged: ("order_lines.csv", "lines_raw")),
    ]

    @Test(arguments: cases)
    func validateAgreesWithTheLoad(_ c: ForumCase) throws {
        let schema = try RealSchema(RealSchema.forum)
        try SweepOutcome(c, schema).expectAgreement(c, schema)
    }

    /// What the standby cannot tell, named in its notExact: a CHECK of the target calling
    /// the user's function, the users/groups
    /// cycle's writes (each only an insert tells; the primary tries them).
    static let standbyCannotTell: [ForumCase] = [
        .csv("order_lines reloaded by order: new orders, products, units, a CHECK calling qty_fits() refuses a row: stops both", "s14wh.order_lines", "order_lines.csv",
             rules: "order_lines.rules.yaml", maxRejects: 5, replaceBy: ["order_no"], commits: false),
        .csv("users: the target in the users/groups cycle, new groups and locales", "s14app.users", "users.csv", rules: "users.rules.yaml", maxRejects: 5,
             commits: false),
    ]

    @Test(arguments: standbyCannotTell)
    func theStandbyNamesWhatItCannotTell(_ c: ForumCase) throws {
        let schema = try RealSchema(RealSchema.forum)
        let outcome = try SweepOutcome(c, schema)
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.name)") {
            try outcome.expectAgreement(c, schema)
        }
    }

    /// A parent's CHECK that its BEFORE INSERT trigger makes true (groups_before slugifies
    /// the name groups_name_check wants lower-case): PostgreSQL runs the trigger first and
    /// takes the row. Seen: the load and the staged validate test the CHECK on the rule's
    /// value before the trigger and refuse ("new parent rows would be refused … fails CHECK
    /// groups_name_check", exit 1); the standby says it would load. Should: the load commits.
    @Test func aParentsCheckThatItsTriggerSatisfiesDoesNotStopTheLoad() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE grp (id int PRIMARY KEY, name text NOT NULL CHECK (name ~ '^[a-z_]+$'));
            CREATE FUNCTION grp_before() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN NEW.name := replace(lower(NEW.name), ' ', '_'); RETURN NEW; END $$;
            CREATE TRIGGER grp_before BEFORE INSERT ON grp FOR EACH ROW EXECUTE FUNCTION grp_before();
            CREATE TABLE member (grp_id int REFERENCES grp, n int);
            INSERT INTO grp VALUES (1, 'Staff Team');
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).grp:\n    columns:\n      name: { value: Imported Group }\n", file: "rules.yaml")
        let csv = "grp_id,n\n1,1\n2,2\n"
        #expect(try Self.validate(db, "member", csv: csv, rules: rules, on: db.connection).wouldLoad)
        let report = try db.load("member", csv: csv) { $0.rules = rules }
        #expect(report.inserted == 2)
        #expect(try db.values("SELECT name FROM grp WHERE id = 2") == [["imported_group"]])
    }

    /// An FK to a generated column (stock_movements.sku_key → products.sku_key, generated
    /// as upper(btrim(sku))), sku from a rule. Seen: the load fails with PostgreSQL's raw
    /// 428C9 "cannot insert a non-DEFAULT value into column sku_key" (exit 3, no table, no
    /// hint), the staged validate repeats it, the standby says "would load after
    /// backfilling 1 missing key". Should: both validates say it cannot be backfilled, the
    /// load stops before writing with the parent and its generated key column named.
    @Test func aParentKeyedByAGeneratedColumn() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE product (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sku text NOT NULL,
                sku_key text GENERATED ALWAYS AS (upper(sku)) STORED UNIQUE);
            CREATE TABLE movement (sku_key text REFERENCES product (sku_key), qty int);
            INSERT INTO product (sku) VALUES ('HAM-1');
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).product:\n    columns:\n      sku: { from: sku_key, pick: first }\n", file: "rules.yaml")
        let csv = "sku_key,qty\nHAM-1,1\nWIDGET-1,2\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("movement", csv: csv) { $0.rules = rules } }
        #expect(error.kind != .database(sqlState: "428C9") && ([error.message] + error.details).joined().contains("product.sku_key is a generated column"), "\(error)")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let readOnly = try Self.validate(db, "movement", csv: csv, rules: rules, on: standby)
        #expect(!readOnly.wouldLoad, "standby: would load; not exact: \(readOnly.notExact)")
    }

    /// A parent whose FK column takes a DEFAULT the grandparent has (sales_orders.currency
    /// DEFAULT 'EUR'), the grandparent with a key-assigning trigger (currencies_before
    /// upper-cases). Seen: the standby says "cannot fix: new rows of ord need rows in cur:
    /// trigger cur_before … assigns its key column" and would not load; the dry run adds the
    /// orders and no currency. The same with `value: EUR` in a rule, or without the trigger:
    /// would load. Should: the standby reads the DEFAULT as it reads the rule's value.
    @Test func aParentsDefaultTheGrandparentHasNeedsNoGrandparentRows() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE cur (code char(3) PRIMARY KEY);
            CREATE FUNCTION cur_before() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.code := upper(NEW.code); RETURN NEW; END $$;
            CREATE TRIGGER cur_before BEFORE INSERT ON cur FOR EACH ROW EXECUTE FUNCTION cur_before();
            INSERT INTO cur VALUES ('EUR');
            CREATE TABLE ord (no text PRIMARY KEY, cur char(3) NOT NULL DEFAULT 'EUR' REFERENCES cur);
            CREATE TABLE line (ord_no text REFERENCES ord, n int);
            """)
        let csv = "ord_no,n\nA,1\nB,2\n"
        let dryRun = try db.load("line", csv: csv) { $0.dryRun = true }
        #expect(dryRun.inserted == 2 && dryRun.parents.filter { $0.inserted > 0 }.map(\.table.name) == ["ord"])
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let readOnly = try Self.validate(db, "line", csv: csv, rules: .none, on: standby)
        #expect(readOnly.wouldLoad, "standby: \(readOnly.foreignKeys.flatMap(\.reasons))")
    }

    /// Two input rows that clash on a partial unique index (post_actions_once, user_badges_once,
    /// users_username_lower WHERE deleted_at IS NULL), or a row a CHECK calling a function
    /// refuses (order_lines_check → qty_fits): the load said "PostgreSQL refused an input
    /// row of f: duplicate key value violates unique constraint "f_live" … Key (a)=(1)
    /// already exists", with no FILE:LINE (a plain unique index gives "f.csv:4: duplicate key
    /// (a) of an earlier input row"). The index clash is named by its line now
    /// (LoadRun+IndexClashes, IndexClashLineTests); a CHECK calling a function still by
    /// PostgreSQL's words.
    @Test func aRowRefusedAtTheInsertIsNamedByItsLine() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE f (a int, b int, live bool); CREATE UNIQUE INDEX f_live ON f (a) WHERE live")
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("f", csv: "a,b,live\n1,1,true\n2,1,true\n1,2,true\n") }
        #expect(error.message.contains(":4: duplicate key (a) of an earlier input row (f_live)"), "\(error.message)")
        #expect(error.kind == .rowRefused(line: 4), "\(error)")
    }

    static func validate(_ db: TestDatabase, _ table: String, csv: String, rules: Rules, on connection: Connection) throws -> ValidationReport {
        var options = ValidateOptions()
        options.rules = rules
        return try Validator(connection: connection).run(table: "\(db.schema).\(table)", input: .csv(path: try db.csvFile(csv), options: CSVOptions()),
                                                         options: options)
    }
}
