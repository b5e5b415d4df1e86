import PostgresClient

/// What an audit looks at.
public enum AuditScope: Sendable {
    /// One table and its whole parent graph.
    case table(String)
    /// Every table of a schema (partitions through their partitioned table).
    case schema(String)
    /// Every user table of the database.
    case all
}

/// Runs `fkbackfill audit`: in one read-only snapshot, decides the backfill status of
/// every FK and collects the lint findings. Writes nothing.
public final class Auditor {
    let connection: Connection
    let session: Session?

    /// An auditor on a connection of the caller's: each run pins the search path and
    /// gives the connection its own back afterwards.
    public init(connection: Connection) {
        self.connection = connection
        session = nil
    }

    /// An auditor on a session already pinned (the command line's).
    public init(session: Session) {
        connection = session.connection
        self.session = session
    }

    /// Audits `scope` in one read-only REPEATABLE READ snapshot; writes nothing.
    /// - Parameters:
    ///   - scope: one table and its parent graph, a schema, or the whole database.
    ///   - rules: judge coverage the way a load with these rules would (`relations:` included).
    ///   - options: which findings to keep, and whether to read any data (by default none).
    /// - Throws: `FKBackfillError`, e.g. `.tableNotFound` or `.rulesProblems`.
    public func run(_ scope: AuditScope, rules: Rules = .none, options: AuditOptions = AuditOptions()) throws(FKBackfillError) -> AuditReport {
        try Session.run(session, over: connection) { session in try run(scope, rules: rules, options: options, on: session) }
    }

    /// One REPEATABLE READ snapshot. It turns read-only once the rules' `sql:` expressions
    /// were compiled (that creates, and rolls back, a temporary view).
    func run(_ scope: AuditScope, rules: Rules, options: AuditOptions, on session: Session) throws(FKBackfillError) -> AuditReport {
        try FKBackfillError.mapping {
            try session.transaction(isolation: .repeatableRead, jit: false) {
                try audit(scope, rules: rules, options: options, on: session)
            }
        }
    }

    /// An FK as the audit lists it: partitions may hold FKs of the same name, each its own.
    struct AuditedKey: Hashable {
        var table: TableName
        var declaredOn: TableName
        var name: String
        init(_ fk: ForeignKey) { table = fk.table; declaredOn = fk.declaredOn; name = fk.name }
    }

    func audit(_ scope: AuditScope, rules: Rules, options: AuditOptions, on session: Session) throws -> AuditReport {
        let (targets, label) = try resolve(scope, on: session)
        var catalog = try CatalogReader.read(rootOIDs: targets.map(\.oid), on: session)
        catalog = try CatalogReader.addRelations(rules, to: catalog, on: session)
        let rules = try RulesValidator.validate(rules, catalog: catalog, stagedColumns: nil, on: session)
        try session.execute("SET LOCAL transaction_read_only = on")
        let facts = try TableFacts.read(Array(catalog.tables.values), on: session)
        let columnFacts = try ParentColumnFacts.read(Array(catalog.tables.values), on: session)
        var sequenceKeys: [String: AuditReport.Finding] = [:]
        var report = AuditReport(scope: label)
        let targetNames = targets.map(\.name)
        let singleTable: Bool = if case .table = scope { true } else { false }

        var reported = Set<AuditedKey>()
        var checkCache = CheckCache()
        for target in targetNames {
            let sub = catalog.reachable(from: target)
            let keys = singleTable ? sub.foreignKeys : sub.foreignKeys(of: target)
            guard !keys.isEmpty else { continue }
            let graph = DependencyGraph(catalog: sub)
            guard let insertable = sub.table(target)?.columns.filter({ !$0.isDatabaseGenerated || $0.identity == .byDefault }) else { continue }
            let plan: LoadPlan
            do {
                plan = try LoadPlanner.plan(catalog: sub, graph: graph, stagedColumns: insertable.map(\.name), rules: rules)
            } catch {
                for fk in keys where reported.insert(AuditedKey(fk)).inserted {
                    report.foreignKeys.append(.init(
                        name: fk.name, table: fk.table, referencedTable: fk.referencedTable, columns: fk.columns,
                        referencedColumns: fk.referencedColumns, declared: fk.declared, status: .uncovered, reasons: [error.message],
                        declaredOn: fk.declaredOn, validated: fk.validated))
                }
                continue
            }
            var coverage = Coverage(plan: plan, graph: graph, rules: rules, facts: facts, session: session, checkCache: checkCache)
            coverage.columnFacts = columnFacts
            coverage.targetForeignKeys = catalog.foreignKeys(of: plan.target.name)
            for finding in Self.sequenceFindings(plan, columnFacts) where sequenceKeys[finding.object] == nil {
                sequenceKeys[finding.object] = finding
            }
            for fk in keys where reported.insert(AuditedKey(fk)).inserted {
                report.foreignKeys.append(try coverage.result(for: fk))
            }
            checkCache = coverage.checkCache
        }
        report.foreignKeys.sort { ($0.table, $0.name, $0.declaredOn ?? $0.table) < ($1.table, $1.name, $1.declaredOn ?? $1.table) }

        // A chain through another uncovered parent is named, not repeated: that parent's
        // own finding says why (issue 27: reasons once per parent).
        let blocking = report.blockingParents
        for result in report.foreignKeys where result.status == .uncovered {
            report.findings.append(.init(
                kind: "uncovered-fk", severity: .error, object: "\(result.table.description).\(result.name)",
                message: "a load cannot backfill \(result.referencedTable.display) through \(result.name): "
                    + report.shortened(result.reasons, parent: result.referencedTable, blocking: blocking).joined(separator: "; "),
                fix: "cover it with rules: `fkbackfill init \((singleTable ? targetNames[0] : result.table).display) > rules.yaml`, edit, pass --rules",
                table: result.table))
        }
        let audited = catalog.foreignKeys.filter { reported.contains(AuditedKey($0)) }
        let auditedTables = singleTable
            ? Array(catalog.reachable(from: targetNames[0]).tables.values) : targets.compactMap { catalog.table($0.name) }
        report.tables = auditedTables.count
        let checks = DataChecks(session: session, options: options)
        let lints = Lints(catalog: catalog, facts: facts, session: session)
        let partitions = try PartitionLints.read(auditedTables, on: session)
        report.partitionCounts = partitions.partitions.mapValues { tree in tree.filter { $0.leaf && $0.name != $0.parent }.count }
        report.findings += lints.missingIndexes(audited.filter { !$0.declared }, partitionIndexes: partitions.indexes)
        report.findings += lints.typeMismatches(audited)
        report.findings += try lints.notValid(audited, checks: checks)
        report.findings += partitions.foreignKeyFindings(audited)
        let impliedTables = auditedTables.filter { $0.partitionOf == nil }.sorted { $0.name < $1.name }
        let implied = try ImpliedRelations(catalog: catalog, session: session).findings(in: impliedTables, checks: checks)
        report.findings += implied
        report.findings += try ImpliedCompositeKeys(catalog: catalog, session: session)
            .findings(in: impliedTables, reported: Set(implied.map(\.object)))
        report.findings += sequenceKeys.values
        report.findings += lints.triggers(on: targetNames)
        report.findings += partitions.triggerFindings(on: auditedTables.map(\.name).sorted())
        report.findings += try CitusFindings(catalog: catalog, session: session).findings(tables: auditedTables, foreignKeys: audited)
        report.findings.sort { ($1.severity, $0.kind, $0.object) < ($0.severity, $1.kind, $1.object) }
        report.dataRead = checks.summary
        report.everyFinding = report.findings
        if let (baseline, file) = options.baseline { report.apply(baseline, file: file) }
        report.filter(minSeverity: options.minSeverity, only: options.only)
        return report
    }

    /// Parents a load backfills whose key column a sequence also fills (serial, identity,
    /// `nextval` DEFAULT): the new rows get explicit keys, so the sequence must move past
    /// them, or the application's next ordinary insert collides (issue 24, item 7).
    static func sequenceFindings(_ plan: LoadPlan, _ facts: ParentColumnFacts) -> [AuditReport.Finding] {
        plan.parents.filter(\.backfills).flatMap { parent in
            parent.keyColumns.compactMap { column -> AuditReport.Finding? in
                let table = parent.table.name
                guard let sequence = facts.sequences[table]?[column] else { return nil }
                let maximum: SQL = "SELECT pg_catalog.max(\(ident: column)) FROM \(table)"
                return AuditReport.Finding(
                    kind: "sequence-advance", severity: .info, object: "\(table.description).\(column)",
                    message: "new rows of \(table.display) get explicit keys in \(column), which sequence \(sequence) also fills: "
                        + "after a backfill the sequence must be past the largest key, or the next ordinary insert fails on a duplicate key",
                    // A text to run by hand: the sequence's name as a string literal.
                    fix: "SELECT pg_catalog.setval('\(sequence.replacingOccurrences(of: "'", with: "''"))', (\(maximum.description)));",
                    table: table)
            }
        }
    }

    /// A catalog row's table: its oid (text that always parses as one) and its name.
    static func tableRow(_ row: Row) throws -> (oid: UInt32, name: TableName) {
        let oid = try row.string("oid")
        guard let value = UInt32(oid) else {
            throw FKBackfillError("the catalog gave \(oid) as a table's oid", kind: .catalogChanged)
        }
        return (value, TableName(schema: try row.string("nspname"), name: try row.string("relname")))
    }

    /// The tables to audit and how to name the scope.
    func resolve(_ scope: AuditScope, on session: Session) throws -> ([(oid: UInt32, name: TableName)], String) {
        let sql: SQL = """
            SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
            """
        switch scope {
        case .table(let text):
            let table = try TableResolver.resolve(text, on: session)
            return ([table], table.name.description)
        case .schema(let schema):
            // A partition stands for its partitioned table (a schema may hold partitions only).
            let rows = try session.execute(
                """
                SELECT DISTINCT r.oid, rn.nspname, r.relname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_class r ON r.oid = CASE WHEN c.relispartition THEN pg_catalog.pg_partition_root(c.oid) ELSE c.oid END
                JOIN pg_namespace rn ON rn.oid = r.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname = \(bind: schema)
                ORDER BY rn.nspname, r.relname
                """).rows
            guard !rows.isEmpty else {
                let schemas = try session.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema'").rows.map { try $0.string("nspname") }
                throw FKBackfillError("schema \(schema) has no tables", hint: didYouMean(schema, in: schemas) ?? "check the schema name", kind: .tableNotFound)
            }
            return (try rows.map(Self.tableRow), "schema \(schema)")
        case .all:
            let rows = try session.execute(sql + " ORDER BY n.nspname, c.relname").rows
            guard !rows.isEmpty else { throw FKBackfillError("the database has no tables to audit", kind: .tableNotFound) }
            return (try rows.map(Self.tableRow), "all tables")
        }
    }
}

extension Catalog {
    /// The same graph as `subgraph(from:)`, built from the FKs of the tables reached only:
    /// an audit of 1,500 tables asks once per table, and filtering every table and FK
    /// each time made that quadratic.
    func reachable(from table: TableName) -> Catalog {
        var reached: Set<TableName> = [table]
        var pending = [table]
        while let next = pending.popLast() {
            for fk in foreignKeys(of: next) where reached.insert(fk.referencedTable).inserted {
                pending.append(fk.referencedTable)
            }
        }
        var tables: [TableName: Table] = [:]
        var keys: [ForeignKey] = []
        for name in reached.sorted() {
            if let found = self.table(name) { tables[name] = found }
            keys += foreignKeys(of: name)
        }
        return Catalog(root: table, tables: tables, sortedForeignKeys: keys)
    }
}
