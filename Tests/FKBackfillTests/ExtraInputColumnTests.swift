import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Input columns the target lacks (issue #24 item 9): a rental CSV carrying
/// `first_name,last_name` for the customers it creates. They feed same-named parent
/// columns and rules, are never inserted into the target, are listed by load and
/// validate alike; one that nothing reads is refused unless ignored.
@Suite struct ExtraInputColumnTests {
    /// pagila's shape, cut down: customer's names are NOT NULL without a DEFAULT, its
    /// create_date has one; rental → customer, rental → staff.
    static let pagila = """
        CREATE TABLE staff (staff_id serial PRIMARY KEY, username text NOT NULL DEFAULT 'new');
        CREATE TABLE customer (
            customer_id serial PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,
            email text, active int, create_date date NOT NULL DEFAULT current_date);
        CREATE TABLE rental (
            rental_id serial PRIMARY KEY, rental_date timestamptz NOT NULL,
            customer_id int NOT NULL REFERENCES customer, staff_id int NOT NULL REFERENCES staff);
        INSERT INTO staff (staff_id) VALUES (1);
        INSERT INTO customer (customer_id, first_name, last_name) VALUES (1, 'MARY', 'SMITH');
        SELECT setval('customer_customer_id_seq', 599);
        """

    static let rentals = """
        rental_date,customer_id,staff_id,first_name,last_name
        2026-01-01,1,1,Mary,Smith
        2026-01-02,600,1,Ann,Lee
        2026-01-03,600,1,Ann,Lee
        2026-01-04,601,1,Bo,Chan
        """

    func validate(_ db: TestDatabase, _ path: String, rules: Rules = .none, ignore: Bool = false) throws(FKBackfillError) -> ValidationReport {
        var options = ValidateOptions()
        options.rules = rules
        options.ignoreExtraColumns = ignore
        return try Validator(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: options)
    }

    func load(_ db: TestDatabase, _ path: String, rules: Rules = .none, ignore: Bool = false, dryRun: Bool = false) throws(FKBackfillError) -> LoadReport {
        var options = LoadOptions()
        options.rules = rules
        options.ignoreExtraColumns = ignore
        options.dryRun = dryRun
        return try Loader(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: options)
    }

    /// validate's prediction agrees with what the load then does.
    func expectAgreement(_ report: ValidationReport, _ load: LoadReport, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let prediction = report.prediction
        #expect(report.wouldLoad, sourceLocation: sourceLocation)
        #expect(prediction?.wouldLoad == true, "\(prediction?.blockers ?? [])", sourceLocation: sourceLocation)
        #expect(prediction?.inserted == load.inserted, sourceLocation: sourceLocation)
        #expect(prediction?.parents.map { "\($0.table.name) \($0.inserted) \($0.sampleKeys)" }
                    == load.parents.filter { $0.inserted > 0 }.map { "\($0.table.name) \($0.inserted) \($0.sampleKeys)" },
                sourceLocation: sourceLocation)
        #expect(report.extraColumns == load.extraColumns, sourceLocation: sourceLocation)
    }

    @Test func extraColumnsFillTheSameNamedNotNullColumnsOfNewParents() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        // Without them the load is blocked, and its hint says to add such columns.
        let without = try db.csvFile("rental_date,customer_id,staff_id\n2026-01-02,600,1\n")
        let blocked = try #require(throws: FKBackfillError.self) { _ = try load(db, without) }
        #expect(blocked.kind == .blocked)
        #expect(blocked.hint?.contains("add a column of the same name to the input") == true)
        #expect(try #require(validate(db, without).prediction).wouldLoad == false)

        // With them, as the hint says, it loads.
        let path = try db.csvFile(Self.rentals)
        let predicted = try validate(db, path)
        let report = try load(db, path)
        expectAgreement(predicted, report)
        #expect(report.inserted == 4)
        #expect(report.parent("customer")?.inserted == 2)
        #expect(try db.values("SELECT customer_id::text, first_name, last_name FROM customer ORDER BY 1")
                    == [["1", "MARY", "SMITH"], ["600", "Ann", "Lee"], ["601", "Bo", "Chan"]])
        #expect(report.extraColumns == [
            ExtraInputColumn(column: "first_name", usedBy: ["\(db.schema).customer.first_name"], ignored: false),
            ExtraInputColumn(column: "last_name", usedBy: ["\(db.schema).customer.last_name"], ignored: false),
        ])
        let text = report.render(.text)
        #expect(text.contains("input columns used only for parents/rules, not inserted: first_name (\(db.schema).customer.first_name)"))
        #expect(predicted.render(.text).contains("Note: input columns used only for parents/rules, not inserted: first_name"))
        expectConforms(report.render(.json), to: "load-report")
        expectConforms(predicted.render(.json), to: "validate")
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
        // The application's next ordinary insert still works (the sequence moved on).
        try db.run("INSERT INTO customer (first_name, last_name) VALUES ('Next', 'One')")
    }

    @Test func extraColumnsFeedRulesAndAreTypedByTheParent() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        // `nick` is read only by a sql: rule (text: no parent column of its name), `family`
        // by from:, `active` fills customer.active by name and is staged as its integer.
        let yaml = """
            tables:
              customer:
                columns:
                  first_name: { sql: "min(upper(nick))" }
                  last_name: { from: family, pick: max }
            """
        let rules = try RulesParser.parse(yaml, file: "rules.yaml")
        let path = try db.csvFile("""
            rental_date,customer_id,staff_id,nick,family,active
            2026-01-02,600,1,ann,Lee,10
            2026-01-03,600,1,annie,Lo,9
            2026-01-03,600,1,annie,Li,9
            """)
        let predicted = try validate(db, path, rules: rules)
        let report = try load(db, path, rules: rules)
        expectAgreement(predicted, report)
        #expect(try db.values("SELECT first_name, last_name, active::text FROM customer WHERE customer_id = 600") == [["ANN", "Lo", "9"]])
        #expect(report.extraColumns.map(\.column) == ["nick", "family", "active"])
        #expect(report.extraColumns.map(\.usedBy) == [
            ["rule for \(db.schema).customer.first_name"], ["rule for \(db.schema).customer.last_name"], ["\(db.schema).customer.active"],
        ])
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    @Test func aColumnNothingReadsIsRefusedByLoadAndValidateAlike() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        let before = try db.checksum(["customer", "rental"])
        // A misspelt target column, and a parent column that takes its DEFAULT instead.
        for (header, column, hint) in [
            ("rental_date,customer_idd,staff_id", "customer_idd", "did you mean customer_id?"),
            ("rental_date,customer_id,staff_id,create_date", "create_date",
             "\(db.schema).customer.create_date of new rows takes its DEFAULT or rule, not the input's value (a rule `from: create_date` would read it)"),
        ] {
            let path = try db.csvFile("\(header)\n2026-01-02,1,1\(header.hasSuffix("create_date") ? ",2026-01-01" : "")\n")
            let loaded = try #require(throws: FKBackfillError.self) { _ = try load(db, path) }
            let validated = try #require(throws: FKBackfillError.self) { _ = try validate(db, path) }
            for error in [loaded, validated] {
                #expect(error.kind == .unusedInputColumn(column: column))
                #expect(error.category == .usage)
                #expect(error.message == "\(path):1: column \(column) is not a column of \(db.schema).rental, "
                    + "and no parent column of that name nor any rule reads it")
                #expect(error.hint?.hasPrefix(hint + "; ") == true, "\(error.hint ?? "")")
            }
        }
        #expect(try db.checksum(["customer", "rental"]) == before)
    }

    @Test func ignoredColumnsLoadAndAreReported() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        // `remark` holds text no parent type could take: ignored columns are staged as text.
        let path = try db.csvFile(Self.rentals.replacingOccurrences(of: "last_name\n", with: "last_name,remark\n")
            .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element + ",not a number" }
            .joined(separator: "\n") + "\n")
        let predicted = try validate(db, path, ignore: true)
        let report = try load(db, path, ignore: true)
        expectAgreement(predicted, report)
        #expect(report.inserted == 4)
        #expect(report.extraColumns.last == ExtraInputColumn(column: "remark", usedBy: [], ignored: true))
        #expect(report.render(.text).contains("input columns ignored (not the target's, nothing reads them): remark"))
        #expect(predicted.render(.markdown).contains("input columns ignored (not the target's, nothing reads them): remark"))
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    @Test func aSourceTableWithExtraColumnsIsJudgedTheSameWay() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila + """
            CREATE TABLE incoming (rental_date timestamptz, customer_id int, staff_id int, first_name text, last_name text, batch int);
            INSERT INTO incoming VALUES ('2026-01-02', 602, 1, 'Cy', 'Ng', 7);
            """)
        var options = LoadOptions()
        let refused = try #require(throws: FKBackfillError.self) {
            _ = try Loader(connection: db.connection).run(table: "rental", input: .table("incoming"), options: options)
        }
        #expect(refused.kind == .unusedInputColumn(column: "batch"))
        #expect(refused.message.hasPrefix("incoming: column batch"))
        options.ignoreExtraColumns = true
        let report = try Loader(connection: db.connection).run(table: "rental", input: .table("incoming"), options: options)
        #expect(report.inserted == 1)
        #expect(report.extraColumns.map(\.ignored) == [false, false, true])
        #expect(try db.values("SELECT first_name FROM customer WHERE customer_id = 602") == [["Cy"]])
    }

    /// The command line: exit 2 naming FILE:1 and the column, with the flag in the hint;
    /// `--ignore-extra-columns` on load and validate; the JSON lists the columns.
    @Test func theCommandLineNamesTheFlagAndReportsTheColumns() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        let binary = ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
        let path = try db.csvFile(Self.rentals.replacingOccurrences(of: "last_name\n", with: "last_nam,remark\n")
            .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element + ",x" }
            .joined(separator: "\n") + "\n")
        for command in ["load", "validate"] {
            let refused = try run(binary, [command, "\(db.schema).rental", "--csv", path])
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("fkbackfill: error: \(path):1: column last_nam is not a column of \(db.schema).rental"))
            #expect(refused.stderr.contains("hint: did you mean last_name? (a column of new \(db.schema).customer rows); "), "\(refused.stderr)")
            #expect(refused.stderr.contains("or pass --ignore-extra-columns"), "\(refused.stderr)")
        }
        // last_nam is not customer's last_name: the NOT NULL column blocks, as validate predicts.
        let blocked = try run(binary, ["validate", "\(db.schema).rental", "--csv", path, "--ignore-extra-columns"])
        #expect(blocked.status == 1, "\(blocked.stderr)")
        #expect(blocked.stdout.contains("input columns ignored (not the target's, nothing reads them): last_nam, remark"))
        let fixed = try db.csvFile(Self.rentals.replacingOccurrences(of: "last_name\n", with: "last_name,remark\n")
            .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element + ",x" }
            .joined(separator: "\n") + "\n")
        for command in ["validate", "load"] {
            let result = try run(binary, [command, "\(db.schema).rental", "--csv", fixed, "--ignore-extra-columns", "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            expectConforms(result.stdout, to: command == "load" ? "load-report" : "validate")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let extra = try #require(json["extraColumns"] as? [[String: Any]])
            #expect(extra.map { $0["column"] as? String } == ["first_name", "last_name", "remark"])
            #expect(extra.map { $0["ignored"] as? Bool } == [false, false, true])
        }
        #expect(try db.count("rental") == 4)
        #expect(try OrphanOracle.orphans(in: [db.schema], on: db.connection) == [])
    }

    /// `--replace-by` names target columns; an extra one is "not in the input" of the target.
    @Test func replaceByNeverNamesAnExtraColumn() throws {
        let db = try TestDatabase()
        try db.run(Self.pagila)
        let path = try db.csvFile(Self.rentals)
        var options = LoadOptions()
        options.replaceBy = ["first_name"]
        let error = try #require(throws: FKBackfillError.self) {
            _ = try Loader(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: options)
        }
        #expect(error.kind == .replaceByColumnMissing)
        var validate = ValidateOptions()
        validate.replaceBy = ["first_name"]
        let predicted = try #require(throws: FKBackfillError.self) {
            _ = try Validator(connection: db.connection).run(table: "rental", input: .csv(path: path, options: CSVOptions()), options: validate)
        }
        #expect(predicted.kind == .replaceByColumnMissing)
        for refused in [error, predicted] {
            #expect(refused.hint == "choose columns of \(db.schema).rental that the input has: rental_date, customer_id, staff_id")
        }
    }
}
