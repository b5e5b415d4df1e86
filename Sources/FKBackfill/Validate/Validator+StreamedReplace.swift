import PostgresClient

/// `--replace-by` on a CSV streamed read-only (StreamedStatements+Replace.swift): what the
/// batches return, merged, and resolved once every batch is in.
extension Validator {
    /// Candidates held at most: rows whose key a target row holds that their own batch
    /// does not replace (a reload of one month has none; each is a line and a few values).
    static let replaceCandidates = 50_000
    /// Distinct replace-by values held at most (a month per file has a handful; replacing by
    /// a unique id, an upsert, has one per row: past this, notExact).
    static let replaceBudget = 4 << 20

    struct ReplaceTally {
        /// The unique keys whose clashes the batches return as candidates, by index.
        var keys: [TargetConstraints.UniqueKey]
        var columns: Int
        /// Every batch's distinct values, once each by their text (tagged, NULL empty):
        /// equal values written differently (citext's `A` and `a`) are held twice, which
        /// replaces nothing more.
        /// Held once, here: the values are read back from it after the last batch.
        var seen = CompactKeySet()
        /// Each with its target row, as `oid:ctid` (a cascade of the DELETE may remove it:
        /// `StreamedStatements.resolveReplaced`).
        var candidates: [(key: Int, line: Int, values: [String?], row: String)] = []
        /// Each candidate's key as text, by (key index, line).
        var keyTexts: [Int: [Int: String]] = [:]
        /// Values or candidates were let go past the budget (shared with the other keys
        /// held: `Validator+Streamed`): not exact.
        var full = false
        /// A value did not read back as written under the session's settings (a float under
        /// `extra_float_digits = 0`, a timestamptz under DateStyle SQL): its text may stand
        /// for another value.
        var inexact: [String] = []
        /// Memory the values and candidates take.
        var held: Int { seen.bytes + 16 * seen.count + 96 * candidates.count }

        /// One batch's `rb_k…` values and `c<key>_…` candidates, within `budget` bytes.
        mutating func add(_ row: Row, names: [String], budget: Int) throws {
            let arrays = (0..<columns).map { row.array("rb_k\($0)") }
            for index in (arrays.first ?? []).indices {
                let text = CompactKeySet.tuple(arrays.map { $0[index] })
                guard !seen.contains(text) else { continue }
                guard held < min(budget, Validator.replaceBudget) else { full = true; continue }
                _ = try seen.insert(text)
            }
            for (index, name) in names.enumerated() where row["rb_x\(index)"] == "f" && !inexact.contains(name) { inexact.append(name) }
            for key in keys.indices {
                if row["c\(key)_x"] == "f", !inexact.contains(keys[key].name) { inexact.append(keys[key].name) }
                let lines = row.array("c\(key)_l").map { $0.flatMap { Int($0) } ?? 0 }
                let values = (0..<columns).map { row.array("c\(key)_r\($0)") }
                let texts = row.array("c\(key)_k")
                let rows = row.array("c\(key)_t")
                for index in lines.indices {
                    guard candidates.count < Validator.replaceCandidates, held < budget else { full = true; break }
                    candidates.append((key, lines[index], values.map { $0.indices.contains(index) ? $0[index] : nil },
                                       rows.indices.contains(index) ? rows[index] ?? "" : ""))
                    keyTexts[key, default: [:]][lines[index]] = texts.indices.contains(index) ? texts[index] ?? "" : ""
                }
            }
        }

        /// The values held, as tuples.
        var values: [[String?]] {
            var result: [[String?]] = []
            seen.forEach { result.append(CompactKeySet.values(ofTuple: $0)) }
            return result
        }

        var notExact: [String] {
            var reasons: [String] = []
            if full {
                reasons.append("--replace-by: more distinct values, or rows whose key a row it may delete holds, than held "
                    + "(\(Validator.repeatBudget >> 20) MiB, \(Validator.replaceCandidates) rows): a key such a row holds may be counted free or taken wrongly")
            }
            if !inexact.isEmpty {
                reasons.append("--replace-by: values of \(inexact.joined(separator: ", ")) do not read back as written under this session's settings "
                    + "(extra_float_digits, DateStyle, TimeZone): which rows it deletes is not resolved exactly")
            }
            return reasons
        }
    }

    /// After the last batch: the rows the load would delete, and the candidates that
    /// clash after all as the report's column problems.
    /// Returns, per unique key, the rows the repeats counted that clash instead: every row
    /// of a clashing key but its first (the load sets all of them aside for the clash).
    /// `afterCascade`: the clash is PostgreSQL's unique index's, after the DELETE and what
    /// its ON DELETE CASCADE removed (without --max-rejects the load marks no clash first).
    @discardableResult
    func resolveReplaced(
        _ tally: ReplaceTally, _ sql: StreamedStatements, samples: Int, afterCascade: Bool = false, _ report: inout ValidationReport
    ) throws -> [Int] {
        report.notExact += tally.notExact
        let held = tally.values
        guard !held.isEmpty else { return tally.keys.map { _ in 0 } }
        let row = try session.execute(sql.resolveReplaced(held: held, candidates: tally.candidates, afterCascade: afterCascade)).rows[0]
        report.deleted = row.int("deleted") ?? 0
        let keys = row.array("i").map { $0.flatMap { Int($0) } ?? -1 }
        let lines = row.array("l").map { $0.flatMap { Int($0) } ?? 0 }
        var repeatsThatClash: [Int] = []
        for (index, key) in tally.keys.enumerated() {
            // A row counts once, whichever target rows its key matched.
            let clashing = Set(zip(keys, lines).filter { $0.0 == index }.map(\.1)).sorted()
            let byKey = Dictionary(grouping: clashing) { tally.keyTexts[index]?[$0] ?? "" }
            repeatsThatClash.append(byKey.values.reduce(0) { $0 + $1.count - 1 })
            guard !clashing.isEmpty else { continue }
            report.columns.append(.init(
                column: key.columns.joined(separator: ", "), problem: .keyExists, detail: sql.clashReason(key),
                rows: clashing.count, sampleLines: Array(clashing.prefix(samples))))
        }
        return repeatsThatClash
    }
}
