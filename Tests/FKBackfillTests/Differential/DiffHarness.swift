import FKBackfill
import Foundation
import PostgresClient
import TestSupport

/// Runs one case in-process through the library, as the command line would run it, and
/// lists every way the two sides disagree:
/// (a) `load --dry-run` with `--fk-check set-based` against `per-row`;
/// (b) `validate`'s prediction against `load --dry-run` with the same options;
/// (d) `validate` read-only, as a CI role, against the same load (DiffReadOnly.swift).
///
/// Each run gets a connection of its own, as the binary has, and what it returns is
/// what the binary prints: the report as JSON, or the exit code its error maps to and
/// the `fkbackfill: error:` line. No process starts per run (about 1,000 in `make test`).
struct DiffHarness {
    /// Larger than any case's rows and keys: every rejection and new key is listed.
    static let all = 1_000_000

    let testCase: DiffCase
    let db: TestDatabase
    let csvPath: String
    let rulesPath: String?
    var table: String { "\(db.schema).fact" }

    /// Creates the case's schema and files in the test's own schema.
    init(_ testCase: DiffCase, db: TestDatabase) throws {
        self.testCase = testCase
        self.db = db
        try db.run(testCase.text(testCase.schemaSQL + "\n" + testCase.dataSQL, schema: db.schema))
        csvPath = TestFiles.url(suffix: ".csv").path
        try testCase.csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        if let rules = testCase.rules {
            let path = TestFiles.url(suffix: ".yaml").path
            try testCase.text(rules, schema: db.schema).write(toFile: path, atomically: true, encoding: .utf8)
            rulesPath = path
        } else {
            rulesPath = nil
        }
    }

    /// The JSON of every run that printed a report, against docs/schemas/ (closed).
    nonisolated(unsafe) static let schemas: [String: JSONSchema] = {  // read once, never written after
        var loaded: [String: JSONSchema] = [:]
        for name in ["load-report", "validate"] { loaded[name] = try? JSONSchema(name) }
        return loaded
    }()

    static func schemaProblems(_ outcome: DiffOutcome, _ schema: String) -> [String] {
        guard outcome.status <= (schema == "validate" ? 1 : 0), !outcome.stdout.isEmpty else { return [] }
        guard let checker = schemas[schema] else { return ["cannot read docs/schemas/\(schema).schema.json"] }
        return checker.problems(outcome.stdout).map { "(schema) \(schema): \($0)" }
    }

    /// `load TABLE --csv FILE --dry-run --samples all --format json` with the case's
    /// options (`--rules`, `--max-rejects`, `--replace-by`) and `--fk-check fkCheck`.
    func load(fkCheck: FKCheckMode = .auto, maxRejects: Int? = nil) -> DiffOutcome {
        let (status, stdout, stderr) = Self.run {
            var options = LoadOptions()
            if let rulesPath { options.rules = try RulesParser.load(path: rulesPath) }
            options.maxRejects = maxRejects ?? testCase.maxRejects ?? 0
            options.replaceBy = testCase.replaceBy
            options.ignoreExtraColumns = testCase.ignoreExtraColumns
            options.fkCheck = fkCheck
            options.dryRun = true
            options.samples = Self.all
            let connection = try userConnection()
            return try Loader(connection: connection).run(table: table, input: csv, options: options).render(.json)
        }
        return DiffOutcome(load: status, stdout: stdout, stderr: stderr)
    }

    /// A connection of the run's own, under the case's search_path when it has one.
    func userConnection() throws -> Connection {
        let connection = try FKBackfillError.mapping { try Connection() }
        if let path = testCase.searchPath {
            _ = try FKBackfillError.mapping {
                try connection.execute("SELECT pg_catalog.set_config('search_path', \(bind: testCase.text(path, schema: db.schema)), false)")
            }
        }
        return connection
    }

    /// `validate TABLE --csv FILE --samples all --format json` with the case's options:
    /// exit 1 when the prediction says the load would fail, as the command line.
    func validate(maxRejects: Int? = nil) -> DiffOutcome {
        var wouldLoad = true
        var (status, stdout, stderr) = Self.run {
            var options = ValidateOptions()
            if let rulesPath { options.rules = try RulesParser.load(path: rulesPath) }
            options.maxRejects = maxRejects ?? testCase.maxRejects ?? 0
            options.replaceBy = testCase.replaceBy
            options.ignoreExtraColumns = testCase.ignoreExtraColumns
            options.samples = Self.all
            let connection = try userConnection()
            let report = try Validator(connection: connection).run(table: table, input: csv, options: options)
            wouldLoad = report.wouldLoad
            return report.render(.json)
        }
        if status == 0, !wouldLoad { status = 1 }
        return DiffOutcome(validate: status, stdout: stdout, stderr: stderr)
    }

    var csv: InputSource { .csv(path: csvPath, options: CSVOptions()) }

    /// The output and exit code `body`'s run would give on the command line: its text on
    /// stdout and 0, or the error's exit code (the executable's, by category) and lines.
    static func run(_ body: () throws -> String) -> (status: Int32, stdout: String, stderr: String) {
        do {
            return (0, try body(), "")
        } catch let error as FKBackfillError {
            let status: Int32 = switch error.category {
            case .usage: 2
            case .findings: 1
            case .database: 3
            case .connectionLost: 4
            }
            let lines = ["fkbackfill: error: \(error.message)"] + error.details.map { "  - \($0)" } + (error.hint.map { ["hint: \($0)"] } ?? [])
            return (status, "", lines.joined(separator: "\n") + "\n")
        } catch {
            return (3, "", "fkbackfill: error: \(error)\n")
        }
    }

    /// What (a) found; `applicable` is false when set-based refused the case (exit 2 with
    /// its precondition: self-reference, partition-only FK, trigger), which is its contract.
    func compareFKChecks() throws -> (problems: [String], perRow: DiffOutcome, applicable: Bool) {
        guard DiffConfig.checks.contains("a"), testCase.setBasedApplies else { return ([], load(fkCheck: .perRow), false) }
        let setBased = load(fkCheck: .setBased)
        let perRow = load(fkCheck: .perRow)
        if setBased.status == 2, setBased.stderr.contains("set-based"), perRow.status != 2 {
            return ([], perRow, false)
        }
        var problems: [String] = []
        // The same exit either way: a violation is exit 1 whether the set-based verify
        // finds it before writing or PostgreSQL's per-row check refuses the row (its line named).
        if setBased.status != perRow.status {
            problems.append("(a) exit: set-based \(setBased.status) (\(setBased.error)), per-row \(perRow.status) (\(perRow.error))")
        } else if setBased.status == 0 {
            problems += Self.differences("(a)", "set-based", setBased, "per-row", perRow, parentsInsertedOnly: false)
        }
        return (problems, perRow, true)
    }

    /// What (b) found: validate's exit against the load's with the case's options, then
    /// with every row allowed to be rejected, the predicted rejections and parents.
    /// `verdict` is validate's outcome with the case's options, which (d) compares with.
    func comparePrediction(loadWithCaseOptions load: DiffOutcome) throws -> (problems: [String], summary: String, verdict: DiffOutcome) {
        let verdict = validate()
        var problems = Self.verdicts("case options", verdict, load)
            + Self.schemaProblems(verdict, "validate") + Self.schemaProblems(load, "load-report")
        var predicted = verdict, loaded = load
        // A load that ran shows every rejection and new key already (--samples is all);
        // one that failed is run again with every row allowed to be rejected, so its
        // rejections can still be compared.
        if load.status != 0, verdict.status <= 1 {
            let all = Self.all
            predicted = validate(maxRejects: all)
            loaded = self.load(maxRejects: all)
            problems += Self.verdicts("--max-rejects \(all)", predicted, loaded)
        }
        var summary = "validate \(verdict.status) load \(load.status)"
        guard predicted.decoded, predicted.status <= 1 else { return (problems, summary, verdict) }
        if !predicted.exact {
            // Not exact (a trigger on the target): only the reason is checked, not the numbers.
            if predicted.notExact.isEmpty { problems.append("(b) prediction.exact is false but notExact is empty") }
            return (problems, summary + " not exact", verdict)
        }
        if loaded.status == 0, predicted.wouldLoad == true {
            problems += Self.differences("(b)", "validate", predicted, "load", loaded, parentsInsertedOnly: true)
            summary += " compared: \(loaded.counts["inserted"] ?? -1) inserted, \(loaded.rejections.count) reasons, "
                + "\(loaded.parents.values.filter { $0.inserted > 0 }.count) parents, \(loaded.nearDuplicates.count) near-duplicates"
        }
        return (problems, summary, verdict)
    }

    /// (c) Keys inserted into a parent referenced only from one partition that no input
    /// row routed to that partition carries.
    func partitionProblems(_ load: DiffOutcome) -> [String] {
        var problems: [String] = []
        for (template, allowed) in testCase.partitionKeys.sorted(by: { $0.key < $1.key }) {
            let table = testCase.text(template, schema: db.schema)
            // A typmod key is reported in the parent's type (9 → 9.00): numbers compare as numbers.
            func normal(_ key: [String?]) -> [String?] { key.map { value in value.flatMap { Double($0) }.map { "\($0)" } ?? value } }
            let allowedKeys = Set(allowed.map(normal))
            let stray = (load.parents[table]?.keys ?? []).filter { !allowedKeys.contains(normal($0)) }
            if !stray.isEmpty {
                let keys = stray.map { "(" + $0.map { $0 ?? "NULL" }.joined(separator: ",") + ")" }.sorted().joined(separator: " ")
                problems.append("(c) \(table) got keys no row of its partition carries: \(keys)")
            }
        }
        return problems
    }

    /// validate's exit 0/1 against the load's success/failure.
    static func verdicts(_ label: String, _ validate: DiffOutcome, _ load: DiffOutcome) -> [String] {
        if validate.status > 1 {
            if validate.status == load.status { return [] }  // both refused the same usage
            return ["(b) \(label): validate exit \(validate.status) (\(validate.error)); load exit \(load.status)"]
        }
        if !validate.decoded { return ["(b) \(label): validate's JSON has no prediction: \(validate.stdout.prefix(300))"] }
        var problems: [String] = []
        if (validate.status == 0) != (load.status == 0) {
            let predicted = validate.status == 0 ? "would load" : "would fail (\(validate.blockers.joined(separator: "; ")))"
            let happened = load.status == 0 ? "loaded" : "failed with exit \(load.status): \(load.error)"
            problems.append("(b) \(label): validate says it \(predicted), load \(happened)")
        }
        if let wouldLoad = validate.wouldLoad, wouldLoad != (validate.status == 0), validate.exact {
            problems.append("(b) \(label): validate exit \(validate.status) but prediction.wouldLoad \(wouldLoad)")
        }
        return problems
    }

    /// Counts, rejections by reason and parents of two successful outcomes.
    static func differences(_ tag: String, _ leftName: String, _ left: DiffOutcome, _ rightName: String, _ right: DiffOutcome,
                            parentsInsertedOnly: Bool) -> [String] {
        var problems: [String] = []
        // Every row counted once: a load's staged rows are inserted, rejected or skipped.
        for (name, outcome) in [(leftName, left), (rightName, right)] {
            if let staged = outcome.counts["staged"], let inserted = outcome.counts["inserted"], let rejected = outcome.counts["rejected"],
               let skipped = outcome.counts["skipped"], staged != inserted + rejected + skipped {
                problems.append("\(tag) \(name): \(staged) staged but \(inserted) inserted + \(rejected) rejected + \(skipped) skipped")
            }
        }
        for name in ["staged", "deleted", "inserted", "rejected", "skipped"] where left.counts[name] != nil && right.counts[name] != nil {
            if left.counts[name] != right.counts[name] {
                problems.append("\(tag) \(name): \(leftName) \(left.counts[name]!), \(rightName) \(right.counts[name]!)")
            }
        }
        for reason in Set(left.rejections.keys).union(right.rejections.keys).sorted()
        where left.rejections[reason] != right.rejections[reason] {
            problems.append("\(tag) rejection '\(reason)': \(leftName) \(left.rejections[reason].map(\.description) ?? "none"), "
                + "\(rightName) \(right.rejections[reason].map(\.description) ?? "none")")
        }
        if left.nearDuplicates != right.nearDuplicates {
            problems.append("\(tag) near-duplicates: \(leftName) \(left.nearDuplicates.sorted()), \(rightName) \(right.nearDuplicates.sorted())")
        }
        func comparable(_ parents: [String: DiffOutcome.Parent]) -> [String: DiffOutcome.Parent] {
            guard parentsInsertedOnly else { return parents }
            // validate predicts inserted parents; a load lists every parent, most with nothing inserted.
            return parents.filter { $0.value.inserted > 0 }.mapValues {
                DiffOutcome.Parent(inserted: $0.inserted, keys: $0.keys)
            }
        }
        let leftParents = comparable(left.parents), rightParents = comparable(right.parents)
        for table in Set(leftParents.keys).union(rightParents.keys).sorted() where leftParents[table] != rightParents[table] {
            problems.append("\(tag) parent \(table): \(leftName) \(leftParents[table].map(\.description) ?? "none"), "
                + "\(rightName) \(rightParents[table].map(\.description) ?? "none")")
        }
        return problems
    }
}
