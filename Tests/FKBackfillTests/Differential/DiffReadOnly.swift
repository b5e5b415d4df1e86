@testable import FKBackfill
import Foundation
import PostgresClient
import TestSupport

/// (d) `validate` read-only, as a CI job runs it (issue #29): the case's CSV with the
/// case's options, validated by a role that has only USAGE on the case's schemas and
/// SELECT on its tables and whose transactions are read-only, so the tool takes the path
/// of a read-only session (the CSV streamed and checked in place, docs/validate.md
/// "Read-only sessions and standbys"), against the load with the case's options on the
/// primary. PostgreSQL, through the load, is the oracle.
extension DiffHarness {
    /// What the documented refusals name (Validator+ReadOnly.swift): options that need the
    /// staged prediction.
    static let readOnlyRefusals = [
        "the target references itself",
    ]

    /// The advisory lock the cases' grants on shared schemas take.
    static let aclLock = 4_242_029

    /// The CI role of this case, one per test schema and named after it (as
    /// ReadOnlyValidateTests' role: roles are cluster-wide, and a name no other test uses
    /// needs no locking): LOGIN, USAGE on the case's schema and on fkb_ext when the case's
    /// types live there (citext), SELECT on every table of the schema (partitions and
    /// inheritance children too), `default_transaction_read_only = on`. `cleanup` revokes
    /// what it was granted and drops it, so nothing outside the schema is left.
    func readOnlyRole() throws -> (name: String, cleanup: () -> Void) {
        let name = "\(db.schema)_ci"  // t_ and 12 hex digits: an identifier that needs no quotes
        let extensionSchema = testCase.schemaSQL.contains("fkb_ext") ? "GRANT USAGE ON SCHEMA fkb_ext TO \(name);" : ""
        // The grant on the shared fkb_ext (and DROP OWNED's revoke) rewrite one ACL: cases
        // running side by side serialize on a lock, or one fails with "tuple concurrently
        // updated" (seed 777001 case 391).
        try db.run("""
            SELECT pg_catalog.pg_advisory_xact_lock(\(Self.aclLock));
            CREATE ROLE \(name) LOGIN; GRANT USAGE ON SCHEMA \(db.schema) TO \(name); \(extensionSchema)
            GRANT SELECT ON ALL TABLES IN SCHEMA \(db.schema) TO \(name);
            ALTER ROLE \(name) SET default_transaction_read_only = on
            """)
        return (name, { [db] in
            _ = try? db.connection.executeScript(unsafeRaw: "SELECT pg_catalog.pg_advisory_xact_lock(\(Self.aclLock)); DROP OWNED BY \(name); DROP ROLE \(name)")
        })
    }

    /// `validate TABLE --csv FILE --samples all --format json` with the case's options, as
    /// `role` on the primary under the case's search_path: its outcome (exit 1 when it
    /// says the load would fail) and the library's error when it threw.
    func validateReadOnly(role: String) -> (outcome: DiffOutcome, error: FKBackfillError?, session: String?) {
        var wouldLoad = true
        var thrown: FKBackfillError?
        var session: String?
        var (status, stdout, stderr) = Self.run {
            do {
                var options = ValidateOptions()
                if let rulesPath { options.rules = try RulesParser.load(path: rulesPath) }
                options.maxRejects = testCase.maxRejects ?? 0
                options.replaceBy = testCase.replaceBy
                options.ignoreExtraColumns = testCase.ignoreExtraColumns
                options.samples = Self.all
                let database = try FKBackfillError.mapping {
                    try db.connection.execute("SELECT pg_catalog.current_database() AS d").rows[0].string("d")
                }
                let connection = try FKBackfillError.mapping { try Connection(ConnectionString("dbname=\(database) user=\(role)")) }
                session = try FKBackfillError.mapping {
                    if let path = testCase.searchPath {
                        _ = try connection.execute("SELECT pg_catalog.set_config('search_path', \(bind: testCase.text(path, schema: db.schema)), false)")
                    }
                    return try connection.execute("SELECT pg_catalog.current_setting('transaction_read_only') AS r").rows[0].string("r")
                }
                let input = try FKBackfillError.mapping { try readOnlyInput(role: role) }
                let report = try Validator(connection: connection).run(table: table, input: input, options: options)
                wouldLoad = report.wouldLoad
                return report.render(.json)
            } catch let error as FKBackfillError {
                thrown = error
                throw error
            }
        }
        if status == 0, !wouldLoad { status = 1 }
        return (DiffOutcome(validate: status, stdout: stdout, stderr: stderr), thrown, session)
    }

    /// The input (d) validates: the case's CSV, or in every other case the same rows in a
    /// table of text columns (COPY's own CSV reading, NULL and "" as it tells them apart),
    /// read as a `--source` (cases 4k+1) or through a `--query` over it (4k+3), so a
    /// table or query that stages on the primary is read through a cursor
    /// (Validator+StreamedCursor.swift). The load still takes the CSV: the verdicts agree
    /// when the text is the same.
    func readOnlyInput(role: String) throws -> InputSource {
        guard testCase.index % 2 == 1 else { return csv }
        // The header as the tool reads it (past a byte-order mark, CRLF or not).
        let names = (try CSVFile(path: csvPath).readHeader(CSVOptions()) ?? []).map { "\(SQL(ident: $0))" }
        let name = "\(db.schema).fkb_input"
        try db.run("CREATE TABLE \(name) (\(names.map { "\($0) text" }.joined(separator: ", "))); GRANT SELECT ON \(name) TO \(role)")
        _ = try db.connection.copyIn(SQL(unsafeRaw: "COPY \(name) FROM STDIN WITH (FORMAT csv, HEADER)")) { writer in try writer.write(testCase.csv) }
        return testCase.index % 4 == 1 ? .table(name) : .query("SELECT * FROM \(name)")
    }

    /// What (d) found: the read-only verdict against `load` (the load with the case's
    /// options, as (b) uses it), and its per-FK table against the staged validate's.
    func compareReadOnly(role: String, load: DiffOutcome, staged: DiffOutcome) throws -> (problems: [String], summary: String) {
        let (readOnly, error, session) = validateReadOnly(role: role)
        var problems: [String] = []
        if let session, session != "on" {
            problems.append("(d) the CI role's transaction is not read-only (transaction_read_only \(session))")
        }
        if let error, error.kind == .database(sqlState: SQLState.readOnlySQLTransaction), error.cause == nil {
            // Refused before anything ran: only for the documented reasons, each named in the message.
            let named = Self.readOnlyRefusals.filter { error.message.contains($0) }
            if named.isEmpty || !error.message.hasPrefix("cannot validate ") || error.hint == nil {
                problems.append("(d) read-only refused for no documented reason: \(readOnly.error)")
            }
            return (problems, "(d) ro refused")
        }
        guard readOnly.status <= 1 else {
            // Refused as the staged validate refuses it (extra input columns, say, found
            // before the read-only check of the options): the same exit.
            if readOnly.status != staged.status {
                problems.append("(d) read-only exit \(readOnly.status) (\(readOnly.error)); staged validate exit \(staged.status) (\(staged.error))")
            }
            return (problems, "(d) ro exit \(readOnly.status)")
        }
        let mustRefuse = readOnlyMustRefuse()
        if !mustRefuse.isEmpty {
            problems.append("(d) read-only ran although \(mustRefuse.joined(separator: ", ")) needs the staged prediction")
        }
        guard let wouldLoad = readOnly.reportWouldLoad else {
            return (problems + ["(d) read-only validate's JSON has no wouldLoad: \(readOnly.stdout.prefix(300))"], "(d) ro ?")
        }
        problems += Self.schemaProblems(readOnly, "validate")
        let notExact = readOnly.reportNotExact.map { $0 as? String ?? "" }
        if notExact.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            problems.append("(d) read-only notExact names nothing in an entry: \(readOnly.reportNotExact)")
        }
        let loaded = load.status == 0
        let via = testCase.index % 2 == 0 ? "" : testCase.index % 4 == 1 ? " via --source" : " via --query"
        var summary = "(d) ro\(via) \(wouldLoad ? "would load" : "would not load")" + (notExact.isEmpty ? "" : " notExact \(notExact.count)")
        if !wouldLoad, loaded, let sure = Self.sureFailure(readOnly, notExact: notExact) {
            // A "would not load" the load contradicts: with nothing in notExact every one is a
            // disagreement, with notExact only those it is sure of.
            if notExact.isEmpty || !sure.onlyUnsure {
                problems.append("(d) read-only says it would not load from \(sure.text) (notExact: \(notExact.isEmpty ? "none" : notExact.joined(separator: "; "))), load loaded")
            }
        } else if notExact.isEmpty, wouldLoad != loaded {
            problems.append("(d) read-only says it would \(wouldLoad ? "" : "not ")load (notExact empty; \(Self.findings(readOnly))), "
                + "load \(loaded ? "loaded" : "failed with exit \(load.status): \(load.error)")")
        }
        // A verdict the load contradicts, within what notExact names: no failure, but the
        // stats say what the load said and what notExact named, so a run measures how often
        // the standby's verdict is not the load's (the hidden check of #29 wants it the same).
        if wouldLoad != loaded, !notExact.isEmpty {
            let said = loaded ? "loaded" : "failed: \(load.error.split(separator: "\n").first ?? "")"
            summary += " DIFFERS (load \(said.prefix(240)) | read-only: \(String(Self.findings(readOnly).prefix(400))) "
                + "| notExact: \(notExact.map { String($0.prefix(160)) }.joined(separator: "; ")))"
        }
        // The per-FK table: both read the same input against the same parents, so where both
        // reports agree on the verdict the checks' counts are the same.
        // With rows set aside (--max-rejects), read-only checks the FKs of the rows left
        // only (a key only a row set aside names brings no parent row); the staged table
        // counts every row, and its prediction the rows left.
        if staged.reportWouldLoad == wouldLoad, (readOnly.reportRejected ?? 0) == 0 {
            for name in Set(readOnly.foreignKeys.keys).union(staged.foreignKeys.keys).sorted() {
                let left = readOnly.foreignKeys[name], right = staged.foreignKeys[name]
                guard left?.violatingRows != right?.violatingRows || left?.missingKeys != right?.missingKeys else { continue }
                // An FK the input has no column of is listed read-only only for why it stops
                // the load (its DEFAULT key, a DELETE's check: `ValidationReport.stops`); the
                // staged validate says that among its prediction's blockers instead.
                if right == nil, left?.violatingRows == 0, left?.missingKeys == 0 { continue }
                // With --replace-by, an FK of the target to itself counts read-only the keys the
                // DELETE takes away as missing, as the load finds them (Validator+StreamedSelfReplace);
                // the staged table is its check before the DELETE (seed 8080 case 45). The verdicts agree.
                if !testCase.replaceBy.isEmpty, let parent = left?.referencedTable, parent == table { continue }
                // Keys row-level security hides from the role count as missing read-only, as notExact says.
                if let parent = left?.referencedTable, Self.rowSecurityTables(notExact).contains(parent) { continue }
                problems.append("(d) FK \(name): read-only \(left?.description ?? "none"), staged \(right?.description ?? "none")")
            }
            summary += " fks compared"
        }
        return (problems, summary + " load \(load.status)")
    }

    /// The case's options read-only must refuse (docs/validate.md): they need the staged prediction.
    /// Nothing of the generator's options now: --max-rejects, --replace-by (on a target
    /// that references itself too) and a rule's sql: are checked read-only. What is still
    /// refused read-only (a self-reference whose keys are not followed by their text) is a
    /// property of the input's types, not of an option, and exits 3 before any verdict.
    func readOnlyMustRefuse() -> [String] {
        []
    }

    /// The case's tables, as `schema.name`, that `condition` (on pg_class `c`) holds for.
    /// What a read-only "would not load" rests on that the load cannot escape, or nil when
    /// it rests on nothing found; `onlyUnsure` when what it found may still load:
    /// - a value that does not convert or is too long is sure (cast before any trigger sees the row);
    /// - an unfixable key or a NOT NULL problem is sure unless the target's BEFORE INSERT
    ///   triggers or rules (named in notExact) may change or skip the row;
    /// - an unfixable key of a parent whose triggers notExact names, or whose reasons name
    ///   such a parent (new rows of p1 need rows in p2), is not sure either: the catalog
    ///   calls a NOT NULL column without default or rule unfillable, but a BEFORE INSERT
    ///   trigger may fill it (`trigger-filled`), which only the insert shows.
    /// Everything else notExact names (unique keys, CHECKs, derived values, partitions) can
    /// only make the load fail more, never succeed.
    /// The tables notExact says row-level security applies to for this role ("row-level
    /// security on T applies to this role: …"): their keys may be hidden from the check.
    static func rowSecurityTables(_ notExact: [String]) -> Set<String> {
        Set(notExact.compactMap { entry -> String? in
            let prefix = "row-level security on "
            guard entry.hasPrefix(prefix), let end = entry.range(of: " applies to this role") else { return nil }
            return String(entry[entry.index(entry.startIndex, offsetBy: prefix.count)..<end.lowerBound])
        })
    }

    /// With --max-rejects, a bad row is a failure only past the limit: the rows counted set
    /// aside are then sure (values) or unsure as their problems are.
    static func sureFailure(_ outcome: DiffOutcome, notExact: [String]) -> (text: String, unfixable: [String], onlyUnsure: Bool)? {
        let overLimit = outcome.reportRejected.map { $0 > outcome.reportMaxRejects } ?? true
        let problems = overLimit ? outcome.columnProblems : []
        let values = problems.filter { $0.hasSuffix(": does not convert") || $0.hasSuffix(": too long") }
        let nulls = problems.filter { !values.contains($0) }
        // Over the limit, the count adds up rows of every reason, some of them what notExact
        // names (keys row-level security hides, rows a trigger changes): unsure then.
        if outcome.reportRejected != nil, overLimit, !problems.isEmpty || outcome.reportRejected! > 0 {
            let unfixable = outcome.foreignKeys.filter { $0.value.unfixableKeys > 0 || !$0.value.reasons.isEmpty }
            let text = (outcome.columnProblems + ["\(outcome.reportRejected!) rows set aside"]).joined(separator: ", ")
            return (text, unfixable.keys.sorted(), !notExact.isEmpty)
        }
        let unfixable = outcome.foreignKeys.filter { $0.value.unfixableKeys > 0 || !$0.value.reasons.isEmpty }
        guard !values.isEmpty || !nulls.isEmpty || !unfixable.isEmpty else { return nil }
        let text = (outcome.columnProblems + unfixable.keys.sorted().map { "unfixable keys of \($0)" }).joined(separator: ", ")
        if !values.isEmpty { return (text, [], false) }
        let targetHooks = notExact.contains { $0.hasPrefix("BEFORE INSERT trigger ") || $0.contains(" runs on insert and may refuse rows") }
        if targetHooks { return (text, [], true) }
        if !nulls.isEmpty { return (text, [], false) }
        // Parents whose triggers notExact names ("triggers on T (…) run on its new rows"):
        // a key is unsure when its parent is one, or when its reasons name one (a new row
        // of the parent needs rows in T, whose NOT NULL column a trigger may fill).
        let triggered = notExact.compactMap { entry -> String? in
            guard entry.hasPrefix("triggers on "), let end = entry.range(of: " (") else { return nil }
            return String(entry[entry.index(entry.startIndex, offsetBy: 12)..<end.lowerBound])
        }
        let hidden = rowSecurityTables(notExact)
        let sure = unfixable.filter { fk in
            !hidden.contains(fk.value.referencedTable) && !triggered.contains { table in
                fk.value.referencedTable == table || fk.value.reasons.contains { $0.contains("\(table).") || $0.contains("\(table):") }
            }
        }.keys.sorted()
        return (text, sure, sure.isEmpty)
    }

    /// A read-only report's findings, for messages.
    static func findings(_ outcome: DiffOutcome) -> String {
        let fks = outcome.foreignKeys.filter { $0.value.violatingRows > 0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        let all = outcome.columnProblems + fks
        return all.isEmpty ? "no findings" : all.joined(separator: "; ")
    }
}
