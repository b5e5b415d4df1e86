import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// CVE-2018-1058, tried on every command: a plain role owns a schema on the search path
/// of the superuser running fkbackfill, and fills it with exact-type lookalikes of every
/// function and operator the tool's statements use (the names taken from `--print-sql`
/// of the commands themselves, so a new statement cannot slip past). Nothing of theirs
/// may run, and no orphan may be committed.
@Suite(.serialized) struct HostileSchemaTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    static let argumentTypes = ["text", "character varying", "integer", "bigint", "numeric", "jsonb", "oid[]", "name[]",
                                "text[]", "boolean", "date", "regclass", "character", "oid", "anyelement"]
    static let operatorTypes = ["character varying", "text", "integer", "bigint", "numeric", "jsonb", "character", "date",
                                "boolean", "oid", "name"]

    @Test func noLookalikeRunsInAnyCommand() throws {
        let db = try TestDatabase()
        let s = db.schema
        try HostileFixture.create(db)
        let files = try HostileFixture.files(db)
        let commands = HostileFixture.commands(table: "\(s).fact", files: files)
        let evil = "\(s)_evil"
        // pg_catalog named after the attacker's schema: their exact-type lookalikes then win
        // every tie (a statement's `CASE x WHEN 1`, run on the user's path, called theirs).
        let environment = HostileFixture.environment(evil: evil, schema: s)

        // validate also runs read-only (a replica's credentials): its own statements — the
        // input streamed through bound arrays, a cursor over a query — on the same path.
        var readOnly = environment
        readOnly["PGOPTIONS"] = (environment["PGOPTIONS"] ?? "") + " -c default_transaction_read_only=on"
        let validations = commands.filter { $0.real.first == "validate" }.map { ($0, readOnly) }
        let runs = commands.map { ($0, environment) } + validations

        // 1. What the tool runs: every command once with --print-sql, writing nothing.
        var printed = ""
        for (command, environment) in runs {
            let result = try run(binary, command.dryRun + ["--print-sql"], environment: environment)
            #expect(result.status == command.status, "\(command.dryRun): \(result.stderr)")
            printed += result.stderr
        }
        let names = StatementNames(printed)
        #expect(names.functions.contains("count") && names.functions.contains("set_config"))
        #expect(names.operators.contains("="))

        // 2. The attacker's schema: a lookalike of each, recording every call in a sequence
        //    (not rolled back with a failed load) and a table.
        try db.run("""
            CREATE ROLE \(evil) NOLOGIN;
            CREATE SCHEMA \(evil) AUTHORIZATION \(evil);
            """)
        defer { _ = try? db.connection.executeScript(unsafeRaw: "DROP SCHEMA \(evil) CASCADE; DROP ROLE \(evil)") }
        try db.run("""
            SET ROLE \(evil);
            CREATE SEQUENCE \(evil).calls_seq;
            CREATE TABLE \(evil).calls (what text);
            GRANT USAGE ON SCHEMA \(evil) TO PUBLIC;
            GRANT USAGE, UPDATE, SELECT ON SEQUENCE \(evil).calls_seq TO PUBLIC;
            GRANT INSERT ON \(evil).calls TO PUBLIC;
            """)
        defer { _ = try? db.connection.execute("RESET ROLE") }
        let made = HostileFixture.createLookalikes(db, schema: evil, functions: names.functions, operators: names.operators)
        try HostileFixture.createTypeLookalikes(db, schema: evil)
        try db.run("RESET ROLE")
        #expect(made > 1000, "lookalikes created: \(made)")

        // The lookalikes are live: an ordinary query on that path picks them up.
        let (baseline, counted) = try HostileFixture.liveLookalikes(db, schema: evil, on: s)

        // 3. Every command for real, as the superuser, on that path.
        for (command, environment) in runs {
            let result = try run(binary, command.real, environment: environment)
            #expect(result.status == command.status, "\(command.real): \(result.stderr)")
        }
        let called = (try? db.values("SELECT what FROM \(evil).calls")) ?? []
        #expect(try HostileFixture.calls(db, evil) == baseline, "lookalikes called: \(called)")
        let statistics = (try? db.values("SELECT funcname, calls FROM pg_stat_user_functions WHERE schemaname = '\(evil)'")) ?? []
        #expect(try HostileFixture.functionCalls(db, schema: evil) == counted, "lookalikes called read-only: \(statistics)")
        #expect(try db.count("\(s).fact") == 12)
        #expect(try OrphanOracle.orphans(in: [s], on: db.connection) == [])
        // The declared relation (varchar = varchar, which pg_catalog has no exact operator
        // for) was backfilled with the operator of person's own key.
        #expect(try db.count("\(s).person") == 9)
        #expect(try db.count("\(s).fact f", "NOT EXISTS (SELECT 1 FROM \(s).person p WHERE p.name = f.name)") == 0)
    }

}

/// The function and operator names in `--print-sql` output: outside string literals,
/// quoted identifiers and comments, a word before `(`, and every run of operator characters.
struct StatementNames {
    var functions = Set<String>()
    var operators = Set<String>()

    init(_ text: String) {
        var plain = ""
        var quote: Character?
        var previous: Character = " "
        var skipLine = false
        for char in text {
            if skipLine { if char == "\n" { skipLine = false; plain.append(" ") }; continue }
            if let open = quote {
                if char == open { quote = nil }
                plain.append(" ")
            } else if char == "'" || char == "\"" {
                quote = char
                plain.append(" ")
            } else if char == "-" && previous == "-" {
                plain.removeLast()
                skipLine = true
            } else {
                plain.append(char)
            }
            previous = char
        }
        // $fkb$ … $fkb$ bodies are code of the tool's own, checked like the rest.
        let words = plain.lowercased()
        let function = try! Regex(#"([a-z_][a-z0-9_]*)\s*\("#)
        for match in words.matches(of: function) { if let name = match.output[1].substring { functions.insert(String(name)) } }
        let op = try! Regex(#"[+\-*/<>=~!@#%^&|?]+"#)
        for match in words.matches(of: op) {
            let name = String(words[match.range])
            operators.insert(name)
        }
    }
}
