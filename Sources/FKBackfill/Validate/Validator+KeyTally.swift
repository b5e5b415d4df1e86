import PostgresClient

/// One FK's missing keys found by a streamed validation's batches, merged exactly
/// (Validator+Streamed.swift): a key missing in two batches counts once, with its first lines.
extension Validator {
    /// What the batches found of one FK, merged.
    struct KeyTally {
        var violating = 0
        var partlyNull = 0
        var blank = 0
        /// Every missing key found, as one text: its columns joined by NUL, which no
        /// text value holds (a missing key has no NULL column). Only this is kept per key.
        var seen = CompactKeySet()
        /// The first keys found, as many as the samples, with their first lines: the
        /// batches come in file order, and each lists its new keys by first line, so these
        /// are the keys with the first lines, as the staged path picks its samples.
        var samples: [(key: [String?], lines: [Int])] = []
        var sampleIndex: [String: Int] = [:]
        /// The key's type may hold equal values with different text (numeric `10.0` and
        /// `10`): every key is kept in the order found and sent to the next batch, which
        /// says which of its own equals one of them (`StreamedStatements.missingKeys`).
        var byEquality = false
        var order: [[String?]] = []
        /// Per NOT NULL column of new parent rows derived from an input column
        /// (`nullableDerivations`), the missing keys some row gives a value there.
        var valued: [CompactKeySet] = []
        /// An FK of the target to itself: its missing keys wait here, by text, until the
        /// last batch says which the input itself gives (Validator+StreamedSelf.swift).
        var pending: [String: PendingKey]?
        var pendingOverflow = false
        var pendingBytes = 0
        /// Self keys past the budget, counted missing without being held.
        var unheldMissing = 0
        var unheldBlank = 0
        /// What the waiting keys may take: the shared budget left (`Validator+Streamed`).
        var pendingBudget = Validator.repeatBudget

        /// Merges one missing key a batch found: `known` is the index in `order` of an
        /// equal key found before.
        /// `stored`: a target row holds it (read-only `--replace-by`, `PendingKey.stored`).
        /// `merge` is the key's text to merge by (a numeric's without trailing zeros,
        /// `StreamedStatements.canonical`), `key` as written, for the samples.
        mutating func add(
            _ key: [String?], merge: [String?], rows: Int, lines found: [Int], blank isBlank: Bool, known: Int?, samples limit: Int,
            valued flags: [Bool] = [], stored: Bool = false
        ) throws {
            if pending != nil {
                return try addPending(key, merge: merge, rows: rows, lines: found, blank: isBlank, samples: limit, budget: pendingBudget, stored: stored)
            }
            violating += rows
            let merged = known.flatMap { order.indices.contains($0) ? order[$0] : nil } ?? merge
            let text = merged.map { $0 ?? "" }.joined(separator: "\u{0}")
            for (index, flag) in flags.enumerated() where flag && valued.indices.contains(index) { _ = try valued[index].insert(text) }
            if try seen.insert(text) {
                if isBlank { blank += 1 }
                if byEquality { order.append(merged) }
                if samples.count < limit {
                    sampleIndex[text] = samples.count
                    samples.append((key, Array(found.prefix(limit))))
                }
            } else if let at = sampleIndex[text] {
                samples[at].lines = Array((samples[at].lines + found).prefix(limit))
            }
        }

        /// Memory the kept keys take (as `UniqueTally.held`).
        var held: Int { ([seen] + valued).reduce(0) { $0 + $1.bytes + 16 * $1.count } + pendingBytes }

        func findings() -> Findings {
            var found = Findings(violating: violating, missing: seen.count + unheldMissing, blank: blank + unheldBlank, partlyNull: partlyNull)
            found.nullDerived = valued.map { seen.count - $0.count }
            found.samples = samples.map { ValidationReport.Sample(key: $0.key, lines: $0.lines) }
            return found
        }
    }
}
