extension ValidationReport {
    /// The report as `text`, `json` (docs/json-output.md), `markdown` or `junit`; other formats give text.
    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: encodeJSON(json)
        case .markdown: markdown
        case .junit: junit
        default: text
        }
    }

    var lineWord: String { linesAreFileLines ? "lines" : "rows" }

    static func keyText(_ key: [String?]) -> String {
        key.count == 1 ? value(key[0]) : "(" + key.map(value).joined(separator: ", ") + ")"
    }

    /// A key value as a person can read it back: quoted where it would otherwise vanish or
    /// mislead (empty, surrounding or only white space, the word NULL, a comma or quote).
    static func value(_ text: String?) -> String {
        guard let text else { return "NULL" }
        let needsQuotes = text.isEmpty || text.first?.isWhitespace == true || text.last?.isWhitespace == true
            || text == "NULL" || text.contains(where: { ",()'".contains($0) })
        return needsQuotes ? "'" + text.replacingOccurrences(of: "'", with: "''") + "'" : text
    }

    /// A missing key, with the lines or rows that reference it when there are any.
    func sampleText(_ sample: Sample) -> String {
        Self.keyText(sample.key) + (sample.lines.isEmpty ? "" : " (\(lineList(sample.lines, fileLines: linesAreFileLines)))")
    }

    /// Read-only with `--max-rejects`: the rows set aside against the limit.
    func setAsideLine(_ rejected: Int) -> String {
        "Rows set aside: \(rejected) (--max-rejects \(maxRejects)\(rejected > maxRejects ? ": too many" : ""))"
    }

    var verdict: String {
        if wouldLoad, let prediction {
            // What the load would write: rows set aside take their keys with them, and a
            // parent of a parent gets rows too, so the input's missing keys are not it.
            let rows = prediction.parents.reduce(0) { $0 + $1.inserted }
            return rows == 0 ? "would load" : "would load after backfilling \(rows) new parent \(rows == 1 ? "row" : "rows")"
        }
        if wouldLoad {
            let fixable = foreignKeys.reduce(0) { $0 + $1.fixableKeys }
            return fixable == 0 ? "would load" : "would load after backfilling \(fixable) missing \(fixable == 1 ? "key" : "keys")"
        }
        return strict && foreignKeys.contains(where: { $0.violatingRows > 0 }) && columns.isEmpty
            && foreignKeys.allSatisfy({ $0.unfixableKeys == 0 && $0.reasons.isEmpty })
            ? "would not load (--strict: missing keys count as failures)" : "would not load"
    }

    // MARK: JSON (documented in docs/json-output.md)

    struct JSONDocument: Encodable {
        struct Sample: Encodable { var key: [String?]; var lines: [Int] }
        struct ForeignKey: Encodable {
            var name: String
            var table: TableName
            var referencedTable: TableName
            var declared: Bool
            var violatingRows: Int
            var missingKeys: Int
            var fixableKeys: Int
            var unfixableKeys: Int
            var reasons: [String]
            var samples: [Sample]
        }
        struct Column: Encodable {
            var column: String
            var problem: String
            var detail: String
            var rows: Int
            var sampleLines: [Int]
        }
        var schemaVersion = SchemaVersion.validation
        var table: TableName
        var input: String
        var rows: Int
        var lineNumbers: String
        var strict: Bool
        var wouldLoad: Bool
        var foreignKeys: [ForeignKey]
        var columns: [Column]
        var prediction: NullOr<ValidationReport.Prediction.JSONDocument>
        var deleted: NullOr<Int>
        var rejected: NullOr<Int>
        var maxRejects: Int
        var extraColumns: [LoadReport.JSONDocument.ExtraColumn]
        var notExact: [String]
    }

    var json: JSONDocument {
        JSONDocument(
            table: table, input: input, rows: rows,
            lineNumbers: checkedInPlace && !linesAreFileLines && !rowsNumbered ? "none" : linesAreFileLines ? "file" : "row",
            strict: strict, wouldLoad: wouldLoad,
            foreignKeys: foreignKeys.map { fk in
                .init(name: fk.name, table: fk.table, referencedTable: fk.referencedTable,
                      declared: fk.declared, violatingRows: fk.violatingRows, missingKeys: fk.missingKeys,
                      fixableKeys: fk.fixableKeys, unfixableKeys: fk.unfixableKeys, reasons: fk.reasons,
                      samples: fk.samples.map { .init(key: $0.key, lines: $0.lines) })
            },
            columns: columns.map {
                .init(column: $0.column, problem: $0.problem.rawValue, detail: $0.detail, rows: $0.rows, sampleLines: $0.sampleLines)
            },
            prediction: NullOr(prediction?.json),
            deleted: NullOr(deleted),
            rejected: NullOr(rejected), maxRejects: prediction?.maxRejects ?? maxRejects,
            extraColumns: extraColumns.map(LoadReport.JSONDocument.ExtraColumn.init),
            notExact: notExact)
    }

    // MARK: Text

    var text: String {
        var out = "Validation of \(input) for \(table.display): \(counted(rows, "row"))"
            + (checkedInPlace ? " (checked in place)" : "") + ", \(verdict)\n"
        if !foreignKeys.isEmpty {
            var summary = TextTable("FOREIGN KEY", "REFERENCES", "VIOLATING ROWS", "MISSING KEYS", "FIXABLE", "UNFIXABLE")
            for fk in foreignKeys {
                summary.add(fk.name + (fk.declared ? " (declared)" : ""), fk.referencedTable.display, String(fk.violatingRows),
                            String(fk.missingKeys), String(fk.fixableKeys), String(fk.unfixableKeys))
            }
            out += "\n" + summary.render()
        }
        // An FK whose rows all have their keys may still stop the load (what --replace-by's
        // DELETE does to a target that references itself): its reasons are listed too.
        for fk in foreignKeys where fk.violatingRows > 0 || !fk.reasons.isEmpty {
            out += "\n\(fk.name) → \(fk.referencedTable.display):\n"
            for reason in fk.reasons { out += "  cannot fix: \(reason)\n" }
            for sample in fk.samples {
                out += "  missing \(sampleText(sample))\n"
            }
            if fk.missingKeys > fk.samples.count && !fk.samples.isEmpty {
                out += "  … and \(fk.missingKeys - fk.samples.count) more missing keys\n"
            }
        }
        if !columns.isEmpty {
            out += "\nColumn problems:\n"
            // "ROWS" counts; the sample column says where (file lines, or row numbers of a
            // table or query), never a second "ROWS".
            var table = TextTable("COLUMN", "PROBLEM", "ROWS", linesAreFileLines ? "LINES" : "ROW NUMBERS", "DETAIL")
            for problem in columns {
                table.add(problem.column, problem.problem.rawValue, String(problem.rows),
                          problem.sampleLines.map(String.init).joined(separator: ", "), problem.detail)
            }
            out += table.render()
        }
        let extra = ExtraInputColumn.lines(extraColumns)
        if !extra.isEmpty { out += "\n" + extra.map { "Note: \($0)\n" }.joined() }
        if let deleted { out += "\n--replace-by would delete \(counted(deleted, "target row")) before the insert\n" }
        if let rejected { out += "\n\(setAsideLine(rejected))\n" }
        if let prediction { out += prediction.text(fileLines: linesAreFileLines) }
        if !notExact.isEmpty { out += "\nNot evaluated read-only:\n" + notExact.map { "  not exact: \($0)\n" }.joined() }
        return out
    }

    // MARK: Markdown

    var markdown: String {
        var out = "### fkbackfill validate: \(markdownCell(input)) → `\(markdownCell(table.description))`\n\n"
            + "\(wouldLoad ? "✅" : "❌") \(counted(rows, "row"))\(checkedInPlace ? " (checked in place)" : ""), \(verdict)\n\n"
        if !foreignKeys.isEmpty {
            out += "| foreign key | references | violating rows | missing keys | fixable | unfixable | samples | why not fixable |\n"
                + "|---|---|---|---|---|---|---|---|\n"
            for fk in foreignKeys {
                let samples = fk.samples.map(sampleText)
                out += "| `\(markdownCell(fk.name))` | `\(markdownCell(fk.referencedTable.description))` | \(fk.violatingRows) | "
                    + "\(fk.missingKeys) | \(fk.fixableKeys) | \(fk.unfixableKeys) | \(markdownCell(samples.joined(separator: "; "))) | "
                    + "\(markdownCell(fk.reasons.joined(separator: "; "))) |\n"
            }
        }
        if !columns.isEmpty {
            out += "\n| column | problem | rows | \(lineWord) | detail |\n|---|---|---|---|---|\n"
            for problem in columns {
                out += "| `\(markdownCell(problem.column))` | \(problem.problem.rawValue) | \(problem.rows) | "
                    + "\(problem.sampleLines.map(String.init).joined(separator: ", ")) | \(markdownCell(problem.detail)) |\n"
            }
        }
        let extra = ExtraInputColumn.lines(extraColumns)
        if !extra.isEmpty { out += "\n" + extra.map { "- \(markdownCell($0))\n" }.joined() }
        if let deleted { out += "\n`--replace-by` would delete \(counted(deleted, "target row")) before the insert.\n" }
        if let rejected { out += "\n\(setAsideLine(rejected)).\n" }
        if let prediction { out += prediction.markdown(fileLines: linesAreFileLines) }
        if !notExact.isEmpty { out += "\nNot evaluated read-only:\n\n" + notExact.map { "- not exact: \(markdownCell($0))\n" }.joined() }
        return out
    }

    // MARK: JUnit

    var junit: String {
        let keys = foreignKeys.map { fk in
            let failed = strict ? fk.violatingRows > 0 : (fk.unfixableKeys > 0 || !fk.reasons.isEmpty)
            let body = fk.reasons.joined(separator: "\n") + (fk.reasons.isEmpty ? "" : "\n")
                + fk.samples.map { "missing \(sampleText($0))" }
                    .joined(separator: "\n")
            return JUnitXML.TestCase(
                className: "\(table.description).foreign_keys", name: fk.name,
                failure: failed ? (message: "\(counted(fk.violatingRows, "violating row")), \(counted(fk.unfixableKeys, "missing key")) a backfill cannot fix", body: body) : nil,
                skipped: nil,
                output: !failed && fk.missingKeys > 0 ? "\(fk.fixableKeys) missing keys, all fixable by a backfill\n" + body : nil)
        }
        let problems = columns.map { problem in
            JUnitXML.TestCase(
                className: "\(table.description).columns", name: "\(problem.column): \(problem.problem.rawValue)",
                failure: (message: "\(counted(problem.rows, "row")): \(problem.detail)",
                          body: problem.sampleLines.isEmpty ? "" : lineList(problem.sampleLines, fileLines: linesAreFileLines)),
                skipped: nil, output: nil)
        }
        var load: [JUnitXML.TestCase] = []
        if let prediction {
            load.append(JUnitXML.TestCase(
                className: "\(table.description).load", name: "predicted load",
                failure: prediction.wouldLoad ? nil : (message: prediction.summary(), body: prediction.text(fileLines: linesAreFileLines)),
                skipped: nil, output: prediction.wouldLoad ? prediction.text(fileLines: linesAreFileLines) : nil))
        }
        return JUnitXML(suites: [
            .init(name: "fkbackfill validate \(input) for \(table.description)", cases: keys + problems + load),
        ]).render()
    }
}

/// `1 row`, `2 rows`: a count with its noun.
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// `line 4`, `lines 4, 7`, `lines 9, …` (`more`: there are rows beyond these), or
/// `row`/`rows` where the input's rows have no file lines.
func lineList(_ lines: [Int], fileLines: Bool, more: Bool = false) -> String {
    let word = fileLines ? "line" : "row"
    return (lines.count == 1 && !more ? word : word + "s") + " " + lines.map(String.init).joined(separator: ", ") + (more ? ", …" : "")
}
