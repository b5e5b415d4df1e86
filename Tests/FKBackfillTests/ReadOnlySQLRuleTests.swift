@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A rules file with `sql:` expressions, validated on a read-only session (the standby,
/// a role whose transactions are read-only): each expression is compiled without a
/// temporary view (`SQLExpressionCheck+ReadOnly`) and judged as the load judges it, so
/// the verdict is `load --dry-run`'s, and no sequence value is used.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlySQLRuleTests {
    let shared = ReadOnlyValidateTests()

    func schema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE SEQUENCE tag_seq;
            CREATE TABLE plan (code text PRIMARY KEY, tags jsonb, serial bigint NOT NULL, first_month date);
            CREATE TABLE fact (month date NOT NULL, plan_code text REFERENCES plan, amount int);
            INSERT INTO plan VALUES ('P1', '[]', 1, '2024-01-01');
            CREATE VIEW plan_view AS SELECT * FROM plan;
            CREATE FUNCTION writes_nothing_but_volatile() RETURNS bigint LANGUAGE sql VOLATILE AS $$ SELECT 1::bigint $$;
            CREATE FUNCTION inlined(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + 1 $$;
            """)
    }

    func rules(_ db: TestDatabase, serial: String, extra: String = "") -> String {
        """
        tables:
          \(db.schema).plan:
            columns:
              tags: { sql: "jsonb_build_array(to_char(min(\\"month\\"), 'YYMM') || 'new')", json_append: true }
              serial: { sql: "\(serial)" }
              first_month: { from: month, pick: min }\(extra)
        """
    }

    /// What each way says: the verdict, or the error's kind and message.
    func outcome(_ connection: Connection, _ db: TestDatabase, _ rules: String, _ path: String, load: Bool = false) -> String {
        do {
            let parsed = try RulesParser.parse(rules, file: "rules.yaml")
            let input = InputSource.csv(path: path, options: CSVOptions())
            if load {
                var options = LoadOptions()
                options.dryRun = true
                options.rules = parsed
                _ = try Loader(connection: connection).run(table: "\(db.schema).fact", input: input, options: options)
                return "would load"
            }
            var options = ValidateOptions()
            options.rules = parsed
            let report = try Validator(connection: connection).run(table: "\(db.schema).fact", input: input, options: options)
            if rules.contains("nextval") {
                #expect(!report.notExact.contains { $0.contains("(serial)") }, "a sequence value is never NULL: \(report.notExact)")
            }
            return report.wouldLoad ? "would load" : "would not load"
        } catch {
            return "\(error.kind): \(error.message.replacingOccurrences(of: ", nothing was run", with: "")) \(error.details)"
        }
    }

    @Test func theDryRunsVerdictAndNoSequenceValue() throws {
        let db = try TestDatabase()
        try schema(db)
        let (role, cleanup) = try shared.readOnlyRole(db)
        defer { cleanup() }
        let csv = "month,plan_code,amount\n2024-02-01,P1,1\n2024-02-01,P2,2\n"
        let sequence = "SELECT last_value::text || is_called::text AS v FROM \(db.schema).tag_seq"
        let cases: [(String, String)] = [
            ("nextval", rules(db, serial: "nextval('\(db.schema).tag_seq')")),
            ("an inlined SQL function", rules(db, serial: "\(db.schema).inlined(count(*))")),
            ("a volatile function of the user's", rules(db, serial: "\(db.schema).writes_nothing_but_volatile()")),
            ("pg_read_file", rules(db, serial: "length(pg_read_file('postmaster.pid'))")),
            ("set_config behind a cast", rules(db, serial: "set_config('work_mem', '1MB', true)::int")),
            ("a view", rules(db, serial: "(SELECT max(v.serial) FROM \(db.schema).plan_view v)")),
            ("a set of rows", rules(db, serial: "generate_series(1, 2)")),
            ("a row", rules(db, serial: "ROW(1, 2)")),
            ("an unknown column", rules(db, serial: "max(nothing_here)")),
            ("a column outside an aggregate", rules(db, serial: "amount")),
            ("an extra input column it reads", rules(db, serial: "max(batch)")),
            ("an extra input column it casts", rules(db, serial: "max(batch)::bigint")),
        ]
        let sessions = try shared.sessions(db, role: role).dropFirst()
        // The dry runs first: a load's nextval uses a value, rolled back or not.
        let expected = try cases.map { name, text in
            let input = try db.csvFile(name.contains("extra") ? "month,plan_code,amount,batch\n2024-02-01,P1,1,7\n2024-02-01,P2,2,8\n" : csv)
            return (input, outcome(db.connection, db, text, input, load: true))
        }
        // Each way refuses the same rules (a text where a bigint goes included: the load
        // stopped at the parent's insert, validate said "would load"); the others load.
        let loads: Set<String> = ["nextval", "an inlined SQL function", "an extra input column it casts"]
        for ((name, _), (_, verdict)) in zip(cases, expected) {
            #expect(loads.contains(name) ? verdict == "would load" : verdict.hasPrefix("rulesProblems"), "\(name): \(verdict)")
        }
        // An extra input column no rule reads: the load refuses it; so does read-only validate.
        let unused = try db.csvFile("month,plan_code,amount,other\n2024-02-01,P2,2,8\n")
        let refused = outcome(db.connection, db, rules(db, serial: "max(amount)"), unused, load: true)
        #expect(refused.contains("column other is not a column"), "\(refused)")
        let before = try db.values(sequence)
        for (session, connection) in sessions {
            for ((name, text), (input, verdict)) in zip(cases, expected) {
                #expect(outcome(connection, db, text, input) == verdict, "\(name) on \(session)")
            }
            #expect(outcome(connection, db, rules(db, serial: "max(amount)"), unused) == refused, "unused column on \(session)")
        }
        #expect(try db.values(sequence) == before, "a sequence value was used")
    }
}
