import Foundation
import Testing
import TestSupport

/// The differential test of #14: for generated schemas, inputs, rules and options,
/// (a) the set-based FK check and PostgreSQL's per-row check load the same, and
/// (b) `validate` predicts exactly what `load --dry-run` then does: verdict, rejected
/// lines with their reasons, new parent keys, and (d) `validate` run read-only by a CI
/// role agrees with that load as far as its `notExact` allows (#29).
///
/// `make test` runs about `DiffConfig.committedCount` cases of a fixed seed over the
/// features that agree, chosen so that every feature is used several times
/// (`DiffConfig.committedIndices`); `make fuzz SEED=… N=… FEATURES=…` runs cases 0..<N
/// of others (through the FKB_DIFF_* variables below). A failing case is recorded with its seed, index and a reproduction
/// (SQL, CSV, rules, command lines), also written to .tmp/diff-failures/.
enum DiffConfig {
    static let committedSeed: UInt64 = 20_261_206
    /// The committed run: at least this many cases, from the first `committedPool` of the
    /// seed, each feature in at least `committedPerFeature` of them where the pool has that many.
    static let committedCount = 100
    static let committedPool = 600
    static let committedPerFeature = 6
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var seed: UInt64 { environment["FKB_DIFF_SEED"].flatMap { UInt64($0) } ?? committedSeed }

    /// FKB_DIFF_CASE runs one case; FKB_DIFF_N a number of them from 0; otherwise the
    /// committed choice.
    static var indices: [Int] {
        if let one = environment["FKB_DIFF_CASE"].flatMap({ Int($0) }) { return [one] }
        if let count = environment["FKB_DIFF_N"].flatMap({ Int($0) }) { return Array(0..<count) }
        return (try? features).map { committedIndices(seed: seed, features: $0) } ?? Array(0..<committedCount)
    }

    /// The cases `make test` runs: going through the first `committedPool` cases in order,
    /// each case that uses a feature fewer than `committedPerFeature` chosen cases use yet,
    /// then the first others until there are `committedCount`. 200 cases in a row used
    /// the rarest features once or twice (a partition's generated column, the key column
    /// too narrow for a derived key) and took a fifth of the integration tests' time; this
    /// uses every feature the pool has at least six times (or as often as the pool has it)
    /// in about half as many cases. Generating a case needs no database.
    static func committedIndices(seed: UInt64, features: DiffFeatures) -> [Int] {
        var uses: [String: Int] = [:]
        var chosen: [Int] = []
        var others: [Int] = []
        for index in 0..<committedPool {
            let used = DiffGenerator.generate(seed: seed, index: index, features: features).used
            if used.contains(where: { uses[$0, default: 0] < committedPerFeature }) {
                chosen.append(index)
                for name in used { uses[name, default: 0] += 1 }
            } else {
                others.append(index)
            }
        }
        return (chosen + others.prefix(max(0, committedCount - chosen.count))).sorted()
    }

    static var features: DiffFeatures {
        get throws { try environment["FKB_DIFF_FEATURES"].map { try DiffFeatures.parse($0) } ?? .agreeing }
    }

    /// FKB_DIFF_CHECKS: any of `a`, `b` and `d` (default `abd`; (d) needs (b)'s staged validate).
    static var checks: String { environment["FKB_DIFF_CHECKS"] ?? "abd" }
}

/// One line per case in .tmp/diff-stats/seed-S.txt: what was compared, so a run that
/// compares nothing (every load failing, say) shows.
enum DiffStats {
    static let lock = NSLock()

    static func append(seed: UInt64, _ line: String) {
        let folder = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/diff-stats")
        lock.withLock {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("seed-\(seed).txt").path
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data((line + "\n").utf8))
                try? handle.close()
            }
        }
    }
}

/// The time limit, per case: a case that hangs fails instead of stalling the run
/// (generous, so a machine whose cores are shared stays green).
@Suite(.timeLimit(.minutes(30))) struct DifferentialTests {
    @Test(arguments: DiffConfig.indices)
    func validateAndBothFKChecksAgreeWithLoad(index: Int) throws {
        let testCase = DiffGenerator.generate(seed: DiffConfig.seed, index: index, features: try DiffConfig.features)
        let db = try TestDatabase()
        let harness: DiffHarness
        do {
            harness = try DiffHarness(testCase, db: db)
        } catch {
            return report(testCase, db: db, ["the generated schema does not load: \(error)"])
        }
        let (fkProblems, perRow, applicable) = try harness.compareFKChecks()
        var problems = fkProblems
        var summary = "case \(index): (a) \(applicable ? "set-based vs per-row \(perRow.status)" : "n/a")"
        if perRow.status == 0 {
            problems += harness.partitionProblems(perRow)
        }
        if DiffConfig.checks.contains("b") {
            let prediction = try harness.comparePrediction(loadWithCaseOptions: perRow)
            problems += prediction.problems
            summary += ", (b) " + prediction.summary
            if DiffConfig.checks.contains("d") {
                let (role, cleanup) = try harness.readOnlyRole()
                defer { cleanup() }
                let readOnly = try harness.compareReadOnly(role: role, load: perRow, staged: prediction.verdict)
                problems += readOnly.problems
                summary += ", " + readOnly.summary
            }
        }
        DiffStats.append(seed: testCase.seed, summary + (problems.isEmpty ? "" : " DISAGREE") + " [\(testCase.used.joined(separator: ","))]")
        if !problems.isEmpty { report(testCase, db: db, problems) }
    }

    func report(_ testCase: DiffCase, db: TestDatabase, _ problems: [String]) {
        let text = problems.map { "- " + $0.replacingOccurrences(of: db.schema, with: "fkdiff") }.joined(separator: "\n")
            + "\n" + testCase.reproduction
        let folder = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/diff-failures")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? text.write(to: folder.appendingPathComponent("seed-\(testCase.seed)-case-\(testCase.index).txt"), atomically: true, encoding: .utf8)
        Issue.record(Comment(rawValue: "differential case seed \(testCase.seed) case \(testCase.index) disagrees:\n" + text))
    }

    /// The generator itself, without a database: the same seed gives the same case, and
    /// the committed run exercises every feature it is allowed (so a generator change
    /// that stops producing one fails here, not silently).
    @Test func theGeneratorIsDeterministicAndCoversItsFeatures() throws {
        let features = try DiffConfig.features
        let first = DiffGenerator.generate(seed: DiffConfig.seed, index: 7, features: features)
        let again = DiffGenerator.generate(seed: DiffConfig.seed, index: 7, features: features)
        #expect(first.reproduction == again.reproduction)
        let cases = DiffConfig.indices.map { DiffGenerator.generate(seed: DiffConfig.seed, index: $0, features: features) }
        let used = Set(cases.flatMap(\.used))
        if DiffConfig.environment["FKB_DIFF_FEATURES"] == nil, DiffConfig.environment["FKB_DIFF_N"] == nil,
           DiffConfig.environment["FKB_DIFF_CASE"] == nil {
            for name in Self.usedNames(features) {
                #expect(used.contains(name), "no case uses \(name)")
            }
            // Each feature as often as the choice promises, where the pool has it that often.
            let pool = (0..<DiffConfig.committedPool).map { DiffGenerator.generate(seed: DiffConfig.seed, index: $0, features: features) }
            for name in used {
                let chosen = cases.filter { $0.used.contains(name) }.count, inPool = pool.filter { $0.used.contains(name) }.count
                #expect(chosen >= min(DiffConfig.committedPerFeature, inPool), "\(name): \(chosen) of \(inPool) cases")
            }
            #expect(cases.count >= DiffConfig.committedCount)
            print("differential: \(cases.count) cases;", used.sorted().map { name in "\(name) \(cases.filter { $0.used.contains(name) }.count)" }.joined(separator: ", "))
        }
    }

    /// The `used` names each feature produces.
    static func usedNames(_ features: DiffFeatures) -> [String] {
        let names: [(DiffFeatures, String)] = [
            (.composite, "composite"), (.crossType, "cross-type"), (.matchFull, "match-full"), (.defaults, "defaults"),
            (.checks, "checks"), (.unique, "unique"), (.selfReference, "self-reference"), (.cycle, "cycle"),
            (.partitions, "partitions"), (.rules, "rules"), (.blanks, "blanks"), (.nearDuplicates, "near-duplicates"),
            (.badValues, "bad-values"), (.duplicates, "duplicates"), (.existingRows, "existing-rows"),
            (.replaceBy, "replace-by"), (.maxRejects, "max-rejects"), (.trigger, "trigger"), (.parentChain, "parent-chain"),
            (.modeOverride, "mode-override"), (.targetSelfReference, "target-self-reference"), (.narrowKeys, "narrow-keys"),
            (.nullRules, "null-rules"),
            (.inheritParent, "inherit-parent"), (.inheritTarget, "inherit-target"), (.partitionGenerated, "partition-generated"),
            (.fkDefaults, "fk-defaults"), (.domains, "domains"), (.typmod, "typmod"), (.targetTriggers, "target-triggers"),
            (.parentTriggers, "parent-triggers"), (.parentRules, "parent-rules"), (.exclusion, "exclusion"),
            (.secondaryUnique, "secondary-unique"), (.rls, "rls"), (.serialKeys, "serial-keys"),
            (.typmodLossy, "typmod-lossy"), (.targetTriggerKeys, "target-trigger-keys"),
            (.parentTriggerKeys, "parent-trigger-keys"), (.parentRuleDrops, "parent-rule-drops"),
            (.extraColumns, "extra-columns"), (.targetCycle, "target-cycle"),
        ]
        return names.filter { features.contains($0.0) }.map(\.1)
    }
}
