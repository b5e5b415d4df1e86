import PostgresClient

/// The first half that load and validate share, built one way for both: catalog →
/// graph → input → rules → plan. (Audit, which has no input, plans each table from the
/// same catalog and planner.)
struct Preparation {
    let catalog: Catalog
    let graph: DependencyGraph
    let target: Table
    let opened: OpenedInput
    /// The rules with their names resolved against the catalog.
    let rules: Rules
    let plan: LoadPlan

    /// Reads the target's graph (with the rules' declared relations), runs `afterCatalog`
    /// (a load takes its locks there, before it reads any data), opens the input, checks
    /// the rules against both, and plans.
    /// - Parameters:
    ///   - input: nil checks the target's own rows (their insertable columns).
    ///   - lockTarget: take ROW EXCLUSIVE on the target before reading its FKs (a load).
    ///   - planWithoutRules: on a plan the rules make impossible, plan without them and
    ///     hand the reason to this closure instead of throwing (validate reports it).
    ///   - ignoreExtraColumns: an input column that is neither the target's nor read by
    ///     the backfill is staged unread instead of refused (`ExtraColumns.resolve`).
    ///   - needsTemporary: the run creates temporary tables, so the role needs TEMPORARY
    ///     on the database (false for a validation that reads in place, READ ONLY).
    static func prepare(
        table: String, input: InputSource?, rules: Rules, mode: BackfillMode = .insertMissing, on session: Session,
        lockTarget: Bool = false, afterCatalog: (Table) throws -> Void = { _ in },
        planWithoutRules: ((FKBackfillError) -> Void)? = nil, ignoreExtraColumns: Bool = false, needsTemporary: Bool = true
    ) throws -> Preparation {
        let (oid, name) = try TableResolver.resolve(table, on: session)
        // Before its FKs are read: a concurrent ADD FOREIGN KEY (SHARE ROW EXCLUSIVE) now
        // waits for this load, so the FKs read here are the ones that hold. (A role that
        // may not insert is told so by the privilege check, as a GRANT.)
        if lockTarget, try session.execute(
            "SELECT pg_catalog.has_table_privilege(CAST(\(bind: String(oid)) AS pg_catalog.oid), 'INSERT') AS ok").rows[0].bool("ok") {
            try session.execute("LOCK TABLE \(name) IN ROW EXCLUSIVE MODE")
        }
        // Work tables and views are temporary: say so before anything is written.
        let temporary = try session.execute(
            """
            SELECT has_database_privilege(current_database(), 'TEMPORARY') AS ok, current_database() AS db, current_user AS role,
                   pg_catalog.current_setting('server_encoding') = 'UTF8' AS unicode
            """
        ).rows[0]
        if needsTemporary && !temporary.bool("ok") {
            throw Privileges.error([("GRANT TEMPORARY ON DATABASE \(ident: try temporary.string("db")) TO \(ident: try temporary.string("role"));" as SQL).description])
        }
        let catalog = try CatalogReader.addRelations(rules, to: CatalogReader.read(rootOID: oid, on: session), on: session)
        guard let target = catalog.table(catalog.root) else {
            throw FKBackfillError("\(catalog.root.display) disappeared", kind: .catalogChanged)
        }
        try afterCatalog(target)
        let source = input ?? .table(target.name.display)
        let opened = try OpenedInput.open(source, target: target, on: session, onlyInsertable: input == nil, compileQuery: needsTemporary)
        let extra = ExtraColumns.typed(ExtraColumns.names(opened.columns, of: target), catalog: catalog)
        let resolved = try RulesValidator.validate(
            rules, catalog: catalog, stagedColumns: opened.columns, extraColumns: extra, on: session)
        let graph = DependencyGraph(catalog: catalog)
        var plan: LoadPlan
        do {
            plan = try LoadPlanner.plan(
                catalog: catalog, graph: graph, stagedColumns: opened.columns, rules: resolved, mode: mode, extraColumns: extra)
        } catch {
            guard let planWithoutRules else { throw error }
            planWithoutRules(error)
            plan = try LoadPlanner.plan(catalog: catalog, graph: graph, stagedColumns: opened.columns, mode: mode, extraColumns: extra)
        }
        // Load and validate judge extra columns here, one way, before anything is staged.
        try ExtraColumns.resolve(&plan, rules: resolved, input: source, ignoreUnused: ignoreExtraColumns)
        plan.unicode = temporary.bool("unicode")
        (plan.sourceTypes, plan.printedByOutput) = try opened.sourceTypes(of: target, on: session)
        (plan.routes, plan.unroutable) = try PartitionRoutes.read(plan: plan, catalog: catalog, on: session)
        return Preparation(catalog: catalog, graph: graph, target: target, opened: opened, rules: resolved, plan: plan)
    }
}
