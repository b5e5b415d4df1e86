import PostgresClient

/// `--replace-by` on a CSV streamed read-only (StreamedStatements+Replace.swift): what the
/// batches return, merged, and resolved once every batch is in.
extension Validator {
    /// Candidates held at most: rows whose key a target row holds that their own batch
    /// does not replace (a reload of one month has none; each is a line and a few values).
    static let replaceCandidates = 50_000

    struct ReplaceTally {
        /// The unique keys whose clashes the batches return as candidates, by index.
        var keys: [TargetConstraints.UniqueKey]
        var columns: Int
        /// Every batch's distinct values, once each by their text (tagged, NULL empty):
        /// equal values written differently (citext's `A` and `a`) are held twice, which
        /// replaces nothing more.
        var seen = CompactKeySet()
        var held: [[String?]] = []
        var heldBytes = 0
        var candidates: [(key: Int, line: Int, values: [String?])] = []
        /// Values or candidates were let go past the budget: not exact.
        var full = false

        /// One batch's `rb_k…` values and `c<key>_…` candidates.
        mutating func add(_ row: Row) throws {
            let arrays = (0..<columns).map { row.array("rb_k\($0)") }
            for index in (arrays.first ?? []).indices {
                let values = arrays.map { $0[index] }
                let text = values.map { $0.map { "\u{1}" + $0 } ?? "" }.joined(separator: "\u{0}")
                guard !seen.contains(text) else { continue }
                guard heldBytes < Validator.repeatBudget else { full = true; continue }
                _ = try seen.insert(text)
                held.append(values)
                heldBytes += text.utf8.count + 32 * columns + 48
            }
            for key in keys.indices {
                let lines = row.array("c\(key)_l").map { $0.flatMap { Int($0) } ?? 0 }
                let values = (0..<columns).map { row.array("c\(key)_r\($0)") }
                for index in lines.indices {
                    guard candidates.count < Validator.replaceCandidates else { full = true; break }
                    candidates.append((key, lines[index], values.map { $0.indices.contains(index) ? $0[index] : nil }))
                }
            }
        }

        var notExact: String? {
            guard full else { return nil }
            return "--replace-by: more distinct values, or rows whose key a row it may delete holds, than held "
                + "(\(Validator.repeatBudget >> 20) MiB, \(Validator.replaceCandidates) rows): the rows it deletes and the keys they free are not all counted"
        }
    }

    /// After the last batch: the rows the load would delete, and the candidates that
    /// clash after all as the report's column problems.
    func resolveReplaced(_ tally: ReplaceTally, _ sql: StreamedStatements, samples: Int, _ report: inout ValidationReport) throws {
        guard !tally.held.isEmpty else { return }
        let row = try session.execute(sql.resolveReplaced(held: tally.held, candidates: tally.candidates)).rows[0]
        report.deleted = row.int("deleted") ?? 0
        let keys = row.array("i").map { $0.flatMap { Int($0) } ?? -1 }
        let lines = row.array("l").map { $0.flatMap { Int($0) } ?? 0 }
        for (index, key) in tally.keys.enumerated() {
            // A row counts once, whichever target rows its key matched.
            let clashing = Set(zip(keys, lines).filter { $0.0 == index }.map(\.1)).sorted()
            guard !clashing.isEmpty else { continue }
            report.columns.append(.init(
                column: key.columns.joined(separator: ", "), problem: .keyExists, detail: sql.clashReason(key),
                rows: clashing.count, sampleLines: Array(clashing.prefix(samples))))
        }
        if let note = tally.notExact { report.notExact.append(note) }
    }
}
