import Foundation

/// The import as the command runs it: read the config, and with a database check which
/// FKs it declares, compare `depends_on` with the graph, and validate the output like
/// any rules file, reporting problems at the config's `FILE:LINE:COL`.
extension RulesImporter {
    /// Imports `domain` of the config at `path`. `output` names the rules file in messages.
    public static func importRules(
        path: String, domain: String, factTable: String, output: String, on session: Session?
    ) throws(FKBackfillError) -> RulesImport {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FKBackfillError("cannot read config \(path)", hint: "give the legacy per-FK YAML file to import", kind: .rulesProblems)
        }
        return try importRules(text: text, file: path, domain: domain, factTable: factTable, output: output, on: session)
    }

    /// Imports a domain from a config's text (`file` names it in messages); with a
    /// session, checks the catalog and emits only the relations it lacks.
    public static func importRules(
        text: String, file: String, domain name: String, factTable: String, output: String, on session: Session?
    ) throws(FKBackfillError) -> RulesImport {
        let config = try LegacyConfigParser.parse(text, file: file)
        guard let domain = config.domain(name) else {
            let names = config.domains.map(\.name)
            throw FKBackfillError("\(file) has no domain \(name)",
                                  hint: didYouMean(name, in: names) ?? "its domains are " + names.joined(separator: ", "),
                                  kind: .rulesProblems)
        }
        guard let session else {
            let result = convert(domain, file: file, factTable: factTable, catalog: nil)
            _ = try RulesParser.parse(result.text, file: output)
            return result
        }
        let catalog = try catalogWithRelations(domain, file: file, factTable: factTable, on: session)
        let result = convert(domain, file: file, factTable: factTable, catalog: catalog)
        let rules = try RulesParser.parse(result.text, file: output)
        let validator = RulesValidator(catalog: catalog, session: session, stagedColumns: nil)
        _ = try FKBackfillError.mapping { try validator.check(rules) }
        if !validator.problems.isEmpty {
            let problems = validator.problems.map { problem in
                guard let origin = result.lines.origin(ofLine: problem.location.line) else { return problem }
                return RulesProblem(origin, problem.message + " (imported as \(problem.location))", hint: problem.hint)
            }
            throw FKBackfillError(legacyProblems: problems, file: file)
        }
        return result
    }

    /// The fact table's graph with a relation for every entry the database does not
    /// declare; a relation that cannot be made is a problem at its entry.
    static func catalogWithRelations(
        _ domain: LegacyDomain, file: String, factTable: String, on session: Session
    ) throws(FKBackfillError) -> Catalog {
        let catalog = try CatalogReader.read(table: factTable, on: session)
        var rules = Rules(file: file)
        rules.relations = domain.entries.filter { !declaresFK(for: $0, in: catalog) }.map { entry in
            Relation(fromTable: catalog.root.display, fromColumns: [entry.sourceColumn],
                     toTable: entry.target.display, toColumns: [entry.targetKey], location: entry.location)
        }
        do {
            return try CatalogReader.addRelations(rules, to: catalog, on: session)
        } catch where error.category == .usage {
            throw FKBackfillError(
                "\(file): \(error.details.count == 1 ? "an entry" : "\(error.details.count) entries") cannot become "
                    + "\(error.details.count == 1 ? "a relation" : "relations"), nothing was imported",
                details: error.details, hint: "check target_schema, target_table and target_key (a unique key)", kind: .rulesProblems)
        }
    }
}
