@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The second session (`SecondSession`): new parents' keys and values derived on another
/// connection while the first inserts the fact rows, taken only where they are the
/// first's own (issue #25).
@Suite(.timeLimit(.minutes(30))) struct SecondSessionTests {
    static let schema = """
        CREATE TABLE plan (code text PRIMARY KEY, name text, kind varchar(10), grade int, since date, total numeric(14,2), tags text, note text);
        CREATE TABLE portfolio (code varchar(12) PRIMARY KEY, plan_code text NOT NULL REFERENCES plan, kind varchar(10), low text, first_day date);
        CREATE TABLE region_org (region char(2), code varchar(8), name text, PRIMARY KEY (region, code));
        CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, plan_code text REFERENCES plan,
                           portfolio_code varchar(12) REFERENCES portfolio, region char(2), org varchar(8), kind varchar(10),
                           customer text, grade int, amount numeric(12,2), day date, FOREIGN KEY (region, org) REFERENCES region_org);
        """

    /// Rules over every kind of pick the second session may run, for `schema`'s tables;
    /// `variant` 0 is none (the default derivations: the same-named `kind`, the
    /// portfolio's plan).
    static func rules(_ schema: String, variant: Int) -> String {
        guard variant > 0 else { return "" }
        let picks = ["first", "last", "most_frequent", "{ max_by: grade }", "{ min_by: day }", "count_distinct"]
        return """
            tables:
              \(schema).plan:
                columns:
                  name: { from: customer, pick: \(picks[variant % picks.count]) }
                  grade: { from: grade, pick: max }
                  since: { from: day, pick: min }
                  total: { from: amount, pick: sum }
                  tags: { from: customer, pick: concat_distinct, separator: "+", sorted: \(variant % 2 == 0) }
                  note: { template: "{customer} on {day}" }
              \(schema).portfolio:
                columns:
                  low: { from: customer, pick: { min_by: amount } }
                  first_day: { from: day, pick: first }
              \(schema).region_org:
                columns:
                  name: { from: customer, pick: last }
            """
    }

    /// A random input over few keys (ties, NULLs, repeated values) and the parent rows
    /// already there, each of a present plan's portfolios only.
    static func input(seed: UInt64) -> (csv: String, present: String) {
        var random = RandomInputTests.Generator(state: seed)
        func maybe(_ value: String, _ nullOneIn: Int = 5) -> String { Int.random(in: 0..<nullOneIn, using: &random) == 0 ? "" : value }
        var lines = ["plan_code,portfolio_code,region,org,kind,customer,grade,amount,day"]
        for _ in 0..<Int.random(in: 30...300, using: &random) {
            let portfolio = Int.random(in: 1...12, using: &random)
            let plan = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...8, using: &random) : portfolio % 8 + 1
            lines.append([
                "P\(plan)", maybe("F\(portfolio)", 6), ["N", "S"].randomElement(using: &random)!, "G\(Int.random(in: 1...4, using: &random))",
                maybe(["a", "b"].randomElement(using: &random)!), maybe("c\(Int.random(in: 1...6, using: &random))"),
                maybe("\(Int.random(in: 1...5, using: &random))"), maybe("\(Int.random(in: -500...500, using: &random)).25"),
                maybe("2024-0\(Int.random(in: 1...9, using: &random))-1\(Int.random(in: 0...9, using: &random))"),
            ].joined(separator: ","))
        }
        var present: [String] = []
        for plan in 1...8 where Int.random(in: 0..<10, using: &random) < 3 {
            present.append("INSERT INTO plan (code, name) VALUES ('P\(plan)', 'old');")
            for portfolio in 1...12 where portfolio % 8 + 1 == plan && Bool.random(using: &random) {
                present.append("INSERT INTO portfolio (code, plan_code, kind) VALUES ('F\(portfolio)', 'P\(plan)', 'old');")
            }
        }
        for org in 1...4 where Int.random(in: 0..<10, using: &random) < 3 {
            present.append("INSERT INTO region_org VALUES ('N', 'G\(org)', 'old');")
        }
        return (lines.joined(separator: "\n") + "\n", present.joined(separator: "\n"))
    }

    /// Every table's rows as text, in key order.
    static func contents(_ db: TestDatabase) throws -> [[String?]] {
        try ["plan", "portfolio", "region_org", "fact"].flatMap { table in
            try db.values("SELECT CAST(t AS text) FROM \(table) t ORDER BY 1")
        }
    }

    static func load(_ db: TestDatabase, _ csv: String, rules: String, use: SecondSessionUse,
                     configure: (inout LoadOptions) -> Void = { _ in }) throws -> LoadReport {
        try db.load("fact", csv: csv) { options in
            options.fkCheck = .setBased
            options.secondSession = use
            if !rules.isEmpty { options.rules = try! RulesParser.parse(rules, file: "rules.yaml") }
            configure(&options)
        }
    }

    /// A row in every parent that no input of `input(seed:)` names: no parent is empty,
    /// so the second session is fed from a spool after the first's COPY.
    static let noFirstLoad = """
        INSERT INTO plan (code) VALUES ('P0'); INSERT INTO portfolio (code, plan_code) VALUES ('F0', 'P0');
        INSERT INTO region_org (region, code) VALUES ('X', 'X0');
        """

    /// Runs `body` (a load and its checks) once with one session and once with `.always`,
    /// each on a database of its own, and expects the same rows in every table.
    static func alike(_ body: (TestDatabase, SecondSessionUse) throws -> Void) throws {
        var written: [[[String?]]] = []
        for use in [SecondSessionUse.off, .always] {
            let db = try TestDatabase()
            try body(db, use)
            written.append(try contents(db))
        }
        #expect(written[0] == written[1])
    }

    /// Generated inputs and rules, each loaded by one session and by two: the same rows in
    /// every table, and the two-session load took its derived parents from the second.
    /// Odd rounds have a row in every parent, so the second session's input is spooled.
    @Test(arguments: 0..<12) func twoSessionsWriteWhatOneWrites(round: Int) throws {
        let (csv, present) = Self.input(seed: 250_001 + UInt64(round))
        try Self.alike { db, use in
            try db.run(Self.schema + present + (round % 2 == 1 ? Self.noFirstLoad : ""))
            let report = try Self.load(db, csv, rules: Self.rules(db.schema, variant: round % 7), use: use)
            if use == .off {
                #expect(report.derivedInSecondSession.isEmpty)
                #expect(report.secondSessionFeed == nil)
            } else {
                if round % 2 == 1 { #expect(report.secondSessionFeed == .spooled) }
                let plansNew = report.parents.contains { $0.table.name == "plan" && $0.inserted > 0 }
                #expect(!plansNew || report.derivedInSecondSession.contains { $0.name == "plan" },
                        "\(report.derivedInSecondSession) \(report.parents.map { ($0.table.name, $0.inserted) })")
            }
        }
    }

    /// A plan another session commits after the second session found its keys and before
    /// the first reads its own: the two disagree on that key, so the first computes the
    /// plans itself (and inserts none twice); the portfolios, found alike, came from the
    /// second session.
    @Test func aParentCommittedInBetweenIsTheFirstSessionsToSee() throws {
        let db = try TestDatabase()
        try db.run(Self.schema)
        let csv = "plan_code,portfolio_code,region,org,kind,customer,grade,amount,day\n"
            + "P1,F1,N,G1,a,c1,1,1.00,2024-01-01\nP2,F2,N,G1,b,c2,2,2.00,2024-01-02\nP2,F3,S,G2,b,c3,3,3.00,2024-01-03\n"
        let other = LockedBox(try Connection())
        let table = "\(db.schema).plan"
        let report = try Self.load(db, csv, rules: "", use: .always) { options in
            options.afterSecondSession = {
                _ = try? other.value.execute("INSERT INTO \(unsafeRaw: table) (code, name, kind) VALUES ('P2', 'theirs', 'x')")
            }
        }
        #expect(report.derivedInSecondSession.map(\.name) == ["portfolio"])
        #expect(report.parent("plan")?.inserted == 1)
        #expect(try db.values("SELECT code, name, kind FROM plan ORDER BY code") == [["P1", nil, "a"], ["P2", "theirs", "x"]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["3"]])
    }

    /// A portfolio another session commits after the second session found it missing: to
    /// the first, no portfolio is new, so it takes none from the second; but the second's
    /// plan values counted that portfolio's rows. The portfolios' keys differ, so the
    /// first ends the second there and computes the plans itself: the same rows as one
    /// session loading with that portfolio already there (review of the second session,
    /// finding 1: only the parents taken were compared).
    @Test func aChildParentCommittedInBetweenEndsTheSecondSession() throws {
        let csv = "plan_code,portfolio_code,region,org,kind,customer,grade,amount,day\n"
            + "P1,F1,N,G1,a,c1,1,1.00,2024-01-01\nP2,F1,N,G1,b,c2,2,2.00,2024-01-02\nP2,F1,S,G2,b,c3,3,3.00,2024-01-03\n"
        try Self.alike { db, use in
            try db.run(Self.schema + "INSERT INTO plan (code, name) VALUES ('P9', 'old');")
            if use == .off { try db.run("INSERT INTO portfolio (code, plan_code) VALUES ('F1', 'P9');") }
            let other = LockedBox(try Connection())
            let table = "\(db.schema).portfolio"
            let report = try Self.load(db, csv, rules: Self.rules(db.schema, variant: 2), use: use) { options in
                guard use == .always else { return }
                options.afterSecondSession = {
                    _ = try? other.value.execute("INSERT INTO \(unsafeRaw: table) (code, plan_code) VALUES ('F1', 'P9')")
                }
            }
            // The organisations come first and are alike; the portfolios end it.
            #expect(!report.derivedInSecondSession.contains { ["plan", "portfolio"].contains($0.name) })
        }
    }

    /// The second session's backend terminated after its work, before the first copies
    /// its tables: the first computes every parent itself and the load commits.
    @Test func aSecondSessionThatDiesIsNotNeeded() throws {
        let (csv, present) = Self.input(seed: 31)
        try Self.alike { db, use in
            try db.run(Self.schema + present)
            let other = LockedBox(try Connection())
            let plan = "\(db.schema).plan"
            let terminated = LockedBox(false)
            let report = try Self.load(db, csv, rules: "", use: use) { options in
                guard use == .always else { return }
                options.afterSecondSession = {
                    // The backend of this test's second session: the one holding its plan table.
                    let row = try? other.value.execute("""
                        SELECT pg_terminate_backend(l.pid, 10000) AS gone FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                        WHERE l.relation = CAST(\(bind: plan) AS regclass) AND a.application_name = 'fkbackfill (second session)'
                        """).rows.first
                    terminated.mutate { $0 = row?.bool("gone") ?? false }
                }
            }
            if use == .always { #expect(terminated.value) }
            #expect(report.derivedInSecondSession.isEmpty)
        }
    }

    /// A load that goes parents first (`--fk-check auto` with a trigger on the target that
    /// set-based must leave to PostgreSQL) closes the second session before it finds the
    /// keys: nothing would run beside it. The same rows as one session.
    @Test func parentsFirstClosesIt() throws {
        let (csv, present) = Self.input(seed: 41)
        try Self.alike { db, use in
            try db.run(Self.schema + present + """
                CREATE FUNCTION \(db.schema).stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.kind := coalesce(NEW.kind, 'z'); RETURN NEW; END $$;
                CREATE TRIGGER stamp BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION \(db.schema).stamp();
                """)
            let report = try db.load("fact", csv: csv) { options in options.secondSession = use }
            #expect(report.derivedInSecondSession.isEmpty)
        }
    }

    /// The first session waits at its fact insert (another session's uncommitted row holds
    /// the id its first row gets) while the second finishes its work: its last statement says so in
    /// `pg_stat_activity`, before the lock is released. Then the load takes its values.
    /// Fed live (a first load) or from a spool, which it stages while the first waits.
    @Test(arguments: [false, true]) func theSecondDerivesWhileTheFirstWaitsAtTheInsert(spooled: Bool) throws {
        let db = try TestDatabase()
        try db.run(Self.schema + (spooled ? Self.noFirstLoad : ""))
        let (csv, _) = Self.input(seed: 99)
        let locker = try Connection()
        // The load locks the table first thing; an uncommitted row with the id its first
        // row will get makes its insert wait for this transaction, after the staging.
        try locker.execute("BEGIN")
        try locker.execute("INSERT INTO \(ident: db.schema).fact (id) OVERRIDING SYSTEM VALUE VALUES (1)")
        let path = try db.csvFile(csv)
        let schema = db.schema
        let load = OwnThread<LoadReport> {
            let connection = try Connection()
            try connection.execute("SET search_path TO \(ident: schema)")
            var options = LoadOptions()
            options.fkCheck = .setBased
            options.secondSession = .always
            return try Loader(connection: connection).run(table: "fact", input: .csv(path: path, options: CSVOptions()), options: options)
        }
        let watcher = try Connection()
        let both = try eventually(within: 20) {
            let rows = try watcher.execute("""
                SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE 'WITH i AS (INSERT INTO %fact%') AS waiting,
                       count(*) FILTER (WHERE application_name = 'fkbackfill (second session)' AND state = 'idle in transaction'
                                          AND query LIKE '%derived values ready%') AS ready
                FROM pg_stat_activity WHERE datname = current_database()
                """).rows[0]
            return row(rows, "waiting") == 1 && row(rows, "ready") == 1
        }
        let seen = try watcher.execute("SELECT application_name, state, wait_event_type, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()").rows
            .map { "\($0["application_name"] ?? "") \($0["state"] ?? "") \($0["wait_event_type"] ?? "") \($0["q"] ?? "")" }
        #expect(both, "the first never waited at its insert while the second was done: \(seen)")
        try locker.execute("ROLLBACK")
        let report = try load.wait().get()
        #expect(Set(report.derivedInSecondSession.map(\.name)) == ["plan", "portfolio"])
        #expect(report.secondSessionFeed == (spooled ? .spooled : .live))
        #expect(try eventually { try watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fkbackfill (second session)'").rows[0].int("count") == 0 })
    }

    func row(_ row: Row, _ name: String) -> Int { row.int(name) ?? -1 }

    /// A rule of SQL may call code that is not the same twice (`now()`, a sequence): no
    /// second session then; nor, under `auto`, for a file under 4 MiB. `--print-sql`
    /// shows the second session's statements, after a comment saying where they ran.
    @Test func notForARuleOfSQLAndItsStatementsArePrinted() throws {
        let db = try TestDatabase()
        try db.run(Self.schema)
        let (csv, _) = Self.input(seed: 7)
        let sqlRule = "tables:\n  \(db.schema).plan:\n    columns:\n      name: { sql: \"max(customer)\" }\n"
        #expect(try Self.load(db, csv, rules: sqlRule, use: .always).derivedInSecondSession.isEmpty)
        try db.run("TRUNCATE fact, portfolio, plan, region_org")
        #expect(try Self.load(db, csv, rules: "", use: .auto).derivedInSecondSession.isEmpty)
        try db.run("TRUNCATE fact, portfolio, plan, region_org")
        let box = LockedBox<[String]>()
        let report = try Self.load(db, csv, rules: "", use: .always) { $0.onStatement = { box.append($0.description) } }
        #expect(!report.derivedInSecondSession.isEmpty)
        let statements = box.value
        let comment = try #require(statements.firstIndex { $0.hasPrefix("-- what follows ran in a second session") })
        #expect(statements[comment...].contains { $0.hasPrefix("COPY pg_temp.fkb_stage") })
        #expect(statements[..<comment].contains { $0.hasPrefix("COPY pg_temp.fkb_stage") })
    }
}
