import PostgresClient

/// Checks a parsed rules file against the catalog before any data is touched: tables
/// and columns exist, staged columns exist, constants cast to their column's type, and
/// names of foreign keys match. Every problem is reported at once.
public final class RulesValidator {
    let catalog: Catalog
    let session: Session
    /// Columns the input has; nil when no input is known (then: the target's columns).
    let stagedColumns: [String]?
    /// The input's columns that are not the target's, typed as they are staged
    /// (`ExtraColumns.typed`).
    let extraColumns: [Column]
    var problems: [RulesProblem] = []

    private var transactionReadOnly: Bool?

    /// Whether the session's transaction is READ ONLY (read once): `sql:` rules are then
    /// checked without a temporary view (`SQLExpressionCheck.readOnlyProblem`).
    func readOnly() throws -> Bool {
        if let transactionReadOnly { return transactionReadOnly }
        let value = try session.execute(
            "SELECT pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.=) 'on' AS read_only").rows[0].bool("read_only")
        transactionReadOnly = value
        return value
    }

    init(catalog: Catalog, session: Session, stagedColumns: [String]?, extraColumns: [Column] = []) {
        self.catalog = catalog
        self.session = session
        self.stagedColumns = stagedColumns
        self.extraColumns = extraColumns
    }

    /// Returns the rules with table and FK names resolved, or throws every problem.
    public static func validate(
        _ rules: Rules, catalog: Catalog, stagedColumns: [String]?, on session: Session
    ) throws(FKBackfillError) -> Rules {
        try validate(rules, catalog: catalog, stagedColumns: stagedColumns, extraColumns: [], on: session)
    }

    /// `validate` for an input with columns the target lacks (`extraColumns`, typed as staged).
    static func validate(
        _ rules: Rules, catalog: Catalog, stagedColumns: [String]?, extraColumns: [Column], on session: Session
    ) throws(FKBackfillError) -> Rules {
        let validator = RulesValidator(catalog: catalog, session: session, stagedColumns: stagedColumns, extraColumns: extraColumns)
        let resolved = try FKBackfillError.mapping { try validator.check(rules) }
        if !validator.problems.isEmpty { throw FKBackfillError(rulesProblems: validator.problems, file: rules.file) }
        return resolved
    }

    var staged: [String] {
        stagedColumns ?? catalog.table(catalog.root)?.columns.map(\.name) ?? []
    }

    /// An input column with the type it is staged with: the target's, or an extra one's.
    func inputColumn(_ name: String) -> Column? {
        catalog.table(catalog.root)?.column(name) ?? extraColumns.first { $0.name == name }
    }

    func problem(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        problems.append(RulesProblem(location, message, hint: hint))
    }

    func check(_ rules: Rules) throws -> Rules {
        var rules = rules
        rules.tables = try rules.tables.map(checkTable)
        let all = rules.foreignKeys
        rules.foreignKeys = try all.map { try checkForeignKey($0, all: all) }
        return rules
    }

    func checkTable(_ rule: TableRule) throws -> TableRule {
        var rule = rule
        guard let name = resolveTable(rule.name, at: rule.location) else {
            // The table is unknown, but references to input columns can still be checked.
            for column in rule.columns where !column.optional || column.inputColumns.allSatisfy(staged.contains) {
                checkInputColumns(column)
            }
            return rule
        }
        rule.resolved = name
        let isParent = !catalog.foreignKeys(referencing: name).isEmpty
        guard let table = catalog.table(name), isParent else {
            let parents = catalog.tables.keys.filter { $0 != catalog.root }.sorted().map(\.display)
            problem(rule.location, "table \(name.display) is not a parent of \(catalog.root.display)",
                    hint: parents.isEmpty ? "\(catalog.root.display) references no table" : "its parents are " + parents.joined(separator: ", "))
            return rule
        }
        let keyColumns = Set(catalog.foreignKeys(referencing: name).flatMap(\.referencedColumns))
        for (index, column) in rule.columns.enumerated() {
            guard let target = table.column(column.column) else {
                problem(column.location, "\(name.display) has no column \(column.column)",
                        hint: didYouMean(column.column, in: table.columns.map(\.name)))
                continue
            }
            if keyColumns.contains(column.column) {
                problem(column.location, "\(column.column) is part of the key of \(name.display); its value is the key itself",
                        hint: "remove this rule")
            }
            if target.isDatabaseGenerated {
                problem(column.location, "\(name.display).\(column.column) is generated by the database", hint: "remove this rule")
            }
            // An optional rule whose input column is absent is ignored by the planner.
            if column.optional && !column.inputColumns.allSatisfy(staged.contains) { continue }
            rule.columns[index].sqlReads = try checkSource(column, of: target)
        }
        for mark in rule.marks {
            guard let target = table.column(mark.column) else {
                problem(mark.location, "\(name.display) has no column \(mark.column) to mark",
                        hint: didYouMean(mark.column, in: table.columns.map(\.name)))
                continue
            }
            if !leftPlaceholder(mark.value, at: mark.location, column: mark.column) {
                try checkCast(mark.value, to: target, at: mark.location)
            }
        }
        return rule
    }

    func resolveTable(_ text: String, at location: SourceLocation) -> TableName? {
        let result = Result { () throws(FKBackfillError) -> TableName in try TableResolver.resolve(text, on: session).name }
        switch result {
        case .success(let name): return name
        case .failure(let error):
            problem(location, error.message, hint: error.hint)
            return nil
        }
    }

    func checkStaged(_ column: String, at location: SourceLocation, role: String) {
        guard !staged.contains(column) else { return }
        let what = stagedColumns == nil ? "\(catalog.root.display) has no column \(column)" : "the input has no column \(column)"
        problem(location, "\(role): \(what)", hint: didYouMean(column, in: staged))
    }

    /// The input columns a rule reads (`from`, `max_by`/`min_by`, template placeholders).
    func checkInputColumns(_ rule: ColumnRule) {
        switch rule.source {
        case .from(let source, let pick):
            checkStaged(source, at: rule.location, role: "from")
            if let order = pick.orderColumn { checkStaged(order, at: rule.location, role: pick.name) }
        case .template(let template):
            for placeholder in TemplateParts.parse(template).compactMap(\.column) {
                checkStaged(placeholder, at: rule.location, role: "template {\(placeholder)}")
            }
        default:
            break
        }
    }

    /// Checks one rule's source; returns the extra input columns a `sql:` rule reads.
    @discardableResult
    func checkSource(_ rule: ColumnRule, of column: Column) throws -> [String] {
        var reads: [String] = []
        checkInputColumns(rule)
        switch rule.source {
        case .from:
            checkAssignable(rule, to: column)
        case .template(let template):
            _ = leftPlaceholder(template, at: rule.location, column: column.name)
        case .value(let constant):
            if !leftPlaceholder(constant, at: rule.location, column: column.name) {
                try checkCast(constant, to: column, at: rule.location)
            }
        case .sql(let expression):
            if leftPlaceholder(expression, at: rule.location, column: column.name) { break }
            let columns = staged.compactMap(inputColumn)
            if try readOnly() {
                // A read-only session (validate on a standby) cannot create the view.
                let checked = try SQLExpressionCheck.readOnlyProblem(in: expression, columns: columns, on: session)
                if let found = checked.problem {
                    problem(rule.location, "\(found.message) (rule for \(column.name))", hint: found.hint)
                } else {
                    reads = checked.reads.filter(Set(extraColumns.map(\.name)).contains)
                    if let type = checked.type { checkAssignable(sqlValueOf: type, rule, to: column) }
                }
            } else if let found = try SQLExpressionCheck.problem(in: expression, columns: columns, on: session) {
                problem(rule.location, "\(found.message) (rule for \(column.name))", hint: found.hint)
            } else {
                if !extraColumns.isEmpty {
                    let extra = Set(extraColumns.map(\.name))
                    reads = try SQLExpressionCheck.columnsRead(by: expression, columns: columns, on: session).filter(extra.contains)
                }
                if let type = try SQLExpressionCheck.valueType(of: expression, columns: columns, on: session) {
                    checkAssignable(sqlValueOf: type, rule, to: column)
                }
            }
        case .databaseDefault, .null:
            break
        }
        if rule.jsonAppend {
            if !["json", "jsonb"].contains(column.type) {
                problem(rule.location, "json_append needs a json or jsonb column; \(column.name) is \(column.type)")
            }
            if rule.source == .databaseDefault || rule.source == .null {
                problem(rule.location, "json_append needs a value to append: from, value, template or sql")
            }
        }
        return reads
    }

    /// Casts in a savepoint, so a bad constant does not abort the caller's transaction.
    func checkCast(_ constant: String, to column: Column, at location: SourceLocation) throws {
        do {
            // Under the user's path, as the insert assigns it: a domain's CHECK may call their code.
            try TextStaging.castsUnderUserPath(on: session) {
                try session.savepoint { try session.execute("SELECT CAST(CAST(\(bind: constant) AS pg_catalog.text) AS \(PathSafeType.sql(column.type)))") }
            }
        } catch let error as PostgresError where error.kind == .server {
            problem(location, "'\(constant)' is not a valid \(column.type) for \(column.name): \(error.message)")
        }
    }

    func checkForeignKey(_ rule: ForeignKeyRule, all: [ForeignKeyRule]) throws -> ForeignKeyRule {
        var rule = rule
        let key = rule.key
        let location = rule.location
        if all.filter({ $0.key == key }).count > 1, all.first(where: { $0.key == key })?.location != location {
            problem(location, "foreign key \(key) has two rules", hint: "keep one")
        }
        if let match = catalog.foreignKeys.first(where: { !$0.declared && $0.name == key }) {
            rule.name = match.name
            rule.resolvedTable = match.table
            return rule
        }
        // child_column -> parent, for declared relations (or any FK, by its columns).
        let parts = rule.key.components(separatedBy: "->")
        if parts.count == 2 {
            let columns = parts[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let parentText = parts[1].trimmingCharacters(in: .whitespaces)
            if let parent = try? TableResolver.resolve(parentText, on: session).name,
               let match = catalog.foreignKeys.first(where: { $0.columns == columns && $0.referencedTable == parent }) {
                rule.name = match.name
                rule.resolvedTable = match.table
                return rule
            }
        }
        problem(rule.location, "no foreign key \(rule.key) in the graph of \(catalog.root.display)",
                hint: didYouMean(rule.key, in: catalog.foreignKeys.map(\.name))
                    ?? "name a constraint shown by `fkbackfill fks`, or a relation as child_column -> parent")
        return rule
    }
}

/// A template split into literal text and `{column}` placeholders.
enum TemplateParts {
    case text(String)
    case placeholder(String)

    var column: String? {
        if case .placeholder(let name) = self { name } else { nil }
    }

    static func parse(_ template: String) -> [TemplateParts] {
        var parts: [TemplateParts] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            parts.append(.placeholder(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }
}

extension RulesValidator {
    /// Validates on a connection of the caller's, which keeps its own search path.
    public static func validate(
        _ rules: Rules, catalog: Catalog, stagedColumns: [String]?, on connection: Connection
    ) throws(FKBackfillError) -> Rules {
        try Session.scoped(connection) { session in try validate(rules, catalog: catalog, stagedColumns: stagedColumns, on: session) }
    }
}
