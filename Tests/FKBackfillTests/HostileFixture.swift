import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The schema, files, commands and lookalikes of `HostileSchemaTests`: composite MATCH
/// FULL, self-referencing and partitioned FKs, rules with every pick, every command.
enum HostileFixture {
    struct Command {
        /// The command as phase 1 runs it (loads as --dry-run).
        var dryRun: [String]
        /// The command for real.
        var real: [String]
        var status: Int32 = 0
    }

    static func create(_ db: TestDatabase) throws {
        try db.run("""
            CREATE TABLE region (code varchar(10) PRIMARY KEY, name varchar(40));
            CREATE TABLE person (name varchar(40) PRIMARY KEY);
            CREATE TABLE category (code varchar(20) PRIMARY KEY, parent_code varchar(20) REFERENCES category);
            CREATE TABLE plan (
                code varchar(20) NOT NULL, kind varchar(4) NOT NULL, name varchar(40), last_name varchar(40),
                first_month date, low numeric, high numeric, frequent text, best text, worst text, regions text,
                n_regions bigint, total numeric, label text, note text, tags jsonb DEFAULT '[]',
                created text DEFAULT 'auto', nothing text DEFAULT 'x', source text, reviewed boolean,
                PRIMARY KEY (code, kind));
            CREATE TABLE fact (
                month date NOT NULL, plan_code varchar(20), plan_kind varchar(4),
                region_code varchar(10) REFERENCES region, category_code varchar(20) REFERENCES category,
                name varchar(40), amount numeric(12,2) CHECK (amount >= 0),
                FOREIGN KEY (plan_code, plan_kind) REFERENCES plan MATCH FULL
            ) PARTITION BY RANGE (month);
            CREATE TABLE fact_2024 PARTITION OF fact FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE fact_2025 PARTITION OF fact FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE staging (LIKE fact);
            INSERT INTO staging VALUES ('2024-06-01', 'P4', 'D', 'R5', 'C4', 'Four', 4),
                                       ('2024-06-01', 'P4', 'D', 'R1', 'C4', 'Four b', 8);
            INSERT INTO region VALUES ('R9', NULL);
            """)
    }

    static let rules = """
        blank:
          markers: ['(none)']
          on_blank: "null"
        tables:
          plan:
            columns:
              name: { from: name, pick: first }
              last_name: { from: name, pick: last }
              first_month: { from: month, pick: min }
              low: { from: amount, pick: min }
              high: { from: amount, pick: max }
              frequent: { from: region_code, pick: most_frequent }
              best: { from: region_code, pick: { max_by: amount } }
              worst: { from: region_code, pick: { min_by: amount } }
              regions: { from: region_code, pick: concat_distinct, separator: "+", sorted: false }
              n_regions: { from: region_code, pick: count_distinct }
              total: { from: amount, pick: sum }
              label: { template: "{plan_code}/{plan_kind}" }
              note: { sql: "to_char(min(month), 'YYMM') || ' new'" }
              tags: { sql: "jsonb_build_array(to_char(min(month), 'YYMM'))", json_append: true }
              created: default
              nothing: null
              source: { value: fkbackfill }
            mark:
              reviewed: false
          region:
            mode: fill_null_only
            columns:
              name: { from: name, pick: max }
        relations:
          - from: fact (name)
            to: person (name)
        """

    static func files(_ db: TestDatabase) throws -> (rules: String, first: String, second: String, bad: String) {
        let header = "month,plan_code,plan_kind,region_code,category_code,name,amount\n"
        return (
            rules: try db.csvFile(rules),
            first: try db.csvFile(header + """
                2024-01-01,P1,A,R1,C1,Plan one,10.5
                2024-01-01,P1,A,R2,C1,Plan one b,20
                2024-01-01,P2,B,R9,C2,Plan two,5
                2024-01-01,,,(none),,No plan,1

                """),
            second: try db.csvFile(header + """
                2025-01-01,P1,A,R1,C1,Plan one,1
                2025-01-01,P3,C,R4,C3,Plan three,2
                2025-01-01,P3,C,R4,C3,Plan three,3
                2025-01-01,P2,B,R1,C2,Plan two,4

                """),
            bad: try db.csvFile(header + """
                2024-03-01,P5,E,R6,C5,Five,1
                2024-03-01,P5,E,R6,C5,Five,not-a-number
                2024-03-01,P5,E,R7,C5,Five b,2
                2024-03-01,P1,A,R1,C1,Plan one,3
                2024-03-01,P2,B,R2,C2,Plan two,4

                """))
    }

    /// Every command, each as a user would run it.
    static func commands(table t: String, files: (rules: String, first: String, second: String, bad: String)) -> [Command] {
        let schema = String(t.split(separator: ".")[0])
        func same(_ arguments: [String], status: Int32 = 0) -> Command { Command(dryRun: arguments, real: arguments, status: status) }
        func load(_ arguments: [String]) -> Command { Command(dryRun: arguments + ["--dry-run"], real: arguments) }
        return [
            same(["fks", t]),
            same(["graph", t, "--format", "json"]),
            same(["init", t]),
            same(["audit", t, "--rules", files.rules]),
            same(["audit", "--schema", schema]),
            same(["validate", t, "--csv", files.first, "--rules", files.rules]),
            same(["validate", t, "--source", "staging"]),
            // The user's own query resolves its names on the user's path, as in psql: its
            // operator is spelled out so that the lookalikes test only the tool's statements.
            same(["validate", t, "--query", "SELECT * FROM staging WHERE amount OPERATOR(pg_catalog.>) 0"]),
            load(["load", t, "--csv", files.first, "--rules", files.rules, "--fk-check", "per-row"]),
            load(["load", t, "--csv", files.second, "--rules", files.rules, "--fk-check", "set-based", "--replace-by", "month"]),
            load(["backfill", t, "--query", "SELECT * FROM staging", "--rules", files.rules]),
            load(["load", t, "--csv", files.bad, "--rules", files.rules, "--fk-check", "set-based", "--max-rejects", "1",
                  "--reject-table", "rejects"]),
            same(["validate", t]),
        ]
    }

    /// Calls the lookalikes recorded in their sequence (not undone by a rollback).
    static func calls(_ db: TestDatabase, _ evil: String) throws -> Int {
        let row = try db.connection.execute("SELECT last_value, is_called FROM \(ident: evil).calls_seq").rows[0]
        return row.bool("is_called") ? (row.int("last_value") ?? 0) : 0
    }

    /// Checks that the lookalikes are live for plain SQL on the attacker's path (an
    /// operator, a function, a type) and that calls made read-only are counted by the
    /// statistics; returns the sequence's calls so far and the statistics' count.
    static func liveLookalikes(_ db: TestDatabase, schema evil: String, on s: String) throws -> (baseline: Int, counted: Int) {
        let victim = try Connection()
        try victim.execute("SET search_path TO \(ident: evil), pg_catalog, \(ident: s), public")
        _ = try? victim.execute("SELECT CAST('a' AS varchar) = CAST('b' AS varchar) AS same, count(CAST('x' AS varchar)) AS n")
        let afterOperators = try calls(db, evil)
        _ = try? victim.execute("SELECT CAST('x' AS text) AS t, CAST('[]' AS jsonb) AS j")
        let baseline = try calls(db, evil)
        #expect(afterOperators >= 2 && baseline >= afterOperators + 2, "lookalikes not picked up by plain SQL: \(afterOperators), \(baseline)")
        // In a read-only transaction the sequence cannot count them: the statistics do.
        let counted = try readOnlyCallsCounted(db, schema: evil, on: s)
        #expect(counted >= 2, "read-only calls not counted: \(counted)")
        return (baseline, counted)
    }

    /// Creates, as the current role, a lookalike of each name in `schema` for many exact
    /// argument types; returns how many were made (some names cannot be functions or
    /// operators: those are skipped).
    static func createLookalikes(_ db: TestDatabase, schema evil: String, functions: Set<String>, operators: Set<String>) -> Int {
        var made = 0
        var signatures = HostileSchemaTests.argumentTypes.map { [$0] } + HostileSchemaTests.argumentTypes.map { [$0, $0] }
        signatures += [["text", "bigint"], ["text", "integer"], ["text", "text", "boolean"], ["text", "text", "text"],
                       ["regclass", "bigint"], ["oid[]", "text[]"], ["oid[]", "integer[]"], ["anyarray", "anyarray"]]
        for name in functions.sorted() {
            for arguments in signatures {
                let list = arguments.joined(separator: ", ")
                let sql = "CREATE FUNCTION \(evil).\"\(name)\"(\(list)) RETURNS text LANGUAGE plpgsql AS $f$ BEGIN "
                    + "\(record(evil, "'\(name)(\(list))'")) RETURN NULL; END $f$"
                if (try? db.connection.executeScript(unsafeRaw: sql)) != nil { made += 1 }
            }
        }
        for (index, type) in HostileSchemaTests.operatorTypes.enumerated() {
            _ = try? db.connection.executeScript(unsafeRaw: """
                CREATE FUNCTION \(evil).op_\(index)(\(type), \(type)) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN
                \(record(evil, "'operator on \(type)'")) RETURN true; END $f$
                """)
            for name in operators.sorted() {
                let sql = "CREATE OPERATOR \(evil).\(name) (LEFTARG = \(type), RIGHTARG = \(type), FUNCTION = \(evil).op_\(index))"
                if (try? db.connection.executeScript(unsafeRaw: sql)) != nil { made += 1 }
            }
        }
        return made
    }

    /// A lookalike's body: the call counted in a sequence and named in a table (neither
    /// undone by a rollback… of a transaction that may write). A read-only transaction
    /// (validate on a replica's credentials) may not: there the call is only counted by
    /// PostgreSQL's function statistics (`track_functions`, `functionCalls`), and the body
    /// must not fail, or the call would go uncounted and the tool might swallow the error.
    /// Every name qualified: the body runs on the attacker's path too.
    static func record(_ evil: String, _ what: String) -> String {
        "IF pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.=) 'off' THEN "
            + "PERFORM pg_catalog.nextval('\(evil).calls_seq'); INSERT INTO \(evil).calls VALUES (\(what)); END IF;"
    }

    /// The environment a command runs in: `search_path` with `evil` before an explicit
    /// pg_catalog (its exact-type lookalikes then win every tie), function statistics on,
    /// and an application name `functionCalls` waits for.
    static func environment(evil: String, schema s: String, options: String = "") -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(evil),pg_catalog,\(s),public -c track_functions=all" + options
        environment["PGAPPNAME"] = evil
        return environment
    }

    /// Calls of `evil`'s functions counted by PostgreSQL's statistics, once every session
    /// named `evil` (`environment`) has ended and flushed them.
    static func functionCalls(_ db: TestDatabase, schema evil: String) throws -> Int {
        let gone = try eventually(within: 10) {
            try db.count("pg_catalog.pg_stat_activity", "application_name = '\(evil)'") == 0
        }
        guard gone else { return -1 }
        _ = try db.connection.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
        let row = try db.connection.execute(
            "SELECT CAST(coalesce(sum(calls), 0) AS int8) AS n FROM pg_catalog.pg_stat_user_functions WHERE schemaname = \(bind: evil)").rows[0]
        return row.int("n") ?? -1
    }

    /// Calls a type and a function lookalike in a read-only transaction of a session like
    /// the tool's, then returns `functionCalls`: at least 2 when the statistics count what
    /// the sequence cannot.
    static func readOnlyCallsCounted(_ db: TestDatabase, schema evil: String, on s: String) throws -> Int {
        do {
            let victim = try Connection()
            try victim.execute("SET search_path TO \(ident: evil), pg_catalog, \(ident: s), public")
            try victim.execute("SELECT pg_catalog.set_config('track_functions', 'all', false), pg_catalog.set_config('application_name', \(bind: evil), false)")
            try victim.execute("BEGIN READ ONLY")
            _ = try? victim.execute("SELECT CAST('x' AS text) AS t, count(CAST('x' AS varchar)) AS n")
            try victim.execute("ROLLBACK")
        }
        return try functionCalls(db, schema: evil)
    }

    /// pg_catalog types that `format_type` prints as a bare name the grammar does not own
    /// (`integer`, `character varying(n)`, `numeric` are the grammar's, pg_catalog's on any path).
    static let shadowedTypes = ["text", "date", "jsonb", "json", "oid", "regclass", "name", "int4", "int8", "int2", "bool",
                                "bpchar", "char", "uuid", "timestamptz", "float8", "bytea", "inet"]

    /// Creates, as the current role, a domain over each of `shadowedTypes` named like it,
    /// whose CHECK records a call: a cast to a bare type name under the user's path runs it.
    static func createTypeLookalikes(_ db: TestDatabase, schema evil: String) throws {
        try db.run("""
            CREATE FUNCTION \(evil).type_used(what pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql AS $f$ BEGIN
                \(record(evil, "what")) RETURN true; END $f$;
            """)
        for type in shadowedTypes {
            try db.run("CREATE DOMAIN \(evil).\"\(type)\" AS pg_catalog.\"\(type)\" CHECK (\(evil).type_used('type \(type)'))")
        }
    }
}
