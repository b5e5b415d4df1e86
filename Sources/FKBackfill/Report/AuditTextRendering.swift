/// The audit as text for a person: a summary first (tables, FKs by status, findings by
/// kind and severity, what was read from the data), then one section per table with its
/// FKs and findings, most serious tables first. Readable at 1,500 tables because a
/// schema or database audit lists only the FKs that are not `auto` (the summary counts
/// them all, and JSON lists every one).
extension AuditReport {
    var text: String {
        var out = "Audit of \(scope)\n" + summaryBlock
        var shownReasons: [String: String] = [:]
        let blocking = blockingParents
        for section in sections {
            out += "\n" + render(section, blocking: blocking, shownReasons: &shownReasons)
        }
        return out
    }

    /// The summary alone (`audit --summary`).
    public var summaryText: String { summaryBlock }

    /// The summary at the top.
    var summaryBlock: String {
        let statuses = [Status.auto, .rule, .uncovered, .skipped].map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let all = findingCounts
        let severities = [Severity.error, .warning, .info].map { severity in
            "\(all.filter { $0.severity == severity }.reduce(0) { $0 + $1.count }) \(severity.rawValue)"
        }
        var out = "  tables:       \(tables)\n"
        out += "  foreign keys: \(foreignKeys.count) (\(statuses.joined(separator: ", ")))\n"
        out += "  findings:     \(all.reduce(0) { $0 + $1.count }) (\(severities.joined(separator: ", ")))\n"
        if !all.isEmpty {
            var byKind = TextTable("", "", "")
            for count in all { byKind.add(count.severity.rawValue, count.kind, String(count.count)) }
            // The table's header and rule are blank; keep its rows only.
            out += byKind.render().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).filter { !$0.isEmpty }.map { "    \($0)\n" }.joined()
        }
        out += "  data read:    \(dataReadLine)\n"
        if let baseline = baselineOutcome {
            out += "  baseline:     \(baseline.file): \(baseline.new) new, \(baseline.hidden) known hidden, \(baseline.gone.count) gone\n"
            for identity in baseline.gone.prefix(50) { out += "    gone: \(identity)\n" }
            if baseline.gone.count > 50 { out += "    gone: … and \(baseline.gone.count - 50) more (JSON lists all)\n" }
        }
        if minSeverity != .info || !only.isEmpty {
            var shown = "findings at \(minSeverity.rawValue) or above"
            if !only.isEmpty { shown += " of kind \(only.joined(separator: ", "))" }
            out += "  shown:        \(shown): \(findings.count) of \(all.reduce(0) { $0 + $1.count })\n"
        }
        return out
    }

    /// What the audit read beyond the catalog, in words.
    var dataReadLine: String {
        guard dataRead.readsData else {
            return "none (catalog and the server's statistics only; --sample-rows N or --time-budget S checks values)"
        }
        var parts: [String] = []
        if let rows = dataRead.sampleRows { parts.append("at most \(rows) rows per check") }
        if let budget = dataRead.timeBudgetSeconds { parts.append("a time budget of \(budget) s") }
        var line = parts.joined(separator: " and ") + ": \(dataRead.checks) \(dataRead.checks == 1 ? "check" : "checks") ran"
        if dataRead.skippedChecks > 0 { line += ", \(dataRead.skippedChecks) skipped when the budget was spent" }
        return line
    }

    /// One table's FKs and findings.
    struct Section {
        var table: String
        var all: [ForeignKeyResult]
        var keys: [ForeignKeyResult]
        var hiddenAuto: Int
        var findings: [Finding]
    }

    /// Tables with findings or FKs worth listing: worst severity first, then by name.
    var sections: [Section] {
        let listAll = !(scope.hasPrefix("schema ") || scope == "all tables")
        let keysByTable = Dictionary(grouping: foreignKeys) { $0.table.description }
        let findingsByTable = Dictionary(grouping: findings) { $0.table?.description ?? "" }
        let names = Set(keysByTable.keys).union(findingsByTable.keys)
        let sections: [Section] = names.compactMap { name in
            let keys = keysByTable[name] ?? []
            let listed = listAll ? keys : keys.filter { $0.status != .auto }
            let found = findingsByTable[name] ?? []
            guard !listed.isEmpty || !found.isEmpty else { return nil }
            return Section(table: name, all: keys, keys: listed, hiddenAuto: keys.count - listed.count, findings: found)
        }
        func worst(_ section: Section) -> Int {
            let finding = section.findings.map(\.severity.rank).max() ?? -1
            return section.keys.contains { $0.status == .uncovered } ? max(finding, Severity.error.rank) : finding
        }
        return sections.sorted { (worst($1), $0.table) < (worst($0), $1.table) }
    }

    /// One section; a parent's reasons already shown under another section are named, not repeated.
    func render(_ section: Section, blocking: [String: TableName], shownReasons: inout [String: String]) -> String {
        let all = section.all
        let statuses = [Status.auto, .rule, .uncovered, .skipped].compactMap { status -> String? in
            let count = all.filter { $0.status == status }.count
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        let title = section.table.isEmpty ? "(no table)" : section.table
        var out = "== \(title): \(all.count) foreign \(all.count == 1 ? "key" : "keys")" + (statuses.isEmpty ? "" : " (\(statuses.joined(separator: ", ")))")
            + ", \(section.findings.count) \(section.findings.count == 1 ? "finding" : "findings")\n"
        if !section.keys.isEmpty {
            var table = TextTable("STATUS", "CONSTRAINT", "COLUMNS", "REFERENCES")
            for fk in section.keys {
                var name = fk.name + (fk.declared ? " (declared)" : "")
                if let on = fk.declaredOn, on != fk.table { name += " (on \(on.display))" }
                table.add(fk.status.rawValue, name, fk.columns.joined(separator: ", "),
                          "\(fk.referencedTable.display) (\(fk.referencedColumns.joined(separator: ", ")))")
            }
            out += table.render().split(separator: "\n").map { "  \($0)\n" }.joined()
        }
        if section.hiddenAuto > 0 { out += "  (\(section.hiddenAuto) auto not listed)\n" }
        let groups = reasonGroups(section.keys, blocking: blocking)
        if !groups.isEmpty {
            out += "  Why:\n"
            for group in groups {
                out += "    \(group.parent.display) (\(group.status.rawValue): \(group.constraints.joined(separator: ", "))):\n"
                let key = ([group.parent.description, group.status.rawValue] + group.reasons).joined(separator: "\u{0}")
                if let earlier = shownReasons[key], earlier != section.table {
                    out += "      - the reasons listed under \(earlier)\n"
                    continue
                }
                shownReasons[key] = section.table
                for reason in group.reasons { out += "      - \(reason)\n" }
            }
        }
        // Uncovered FKs whose reasons the Why block above lists: one line for all of them,
        // and their one fix (it names the table to run `init` on).
        let listedReasons = Set(section.keys.filter { !$0.reasons.isEmpty }.map { "\($0.table.description).\($0.name)" })
        let uncovered = section.findings.filter { $0.kind == "uncovered-fk" && listedReasons.contains($0.object) }
        if let first = uncovered.first {
            let names = uncovered.map { $0.object.hasPrefix(section.table + ".") ? String($0.object.dropFirst(section.table.count + 1)) : $0.object }
            out += "  ERROR uncovered-fk \(names.joined(separator: ", ")): why above\n"
            out += "    fix: \(first.fix)\n"
        }
        for finding in section.findings where !(finding.kind == "uncovered-fk" && listedReasons.contains(finding.object)) {
            out += "  \(finding.severity.rawValue.uppercased()) \(finding.kind) \(finding.object)\n"
            out += "    \(finding.message)\n"
            out += "    fix: \(finding.fix)\n"
            if let snippet = finding.snippet {
                out += snippet.split(separator: "\n").map { "      \($0)\n" }.joined()
            }
        }
        return out
    }
}
