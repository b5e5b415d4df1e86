import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Issue #29's first stage: validate that reads in place (the target's own rows, a table
/// with the target's types `inPlace`) runs READ ONLY, so it gives the primary's report on
/// the hot standby `make test` starts and for a SELECT-only role whose transactions are
/// read-only; what must stage, and any load, is refused there before anything runs.
@Suite struct ReadOnlyValidateTests {
    /// The schema: `org` (a backfill fills it), `plan` (its NOT NULL owner nothing covers:
    /// unfixable), a sequence behind a parent's default, and `fact` with existing rows.
    /// `src_missing` has the target's types, missing keys (one blank) and a NULL amount;
    /// `src_clean` misses nothing; `src_cast` would need casting.
    func schema(_ db: TestDatabase) throws {
        try db.run("""
            CREATE SEQUENCE serial_no;
            CREATE TABLE org (code text PRIMARY KEY, n bigint NOT NULL DEFAULT nextval('serial_no'));
            CREATE TABLE plan (code text PRIMARY KEY, owner text NOT NULL);
            INSERT INTO org (code) VALUES ('G1'), ('G2');
            INSERT INTO plan VALUES ('P1', 'me');
            CREATE TABLE fact (id int PRIMARY KEY, org_code text CONSTRAINT f_org REFERENCES org,
                               plan_code text CONSTRAINT f_plan REFERENCES plan, amount numeric NOT NULL);
            INSERT INTO fact VALUES (1, 'G1', 'P1', 10);
            CREATE TABLE src_missing (id int, org_code text, plan_code text, amount numeric);
            INSERT INTO src_missing VALUES (2, 'G1', 'P1', 1), (3, 'G9', 'P1', 2), (4, 'G9', 'P7', NULL), (5, '(空白)', 'P8', 3), (6, NULL, 'P1', 4);
            CREATE TABLE src_clean (id int, org_code text, plan_code text, amount numeric);
            INSERT INTO src_clean VALUES (7, 'G1', 'P1', 1), (8, 'G2', NULL, 2);
            CREATE TABLE src_cast (id bigint, org_code varchar(8), plan_code text, amount text);
            INSERT INTO src_cast VALUES (9, 'G5', 'P1', '1');
            """)
    }

    static let rules = "blank:\n  markers: ['(空白)']\n"

    /// A SELECT-only role (USAGE on the schema, SELECT on its tables) whose transactions
    /// are read-only, as a CI job's credentials would be; `cleanup` drops it.
    func readOnlyRole(_ db: TestDatabase) throws -> (name: String, cleanup: () -> Void) {
        let name = "\(db.schema)_ci"
        try db.run("""
            CREATE ROLE \(name) LOGIN; GRANT USAGE ON SCHEMA \(db.schema) TO \(name);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(db.schema) TO \(name);
            ALTER ROLE \(name) SET default_transaction_read_only = on
            """)
        return (name, {
            _ = try? db.connection.executeScript(unsafeRaw: "DROP OWNED BY \(name); DROP ROLE \(name)")
        })
    }

    /// The sessions a read-only validation must agree on: the primary (superuser), the
    /// standby (after it replayed the schema), and the read-only role on both.
    func sessions(_ db: TestDatabase, role: String) throws -> [(name: String, connection: Connection)] {
        let database = try db.connection.execute("SELECT current_database() AS d").rows[0].string("d")
        let roleOnPrimary = try Connection(ConnectionString("dbname=\(database) user=\(role)"))
        #expect(try roleOnPrimary.execute("SHOW default_transaction_read_only").rows[0].string("default_transaction_read_only") == "on")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return [("primary", db.connection), ("standby", standby), ("read-only role", roleOnPrimary),
                ("read-only role on the standby", try Standby.connect(user: role))]
    }

    func validate(
        _ connection: Connection, _ table: String, input: InputSource?, inPlace: Bool = true, rules: String = rules
    ) throws -> (report: ValidationReport, statements: [String]) {
        var options = ValidateOptions()
        options.inPlace = inPlace
        options.rules = try RulesParser.parse(rules, file: "rules.yaml")
        let statements = LockedBox<[String]>()
        options.onStatement = { statements.append($0.description) }
        let report = try Validator(connection: connection).run(table: table, input: input, options: options)
        return (report, statements.value)
    }

    /// What writes: anything but reading and the transaction's own bookkeeping.
    static func writes(_ statements: [String]) -> [String] {
        statements.filter { statement in
            let head = statement.prefix(while: { !$0.isWhitespace }).uppercased()
            // A call of nextval, not the word in a literal (the catalog reads that look for
            // DEFAULTs calling it).
            return ["CREATE", "INSERT", "UPDATE", "DELETE", "COPY", "DROP", "ALTER", "ANALYZE", "TRUNCATE", "LOCK"].contains(head)
                || statement.replacing(/'(?:[^']|'')*'/, with: "''").contains("nextval")
        }
    }

    @Test func inPlaceValidationGivesThePrimarysReportOnTheStandbyAndForAReadOnlyRole() throws {
        let db = try TestDatabase()
        try schema(db)
        let (role, cleanup) = try readOnlyRole(db)
        defer { cleanup() }
        let table = "\(db.schema).fact"
        for (source, expectMissing) in [("src_missing", true), ("src_clean", false)] {
            var first: String?
            for (name, connection) in try sessions(db, role: role) {
                let (report, statements) = try validate(connection, table, input: .table("\(db.schema).\(source)"))
                #expect(report.checkedInPlace, "\(source) on \(name)")
                #expect(statements.contains("BEGIN READ ONLY"), "\(source) on \(name): \(statements.filter { $0.hasPrefix("BEGIN") })")
                #expect(Self.writes(statements).isEmpty, "\(source) on \(name): \(Self.writes(statements))")
                let json = report.render(.json)
                if let first { #expect(json == first, "\(source): the report on \(name) differs from the primary's") } else { first = json }
                let org = try #require(report.foreignKeys.first { $0.name == "f_org" })
                let plan = try #require(report.foreignKeys.first { $0.name == "f_plan" })
                if expectMissing {
                    #expect(report.rows == 5 && !report.wouldLoad)
                    #expect((org.violatingRows, org.missingKeys, org.fixableKeys, org.unfixableKeys) == (3, 2, 1, 1), "\(org)")
                    #expect(org.reasons == ["1 missing key is blank, which is never backfilled"])
                    #expect(org.samples.map(\.key) == [["(空白)"], ["G9"]])
                    #expect((plan.missingKeys, plan.fixableKeys) == (2, 0), "\(plan)")
                    #expect(report.columns.map(\.column) == ["amount"] && report.columns.first?.rows == 1)
                } else {
                    #expect(report.rows == 2 && report.wouldLoad)
                    #expect(org.missingKeys == 0 && plan.missingKeys == 0 && report.columns.isEmpty)
                }
            }
        }
    }

    /// No input: the table's own rows, here with rows a NOT VALID FK let in (missing keys)
    /// and a table that misses nothing.
    @Test func theTablesOwnRowsGiveThePrimarysReportOnTheStandbyAndForAReadOnlyRole() throws {
        let db = try TestDatabase()
        db.expectsOrphans = true  // the NOT VALID FK's old rows, on purpose
        try schema(db)
        try db.run("""
            CREATE TABLE old_fact (id int, org_code text, amount numeric NOT NULL);
            INSERT INTO old_fact VALUES (1, 'G1', 1), (2, 'G8', 2), (3, 'G8', 3), (4, '(空白)', 4);
            ALTER TABLE old_fact ADD CONSTRAINT f_old_org FOREIGN KEY (org_code) REFERENCES org NOT VALID;
            """)
        let (role, cleanup) = try readOnlyRole(db)
        defer { cleanup() }
        for (table, missing) in [("old_fact", 2), ("fact", 0)] {
            var first: String?
            for (name, connection) in try sessions(db, role: role) {
                let (report, statements) = try validate(connection, "\(db.schema).\(table)", input: nil)
                #expect(report.checkedInPlace && statements.contains("BEGIN READ ONLY"), "\(table) on \(name)")
                #expect(Self.writes(statements).isEmpty, "\(table) on \(name): \(Self.writes(statements))")
                let json = report.render(.json)
                if let first { #expect(json == first, "\(table): the report on \(name) differs from the primary's") } else { first = json }
                let org = try #require(report.foreignKeys.first { $0.referencedTable.name == "org" })
                #expect(org.missingKeys == missing, "\(table) on \(name)")
                #expect(report.wouldLoad == (missing == 0))
            }
        }
    }

    /// What stages on the primary (a table not checked in place or needing casts, a
    /// query) is read through a cursor on the standby and for the read-only role
    /// (Validator+StreamedCursor.swift): the staged report's findings, nothing written, no
    /// sequence value used. Before, each was refused (exit 3).
    @Test func whatStagesOnThePrimaryIsReadThroughACursor() throws {
        let db = try TestDatabase()
        try schema(db)
        try db.run("""
            CREATE TABLE src_bad (id text, org_code text, plan_code text, amount text);
            INSERT INTO src_bad VALUES ('10', 'G1', 'P1', 'x'), ('y', 'G7', 'P1', '2'), ('12', '(空白)', 'P9', NULL), ('13', 'G7', NULL, '4');
            CREATE FUNCTION lookalike(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(t)';
            """)
        let (role, cleanup) = try readOnlyRole(db)
        defer { cleanup() }
        let table = "\(db.schema).fact"
        let cases: [(InputSource, Bool)] = [
            (.table("\(db.schema).src_missing"), false),
            (.table("\(db.schema).src_cast"), true),
            (.table("\(db.schema).src_bad"), false),
            (.query("SELECT * FROM \(db.schema).src_clean;"), true),
            // An unqualified name resolves under the user's path (the schema's), and a
            // trailing comment does not swallow the cursor's parenthesis.
            (.query("SELECT id, lookalike(org_code) AS org_code, plan_code, amount FROM src_bad -- the month"), false),
        ]
        func findings(_ report: ValidationReport) -> [String] {
            ["wouldLoad \(report.wouldLoad) rows \(report.rows)"]
                + report.foreignKeys.map { fk in
                    // Not the fixable count: where a row holds a bad value too, the staged
                    // prediction counts its key fixable, the streamed check does not (as a CSV's).
                    "\(fk.name) missing \(fk.missingKeys) violating \(fk.violatingRows) "
                        + fk.samples.map { "\($0.key) \($0.lines)" }.joined(separator: "; ")
                }
                + report.columns.filter { [.conversion, .tooLong, .notNull].contains($0.problem) }
                    .map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" }
        }
        let sequence = "SELECT last_value::text || is_called::text AS v FROM \(db.schema).serial_no"
        let before = try db.values(sequence)
        try db.connection.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        var staged: [[String]] = []
        for (input, inPlace) in cases {
            staged.append(findings(try validate(db.connection, table, input: input, inPlace: inPlace).report))
        }
        #expect(staged[2].contains("amount conversion 1 [1]") && staged[4].first == "wouldLoad false rows 4", "\(staged)")
        for (name, connection) in try sessions(db, role: role).dropFirst() {
            _ = try connection.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
            for ((input, inPlace), expected) in zip(cases, staged) {
                let (report, statements) = try validate(connection, table, input: input, inPlace: inPlace)
                #expect(report.prediction == nil && report.checkedInPlace, "\(input.label) on \(name)")
                #expect(findings(report) == expected, "\(input.label) on \(name)")
                #expect(Self.writes(statements).isEmpty, "\(input.label) on \(name): \(Self.writes(statements))")
                #expect(statements.contains { $0.hasPrefix("DECLARE fkb_input NO SCROLL CURSOR FOR SELECT") }, "\(input.label) on \(name)")
            }
        }
        #expect(try db.values(sequence) == before, "a sequence value was used")
    }

    /// A load writes, a dry run too: on the standby and for the read-only role it is refused
    /// before anything runs, with the same kind, and nothing changes.
    @Test func aLoadIsRefusedOnAReadOnlySession() throws {
        let db = try TestDatabase()
        try schema(db)
        let (role, cleanup) = try readOnlyRole(db)
        defer { cleanup() }
        let csv = try db.csvFile("id,org_code,plan_code,amount\n11,G5,P1,1\n")
        let checksum = try db.checksum(["org", "plan", "fact"])
        for (name, connection) in try sessions(db, role: role).dropFirst() {
            for dryRun in [false, true] {
                var options = LoadOptions()
                options.dryRun = dryRun
                let statements = LockedBox<[String]>()
                options.onStatement = { statements.append($0.description) }
                let error = try #require(throws: FKBackfillError.self) {
                    _ = try Loader(connection: connection).run(table: "\(db.schema).fact", input: .csv(path: csv, options: CSVOptions()), options: options)
                }
                #expect(error.kind == .database(sqlState: SQLState.readOnlySQLTransaction), "\(name): \(error)")
                #expect(error.message.hasPrefix("cannot load into \(db.schema).fact on this session: "), "\(error.message)")
                #expect(!statements.value.contains { $0.hasPrefix("BEGIN") }, "\(name): \(statements.value)")
            }
        }
        #expect(try db.checksum(["org", "plan", "fact"]) == checksum)
    }

    /// Reading in place creates nothing, so it needs no TEMPORARY on the database; what
    /// stages still names the GRANT first. (A database of its own, so that revoking
    /// TEMPORARY from PUBLIC touches no other test.)
    @Test func inPlaceNeedsNoTemporaryPrivilege() throws {
        let db = try TestDatabase()
        try db.withoutTemporary(script: "CREATE TABLE src (org_code text); INSERT INTO src VALUES ('G1');",
                                grants: "GRANT SELECT ON org, fact, src TO %ROLE%;") { connection, database, name in
            let (report, statements) = try validate(connection, "public.fact", input: .table("public.src"), rules: "{}")
            #expect(report.checkedInPlace && statements.contains("BEGIN READ ONLY"))
            #expect(report.foreignKeys.first?.missingKeys == 1)
            let error = try #require(throws: FKBackfillError.self) {
                _ = try validate(connection, "public.fact", input: .table("public.src"), inPlace: false, rules: "{}")
            }
            #expect(error.kind == .missingPrivileges)
            #expect(error.details == ["GRANT TEMPORARY ON DATABASE \"\(database)\" TO \"\(name)\";"], "\(error.details)")
        }
    }
}
