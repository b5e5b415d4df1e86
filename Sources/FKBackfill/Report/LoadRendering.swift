import Foundation

/// How a load report is shown: text for people, JSON for pipelines.
extension LoadReport {
    /// The report as `json` (docs/json-output.md) or, for any other format, text.
    public func render(_ format: OutputFormat) -> String {
        format == .json ? encodeJSON(json) : text
    }

    // MARK: JSON (documented in docs/json-output.md)

    struct JSONDocument: Encodable {
        struct Parent: Encodable {
            var table: TableName
            var candidates: Int
            var present: Int
            var inserted: Int
            var updated: Int
            var sampleKeys: [[String?]]
        }
        struct Target: Encodable {
            var table: TableName
            var staged: Int
            var deleted: Int
            var inserted: Int
            var rejected: Int
            var skipped: Int
            var skippedBy: [String]
        }
        struct AdvancedSequence: Encodable {
            var sequence: String
            var value: Int
        }
        struct UnstoredParent: Encodable {
            var table: TableName
            var keys: Int
        }
        struct Rejection: Encodable {
            var reason: String
            var rows: Int
            var sampleRows: [Int]
            var sampleLines: [Int]
        }
        struct Step: Encodable {
            var name: String
            var seconds: Double
        }
        /// An input column the target lacks: `usedBy` what reads it, or `ignored`.
        struct ExtraColumn: Encodable {
            var column: String
            var usedBy: [String]
            var ignored: Bool

            init(_ extra: ExtraInputColumn) { (column, usedBy, ignored) = (extra.column, extra.usedBy, extra.ignored) }
        }
        struct NearDuplicate: Encodable {
            var table: TableName
            var key: String
            var looksLike: String
            var existing: Bool

            init(_ near: LoadReport.NearDuplicate) {
                (table, key, looksLike, existing) = (near.table, near.key, near.looksLike, near.existing)
            }
        }
        var schemaVersion = SchemaVersion.loadReport
        var input: String
        var mode: String
        var dryRun: Bool
        var parents: [Parent]
        var target: Target
        var fkCheck: String
        var fkCheckNote: NullOr<String>
        var derivedInSecondSession: [TableName]
        var rejections: [Rejection]
        var unstoredParents: [UnstoredParent]
        var notes: [String]
        var advancedSequences: [AdvancedSequence]
        var nearDuplicates: [NearDuplicate]
        var extraColumns: [ExtraColumn]
        var steps: [Step]
        var seconds: Double
    }

    var json: JSONDocument {
        JSONDocument(
            input: input, mode: mode.rawValue, dryRun: dryRun,
            parents: parents.map {
                .init(table: $0.table, candidates: $0.candidates, present: $0.present,
                      inserted: $0.inserted, updated: $0.updated, sampleKeys: $0.sampleKeys)
            },
            target: .init(table: target, staged: staged, deleted: deleted, inserted: inserted, rejected: rejected,
                          skipped: skipped, skippedBy: skippedBy),
            fkCheck: fkCheck.rawValue, fkCheckNote: NullOr(fkCheckNote), derivedInSecondSession: derivedInSecondSession,
            rejections: rejections.map { .init(reason: $0.reason, rows: $0.rows, sampleRows: $0.sampleRows, sampleLines: $0.sampleLines) },
            unstoredParents: unstoredParents.map { .init(table: $0.table, keys: $0.keys) },
            notes: notes,
            advancedSequences: advancedSequences.map { .init(sequence: $0.sequence, value: $0.value) },
            nearDuplicates: nearDuplicates.map(JSONDocument.NearDuplicate.init),
            extraColumns: extraColumns.map(JSONDocument.ExtraColumn.init),
            steps: steps.map { .init(name: $0.name, seconds: ($0.seconds * 1000).rounded() / 1000) },
            seconds: (totalSeconds * 1000).rounded() / 1000)
    }

    // MARK: Text

    var text: String {
        var out = dryRun ? "DRY RUN — rolled back, nothing was written.\n" : ""
        let verb = loadedTarget ? "Loaded" : "Backfilled parents of"
        out += "\(verb) \(target.display) from \(input) (\(mode.rawValue)) in \(formatSeconds(totalSeconds))\n\n"
        if parents.isEmpty {
            out += "\(target.display) references no other table.\n"
        } else {
            var table = TextTable("PARENT", "CANDIDATES", "PRESENT", "INSERTED", "UPDATED", "SAMPLE INSERTED KEYS")
            for parent in parents {
                // Quoted as validate quotes them: a key with a comma, a quote or white space
                // at an end reads back as one key, not as two or as another.
                let samples = parent.sampleKeys.map(ValidationReport.keyText)
                let more = parent.inserted > samples.count && !samples.isEmpty ? ", …" : ""
                table.add(
                    parent.table.display, String(parent.candidates), String(parent.present), String(parent.inserted),
                    String(parent.updated), samples.joined(separator: ", ") + more)
            }
            out += table.render()
        }
        out += "\nTarget \(target.display): \(staged) staged"
        if loadedTarget { out += ", \(deleted) deleted, \(inserted) inserted" }
        if rejected > 0 { out += ", \(rejected) rejected" }
        if skipped > 0 { out += ", \(skipped) not stored by \(skippedBy.isEmpty ? "the table's triggers or rules" : skippedBy.joined(separator: ", "))" }
        if loadedTarget { out += " (FK check: \(fkCheck.rawValue)" + (fkCheckNote.map { "; \($0)" } ?? "") + ")" }
        out += "\n"
        for rejection in rejections {
            out += "  rejected \(rejection.rows): \(rejection.reason) ("
                + lineList(rejection.sampleLines, fileLines: linesAreFileLines, more: rejection.rows > rejection.sampleLines.count) + ")\n"
        }
        for parent in unstoredParents {
            out += "  \(parent.table.display): \(parent.keys) new \(parent.keys == 1 ? "key was" : "keys were") backfilled only for rows that were not stored\n"
        }
        for near in nearDuplicates { out += "  \(near.text)\n" }
        for line in ExtraInputColumn.lines(extraColumns) { out += "  \(line)\n" }
        for note in notes { out += "  note: \(note)\n" }
        if !derivedInSecondSession.isEmpty {
            let spooled = secondSessionFeed == .spooled ? " (its input from a spool)" : ""
            out += "  derived in a second session\(spooled), beside the fact insert: \(derivedInSecondSession.map(\.display).joined(separator: ", "))\n"
        }
        for sequence in advancedSequences { out += "  sequence \(sequence.sequence) advanced to \(sequence.value), past the keys written\n" }
        out += "\nSteps:\n"
        var steps = TextTable("STEP", "SECONDS")
        for step in self.steps { steps.add(step.name, formatSeconds(step.seconds, unit: false)) }
        return out + steps.render()
    }
}

extension ExtraInputColumn {
    /// The report's lines about extra input columns (load and validate alike): those read
    /// only for parents and rules, then those ignored; none without extra columns.
    static func lines(_ columns: [ExtraInputColumn]) -> [String] {
        let used = columns.filter { !$0.ignored }
        let ignored = columns.filter(\.ignored)
        var lines: [String] = []
        if !used.isEmpty {
            lines.append("input columns used only for parents/rules, not inserted: "
                + used.map { "\($0.column) (\($0.usedBy.joined(separator: ", ")))" }.joined(separator: ", "))
        }
        if !ignored.isEmpty {
            lines.append("input columns ignored (not the target's, nothing reads them): " + ignored.map(\.column).joined(separator: ", "))
        }
        return lines
    }
}

func formatSeconds(_ seconds: Double, unit: Bool = true) -> String {
    let rounded = (seconds * 1000).rounded() / 1000
    let text = String(rounded)
    return unit ? text + " s" : text
}

extension LoadReport.NearDuplicate {
    /// `new key 'ABC ' in s.org looks like existing key ABC`, keys quoted where white space would hide.
    public var text: String {
        "new key \(ValidationReport.value(key)) in \(table.display) looks like \(existing ? "existing" : "new") key "
            + "\(ValidationReport.value(looksLike)) (\(difference))"
    }

    /// How the two differ, since some differences cannot be seen: the first that applies.
    var difference: String {
        let zeroWidth: Set<Unicode.Scalar> = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"]
        if key.unicodeScalars.contains(where: zeroWidth.contains) || looksLike.unicodeScalars.contains(where: zeroWidth.contains) {
            return "zero-width characters"
        }
        if key.trimmingCharacters(in: .whitespacesAndNewlines) != key || looksLike.trimmingCharacters(in: .whitespacesAndNewlines) != looksLike {
            return "surrounding white space"
        }
        // Swift compares strings by canonical equivalence: equal here, different in bytes.
        if key == looksLike { return "Unicode normalization, NFC vs NFD" }
        if key.lowercased() == looksLike.lowercased() { return "letter case" }
        return "full-width or other compatibility forms"
    }
}
