import Foundation
import PostgresClient

/// The target's own refusals in a streamed validation (`StreamedStatements+TargetRows`):
/// the staged path sets such rows aside as rejections, which without `--max-rejects`
/// stop the load; read-only they are findings of the report's `columns`, so the verdict
/// is the same.
extension Validator {
    /// Unique keys' texts are kept to find a key repeated in a later batch while every key
    /// the client holds (these, and the FKs' missing keys, which are kept whatever their
    /// number) takes less than this (`CompactKeySet`: a million 14-byte keys take about 30
    /// MB, counting their table twice while it grows). A million new keys with an FK and
    /// two unique keys peaked at 88 MiB with 16 MiB per key (hostile review 5).
    static let repeatBudget = 16 << 20

    /// One unique key's repeats in the input, merged across batches.
    struct UniqueTally {
        var key: TargetConstraints.UniqueKey
        /// Its values' text is one per value (`oneTextPerValue`, deterministic collations):
        /// batches are merged by it. Otherwise each batch finds its own repeats only.
        var byText: Bool
        /// It only follows which keys the input gives, for a self-reference
        /// (Validator+StreamedSelfTriggers.swift): its repeats are no finding, and count no
        /// row (with `--max-rejects` it follows the rows kept, beside the key's own tally).
        var tracksOnly = false
        var seen = CompactKeySet()
        /// The budget ran out: later keys are not kept, so a repeat of one of them in a
        /// later batch is not found.
        var full = false
        /// Records per batch, for the note on repeats across batches.
        var batchRows = Validator.streamBatch
        /// Memory the kept keys take: their bytes, and the table's 4-byte slots, at most half
        /// full and twice that while it grows.
        var held: Int { seen.bytes + 16 * seen.count }
        var batches = 0
        /// Rows whose key is over `StreamedStatements.wideKey` bytes.
        var wide = 0
        var rows = 0
        /// Of `rows`, those repeating a key an earlier batch had.
        var acrossBatches = 0
        var lines: [Int] = []

        /// One batch's keys by first line: every row of a key seen in an earlier batch
        /// repeats it, and every row but a key's first in this one.
        mutating func add(_ groups: KeyArrays, samples: Int) throws {
            batches += 1
            var found: [Int] = []
            for (values, (count, groupLines)) in zip(groups.merge, zip(groups.rows, groups.lines)) {
                var earlier = false
                if byText {
                    let text = CompactKeySet.tuple(values)
                    if seen.contains(text) {
                        earlier = true
                    } else if !full {
                        _ = try seen.insert(text)
                        full = held > Validator.repeatBudget
                    }
                }
                // A tracker's repeats are no rows set aside: the key's own tally counts those.
                guard !tracksOnly else { continue }
                rows += earlier ? count : count - 1
                if earlier { acrossBatches += count }
                found += earlier ? groupLines : Array(groupLines.dropFirst())
            }
            lines = Array((lines + found).sorted().prefix(samples))
        }

        /// Rows whose key its index may refuse for its size, only the insert can tell.
        var wideNote: String? {
            guard wide > 0, !tracksOnly else { return nil }
            return "unique key \(key.name) (\(key.columns.joined(separator: ", "))): \(wide) \(wide == 1 ? "row has a key" : "rows have keys") over "
                + "\(StreamedStatements.wideKey) bytes, which its index may refuse (2,704 bytes after compression): not checked"
        }

        /// Why repeats across the file may have gone unseen; nil when none can have.
        var notExact: String? {
            guard batches > 1, !byText || full, !tracksOnly else { return nil }
            let which = "\(key.name) (\(key.columns.joined(separator: ", ")))"
            return byText
                ? "unique key \(which): repeats across batches are found only while the keys held (with the missing keys) stay under \(Validator.repeatBudget >> 20) MiB"
                : "unique key \(which): repeats are found within each batch (\(batchRows) rows or \(Validator.streamBatchBytes >> 20) MiB), not across them (its type's equal values may differ in text)"
        }
    }

    /// A tally per unique key the batches check for repeats: the keys of default operator
    /// classes, as the staged path (`LoadRun.markUniqueRejects`) checks.
    func uniqueTallies(_ sql: StreamedStatements, _ constraints: TargetConstraints, batchRows: Int) -> [UniqueTally] {
        let keys = StreamedStatements.checkedUniqueKeys(constraints, given: Set(sql.columns.map(\.name)), rejects: sql.rejects).filter(\.defaultOperatorClasses)
        guard !keys.isEmpty else { return [] }
        return keys.map { key in
            let byText = key.deterministic && key.columns.allSatisfy { name in
                guard let type = sql.columns.first(where: { $0.name == name })?.type else { return false }
                return Self.oneText(type)
            }
            return UniqueTally(key: key, byText: byText, batchRows: batchRows)
        }
    }

    /// The repeats found, as the report's column problems.
    func duplicateProblems(_ tallies: [UniqueTally]) -> [ValidationReport.ColumnProblem] {
        tallies.filter { $0.rows > 0 && !$0.tracksOnly }.map { tally in
            ValidationReport.ColumnProblem(
                column: tally.key.columns.joined(separator: ", "), problem: .duplicateKey,
                detail: tally.key.duplicateReason,
                rows: tally.rows, sampleLines: tally.lines)
        }
    }
}
