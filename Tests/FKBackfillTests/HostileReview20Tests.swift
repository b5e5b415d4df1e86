@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 20, the load's rules and options against both validates: derived values
/// a column cannot take, named on the standby; the target's placeholder rows given a key
/// their FK's table lacks; a `--source` column of another type feeding a parent; and
/// `validate --mode`.
@Suite(.timeLimit(.minutes(30))) struct HostileReview20Tests {
    func validations(_ db: TestDatabase, _ table: String, input: InputSource, rules: String? = nil,
                     mode: BackfillMode = .insertMissing) throws -> [ValidationReport] {
        var options = ValidateOptions()
        options.mode = mode
        if let rules { options.rules = try RulesParser.parse(rules, file: "rules.yaml") }
        return try db.validateBothWays(table, input: input, options: options)
    }

    /// Each value the insert casts to a type that may refuse it: the staged validate and
    /// the load stop; the standby, which does not compute derived values, names the cast.
    @Test(arguments: [
        ("short varchar(8) NOT NULL DEFAULT 'x'", "short: { from: note, pick: concat_distinct, separator: \"+\" }", "hello,world"),
        ("total int", "total: { from: n, pick: sum }", "2000000000,2000000000"),
        ("since date", "since: { template: \"{note}\" }", "blue,red"),
    ])
    func aDerivedValueItsColumnMayRefuseIsNamed(_ column: String, _ rule: String, _ values: String) throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE product (sku text PRIMARY KEY, \(column)); INSERT INTO product (sku) VALUES ('A');
            CREATE TABLE sale (id int PRIMARY KEY, sku text REFERENCES product, note text, n int);
            """)
        let parts = values.split(separator: ",")
        let numeric = column.hasPrefix("total")
        let csv = "id,sku,note,n\n1,A,x,1\n" + parts.enumerated().map { i, v in
            numeric ? "\(i + 2),B,x,\(v)\n" : "\(i + 2),B,\(v),1\n" }.joined()
        let rules = "tables:\n  \(db.schema).product:\n    columns:\n      \(rule)\n"
        #expect(throws: FKBackfillError.self) { try db.load("sale", csv: csv) { $0.rules = try! RulesParser.parse(rules, file: "r.yaml") } }
        let input = InputSource.csv(path: try db.csvFile(csv), options: CSVOptions())
        var options = ValidateOptions()
        options.rules = try RulesParser.parse(rules, file: "rules.yaml")
        // Staged, the values are computed: would not load, in the load's words where no
        // column of the type can hold one (it failed with the load's error instead).
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).sale", input: input, options: options)
        #expect(!staged.wouldLoad)
        if !column.hasPrefix("short") {
            #expect(staged.prediction?.blockers.contains { $0.hasPrefix("a value for new parent rows cannot be stored") } == true,
                    "\(String(describing: staged.prediction?.blockers))")
        }
        let readOnly = try db.validateOnStandby("sale", input: input, options: options)
        #expect(readOnly.notExact.contains { $0.hasPrefix("values derived for new rows of \(db.schema).product (") && $0.contains("are cast to their column's type") },
                "\(readOnly.notExact)")
    }

    /// The target's own placeholder rows (a missing manager) get a department by a
    /// template: "Xcynthia", which no department holds and nothing adds. The load stops
    /// before it writes (it failed at the insert), the staged validate says would not
    /// load, the standby names it.
    @Test func aPlaceholdersDerivedKeyItsTableLacks() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE dept (code text PRIMARY KEY); INSERT INTO dept VALUES ('D1');
            CREATE TABLE employee (id int PRIMARY KEY, manager_id int REFERENCES employee, name text NOT NULL, dept text NOT NULL REFERENCES dept);
            INSERT INTO employee VALUES (1, NULL, 'boss', 'D1');
            """)
        let csv = "id,manager_id,name,dept\n2,1,ann,D1\n4,99,cynthia,D1\n5,99,dee,D3\n"
        let rules = "tables:\n  \(db.schema).employee:\n    columns:\n      name: { value: tbd }\n      dept: { template: \"X{name}\" }\n"
        let parsed = try RulesParser.parse(rules, file: "r.yaml")
        let error = #expect(throws: FKBackfillError.self) { try db.load("employee", csv: csv) { $0.rules = parsed } }
        #expect(error?.details.contains { $0.hasPrefix("placeholder rows of \(db.schema).employee would give employee_dept_fkey (dept) keys \(db.schema).dept lacks") && $0.hasSuffix("(Xcynthia)") } == true,
                "\(String(describing: error?.details))")
        #expect(try db.count("employee") == 1 && db.count("dept") == 1)
        let reports = try validations(db, "employee", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), rules: rules)
        #expect(!reports[0].wouldLoad)
        #expect(reports[1].notExact.contains { $0.hasPrefix("keys of \(db.schema).dept that placeholder rows of \(db.schema).employee give employee_dept_fkey (dept) are derived") },
                "\(reports[1].notExact)")
        // A pick the department holds (the first row's D1) loads.
        let first = try RulesParser.parse("tables:\n  \(db.schema).employee:\n    columns:\n      name: { value: tbd }\n      dept: { from: dept, pick: first }\n", file: "r.yaml")
        #expect(try db.load("employee", csv: csv) { $0.rules = first }.inserted == 3)
    }

    /// A `--source` column of another type that a parent's column takes: numeric 4.6 into
    /// an int, which the load rounds. Validate cast its text to int and refused it.
    @Test func aSourceColumnOfAnotherTypeFeedingAParent() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE item (id int PRIMARY KEY, qty int NOT NULL);
            CREATE TABLE sale (id int PRIMARY KEY, item_id int REFERENCES item);
            CREATE TABLE src (id int, item_id int, qty numeric); INSERT INTO src VALUES (1, 7, 4.6), (2, 8, 2.2);
            """)
        let source = InputSource.table("\(db.schema).src")
        for report in try validations(db, "sale", input: source) {
            #expect(report.wouldLoad && report.columns.isEmpty, "\(report.columns) \(report.foreignKeys.flatMap(\.reasons))")
        }
        #expect(try db.load("sale", input: source).inserted == 2)
        #expect(try db.values("SELECT id, qty FROM item ORDER BY id") == [["7", "5"], ["8", "2"]])
    }

    /// `validate --mode fill-null-only` predicts that load: the existing row's email is
    /// too long for its varchar(5); staged, the UPDATE is tried; the standby names the cast.
    @Test func validateTakesTheLoadsMode() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer (id int PRIMARY KEY, name text, email varchar(5)); INSERT INTO customer VALUES (1, NULL, NULL);
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer, name text, email text);
            """)
        let csv = "id,customer_id,name,email\n1,1,ok,a@b.cdefgh\n"
        #expect(throws: FKBackfillError.self) { try db.load("orders", csv: csv) { $0.mode = .fillNullOnly } }
        let reports = try validations(db, "orders", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), mode: .fillNullOnly)
        #expect(!reports[0].wouldLoad)
        #expect(reports[1].notExact.contains { $0.contains("(mode: fill_null_only) that the type of email may refuse") }, "\(reports[1].notExact)")
        // Without the mode, nothing is filled: it loads, and validate says so.
        #expect(try validations(db, "orders", input: .csv(path: try db.csvFile(csv), options: CSVOptions())).allSatisfy(\.wouldLoad))
    }
}
