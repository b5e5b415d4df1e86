import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The backfill and load engine against a real server, one schema per test.
@Suite struct LoadTests {
    static let annuityCSV = """
        月度,业务类型,计划类型,计划代码,计划名称,组合代码,客户名称,期末资产规模,机构代码,机构名称,产品线代码
        2024-11-01,受托,单一计划,P1,,F1,老客户,100,G1,上海,PL1
        2024-11-01,投管,单一计划,P9,,F9,新客户甲,200,G9,深圳,PL9
        2024-11-01,投管,单一计划,P9,,F9,新客户甲,300,G9,深圳,PL9
        2024-11-01,投管,集合计划,P9,,F9,新客户乙,50,G9,深圳分公司,PL9
        2024-11-01,受托,单一计划,P8,,,新客户丙,10,,,

        """

    func annuity() throws -> (TestDatabase, String, String) {
        let db = try TestDatabase()
        let (mapping, business) = try db.loadAnnuityExample()
        try db.run("""
            INSERT INTO \(mapping).年金计划 (年金计划号, 计划全称) VALUES ('P1', '老计划');
            INSERT INTO \(mapping).组合计划 (组合代码, 年金计划号) VALUES ('F1', 'P1');
            INSERT INTO \(mapping).产品线 (产品线代码) VALUES ('PL1');
            INSERT INTO \(mapping).组织架构 (机构代码, 机构) VALUES ('G1', '上海分公司');
            """)
        return (db, mapping, business)
    }

    @Test func backfillsEveryParentIncludingAPortfolioOfANewPlan() throws {
        let (db, mapping, business) = try annuity()
        let report = try db.load("\(business).规模明细", csv: Self.annuityCSV)
        #expect(report.staged == 5)
        #expect(report.inserted == 5)
        // P9 from the facts and from the new portfolio F9; P8 from the facts only.
        let plans = try #require(report.parent("年金计划"))
        #expect(plans.candidates == 3)
        #expect(plans.present == 1)
        #expect(plans.inserted == 2)
        #expect(plans.sampleKeys == [["P8"], ["P9"]])
        #expect(report.parent("组合计划")?.inserted == 1)
        #expect(report.parent("产品线")?.inserted == 1)
        #expect(report.parent("组织架构")?.inserted == 1)
        // The new portfolio belongs to the plan its fact rows name.
        #expect(try db.values("SELECT 年金计划号 FROM \(mapping).组合计划 WHERE 组合代码 = 'F9'") == [["P9"]])
        // Same-named columns: most frequent non-NULL value among the rows of that key.
        #expect(try db.values("SELECT 计划类型, 客户名称 FROM \(mapping).年金计划 WHERE 年金计划号 = 'P9'") == [["单一计划", "新客户甲"]])
        // Existing rows are never touched.
        #expect(try db.values("SELECT 计划全称, 计划类型 FROM \(mapping).年金计划 WHERE 年金计划号 = 'P1'") == [["老计划", nil]])
        // No same-named column and nullable: NULL.
        #expect(try db.values("SELECT 机构 FROM \(mapping).组织架构 WHERE 机构代码 = 'G9'") == [[nil]])
        // NULL keys (MATCH SIMPLE) are neither checked nor backfilled.
        #expect(try db.count("\(mapping).组合计划") == 2)
        #expect(try db.count("\(business).规模明细", "组合代码 IS NULL") == 1)
    }

    @Test func secondRunInsertsNoParentRows() throws {
        let (db, _, business) = try annuity()
        _ = try db.load("\(business).规模明细", csv: Self.annuityCSV)
        let again = try db.load("\(business).规模明细", csv: Self.annuityCSV)
        #expect(again.parents.allSatisfy { $0.inserted == 0 && $0.candidates == $0.present })
        #expect(again.inserted == 5)
    }

    @Test func mostFrequentValueTiesGoToTheSmallest() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE fact (org_code text REFERENCES org, name text);
            """)
        _ = try db.load("fact", csv: "org_code,name\nA,zeta\nA,alpha\nA,zeta\nA,alpha\nA,\nA,\nA,\n")
        #expect(try db.values("SELECT name FROM org") == [["alpha"]])
    }

    @Test func compositeKeysAndTwoForeignKeysToOneParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (yr int, code text, label text, PRIMARY KEY (yr, code));
            CREATE TABLE language (id int PRIMARY KEY, name text);
            CREATE TABLE sale (code text, yr int, language_id int REFERENCES language,
                               original_language_id int REFERENCES language,
                               FOREIGN KEY (code, yr) REFERENCES region (code, yr));
            INSERT INTO language VALUES (1, 'en');
            """)
        let report = try db.load("sale", csv: """
            code,yr,language_id,original_language_id
            a,2024,1,2
            a,2024,3,
            b,2025,1,1
            ,2025,2,3

            """)
        #expect(try db.values("SELECT yr::text, code FROM region ORDER BY 1, 2") == [["2024", "a"], ["2025", "b"]])
        // The union of both FKs: 2 and 3 are new, 1 exists.
        #expect(report.parent("language")?.candidates == 3)
        #expect(report.parent("language")?.inserted == 2)
        #expect(try db.values("SELECT id::text FROM language ORDER BY id") == [["1"], ["2"], ["3"]])
        // (NULL, 2025) is not checked under MATCH SIMPLE: no region row for it. Keys are in the FK's order.
        #expect(report.parent("region")?.sampleKeys == [["a", "2024"], ["b", "2025"]])
        #expect(try db.count("sale") == 4)
    }

    @Test func matchFullPartlyNullKeyIsAViolationAndNothingIsWritten() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE region (yr int, code text, PRIMARY KEY (yr, code));
            CREATE TABLE sale (yr int, code text, FOREIGN KEY (yr, code) REFERENCES region MATCH FULL);
            """)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("sale", csv: "yr,code\n2024,a\n2025,\n,\n")
        }
        #expect(error.kind == .blocked)
        #expect(error.category == .findings)
        #expect(error.details.contains { $0.contains("1 staged rows have a partly NULL key") && $0.contains("MATCH FULL") })
        // The hint speaks of the key, not of covering a column with a rule.
        #expect(error.hint == "give every column of a MATCH FULL key a value, or none")
        #expect(try db.count("region") == 0)
        #expect(try db.count("sale") == 0)
        // Without the partly NULL row, the all-NULL key is not checked and the load passes.
        _ = try db.load("sale", csv: "yr,code\n2024,a\n,\n")
        #expect(try db.count("region") == 1)
        #expect(try db.count("sale") == 2)
    }

    @Test func uncoveredColumnStopsTheLoadBeforeAnyWrite() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, owner text NOT NULL, kind text NOT NULL);
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (plan_code text REFERENCES plan, org_code text REFERENCES org, kind text);
            """)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "plan_code,org_code,kind\nP1,G1,single\nP2,G1,\n")
        }
        #expect(error.kind == .blocked)
        #expect(error.category == .findings)
        #expect(error.message.contains("nothing was written"))
        #expect(error.details.contains { $0.contains("\(db.schema).plan.owner is NOT NULL with no default") })
        // kind has a same-named input column, but it is NULL for every row of P2.
        #expect(error.details.contains { $0.contains("\(db.schema).plan.kind is NOT NULL but input column kind is NULL for all rows of 1 new keys") })
        #expect(error.hint?.contains("DEFAULT") == true)
        #expect(try db.count("org") == 0)
        #expect(try db.count("plan") == 0)
        #expect(try db.count("fact") == 0)
        // Parents that need no new rows are not blockers.
        try db.run("INSERT INTO plan VALUES ('P1', 'me', 'single'), ('P2', 'me', 'single')")
        _ = try db.load("fact", csv: "plan_code,org_code,kind\nP1,G1,single\nP2,G1,\n")
        #expect(try db.count("org") == 1)
    }

    @Test func defaultsIdentityAndGeneratedColumnsAreLeftToTheDatabase() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, id bigint GENERATED ALWAYS AS IDENTITY,
                               status text NOT NULL DEFAULT 'inferred', created date NOT NULL DEFAULT current_date,
                               upper_code text GENERATED ALWAYS AS (upper(code)) STORED, note text);
            CREATE TABLE fact (plan_code text REFERENCES plan, status text);
            """)
        _ = try db.load("fact", csv: "plan_code,status\np1,active\n")
        #expect(try db.values("SELECT status, created = current_date, upper_code, note, id IS NOT NULL FROM plan")
            == [["inferred", "t", "P1", nil, "t"]])
    }

    @Test func fillNullOnlyFillsNullColumnsOfExistingParentsAndNeverOverwrites() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text, region text);
            INSERT INTO org VALUES ('G1', NULL, 'east'), ('G2', 'kept', NULL), ('G3', NULL, NULL);
            CREATE TABLE fact (code text REFERENCES org, name text, region text);
            """)
        let csv = "code,name,region\nG1,first,west\nG2,second,south\nG4,fourth,north\n"
        let plain = try db.load("fact", csv: csv) { $0.dryRun = true }
        #expect(plain.parent("org")?.updated == 0)
        let report = try db.load("fact", csv: csv) { $0.mode = .fillNullOnly }
        #expect(report.parent("org")?.updated == 2)
        #expect(report.parent("org")?.inserted == 1)
        #expect(try db.values("SELECT code, name, region FROM org ORDER BY code") == [
            ["G1", "first", "east"], ["G2", "kept", "south"], ["G3", nil, nil], ["G4", "fourth", "north"],
        ])
    }

    @Test func selfReferencingTargetLoadsRowsReferencingEachOtherAndBackfillsTheRest() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE employee (id int PRIMARY KEY, manager_id int REFERENCES employee, name text);
            INSERT INTO employee VALUES (1, NULL, 'boss');
            """)
        let report = try db.load("employee", csv: "id,manager_id,name\n10,1,ann\n11,10,bob\n12,99,cyd\n")
        #expect(report.inserted == 3)
        let placeholders = try #require(report.parent("employee"))
        #expect(placeholders.inserted == 1)
        #expect(placeholders.sampleKeys == [["99"]])
        // The placeholder does not borrow its children's names.
        #expect(try db.values("SELECT id::text, manager_id::text, name FROM employee ORDER BY id") == [
            ["1", nil, "boss"], ["10", "1", "ann"], ["11", "10", "bob"], ["12", "99", "cyd"], ["99", nil, nil],
        ])
    }

    @Test func nullableEdgeCycleIsInsertedWithTheEdgeBrokenThenSet() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE department (code text PRIMARY KEY, head_id text);
            CREATE TABLE employee (id text PRIMARY KEY, department_code text NOT NULL REFERENCES department);
            ALTER TABLE department ADD FOREIGN KEY (head_id) REFERENCES employee;
            CREATE TABLE timesheet (employee_id text REFERENCES employee, department_code text REFERENCES department,
                                    head_id text, hours int);
            """)
        let report = try db.load("timesheet", csv: """
            employee_id,department_code,head_id,hours
            e1,d1,e9,8
            e2,d1,e9,6

            """)
        #expect(report.inserted == 2)
        // e9 is the head of the new department d1; it becomes an employee of d1 itself.
        #expect(try db.values("SELECT code, head_id FROM department") == [["d1", "e9"]])
        #expect(try db.values("SELECT id, department_code FROM employee ORDER BY id") == [["e1", "d1"], ["e2", "d1"], ["e9", "d1"]])
    }

    @Test func unbreakableCycleThatNeedsRowsIsAClearErrorBeforeAnyWrite() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE a (id text PRIMARY KEY, b_id text NOT NULL);
            CREATE TABLE b (id text PRIMARY KEY, a_id text NOT NULL REFERENCES a);
            ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
            CREATE TABLE fact (a_id text REFERENCES a, b_id text);
            """)
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "a_id,b_id\nx,y\n") }
        #expect(error.kind == .blocked)
        #expect(error.category == .findings)
        #expect(error.details.contains { $0.contains("no nullable or deferrable FK to break it") })
        #expect(try db.count("a") == 0)
    }

    @Test func replaceByMakesAMonthlyReloadIdempotent() throws {
        let (db, _, business) = try annuity()
        try db.run("""
            INSERT INTO \(business).规模明细 (月度, 业务类型, 计划类型, 计划代码) VALUES
                ('2024-10-01', '受托', '单一计划', 'P1'), ('2024-11-01', '受托', '单一计划', 'P1'),
                ('2024-11-01', '投管', '单一计划', 'P1'), ('2024-11-01', '受托', '集合计划', 'P1');
            """)
        let first = try db.load("\(business).规模明细", csv: Self.annuityCSV) { $0.replaceBy = ["月度", "业务类型", "计划类型"] }
        // (11, 受托, 单一), (11, 投管, 单一) match staged rows; October and (11, 受托, 集合) do not.
        #expect(first.deleted == 2)
        #expect(try db.count("\(business).规模明细") == 7)
        let second = try db.load("\(business).规模明细", csv: Self.annuityCSV) { $0.replaceBy = ["月度", "业务类型", "计划类型"] }
        #expect(second.deleted == 5)
        #expect(try db.count("\(business).规模明细") == 7)
    }

    @Test func dryRunLeavesEveryTableUnchanged() throws {
        let (db, mapping, business) = try annuity()
        let tables = ["年金计划", "组合计划", "产品线", "组织架构"].map { "\(mapping).\($0)" } + ["\(business).规模明细"]
        let before = try db.checksum(tables)
        let report = try db.load("\(business).规模明细", csv: Self.annuityCSV) { $0.dryRun = true }
        #expect(report.dryRun)
        #expect(report.inserted == 5)
        #expect(report.parent("年金计划")?.inserted == 2)
        #expect(try db.checksum(tables) == before)
        #expect(!db.connection.inTransaction)
    }

    @Test func failureAfterTheBackfillLeavesNothingBehind() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (org_code text REFERENCES org, amount int CHECK (amount > 0));
            """)
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "org_code,amount\nG1,5\nG2,-1\n")
        }
        // The row PostgreSQL refused, by its line, with what would let the rest load.
        #expect(error.category == .findings)
        #expect(error.kind == .rowRefused(line: 3))
        #expect(error.message.hasSuffix(".csv:3: fails CHECK fact_amount_check, nothing was written"), "\(error.message)")
        #expect(error.hint?.contains("--max-rejects") == true)
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
        #expect(!db.connection.inTransaction)
    }

    @Test func badValueNamesTheFileLineAndColumn() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (day date, n int)")
        let error = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", csv: "day,n\n2024-01-01,1\n2024-13-45,2\n")
        }
        #expect(error.kind == .badInput(line: 3))
        #expect(error.category == .usage)
        #expect(error.message.hasSuffix(".csv:3: date/time field value out of range: \"2024-13-45\" (column day: \"2024-13-45\")"),
                "\(error.message)")
        #expect(try db.count("fact") == 0)
    }

    @Test func sourceTableAndQueryInputs() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY, name text);
            CREATE TABLE fact (org_code text REFERENCES org, name text, amount numeric(10,2));
            CREATE TABLE raw (name text, org_code text, amount text);
            INSERT INTO raw VALUES ('one', 'G1', '1.5'), ('two', 'G2', '2');
            """)
        let fromTable = try db.load("fact", input: .table("raw"))
        #expect(fromTable.staged == 2)
        #expect(try db.values("SELECT code, name FROM org ORDER BY code") == [["G1", "one"], ["G2", "two"]])
        let fromQuery = try db.load("fact", input: .query("SELECT 'G3' AS org_code, 7 AS amount;  "))
        #expect(fromQuery.inserted == 1)
        #expect(try db.values("SELECT amount::text FROM fact ORDER BY amount") == [["1.50"], ["2.00"], ["7.00"]])
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", input: .query("SELECT 1 AS nope")) }
        #expect(error.kind == .unusedInputColumn(column: "nope"))
    }

    @Test func csvOptionsBOMAndMissingColumnsTakeDefaults() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id serial, code text, note text DEFAULT 'none', qty int);
            """)
        var options = CSVOptions()
        options.delimiter = ";"
        options.quote = "'"
        options.null = "NA"
        let path = try db.csvFile("\u{FEFF}code;qty\n'a;b';NA\n'it''s';3\n")
        _ = try db.load("fact", input: .csv(path: path, options: options))
        #expect(try db.values("SELECT code, note, qty::text FROM fact ORDER BY id") == [["a;b", "none", nil], ["it's", "none", "3"]])
        options.header = false
        let headerless = try db.csvFile("7;x;y;8\n")
        _ = try db.load("fact", input: .csv(path: headerless, options: options))
        #expect(try db.values("SELECT id::text, code, note, qty::text FROM fact WHERE id = 7") == [["7", "x", "y", "8"]])
    }

    @Test func inputColumnErrorsNameTheFileAndColumn() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY, code text)")
        let unknown = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "code,cod3\nx,y\n") }
        #expect(unknown.kind == .unusedInputColumn(column: "cod3"))
        #expect(unknown.message.hasSuffix(":1: column cod3 is not a column of \(db.schema).fact, and no parent column of that name nor any rule reads it"))
        #expect(unknown.hint?.hasPrefix("did you mean code?; ") == true)
        let generated = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "id,code\n1,x\n") }
        #expect(generated.kind == .badInput(line: 1))
        #expect(generated.message.contains("column id of \(db.schema).fact is generated by the database"))
        let duplicate = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "code,code\nx,y\n") }
        #expect(duplicate.kind == .badInput(line: 1))
        #expect(duplicate.message.contains("column code appears twice"))
        let empty = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: "") }
        #expect(empty.kind == .badInput(line: 1))
        #expect(empty.message.contains("is empty"))
    }

    /// Every malformed CSV gets one line saying what and where, a hint, exit 2, and
    /// nothing written.
    @Test(arguments: [
        ("", "is empty"),
        ("org_code,n\n", "the file has a header but no rows"),
        ("org_code\nG1\n", ":1: column n of"),
        ("org_code,org_code,n\nG1,G1,1\n", ":1: column org_code appears twice"),
        ("org_code,n\nG1,1,extra\n", ":2: extra data after last expected column"),
        ("org_code,n\nG1\n", ":2: missing data for column \"n\""),
        ("org_code,n\n\"G1,1\n", ":2: unterminated CSV quoted field"),
        ("org_code,n\nG\u{FFFD}1,1\nG2,x\n", ":3: invalid input syntax for type integer"),
        ("org_code,n\r\nG1,1\nG2,2\r\n", ":3: unquoted carriage return found in data"),
    ])
    func malformedCSV(text: String, expected: String) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (org_code text REFERENCES org, n int NOT NULL)")
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: text) }
        guard case .badInput = error.kind else { Issue.record("kind \(error.kind)"); return }
        #expect(error.category == .usage)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(!error.message.contains("\n"))
        #expect(error.hint != nil)
        #expect(try db.count("org") == 0)
        #expect(try db.count("fact") == 0)
    }

    @Test func invalidEncodingAndNULBytesAreBadInput() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (code text, n int)")
        for bytes in [[0x47, 0xFF, 0x31], [0x47, 0x00, 0x31]] as [[UInt8]] {
            let path = try db.csvFile("")
            try Data(Array("code,n\n".utf8) + bytes + Array(",1\n".utf8)).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: FKBackfillError.self) {
                _ = try db.load("fact", input: .csv(path: path, options: CSVOptions()))
            }
            #expect(error.kind == .badInput(line: 2))
            #expect(error.category == .usage)
            #expect(error.message.contains(":2: invalid byte sequence for encoding \"UTF8\""), "\(error.message)")
            #expect(error.hint?.contains("UTF-8") == true)
        }
        #expect(try db.count("fact") == 0)
        // CRLF line endings throughout are fine.
        _ = try db.load("fact", csv: "code,n\r\nG1,1\r\nG2,2\r\n")
        #expect(try db.values("SELECT code, n::text FROM fact ORDER BY code") == [["G1", "1"], ["G2", "2"]])
    }

    @Test func unreadableInputs() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (code text)")
        let missing = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", input: .csv(path: "/nonexistent/dir/file.csv", options: CSVOptions()))
        }
        #expect(missing.kind == .badInput(line: nil))
        #expect(missing.message == "cannot open /nonexistent/dir/file.csv: no such file")
        let directory = try #require(throws: FKBackfillError.self) {
            _ = try db.load("fact", input: .csv(path: TestFiles.directory.path, options: CSVOptions()))
        }
        #expect(directory.kind == .badInput(line: nil))
        #expect(directory.message.hasSuffix("it is a directory"))
    }

    @Test func backfillWithoutLoadingTheTarget() throws {
        let (db, mapping, business) = try annuity()
        let report = try db.load("\(business).规模明细", csv: Self.annuityCSV) { $0.loadTarget = false }
        #expect(report.inserted == 0)
        #expect(try db.count("\(business).规模明细") == 0)
        #expect(try db.count("\(mapping).年金计划") == 3)
    }

    @Test func concurrentLoadsWithOverlappingNewKeysAllSucceed() async throws {
        let setup = try TestDatabase()
        try setup.run("""
            CREATE TABLE plan (code text PRIMARY KEY, name text);
            CREATE TABLE portfolio (code text PRIMARY KEY, plan_code text NOT NULL REFERENCES plan);
            CREATE TABLE fact (plan_code text REFERENCES plan, portfolio_code text REFERENCES portfolio, name text);
            """)
        let schema = setup.schema
        let csv = try setup.csvFile((0..<200).map { "P\($0 % 50),F\($0 % 60),n\($0)" }.joined(separator: "\n")
            .replacingOccurrences(of: "^", with: "plan_code,portfolio_code,name\n", options: .regularExpression) + "\n")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try Connection()
                    try connection.execute("SET search_path TO \(ident: schema)")
                    return try Loader(connection: connection)
                        .run(table: "fact", input: .csv(path: csv, options: CSVOptions()), options: LoadOptions()).inserted
                }
            }
            for try await inserted in group { #expect(inserted == 200) }
        }
        #expect(try setup.count("plan") == 50)
        #expect(try setup.count("portfolio") == 60)
        #expect(try setup.count("fact") == 800)
    }
}

extension LoadTests {
    @Test func deferrableCycleIsDeferredNotNulled() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE a (id text PRIMARY KEY, b_id text NOT NULL);
            CREATE TABLE b (id text PRIMARY KEY, a_id text NOT NULL REFERENCES a);
            ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b DEFERRABLE;
            CREATE TABLE fact (a_id text REFERENCES a, b_id text, note text);
            """)
        let report = try db.load("fact", csv: "a_id,b_id,note\nx,y,1\n")
        #expect(report.inserted == 1)
        #expect(try db.values("SELECT id, b_id FROM a") == [["x", "y"]])
        #expect(try db.values("SELECT id, a_id FROM b") == [["y", "x"]])
    }

    @Test func printSQLShowsEveryStatementInOrder() throws {
        let (db, _, business) = try annuity()
        let box = LockedBox<[String]>()
        _ = try db.load("\(business).规模明细", csv: Self.annuityCSV) { options in
            options.dryRun = true
            options.onStatement = { box.append($0.description) }
        }
        let statements = box.value
        // The session reads the user's search path and pins its own before anything else,
        // and gives the caller's connection its path back at the end.
        #expect(statements.first?.hasPrefix("SELECT pg_catalog.current_setting('search_path')") == true)
        #expect(statements.dropFirst().first == "SELECT pg_catalog.set_config('search_path', $1, $2)")
        // Then replica mode is checked, a dead client's statement bounded, messages in English.
        #expect(statements.dropFirst(2).first == "SELECT pg_catalog.current_setting('session_replication_role') AS role")
        // Then whether the session may write at all (a hot standby, read-only transactions), before it begins.
        #expect(statements.dropFirst(5).first?.hasPrefix("SELECT pg_catalog.pg_is_in_recovery() AS recovery") == true)
        #expect(statements.dropFirst(6).first == "BEGIN ISOLATION LEVEL READ COMMITTED")
        #expect(statements.dropLast().last == "ROLLBACK")
        #expect(statements.last?.hasPrefix("SELECT pg_catalog.set_config('search_path', $1, false)") == true)
        #expect(statements.contains { $0.hasPrefix("COPY pg_temp.fkb_stage") })
        let plan = try #require(statements.firstIndex { $0.hasPrefix("WITH i AS (INSERT INTO \"\(db.schema)_mapping\".\"年金计划\"") })
        let portfolio = try #require(statements.firstIndex { $0.hasPrefix("WITH i AS (INSERT INTO \"\(db.schema)_mapping\".\"组合计划\"") })
        let facts = try #require(statements.firstIndex { $0.hasPrefix("WITH i AS (INSERT INTO \"\(business)\".\"规模明细\"") })
        // Set-based: the facts go in first (their stored keys are the keys looked up),
        // then the parents, a plan before the portfolios that reference it.
        #expect(facts < plan && plan < portfolio)
    }
}
