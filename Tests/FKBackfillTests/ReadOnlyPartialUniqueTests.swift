@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A partial or expression unique index of the target, validated read-only on the hot
/// standby (issue 29), against `load --dry-run` on the primary: the batches evaluate the
/// index's predicate and expressions as the insert does, so the verdict is the load's, and
/// the index is no longer named in notExact. A clash is a unique violation at the insert,
/// which the load does not set aside, whatever `--max-rejects` allows.
@Suite(.timeLimit(.minutes(30))) struct ReadOnlyPartialUniqueTests {
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        /// The target `t` and its indexes.
        var schema: String
        var csv: String
        var loads: Bool
        var maxRejects = 0
        var replaceBy: [String] = []
    }

    static let live = """
        CREATE TABLE t (id int PRIMARY KEY, name text, month date, deleted_at date);
        CREATE UNIQUE INDEX t_live_name ON t (name) WHERE deleted_at IS NULL;
        INSERT INTO t VALUES (1, 'taken', '2024-01-01', NULL), (2, 'gone', '2024-01-01', '2023-12-31');
        """
    static let lowered = """
        CREATE TABLE t (id int PRIMARY KEY, name text, n int);
        CREATE UNIQUE INDEX t_lower_name ON t (lower(name));
        INSERT INTO t VALUES (1, 'Bob', 1);
        """

    static let cases: [Case] = [
        .init(description: "partial: two live rows of one name in the input", schema: live,
              csv: "id,name,deleted_at\n10,x,\n11,x,\n", loads: false),
        .init(description: "partial: one of the two deleted", schema: live,
              csv: "id,name,deleted_at\n10,x,\n11,x,2024-01-02\n", loads: true),
        .init(description: "partial: a live row's name already live in the table", schema: live,
              csv: "id,name,deleted_at\n10,taken,\n", loads: false),
        .init(description: "partial: the table's row of that name is outside the predicate", schema: live,
              csv: "id,name,deleted_at\n10,gone,\n", loads: true),
        .init(description: "partial: NULL names never clash", schema: live,
              csv: "id,name,deleted_at\n10,,\n11,,\n", loads: true),
        .init(description: "partial NULLS NOT DISTINCT: NULL names clash", schema: """
            CREATE TABLE t (id int PRIMARY KEY, name text, deleted_at date);
            CREATE UNIQUE INDEX t_live_name ON t (name) NULLS NOT DISTINCT WHERE deleted_at IS NULL;
            """, csv: "id,name,deleted_at\n10,,\n11,,\n", loads: false),
        .init(description: "expression: lower() of a name the table has", schema: lowered,
              csv: "id,name,n\n10,BOB,1\n", loads: false),
        .init(description: "expression: lower() alike inside the input", schema: lowered,
              csv: "id,name,n\n10,Ann,1\n11,aNN,2\n", loads: false),
        .init(description: "expression: lower() all different", schema: lowered,
              csv: "id,name,n\n10,Ann,1\n11,Bo,2\n", loads: true),
        .init(description: "expression: two columns, one an expression", schema: """
            CREATE TABLE t (id int PRIMARY KEY, name text, n int);
            CREATE UNIQUE INDEX t_pair ON t (lower(name), (n % 10));
            INSERT INTO t VALUES (1, 'Bob', 1);
            """, csv: "id,name,n\n10,bob,11\n11,bob,2\n", loads: false),
        .init(description: "expression: two columns, none alike", schema: """
            CREATE TABLE t (id int PRIMARY KEY, name text, n int);
            CREATE UNIQUE INDEX t_pair ON t (lower(name), (n % 10));
            INSERT INTO t VALUES (1, 'Bob', 1);
            """, csv: "id,name,n\n10,bob,12\n11,bob,3\n", loads: true),
        .init(description: "expression: an IMMUTABLE SQL function of the user's", schema: """
            CREATE TABLE t (id int PRIMARY KEY, name text);
            CREATE FUNCTION norm(v text) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT lower(btrim(v))';
            CREATE UNIQUE INDEX t_norm ON t (norm(name));
            INSERT INTO t VALUES (1, 'Bob');
            """, csv: "id,name\n10,  bob \n", loads: false),
        .init(description: "--replace-by deletes the clashing row", schema: live,
              csv: "id,name,month,deleted_at\n10,taken,2024-01-01,\n", loads: true, replaceBy: ["month"]),
        .init(description: "--replace-by deletes another month's rows only", schema: live,
              csv: "id,name,month,deleted_at\n10,taken,2024-02-01,\n", loads: false, replaceBy: ["month"]),
        .init(description: "--max-rejects does not set the clash aside", schema: live,
              csv: "id,name,deleted_at\n10,taken,\n11,y,\n", loads: false, maxRejects: 5),
        .init(description: "parent: two new accounts get username's DEFAULT ''", schema: accounts,
              csv: "id,account_id\n10,7\n11,8\n", loads: false),
        .init(description: "parent: one new account gets username's DEFAULT ''", schema: accounts,
              csv: "id,account_id\n10,7\n11,7\n", loads: true),
        .init(description: "parent: one new account, and a row there holds ''", schema: accounts + "INSERT INTO account VALUES (2, '', NULL);",
              csv: "id,account_id\n10,7\n", loads: false),
        .init(description: "parent: a partial index the DEFAULT is outside of", schema: """
            CREATE TABLE account (id int PRIMARY KEY, username text NOT NULL DEFAULT '', suspended boolean NOT NULL DEFAULT true);
            CREATE UNIQUE INDEX account_live ON account (lower(username)) WHERE NOT suspended;
            CREATE TABLE t (id int PRIMARY KEY, account_id int REFERENCES account);
            """, csv: "id,account_id\n10,7\n11,8\n", loads: true),
    ]

    /// Mastodon's accounts: new ones get username's DEFAULT '', under lower(username).
    static let accounts = """
        CREATE TABLE account (id int PRIMARY KEY, username text NOT NULL DEFAULT '', domain text);
        CREATE UNIQUE INDEX account_lower ON account (lower(username), coalesce(lower(domain), ''));
        INSERT INTO account VALUES (1, 'alice', NULL);
        CREATE TABLE t (id int PRIMARY KEY, account_id int REFERENCES account);

        """

    func run(_ c: Case) throws -> (dryRun: Bool, report: ValidationReport, schema: String) {
        let db = try TestDatabase()
        // The function's name resolves under the schema as the load's session sees it.
        try db.run("SET search_path = \(db.schema); " + c.schema)
        let dryRun = (try? db.load("t", csv: c.csv) { $0.dryRun = true; $0.maxRejects = c.maxRejects; $0.replaceBy = c.replaceBy }) != nil
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var options = ValidateOptions()
        options.maxRejects = c.maxRejects
        options.replaceBy = c.replaceBy
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).t", input: .csv(path: try db.csvFile(c.csv), options: CSVOptions()), options: options)
        return (dryRun, report, db.schema)
    }

    @Test(arguments: cases)
    func theStandbyGivesTheDryRunsVerdict(_ c: Case) throws {
        let (dryRun, report, _) = try run(c)
        #expect(dryRun == c.loads, "the dry run")
        #expect(report.wouldLoad == dryRun, "\(report.columns.map { "\($0.detail) \($0.rows) \($0.sampleLines)" }) \(report.notExact)")
        #expect(!report.notExact.contains { $0.contains("unique index") }, "\(report.notExact)")
    }

    /// An index's expressions are deparsed under the pinned path, their built-ins printed
    /// bare; one calling the user's code is evaluated with pg_catalog first, so a schema
    /// the user's path names before pg_catalog cannot answer for its `lower` or `=` (here
    /// each raises: the evaluation would fail, and the lookalike would have run as the
    /// validating role).
    @Test func aLookalikeOnTheUsersPathDoesNotAnswerForTheIndex() throws {
        let db = try TestDatabase()
        let evil = "\(db.schema)_evil"
        try db.run("""
            SET search_path = \(db.schema);
            CREATE TABLE t (id int PRIMARY KEY, name text, status text);
            CREATE FUNCTION norm(v text) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT btrim(v)';
            CREATE UNIQUE INDEX t_norm ON t (lower(norm(name))) WHERE status = 'live';
            INSERT INTO t VALUES (1, 'Bob', 'live');
            CREATE SCHEMA \(evil);
            CREATE FUNCTION \(evil).lower(text) RETURNS text LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'lookalike lower'; END $f$;
            CREATE FUNCTION \(evil).eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'lookalike ='; END $f$;
            CREATE OPERATOR \(evil).= (LEFTARG = text, RIGHTARG = text, FUNCTION = \(evil).eq);
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP SCHEMA \(evil) CASCADE") }
        let csv = "id,name,status\n10, bob ,live\n"
        #expect((try? db.load("t", csv: csv) { $0.dryRun = true }) == nil, "lower(norm(' bob ')) is Bob's key")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        try standby.execute("SET search_path TO \(ident: evil), pg_catalog, \(ident: db.schema)")
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).t", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: ValidateOptions())
        #expect(!report.wouldLoad && report.columns.contains { $0.detail.contains("t_norm") },
                "\(report.columns.map(\.detail)) \(report.notExact)")
    }

    /// `--replace-by` on a target that references itself ON DELETE CASCADE or SET NULL:
    /// the DELETE's cascade removes (or takes out of the predicate) the table row the new
    /// row's key meets, which the batches cannot follow — named, not a finding (a hostile
    /// probe: "would not load" with nothing named, where the load loaded).
    @Test(arguments: ["CASCADE", "SET NULL"])
    func aRowTheDeletesCascadeRemovesIsNoFinding(_ action: String) throws {
        let db = try TestDatabase()
        try db.run("""
            SET search_path = \(db.schema);
            CREATE TABLE emp (id int PRIMARY KEY, manager_id int REFERENCES emp ON DELETE \(action), month text NOT NULL, name text NOT NULL);
            INSERT INTO emp VALUES (1, NULL, '01', 'a'), (3, 1, '02', 'c'), (8, NULL, '02', 'boss');
            CREATE UNIQUE INDEX emp_name ON emp (lower(name)) WHERE manager_id IS NOT NULL;
            """)
        let csv = "id,manager_id,month,name\n1,,01,a\n10,1,01,C\n"
        #expect((try? db.load("emp", csv: csv) { $0.dryRun = true; $0.replaceBy = ["month"] }) != nil, "the dry run loads")
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        var options = ValidateOptions()
        options.replaceBy = ["month"]
        let report = try Validator(connection: standby).run(
            table: "\(db.schema).emp", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.wouldLoad, "\(report.columns.map(\.detail))")
        #expect(report.notExact.contains { $0.contains("emp_name") && $0.contains("ON DELETE \(action)") }, "\(report.notExact)")
    }

    /// The words and lines of a clash, per kind.
    @Test func theClashesNameTheirLines() throws {
        let (_, report, schema) = try run(.init(description: "", schema: Self.live,
                                                 csv: "id,name,deleted_at\n10,taken,\n11,x,\n12,x,\n", loads: false))
        #expect(report.columns.map { "\($0.column)|\($0.problem.rawValue)|\($0.detail)|\($0.rows)|\($0.sampleLines)" } == [
            "name|unique violation at the insert|key (name) already in \(schema).t (t_live_name): the insert fails|1|[2]",
            "name|unique violation at the insert|duplicate key (name) of an earlier input row (t_live_name): the insert fails|1|[4]",
        ])
        expectConforms(report.render(.json), to: "validate")
    }

    /// More than one batch (over 1 MiB of text): a clash between the first and the last
    /// row is found across batches; without it, the standby says "would load", exactly.
    @Test(arguments: [true, false])
    func aClashAcrossBatches(_ clash: Bool) throws {
        var rows = ["id,name,n"]
        for i in 0..<30_000 { rows.append("\(i + 10),Name\(i)-\(String(repeating: "x", count: 40)),\(i)") }
        if clash { rows.append("99999,NAME0-\(String(repeating: "X", count: 40)),1") }
        let csv = rows.joined(separator: "\n") + "\n"
        #expect(csv.utf8.count > 1 << 20)
        let (dryRun, report, _) = try run(.init(description: "", schema: Self.lowered, csv: csv, loads: !clash))
        #expect(dryRun == !clash)
        #expect(report.wouldLoad == dryRun, "\(report.columns.map(\.detail)) \(report.notExact)")
        #expect(report.notExact.isEmpty, "\(report.notExact)")
        if clash { #expect(report.columns.map { "\($0.rows) \($0.sampleLines)" } == ["1 [30002]"]) }
    }
}
