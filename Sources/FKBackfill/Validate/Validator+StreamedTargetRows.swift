import Foundation
import PostgresClient

/// The target's own refusals in a streamed validation (`StreamedStatements+TargetRows`):
/// the staged path sets such rows aside as rejections, which without `--max-rejects`
/// stop the load; read-only they are findings of the report's `columns`, so the verdict
/// is the same.
extension Validator {
    /// Keys of this many bytes, at most, are kept to find a key repeated in a later
    /// batch (`CompactKeySet`: a million 20-byte keys take about 29 MB).
    static let repeatBudget = 16 << 20

    /// One unique key's repeats in the input, merged across batches.
    struct UniqueTally {
        var key: TargetConstraints.UniqueKey
        /// Its values' text is one per value (`oneTextPerValue`, deterministic collations):
        /// batches are merged by it. Otherwise each batch finds its own repeats only.
        var byText: Bool
        var seen = CompactKeySet()
        /// The budget ran out: later keys are not kept, so a repeat of one of them in a
        /// later batch is not found.
        var full = false
        var batches = 0
        var rows = 0
        var lines: [Int] = []

        /// One batch's keys by first line: every row of a key seen in an earlier batch
        /// repeats it, and every row but a key's first in this one.
        mutating func add(_ groups: KeyArrays, samples: Int) throws {
            batches += 1
            var found: [Int] = []
            for (values, (count, groupLines)) in zip(groups.merge, zip(groups.rows, groups.lines)) {
                var earlier = false
                if byText {
                    let text = values.map { $0 ?? "\u{1}" }.joined(separator: "\u{0}")
                    if seen.contains(text) {
                        earlier = true
                    } else if !full {
                        _ = try seen.insert(text)
                        // With the table's 8 bytes a key, at most half full.
                        full = seen.bytes + 8 * seen.count > Validator.repeatBudget
                    }
                }
                rows += earlier ? count : count - 1
                found += earlier ? groupLines : Array(groupLines.dropFirst())
            }
            lines = Array((lines + found).sorted().prefix(samples))
        }

        /// Why repeats across the file may have gone unseen; nil when none can have.
        var notExact: String? {
            guard batches > 1, !byText || full else { return nil }
            let which = "\(key.name) (\(key.columns.joined(separator: ", ")))"
            return byText
                ? "unique key \(which): a key repeated in the file after its first \(Validator.repeatBudget >> 20) MiB of keys is not found"
                : "unique key \(which): repeats are found within each batch of \(Validator.streamBatch) rows, not across them (its type's equal values may differ in text)"
        }
    }

    /// A tally per unique key the batches check for repeats: the keys of default operator
    /// classes, as the staged path (`LoadRun.markUniqueRejects`) checks.
    func uniqueTallies(_ sql: StreamedStatements, _ constraints: TargetConstraints) -> [UniqueTally] {
        let keys = StreamedStatements.checkedUniqueKeys(constraints, given: Set(sql.columns.map(\.name))).filter(\.defaultOperatorClasses)
        guard !keys.isEmpty else { return [] }
        return keys.map { key in
            let byText = key.deterministic && key.columns.allSatisfy { name in
                guard let type = sql.columns.first(where: { $0.name == name })?.type else { return false }
                return Self.oneText(type)
            }
            return UniqueTally(key: key, byText: byText)
        }
    }

    /// The repeats found, as the report's column problems.
    func duplicateProblems(_ tallies: [UniqueTally]) -> [ValidationReport.ColumnProblem] {
        tallies.filter { $0.rows > 0 }.map { tally in
            ValidationReport.ColumnProblem(
                column: tally.key.columns.joined(separator: ", "), problem: .duplicateKey,
                detail: "duplicate key (\(tally.key.columns.joined(separator: ", "))) of an earlier input row (\(tally.key.name))",
                rows: tally.rows, sampleLines: tally.lines)
        }
    }
}
