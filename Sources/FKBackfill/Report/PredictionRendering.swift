/// The predicted load in validate's outputs: what `load` with the same options would
/// insert, set aside and backfill, and what would stop it.
extension ValidationReport.Prediction {
    struct JSONDocument: Encodable {
        struct Rejection: Encodable { var reason: String; var rows: Int; var sampleLines: [Int] }
        struct Parent: Encodable { var table: TableName; var inserted: Int; var sampleKeys: [[String?]] }
        var wouldLoad: Bool
        var exact: Bool
        var notExact: [String]
        var blockers: [String]
        var maxRejects: Int
        var inserted: Int
        var skipped: Int
        var tried: [String]
        var deleted: Int
        var rejected: Int
        var rejections: [Rejection]
        var nearDuplicates: [LoadReport.JSONDocument.NearDuplicate]
        var parents: [Parent]
    }

    var json: JSONDocument {
        JSONDocument(
            wouldLoad: wouldLoad, exact: exact, notExact: notExact, blockers: blockers, maxRejects: maxRejects,
            inserted: inserted, skipped: skipped, tried: tried, deleted: deleted, rejected: rejected,
            rejections: rejections.map { .init(reason: $0.reason, rows: $0.rows, sampleLines: $0.sampleLines) },
            nearDuplicates: nearDuplicates.map(LoadReport.JSONDocument.NearDuplicate.init),
            parents: parents.map { .init(table: $0.table, inserted: $0.inserted, sampleKeys: $0.sampleKeys) })
    }

    /// One line: what the load would do.
    func summary() -> String {
        guard wouldLoad else {
            return "load would fail" + (rejected > maxRejects ? ": \(counted(rejected, "row")) rejected, --max-rejects is \(maxRejects)" : "")
        }
        var parts = ["insert \(counted(inserted, "row"))"]
        if deleted > 0 { parts.append("delete \(deleted) replaced") }
        if rejected > 0 { parts.append("set aside \(rejected)") }
        if skipped > 0 { parts.append("\(skipped) skipped by the target's triggers") }
        let backfilled = parents.reduce(0) { $0 + $1.inserted }
        if backfilled > 0 { parts.append("backfill \(counted(backfilled, "parent row"))") }
        return "load would " + parts.joined(separator: ", ")
    }

    func text(fileLines: Bool) -> String {
        var out = "\nPredicted load (--max-rejects \(maxRejects)): \(summary())\n"
        for blocker in blockers { out += "  stops the load: \(blocker)\n" }
        for rejection in rejections {
            out += "  rejected \(rejection.rows): \(rejection.reason) ("
                + lineList(rejection.sampleLines, fileLines: fileLines, more: rejection.rows > rejection.sampleLines.count) + ")\n"
        }
        for parent in parents {
            out += "  new rows in \(parent.table.display): \(parent.inserted)"
                + (parent.sampleKeys.isEmpty ? "" : " (" + parent.sampleKeys.map(ValidationReport.keyText).joined(separator: ", ")
                    + (parent.inserted > parent.sampleKeys.count ? ", …" : "") + ")") + "\n"
        }
        for near in nearDuplicates { out += "  looks like a typo: \(near.text)\n" }
        for reason in notExact { out += "  not exact: \(reason)\n" }
        for step in tried { out += "  tried in a savepoint, rolled back: \(step)\n" }
        return out
    }

    func markdown(fileLines: Bool) -> String {
        var out = "\n**Predicted load** (`--max-rejects \(maxRejects)`): \(markdownCell(summary()))\n\n"
        for blocker in blockers { out += "- stops the load: \(markdownCell(blocker))\n" }
        for rejection in rejections {
            out += "- rejected \(rejection.rows): \(markdownCell(rejection.reason)) ("
                + lineList(rejection.sampleLines, fileLines: fileLines, more: rejection.rows > rejection.sampleLines.count) + ")\n"
        }
        for parent in parents { out += "- new rows in `\(markdownCell(parent.table.description))`: \(parent.inserted)\n" }
        for near in nearDuplicates { out += "- looks like a typo: \(markdownCell(near.text))\n" }
        for reason in notExact { out += "- not exact: \(markdownCell(reason))\n" }
        for step in tried { out += "- tried in a savepoint, rolled back: \(markdownCell(step))\n" }
        return out
    }
}
