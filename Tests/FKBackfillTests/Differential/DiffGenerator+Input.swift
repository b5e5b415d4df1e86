/// The CSV of a case: keys present, missing, NULL, blank, near-duplicate and bad; ids
/// repeated and clashing; values that break a CHECK or do not convert.
extension DiffGenerator {
    mutating func makeCSV() -> String {
        var header = target.partitioned ? ["kind"] : []
        header.append("id")
        if target.hasSource { header.append("src") }
        header += parents.filter { $0.factDefault == nil }.flatMap(\.factColumns)
        header += ["amount"] + (target.hasDate ? ["d"] : []) + (target.hasNote ? ["note"] : []) + ["batch"]
        if target.selfReference { header.append("parent_id") }
        header += extraColumns
        var lines = [header.joined(separator: ",")]
        let rows = random.int(1...12)
        var ids: [Int] = []
        for row in 0..<rows {
            // Most rows are clean (keys present or new, good values): a case with a few
            // bad rows still loads with --max-rejects, and its rejections get compared.
            let dirty = random.chance(25)
            var fields: [String?] = []
            var kind: String?
            if target.partitioned {
                kind = random.chance(15) ? "d" : random.pick(["a", "b"])
                fields.append(kind)
            }
            var id = 100 + row
            if dirty, !ids.isEmpty, use(.duplicates, 50, "duplicates") { id = random.pick(ids) }
            if dirty, !target.existingIDs.isEmpty, random.chance(40) { id = random.pick(target.existingIDs) }
            if !target.childIDs.isEmpty, random.chance(10) { id = random.pick(target.childIDs) }
            ids.append(id)
            fields.append(String(id))
            if target.hasSource { fields.append(random.pick(["A", "B", "K1", "N1", nil])) }
            for parent in parents {
                let key = dirty ? keyValue(parent) : cleanKey(parent)
                if parent.factDefault == nil { fields += key }
                if let partition = parent.partition {
                    if partitionKeys[parent.index] == nil { partitionKeys[parent.index] = [] }
                    if partition == "fact_\(kind ?? "")" { partitionKeys[parent.index]?.insert(key) }
                }
            }
            fields.append(dirty ? amount() : String(random.int(0...99)))
            if target.hasDate { fields.append(dirty && use(.badValues, 20, "bad-values") ? "2024-13-45" : "2024-01-\(10 + random.int(0...18))") }
            if target.hasNote { fields.append(note(dirty: dirty)) }
            fields.append(dirty && random.chance(15) ? nil : random.pick(["1", "2"]))
            if target.selfReference { fields.append(parentID(row: row, rows: rows)) }
            // Not the target's: `name` fills the parents' name by name (NULL for some rows,
            // which a NOT NULL name must then refuse), `memo` holds what no type reads.
            if extraColumns.contains("name") { fields.append(random.pick(["nm1", "nm2", "nm2", nil])) }
            if extraColumns.contains("memo") { fields.append(random.pick(["x", "not a number", nil])) }
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        // Windows line ends and a byte order mark must not move any line number.
        let end = random.chance(15) ? "\r\n" : "\n"
        return (random.chance(5) ? "\u{FEFF}" : "") + lines.joined(separator: end) + end
    }

    /// COPY's CSV: NULL is an unquoted empty field; everything that is empty, has a
    /// delimiter, quote, line break or any white space is quoted (COPY keeps it as is).
    static func csvField(_ value: String?) -> String {
        guard let value else { return "" }
        if value.isEmpty || value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline || $0.isWhitespace }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    mutating func amount() -> String? {
        if use(.checks, 30, "checks") { return "-1" }
        if use(.badValues, 20, "bad-values") { return "1.5x" }
        return String(random.int(0...99))
    }

    mutating func note(dirty: Bool) -> String? {
        if random.chance(20) { return nil }
        if dirty, use(.badValues, 20, "bad-values") { return "TOOLONGNOTE" }
        if random.chance(5) { return "a\nb" }
        return "n\(random.int(1...3))"
    }

    mutating func parentID(row: Int, rows: Int) -> String? {
        switch random.int(0...9) {
        case 0...3: return nil
        case 4...5: return String(100 + random.int(0...(rows - 1)))
        case 6...7: return target.existingIDs.isEmpty ? nil : String(random.pick(target.existingIDs))
        default: return "999"
        }
    }

    /// A key of a clean row: present or new, NULL only where the column allows it.
    mutating func cleanKey(_ parent: DiffParent) -> [String?] {
        let roll = random.int(0...99)
        if !parent.childKeys.isEmpty, random.chance(20) { return random.pick(parent.childKeys) }
        if parent.key == .typmod, random.chance(25), use(.typmodLossy, 100, "typmod-lossy") { return random.pick(parent.oddKeys) }
        if roll < 55 { return random.pick(parent.existing) }
        // A near-duplicate is a good key too: it loads (listed) unless near_duplicates: reject.
        if roll < 63, parent.textual, use(.nearDuplicates, 100, "near-duplicates") {
            let near = random.pick(["K1 ", "k1", "K\u{200B}1", "\u{FF2B}1", "Cafe\u{301}", "CAF\u{C9}", "n1", "N1\u{3000}"])
            return parent.key == .composite ? ["2024", near] : [near]
        }
        if roll < 92 || parent.factNotNull { return newKey(parent) }
        return Array(repeating: nil, count: parent.factColumns.count)
    }

    /// One key of a dirty row for the parent's FK columns.
    mutating func keyValue(_ parent: DiffParent) -> [String?] {
        let roll = random.int(0...99)
        if roll < 40 { return random.pick(parent.existing) }
        if parent.key == .typmod, roll < 55, use(.typmodLossy, 100, "typmod-lossy") { return random.pick(parent.oddKeys) }
        if roll < 70 { return newKey(parent) }
        if roll < 76 { return Array(repeating: nil, count: parent.factColumns.count) }
        if roll < 82, parent.keyCheck, use(.checks, 100, "checks") {
            return switch parent.key { case .int, .typmod: ["5000"]; case .text: ["BAD"]; case .composite: ["1999", "N9"] }
        }
        if roll < 88, parent.textual, use(.blanks, 100, "blanks") {
            let blank = random.pick(["", " ", "  ", "\t", "\u{A0}", "\u{3000}", "\u{2003}", "-", "(空白)"])
            return parent.key == .composite ? ["2024", blank] : [blank]
        }
        if roll < 94, parent.textual, use(.nearDuplicates, 100, "near-duplicates") {
            let near = random.pick(["K1 ", " K2", "k1", "K\u{200B}1", "\u{FF2B}1", "Cafe\u{301}", "CAF\u{C9}"])
            return parent.key == .composite ? ["2024", near] : [near]
        }
        if parent.key == .composite, roll < 97, random.chance(70) {
            return random.pick([["2024", nil], [nil, "K1"]])
        }
        if use(.badValues, 100, "bad-values") {
            switch parent.key {
            case .int:
                let narrow = parent.factTypes[0] == "bigint" && use(.narrowKeys, 50, "narrow-keys")
                return [narrow ? "3000000000" : "x1"]
            case .text:
                if parent.factTypes[0] == "varchar(6)" { return ["TOOLONGKEY"] }
                if parent.keyTypes[0] == "text" || use(.narrowKeys, 100, "narrow-keys") { return ["ABCDEFGHIJ"] }
                return ["N9"]
            case .composite: return ["20x4", "K1"]
            case .typmod: return ["x1"]
            }
        }
        return random.pick(parent.existing)
    }

    mutating func newKey(_ parent: DiffParent) -> [String?] {
        let n = random.int(1...4)
        return switch parent.key {
        case .int: [String(10 + n)]
        case .text: ["N\(n)"]
        case .composite: [random.pick(["2024", "2025"]), "N\(n)"]
        case .typmod: random.pick(parent.newKeys)
        }
    }
}
