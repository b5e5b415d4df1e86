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
            var table: String
            var candidates: Int
            var present: Int
            var inserted: Int
            var updated: Int
            var sampleKeys: [[String?]]
        }
        struct Target: Encodable {
            var table: String
            var staged: Int
            var deleted: Int
            var inserted: Int
            var rejected: Int
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
        var schemaVersion = SchemaVersion.loadReport
        var input: String
        var mode: String
        var dryRun: Bool
        var parents: [Parent]
        var target: Target
        var fkCheck: String
        var fkCheckNote: NullOr<String>
        var rejections: [Rejection]
        var steps: [Step]
        var seconds: Double
    }

    var json: JSONDocument {
        JSONDocument(
            input: input, mode: mode.rawValue, dryRun: dryRun,
            parents: parents.map {
                .init(table: $0.table.description, candidates: $0.candidates, present: $0.present,
                      inserted: $0.inserted, updated: $0.updated, sampleKeys: $0.sampleKeys)
            },
            target: .init(table: target.description, staged: staged, deleted: deleted, inserted: inserted, rejected: rejected),
            fkCheck: fkCheck.rawValue, fkCheckNote: NullOr(fkCheckNote),
            rejections: rejections.map { .init(reason: $0.reason, rows: $0.rows, sampleRows: $0.sampleRows, sampleLines: $0.sampleLines) },
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
                let samples = parent.sampleKeys.map { key in
                    key.count == 1 ? (key[0] ?? "NULL") : "(" + key.map { $0 ?? "NULL" }.joined(separator: ", ") + ")"
                }
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
        if loadedTarget { out += " (FK check: \(fkCheck.rawValue)" + (fkCheckNote.map { "; \($0)" } ?? "") + ")" }
        out += "\n"
        for rejection in rejections {
            out += "  rejected \(rejection.rows): \(rejection.reason) (\(linesAreFileLines ? "lines" : "rows") "
                + rejection.sampleLines.map(String.init).joined(separator: ", ") + (rejection.rows > rejection.sampleLines.count ? ", …" : "") + ")\n"
        }
        out += "\nSteps:\n"
        var steps = TextTable("STEP", "SECONDS")
        for step in self.steps { steps.add(step.name, formatSeconds(step.seconds, unit: false)) }
        return out + steps.render()
    }
}

func formatSeconds(_ seconds: Double, unit: Bool = true) -> String {
    let rounded = (seconds * 1000).rounded() / 1000
    let text = String(rounded)
    return unit ? text + " s" : text
}
