/// Turns one domain of a legacy per-FK config into an fkbackfill rules file (issue #18).
///
/// The rules file says less than the config did, on purpose: which parents, keys and
/// order come from the catalog, so `depends_on` is compared, never copied, and an FK
/// the database declares needs no `relations:` entry. What cannot be translated (code)
/// is left, commented out, for a human. docs/migrating.md explains every mapping.
public enum RulesImporter {
    /// The conversion itself, without a database. `catalog` is the fact table's graph
    /// with the import's relations merged (nil: not checked; every entry is a relation).
    static func convert(_ domain: LegacyDomain, file: String, factTable: String, catalog: Catalog?) -> RulesImport {
        var notes: [String] = []
        var needsHuman: [RulesImport.NeedsHuman] = []
        let relationEntries = domain.entries.filter { entry in catalog.map { declaresFK(for: entry, in: $0) } != true }
        if catalog == nil {
            notes.append("relations: not checked against a database (no --db): every entry is written as a relation; "
                + "drop those the database declares as FK constraints, or import again with --db")
        }
        notes += compareDependencies(domain, catalog: catalog)

        // Table rules, one per parent; entries sharing a parent share its rule.
        var body = RulesText()
        let blanks = domain.entries.filter(\.skipBlankValues)
        if let first = blanks.first {
            body.add("blank:", from: first.skipBlankLocation)
            body.add("  markers: [\"(空白)\"]   # '' and whitespace-only are always blank", from: first.skipBlankLocation)
            body.add("  on_blank: \"null\"      # skip_blank_values of \(blanks.map(\.name).joined(separator: ", "))",
                     from: first.skipBlankLocation)
            let others = domain.entries.filter { !$0.skipBlankValues }.map(\.name)
            if !others.isEmpty {
                notes.append("blank: skip_blank_values was per entry, fkbackfill's blank: is for every FK of the fact table: "
                    + "it now applies to \(others.joined(separator: ", ")) too")
            }
            body.add("")
        }
        body.add("tables:")
        var seen: [TableName: LegacyEntry] = [:]
        for entry in domain.entries {
            if let earlier = seen[entry.target] {
                notes.append("\(entry.name) and \(earlier.name) both fill \(entry.target.display); only \(earlier.name)'s "
                    + "derivations are used (fkbackfill makes one row per key whichever FK asks)")
                continue
            }
            seen[entry.target] = entry
            body.add("  \(YAMLScalar.table(entry.target)):   # \(entry.name), \(entry.location)", from: entry.location)
            if let mode = entry.mode { body.add("    mode: \(mode.rawValue)", from: entry.location) }
            body.add("    columns:")
            if entry.columns.isEmpty { body.comment("no backfill_columns: the defaults of docs/backfill.md apply", indent: 6) }
            for column in entry.columns {
                write(column, of: entry, table: entry.target, into: &body, needsHuman: &needsHuman)
            }
        }
        let relations = relationEntries.map { entry in
            Relation(fromTable: catalog?.root.display ?? factTable, fromColumns: [entry.sourceColumn],
                     toTable: entry.target.display, toColumns: [entry.targetKey], location: entry.location)
        }
        if !relations.isEmpty {
            body.add("")
            body.add("relations:")
            for (entry, relation) in zip(relationEntries, relations) {
                let why = catalog == nil ? "not checked" : "the database declares no such FK"
                body.add("  - from: \(YAMLScalar.relationEnd(relation.fromTable, entry.sourceColumn))   # \(entry.name): \(why)",
                         from: entry.location)
                body.add("    to: \(YAMLScalar.relationEnd(relation.toTable, entry.targetKey))", from: entry.location)
            }
        }

        var lines = RulesText()
        lines.comment("""
            fkbackfill rules imported by `fkbackfill import-rules` from \(file), domain \(domain.name),
            for the fact table \(catalog?.root.display ?? factTable). See docs/migrating.md for what each key became.
            """)
        if !needsHuman.isEmpty {
            lines.comment("")
            lines.comment("NEEDS A HUMAN (the import exits 1 until these rules are written):")
            for item in needsHuman { lines.comment("  - \(item)") }
        }
        if !notes.isEmpty {
            lines.comment("")
            lines.comment("Notes:")
            for note in notes { lines.comment("  - " + note) }
        }
        lines.add("")
        for (index, line) in body.lines.enumerated() { lines.add(line, from: body.origin(ofLine: index + 1)) }
        return RulesImport(text: lines.text, needsHuman: needsHuman, notes: notes, relations: relations, lines: lines)
    }

    /// Whether the catalog has a real constraint (not a declared relation) from the fact
    /// table's source column to the entry's parent key.
    static func declaresFK(for entry: LegacyEntry, in catalog: Catalog) -> Bool {
        catalog.foreignKeys(of: catalog.root).contains { fk in
            !fk.declared && fk.columns == [entry.sourceColumn] && fk.referencedTable == entry.target
                && fk.referencedColumns == [entry.targetKey]
        }
    }

    /// `depends_on` against the order fkbackfill derives: a parent is backfilled before
    /// the parents that reference it (transitively), and in no particular order otherwise.
    static func compareDependencies(_ domain: LegacyDomain, catalog: Catalog?) -> [String] {
        guard let catalog else {
            let listed = domain.entries.flatMap { entry in entry.dependsOn.map { "\(entry.name) → \($0.name)" } }
            return listed.isEmpty ? [] : ["depends_on not compared (no --db) and not copied: "
                + listed.joined(separator: ", ") + "; fkbackfill orders parents by the catalog's FKs"]
        }
        func references(_ table: TableName, _ other: TableName) -> Bool {
            table != other && catalog.subgraph(from: table).tables[other] != nil
        }
        var notes: [String] = []
        for entry in domain.entries {
            let listed = Set(entry.dependsOn.map(\.name))
            for dependency in entry.dependsOn {
                guard let other = domain.entry(dependency.name) else { continue }
                if !references(entry.target, other.target) {
                    notes.append("depends_on disagrees (\(dependency.location)): \(entry.name) depends on \(other.name), but "
                        + "\(entry.target.display) does not reference \(other.target.display), so fkbackfill backfills them "
                        + "independently; not copied (declare a relation if the dependency is real)")
                }
            }
            for other in domain.entries where !listed.contains(other.name) && references(entry.target, other.target) {
                notes.append("depends_on disagrees (\(entry.location)): \(entry.target.display) references "
                    + "\(other.target.display), so fkbackfill backfills \(other.name) before \(entry.name), "
                    + "which the config did not say")
            }
        }
        return notes
    }
}
