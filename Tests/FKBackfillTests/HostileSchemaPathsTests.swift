import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// CVE-2018-1058 on the statements the tool runs under the user's own search path on
/// purpose (`Session.underUserSearchPath`: so the user's triggers, rules, defaults and
/// CHECKs resolve names as in their session), over the paths `HostileSchemaTests`'
/// fixture does not reach (`HostilePathsFixture`). As there: lookalikes of every function
/// and operator `--print-sql` shows, in a schema a plain role owns, named before an
/// explicit pg_catalog. Here also lookalikes of the types a statement may name bare
/// (`text`, `jsonb`, `date`…: `format_type` leaves pg_catalog's unqualified, and only the
/// grammar's own spellings such as `integer` are pg_catalog's whatever the path): domains
/// whose CHECK records the cast.
@Suite(.serialized) struct HostileSchemaPathsTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test func noLookalikeRunsUnderTheUsersPath() throws {
        let db = try TestDatabase()
        let s = db.schema
        try HostilePathsFixture.create(db)
        let files = try HostilePathsFixture.files(db)
        let commands = HostilePathsFixture.commands(schema: s, files: files)
        let evil = "\(s)_evil"
        // extra_float_digits 0: a float input is printed pinned to exact text, its rows held
        // typed first (`OpenedInput.stage`'s exactText), another statement on the user's path.
        let environment = HostileFixture.environment(evil: evil, schema: s, options: " -c extra_float_digits=0")
        var readOnly = environment
        readOnly["PGOPTIONS"] = (environment["PGOPTIONS"] ?? "") + " -c default_transaction_read_only=on"
        // Each validate also read-only (a replica's credentials), before the loads change its verdict.
        let runs = commands.flatMap { command in
            [(command, environment)] + (command.real.first == "validate" ? [(command, readOnly)] : [])
        }

        // 1. What the tool runs, writing nothing; and that it reached every path meant.
        var printed = ""
        for (command, environment) in runs {
            let result = try run(binary, command.dryRun + ["--print-sql"], environment: environment)
            #expect(result.status == command.status, "\(command.dryRun): \(result.stderr.suffix(2000))")
            printed += result.stderr
        }
        for (path, marker) in HostilePathsFixture.reached(schema: s) {
            #expect(printed.contains(marker), "not reached: \(path) (\(marker))")
        }
        let names = StatementNames(printed)

        // 2. The attacker's schema: function and operator lookalikes, then type lookalikes.
        try db.run("""
            CREATE ROLE \(evil) NOLOGIN;
            CREATE SCHEMA \(evil) AUTHORIZATION \(evil);
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP SCHEMA \(evil) CASCADE; DROP ROLE \(evil)") }
        try db.run("""
            SET ROLE \(evil);
            CREATE SEQUENCE \(evil).calls_seq;
            CREATE TABLE \(evil).calls (what pg_catalog.text);
            GRANT USAGE ON SCHEMA \(evil) TO PUBLIC;
            GRANT USAGE, UPDATE, SELECT ON SEQUENCE \(evil).calls_seq TO PUBLIC;
            GRANT INSERT ON \(evil).calls TO PUBLIC;
            """)
        defer { _ = try? db.connection.execute("RESET ROLE") }
        let made = HostileFixture.createLookalikes(db, schema: evil, functions: names.functions, operators: names.operators)
        #expect(made > 1000, "lookalikes created: \(made)")
        try HostileFixture.createTypeLookalikes(db, schema: evil)
        try db.run("RESET ROLE")

        // The lookalikes are live for plain SQL on that path: an operator, a function, a type.
        let (baseline, counted) = try HostileFixture.liveLookalikes(db, schema: evil, on: s)

        // 3. Every command for real, as the superuser, on that path.
        for (command, environment) in runs {
            let result = try run(binary, command.real, environment: environment)
            #expect(result.status == command.status, "\(command.real): \(result.stderr.suffix(2000)) \(result.stdout.suffix(3000))")
        }
        let called = (try? db.values("SELECT what FROM \(evil).calls")) ?? []
        #expect(try HostileFixture.calls(db, evil) == baseline, "lookalikes called: \(called.dropFirst(4))")
        let statistics = (try? db.values("SELECT funcname, calls FROM pg_stat_user_functions WHERE schemaname = '\(evil)'")) ?? []
        #expect(try HostileFixture.functionCalls(db, schema: evil) == counted, "lookalikes called read-only: \(statistics)")

        // What PostgreSQL stores: the fill, the cycles closed, the rule's and trigger's work.
        #expect(try db.values("SELECT name, label, tags::text, first_month::text FROM org WHERE code = 'O1'")
            == [["E1", "O1-K1", #"["old", "2401", "2402", "2404"]"#, "2024-01-01"]])
        #expect(try db.count("sale") == 8)
        #expect(try db.count("dept", "head IS NULL") == 0)
        let logged = try db.count("channel_log")
        #expect(try db.count("channel") == logged)
        #expect(try db.count("node", "c1 IS NULL") == 0 && db.count("p1") == 3)
        #expect(try db.count("team", "lead IS NULL") == 0 && db.count("ticket") == 3)
        #expect(try db.count("\(s).rejects") == 1)
        #expect(try OrphanOracle.orphans(in: [s], on: db.connection) == [])
    }

}
