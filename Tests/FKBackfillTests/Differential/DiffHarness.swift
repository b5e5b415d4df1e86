import Foundation
import TestSupport

/// Runs one case against the built binary and lists every way the two sides disagree:
/// (a) `load --dry-run` with `--fk-check set-based` against `per-row`;
/// (b) `validate`'s prediction against `load --dry-run` with the same options.
struct DiffHarness {
    /// `make test` passes the built binary's path; a plain `swift test` finds it in .build.
    static var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }
    /// Larger than any case's rows and keys: every rejection and new key is listed.
    static let all = "1000000"

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

    func load(_ extra: [String], maxRejects: Int? = nil) throws -> DiffOutcome {
        let arguments = ["load", table, "--csv", csvPath, "--dry-run", "--samples", Self.all, "--format", "json"]
            + testCase.options(maxRejects: maxRejects, rulesPath: rulesPath) + extra
        let result = try run(Self.binary, arguments)
        return DiffOutcome(load: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    func validate(maxRejects: Int? = nil) throws -> DiffOutcome {
        let arguments = ["validate", table, "--csv", csvPath, "--samples", Self.all, "--format", "json"]
            + testCase.options(maxRejects: maxRejects, rulesPath: rulesPath)
        let result = try run(Self.binary, arguments)
        return DiffOutcome(validate: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// What (a) found; `applicable` is false when set-based refused the case (exit 2 with
    /// its precondition: self-reference, partition-only FK, trigger), which is its contract.
    func compareFKChecks() throws -> (problems: [String], perRow: DiffOutcome, applicable: Bool) {
        guard DiffConfig.checks.contains("a"), testCase.setBasedApplies else { return ([], try load(["--fk-check", "per-row"]), false) }
        let setBased = try load(["--fk-check", "set-based"])
        let perRow = try load(["--fk-check", "per-row"])
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
    func comparePrediction(loadWithCaseOptions load: DiffOutcome) throws -> (problems: [String], summary: String) {
        let verdict = try validate()
        var problems = Self.verdicts("case options", verdict, load)
            + Self.schemaProblems(verdict, "validate") + Self.schemaProblems(load, "load-report")
        var predicted = verdict, loaded = load
        // A load that ran shows every rejection and new key already (--samples is all);
        // one that failed is run again with every row allowed to be rejected, so its
        // rejections can still be compared.
        if load.status != 0, verdict.status <= 1 {
            let all = Int(Self.all)!
            predicted = try validate(maxRejects: all)
            loaded = try self.load([], maxRejects: all)
            problems += Self.verdicts("--max-rejects \(all)", predicted, loaded)
        }
        var summary = "validate \(verdict.status) load \(load.status)"
        guard predicted.decoded, predicted.status <= 1 else { return (problems, summary) }
        if !predicted.exact {
            // Not exact (a trigger on the target): only the reason is checked, not the numbers.
            if predicted.notExact.isEmpty { problems.append("(b) prediction.exact is false but notExact is empty") }
            return (problems, summary + " not exact")
        }
        if loaded.status == 0, predicted.wouldLoad == true {
            problems += Self.differences("(b)", "validate", predicted, "load", loaded, parentsInsertedOnly: true)
            summary += " compared: \(loaded.counts["inserted"] ?? -1) inserted, \(loaded.rejections.count) reasons, "
                + "\(loaded.parents.values.filter { $0.inserted > 0 }.count) parents, \(loaded.nearDuplicates.count) near-duplicates"
        }
        return (problems, summary)
    }

    /// (c) Keys inserted into a parent referenced only from one partition that no input
    /// row routed to that partition carries.
    func partitionProblems(_ load: DiffOutcome) -> [String] {
        var problems: [String] = []
        for (template, allowed) in testCase.partitionKeys.sorted(by: { $0.key < $1.key }) {
            let table = testCase.text(template, schema: db.schema)
            let stray = (load.parents[table]?.keys ?? []).subtracting(allowed)
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
        for name in ["staged", "deleted", "inserted", "rejected"] where left.counts[name] != nil && right.counts[name] != nil {
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
