import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The rules file end to end against a real server.
@Suite struct RulesTests {
    func rules(_ db: TestDatabase, _ yaml: String) throws -> Rules {
        try RulesParser.parse(yaml, file: "rules.yaml")
    }

    func load(_ db: TestDatabase, _ table: String, csv: String, rules yaml: String,
              configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadReport {
        let parsed = try rules(db, yaml)
        return try db.load(table, csv: csv) { options in
            options.rules = parsed
            configure(&options)
        }
    }

    /// A plan table with one column per pick, fed by three fact rows for P1.
    @Test func everyPick() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, first_name text, last_name text, min_amount numeric, max_amount numeric,
                               frequent text, top_org text, bottom_org text, kinds text, kinds_unsorted text,
                               orgs int, total numeric);
            CREATE TABLE fact (plan_code text REFERENCES plan, name text, amount numeric, org text, kind text);
            """)
        _ = try load(db, "fact", csv: """
            plan_code,name,amount,org,kind
            P1,,10,G2,投管
            P1,alpha,30,,受托
            P1,beta,20,G1,投管
            P1,gamma,5,G3,账管

            """, rules: """
            tables:
              plan:
                columns:
                  first_name: { from: name, pick: first }
                  last_name: { from: name, pick: last }
                  min_amount: { from: amount, pick: min }
                  max_amount: { from: amount, pick: max }
                  frequent: { from: kind }
                  top_org: { from: org, pick: { max_by: amount } }
                  bottom_org: { from: org, pick: { min_by: amount } }
                  kinds: { from: kind, pick: concat_distinct, separator: "+", sorted: true }
                  kinds_unsorted: { from: kind, pick: concat_distinct, sorted: false }
                  orgs: { from: org, pick: count_distinct }
                  total: { from: amount, pick: sum }
            """)
        #expect(try db.values("""
            SELECT first_name, last_name, min_amount::text, max_amount::text, frequent, top_org, bottom_org,
                   kinds, kinds_unsorted, orgs::text, total::text FROM plan
            """) == [["alpha", "gamma", "5", "30", "投管", "G1", "G3", "受托+投管+账管", "投管,受托,账管", "3", "65"]])
    }

    @Test func valueTemplateSQLJsonAppendAndMark() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (code text PRIMARY KEY, kind text, note text, plans int, since date, score numeric(5,1),
                                   tags jsonb DEFAULT '["客户"]', _source text, _needs_review boolean, _derived_at timestamptz);
            INSERT INTO customer (code, tags) VALUES ('C0', '["老客户", "2410新建"]');
            CREATE TABLE fact (customer_code text REFERENCES customer, plan_code text, month date);
            """)
        let yaml = """
            tables:
              customer:
                columns:
                  kind: { value: 新客 }
                  score: { value: "4.5" }
                  since: { value: today }
                  note: { template: "{plan_code}_新建 ({customer_code})" }
                  plans: { sql: "count(DISTINCT plan_code)" }
                  tags: { sql: "jsonb_build_array(to_char(min(month), 'YYMM') || '新建')", json_append: true }
                mark:
                  _source: auto_derived
                  _needs_review: true
                  _derived_at: now
            """
        let csv = """
            customer_code,plan_code,month
            C1,P2,2024-11-01
            C1,P1,2024-12-01
            C0,P1,2024-11-01

            """
        _ = try load(db, "fact", csv: csv, rules: yaml) { $0.mode = .fillNullOnly }
        #expect(try db.values("""
            SELECT kind, score::text, since = current_date, note, plans::text, tags::text, _source, _needs_review::text,
                   _derived_at IS NOT NULL FROM customer WHERE code = 'C1'
            """) == [["新客", "4.5", "t", "P2_新建 (C1)", "2", #"["客户", "2411新建"]"#, "auto_derived", "true", "t"]])
        // The existing row: NULL columns filled, the array appended to (set union), marks untouched.
        #expect(try db.values("SELECT kind, tags::text, _source FROM customer WHERE code = 'C0'")
            == [["新客", #"["老客户", "2410新建", "2411新建"]"#, nil]])
        // Appending is a set union: a second run adds nothing.
        _ = try load(db, "fact", csv: csv, rules: yaml) { $0.mode = .fillNullOnly }
        #expect(try db.values("SELECT tags::text FROM customer WHERE code = 'C0'") == [[#"["老客户", "2410新建", "2411新建"]"#]])
    }

    @Test func defaultAndNullForceTheDatabaseDefaultOrNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text DEFAULT 'unnamed', region text DEFAULT 'none', city text);
            CREATE TABLE fact (org_code text REFERENCES org, name text, region text, city text);
            """)
        _ = try load(db, "fact", csv: "org_code,name,region,city\nG1,x,y,z\n", rules: """
            tables:
              org:
                columns:
                  name: default
                  region: { null: true }
            """)
        // name keeps its DEFAULT, region is forced NULL despite a default, city (no rule, same name) is derived.
        #expect(try db.values("SELECT name, region, city FROM org") == [["unnamed", nil, "z"]])
    }

    @Test func tableModes() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE product (code text PRIMARY KEY, name text);
            INSERT INTO org VALUES ('G1', NULL);
            CREATE TABLE fact (org_code text REFERENCES org, product_code text REFERENCES product, name text);
            """)
        let csv = "org_code,product_code,name\nG1,X1,one\nG2,X1,two\n"
        // fill_null_only for org only; product stays insert_missing.
        let filled = try load(db, "fact", csv: csv, rules: "tables:\n  org: { mode: fill_null_only }\n") { $0.dryRun = true }
        #expect(filled.parent("org")?.updated == 1)
        #expect(filled.parent("org")?.inserted == 1)
        let inserted = try load(db, "fact", csv: csv, rules: "tables:\n  org: { mode: insert_missing }\n") { $0.dryRun = true }
        #expect(inserted.parent("org")?.updated == 0)
        // skip: G2 is not backfilled; its row is rejected.
        let skip = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: csv, rules: "tables:\n  org: { mode: skip }\n")
        }
        #expect(skip.kind == .tooManyRejects)
        #expect(skip.category == .findings)
        #expect(skip.details.first?.contains("key (org_code) missing from \(db.schema).org") == true)
        let allowed = try load(db, "fact", csv: csv, rules: "tables:\n  org: { mode: skip }\n") { $0.maxRejects = 1 }
        #expect(allowed.rejected == 1)
        #expect(allowed.rejections.first?.sampleRows == [2])
        #expect(allowed.inserted == 1)
        #expect(try db.count("org") == 1)
        // fail: the whole load stops, even with rejects allowed.
        let fail = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: csv, rules: "tables:\n  org: { mode: fail }\n") { $0.maxRejects = 10 }
        }
        #expect(fail.kind == .blocked)
        #expect(fail.details.contains { $0.contains("1 input row has a key (org_code) missing") && $0.contains("fail") })
        #expect(try db.count("fact") == 1)
    }

    @Test func foreignKeyRules() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE product (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text CONSTRAINT fact_org_fk REFERENCES org,
                               product_code text CONSTRAINT fact_product_fk REFERENCES product);
            INSERT INTO product VALUES ('X1');
            """)
        let report = try load(db, "fact", csv: "org_code,product_code\nG1,X1\nG2,X2\n", rules: """
            foreign_keys:
              fact_product_fk: { on_missing: reject }
              fact_org_fk: { on_missing: backfill }
            """) { $0.maxRejects = 5 }
        #expect(report.rejected == 1)
        #expect(report.rejections.first?.reason == "key (product_code) missing from \(db.schema).product (fact_product_fk)")
        // The rejected row's other keys are not backfilled either.
        #expect(try db.values("SELECT code FROM org") == [["G1"]])
        let failed = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "org_code,product_code\nG3,X3\n", rules: "foreign_keys:\n  fact_product_fk: { on_missing: fail }\n")
        }
        #expect(failed.kind == .blocked)
        #expect(failed.category == .findings)
        #expect(try db.count("org") == 1)
        // skip: no backfill through it, so the FK check fails the insert: PostgreSQL's own…
        let skipped = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "org_code,product_code\nG4,X4\n", rules: "foreign_keys:\n  fact_product_fk: { skip: true }\n") {
                $0.fkCheck = .perRow
            }
        }
        // PostgreSQL's refusal, named by the row's line, a finding as the set-based verify's is.
        #expect(skipped.category == .findings)
        #expect(skipped.kind == .rowRefused(line: 2))
        #expect(skipped.message.contains("fact_product_fk"))
        // …or the set-based verify, before anything is inserted.
        let verified = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "org_code,product_code\nG4,X4\n", rules: "foreign_keys:\n  fact_product_fk: { skip: true }\n") {
                $0.fkCheck = .setBased
            }
        }
        #expect(verified.kind == .foreignKeyViolations)
        #expect(verified.category == .findings)
        #expect(verified.details == ["1 rows violate fact_product_fk → \(db.schema).product (keys X4)"])
        #expect(try db.count("org", "code = 'G4'") == 0)
    }

    @Test func blankKeysWithEveryOnBlank() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            INSERT INTO org VALUES ('');
            CREATE TABLE fact (org_code text REFERENCES org, n int);
            """)
        let csv = "org_code,n\nG1,1\n(空白),2\n\"  \",3\n\"\",4\n"
        // null: blank keys become NULL; no parent row for them.
        let nulls = try load(db, "fact", csv: csv, rules: "blank:\n  markers: ['(空白)']\n  on_blank: \"null\"\n")
        #expect(nulls.inserted == 4)
        #expect(try db.values("SELECT n::text FROM fact WHERE org_code IS NULL ORDER BY n") == [["2"], ["3"], ["4"]])
        #expect(try db.values("SELECT code FROM org ORDER BY code") == [[""], ["G1"]])
        // reject: blank keys reject their rows.
        let rejected = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: csv, rules: "blank:\n  markers: ['(空白)']\n  on_blank: reject\n")
        }
        #expect(rejected.kind == .tooManyRejects)
        #expect(rejected.details == ["3 rows: blank key in org_code (lines 3, 4, 5)"])
        // keep: never backfilled; the FK check decides ('' exists, '  ' and '(空白)' do not).
        let kept = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: csv, rules: "blank:\n  markers: ['(空白)']\n  on_blank: keep\n")
        }
        #expect(kept.kind == .foreignKeyViolations)
        // The set-based FK check (the default for a superuser) finds the violation before inserting.
        #expect(kept.category == .findings)
        #expect(kept.details.first?.contains("2 rows violate") == true)
        #expect(try db.values("SELECT code FROM org ORDER BY code") == [[""], ["G1"]])
        _ = try load(db, "fact", csv: "org_code,n\n\"\",5\n", rules: "blank:\n  on_blank: keep\n")
        #expect(try db.count("fact", "n = 5") == 1)
    }

    @Test func declaredRelationsEndToEndWithTheirParentsParents() throws {
        let db = try TestDatabase()
        let mapping = try db.makeSchema("mapping")
        try db.run("""
            CREATE TABLE "\(mapping)".company (id text PRIMARY KEY, name text);
            CREATE TABLE "\(mapping)".plan (code text PRIMARY KEY, company_id text NOT NULL REFERENCES "\(mapping)".company);
            CREATE TABLE "\(mapping)".product (code text, UNIQUE (code));
            CREATE TABLE fact (plan_code text, product_code text, company_id text, name text);
            """)
        let yaml = """
            relations:
              - from: \(db.schema).fact (plan_code)
                to: \(mapping).plan (code)
              - from: fact (product_code)
                to: \(mapping).product (code)
            """
        let parsed = try rules(db, yaml)
        let catalog = try CatalogReader.read(table: "fact", rules: parsed, on: db.connection)
        #expect(catalog.foreignKeys.filter(\.declared).map(\.name).sorted() == ["plan_code -> \(mapping).plan", "product_code -> \(mapping).product"])
        // plan's own catalog FK to company came along.
        #expect(catalog.table(TableName(schema: mapping, name: "company")) != nil)
        let graph = DependencyGraph(catalog: catalog)
        #expect(graph.order.map(\.name) == ["company", "plan", "product", "fact"])
        #expect(graph.edges.filter(\.declared).count == 2)

        let report = try load(db, "fact", csv: "plan_code,product_code,company_id,name\nP1,X1,C1,acme\n", rules: yaml)
        #expect(report.parent("company")?.inserted == 1)
        #expect(report.parent("plan")?.inserted == 1)
        #expect(try db.values("SELECT p.code, p.company_id, c.name FROM \"\(mapping)\".plan p JOIN \"\(mapping)\".company c ON c.id = p.company_id")
            == [["P1", "C1", "acme"]])
        #expect(try db.count("\"\(mapping)\".product") == 1)

        // A declared relation can be given on_missing by child_column -> parent.
        let guarded = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "plan_code,product_code\nP1,X2\n", rules: yaml + """

                foreign_keys:
                  product_code -> \(mapping).product: { on_missing: fail }
                """)
        }
        #expect(guarded.kind == .blocked)
        #expect(guarded.details.first?.contains("product_code") == true)
    }

    @Test func declaredRelationNeedsAUniqueKey() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text);
            CREATE TABLE fact (plan_code text);
            """)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "plan_code\nP1\n", rules: """
                relations:
                  - from: fact (plan_code)
                    to: plan (code)
                """)
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.details == ["rules.yaml:2:5: relation: \(db.schema).plan (code) has no primary key or unique constraint "
            + "(backfilling inserts with ON CONFLICT on the referenced key, which needs a unique index on exactly those columns)"])
    }

    @Test func everyValidationErrorWithItsLine() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text, started date, amount numeric, tags text);
            CREATE TABLE fact (plan_code text CONSTRAINT fact_plan_fk REFERENCES plan, plan_name text, amount numeric);
            """)
        let yaml = """
            tables:
              plam:
                mode: insert_missing
              plan:
                mode: sometimes
                columns:
                  nmae: { from: plan_name }
                  name: { from: plan_nam }
                  started: { value: not-a-date }
                  amount: { from: amount, value: 1 }
                  tags: { from: plan_name, pick: max_by }
                  code: { from: plan_code }
            foreign_keys:
              fact_plan_fkey: { on_missing: reject }
            """
        let parsedError = try #require(throws: FKBackfillError.self) { _ = try rules(db, yaml) }
        #expect(parsedError.kind == .rulesProblems)
        // The parser's problems come first, all at once.
        #expect(parsedError.details == [
            "rules.yaml:5:11: mode must be insert_missing, fill_null_only, skip or fail, not 'sometimes'",
            "rules.yaml:10:31: column amount has two sources: from and value (keep one)",
            "rules.yaml:11:38: max_by needs a column: pick: { max_by: COLUMN }",
        ])
        let fixed = yaml.replacingOccurrences(of: "sometimes", with: "insert_missing")
            .replacingOccurrences(of: "{ from: amount, value: 1 }", with: "{ value: 1 }")
            .replacingOccurrences(of: "pick: max_by }", with: "pick: { max_by: amount } }")
        let parsed = try rules(db, fixed)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "plan_code,plan_name,amount\nP1,x,1\n") { $0.rules = parsed }
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.category == .usage)
        #expect(error.message == "rules.yaml: 6 problems in the rules file, nothing was run")
        // Other tests' tables may be suggested too, after ours (ours is on search_path).
        #expect(error.details.first?.hasPrefix("rules.yaml:2:3: table plam not found (did you mean \(db.schema).plan") == true)
        #expect(error.details.dropFirst() == [
            "rules.yaml:7:7: \(db.schema).plan has no column nmae (did you mean name?)",
            "rules.yaml:8:7: from: the input has no column plan_nam (did you mean plan_name?)",
            "rules.yaml:9:7: 'not-a-date' is not a valid date for started: invalid input syntax for type date: \"not-a-date\"",
            "rules.yaml:12:7: code is part of the key of \(db.schema).plan; its value is the key itself (remove this rule)",
            "rules.yaml:14:3: no foreign key fact_plan_fkey in the graph of \(db.schema).fact (did you mean fact_plan_fk?)",
        ])
        #expect(try db.count("plan") == 0)
    }

    @Test func sqlExpressionKeywordsInsideLiteralsAreFine() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE plan (code text PRIMARY KEY, note text); CREATE TABLE fact (plan_code text REFERENCES plan, x text)")
        _ = try load(db, "fact", csv: "plan_code,x\nP1,a\n", rules: """
            tables:
              plan:
                columns:
                  note: { sql: "max(x) || ' drop; delete ' || $q$update;$q$ || max(\\"x\\")" }
            """)
        #expect(try db.values("SELECT note FROM plan") == [["a drop; delete update;a"]])
    }
}

extension RulesTests {
    @Test func anUnknownTableStillHasItsInputColumnsChecked() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE plan (code text PRIMARY KEY, name text); CREATE TABLE fact (plan_code text REFERENCES plan, plan_name text)")
        let error = try #require(throws: FKBackfillError.self) {
            _ = try load(db, "fact", csv: "plan_code,plan_name\nP1,x\n", rules: "tables:\n  plam:\n    columns:\n      name: { from: plan_nam }\n")
        }
        #expect(error.kind == .rulesProblems)
        #expect(error.details.count == 2)
        #expect(error.details.last == "rules.yaml:4:7: from: the input has no column plan_nam (did you mean plan_name?)")
    }
}
