@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A value derived for a new parent row longer than its `varchar(n)` or `char(n)` column:
/// PostgreSQL's INSERT of it is refused (22001) unless what is beyond `n` is spaces. The
/// derivation cast it to the column's type and cut it (`a very long plan name indeed`
/// stored as `a very lon`: hostile review 17). Now derived values are computed unbounded
/// (`Column.derivedValueType`) and the new-row check both the load and validate run
/// refuses the longer ones before anything is written; trailing spaces are cut, as
/// PostgreSQL cuts them.
@Suite(.timeLimit(.minutes(30))) struct DerivedLengthTests {
    func setUp() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (plan_code varchar(10) PRIMARY KEY, plan_name varchar(10), grade char(2));
            CREATE TABLE fact (id int PRIMARY KEY, plan_code varchar(10) REFERENCES plan, plan_name varchar(200), grade text);
            """)
        return db
    }

    @Test func aLongerValueStopsTheLoadAndValidateSaysSo() throws {
        let db = try setUp()
        let csv = "id,plan_code,plan_name,grade\n1,P1,a very long plan name indeed,A\n2,P2,short,B\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(error?.kind == .blocked, "\(String(describing: error))")
        #expect(error?.details.contains { $0.contains("plan_name gets a value longer than 10 characters") } == true, "\(String(describing: error))")
        #expect(try db.values("SELECT count(*) FROM plan") == [["0"]])
        let report = try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        #expect(!report.wouldLoad)
        // PostgreSQL says the same of the value itself.
        #expect(throws: PostgresError.self) { try db.run("INSERT INTO plan VALUES ('P9', 'a very long plan name indeed')") }
    }

    /// What fits loads as before; spaces beyond `n` are cut, as PostgreSQL's assignment does.
    @Test func whatFitsLoads() throws {
        let db = try setUp()
        let csv = "id,plan_code,plan_name,grade\n1,P1,exactly 10,A\n2,P2,spaced    \"  \",BC\n"
        let quoted = csv.replacingOccurrences(of: "spaced    \"  \"", with: "\"spaced      \"")
        #expect(try db.load("fact", csv: quoted).inserted == 2)
        #expect(try db.values("SELECT plan_code, plan_name, grade FROM plan ORDER BY plan_code") == [["P1", "exactly 10", "A "], ["P2", "spaced    ", "BC"]])
    }

    /// A template's text longer than the column: refused as PostgreSQL refuses it (it was
    /// cut: `plan Plan on`); the standby, which does not build templates, names it.
    @Test func aTemplateLongerThanItsColumn() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, label varchar(12) NOT NULL);
            CREATE TABLE fact (id int PRIMARY KEY, code text REFERENCES plan, name text);
            """)
        let rules = try RulesParser.parse("tables:\n  \(db.schema).plan:\n    columns:\n      label: { template: \"plan {name}\" }\n", file: "rules.yaml")
        let csv = "id,code,name\n1,P1,Plan one\n2,P2,two\n"
        let error = #expect(throws: FKBackfillError.self) { try db.load("fact", csv: csv) { $0.rules = rules } }
        #expect(error?.details.contains { $0.contains("1 new rows of \(db.schema).plan: label gets a value longer than 12 characters") } == true,
                "\(String(describing: error))")
        var options = ValidateOptions()
        options.rules = rules
        let report = try db.validateOnStandby("fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.notExact.contains { $0.hasPrefix("values derived for new rows of \(db.schema).plan (label) are cast to their column's type") },
                "\(report.notExact)")
        #expect(try db.load("fact", csv: "id,code,name\n1,P1,one\n") { $0.rules = rules }.inserted == 1)
        #expect(try db.values("SELECT label FROM plan") == [["plan one"]])
    }

    /// A derived value the insert widens (the facts' `kind varchar(20)` into a portfolio's
    /// `varchar(50)`, a `smallint` into an `integer`) cannot be refused: the standby's
    /// verdict is exact, as the bench's own month was not. A narrowing it may refuse
    /// (`varchar(50)` into `varchar(8)`) is still named, and the load refuses the long one.
    @Test func aWideningIsExactOnTheStandbyANarrowingIsNamed() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE portfolio (code text PRIMARY KEY, kind varchar(50), n integer, tag varchar(8));
            CREATE TABLE fact (id int PRIMARY KEY, code text REFERENCES portfolio, kind varchar(20), n smallint, tag varchar(50));
            """)
        let csv = "id,code,kind,n\n1,F1,single,3\n2,F2,collective,4\n"
        let wide = try db.validateOnStandby("fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        #expect(wide.wouldLoad && wide.notExact.isEmpty, "\(wide.notExact)")
        let narrow = "id,code,tag\n1,F3,a tag too long\n"
        let named = try db.validateOnStandby("fact", input: .csv(path: try db.csvFile(narrow), options: CSVOptions()), options: ValidateOptions())
        #expect(named.notExact.contains { $0.hasPrefix("values derived for new rows of \(db.schema).portfolio (tag) are cast to their column's type") },
                "\(named.notExact)")
        #expect(throws: FKBackfillError.self) { try db.load("fact", csv: narrow) }
        #expect(try db.load("fact", csv: csv).inserted == 2)
        #expect(try db.values("SELECT code, kind, n FROM portfolio ORDER BY code") == [["F1", "single", "3"], ["F2", "collective", "4"]])
    }
}
