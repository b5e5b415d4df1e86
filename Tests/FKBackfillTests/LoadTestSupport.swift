import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Helpers for load tests: running the loader (files, counts and checksums are TestSupport's).
extension TestDatabase {
    func load(
        _ table: String, csv text: String? = nil, input: InputSource? = nil,
        configure: (inout LoadOptions) -> Void = { _ in }
    ) throws -> LoadReport {
        var options = LoadOptions()
        configure(&options)
        let source = try input ?? .csv(path: csvFile(text ?? ""), options: CSVOptions())
        return try Loader(connection: connection).run(table: table, input: source, options: options)
    }

    /// validate's prediction for `csv`, with up to 10 sample keys.
    func predict(_ table: String, csv: String, maxRejects: Int = 0) throws -> ValidationReport.Prediction {
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        options.samples = 10
        let report = try Validator(connection: connection).run(
            table: table, input: .csv(path: try csvFile(csv), options: CSVOptions()), options: options)
        return try #require(report.prediction)
    }
}

extension LoadReport {
    func parent(_ name: String) -> LoadReport.Parent? {
        parents.first { $0.table.name == name }
    }

    /// Whether the load took the facts-first order: its steps show the insert before the keys.
    var tookFactsFirst: Bool {
        let steps = steps.map(\.name)
        guard let insert = steps.firstIndex(of: "insert target rows"), let find = steps.firstIndex(of: "find missing keys") else { return false }
        return insert < find
    }
}

/// validate on both paths, as the standby suites compare them.
extension TestDatabase {
    /// Read-only on the test cluster's hot standby, once it has replayed this database's
    /// changes. `table` is in this database's schema.
    /// `onSchemaPath`: the standby session's search_path is the test's schema, the user's
    /// path a trigger's unqualified names are found on, as in their session.
    func validateOnStandby(_ table: String, input: InputSource, options: ValidateOptions = ValidateOptions(),
                           onSchemaPath: Bool = false) throws -> ValidationReport {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: connection, on: standby)
        if onSchemaPath { _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: schema), false)") }
        return try Validator(connection: standby).run(table: "\(schema).\(table)", input: input, options: options)
    }

    /// `plan (code PRIMARY KEY, label \(label), secret)` holding 'A', `fact (id, plan →
    /// plan, label)`, and `body` run as a role granted `SELECT (code), INSERT (\(insert))`
    /// on plan and SELECT, INSERT on fact (the role's name given), dropped afterwards.
    func underColumnGrants(label: String = "", insert: String, _ body: (String) throws -> Void) throws {
        let role = "\(schema)_cols"
        try run("""
            CREATE TABLE plan (code text PRIMARY KEY, label text \(label), secret text);
            INSERT INTO plan VALUES ('A', 'a', 's');
            CREATE TABLE fact (id int PRIMARY KEY, plan text REFERENCES plan, label text);
            CREATE ROLE \(role);
            GRANT USAGE ON SCHEMA \(schema) TO \(role);
            GRANT SELECT (code), INSERT (\(insert)) ON plan TO \(role);
            GRANT SELECT, INSERT ON fact TO \(role);
            SET ROLE \(role);
            """)
        defer {
            _ = try? connection.execute("RESET ROLE")
            _ = try? connection.executeScript(unsafeRaw: "DROP OWNED BY \(role); DROP ROLE \(role)")
        }
        try body(role)
    }

    /// Staged on the primary, then read-only on the standby: the two reports, in that order.
    func validateBothWays(_ table: String, input: InputSource, options: ValidateOptions = ValidateOptions()) throws -> [ValidationReport] {
        [try Validator(connection: connection).run(table: "\(schema).\(table)", input: input, options: options),
         try validateOnStandby(table, input: input, options: options)]
    }
}
