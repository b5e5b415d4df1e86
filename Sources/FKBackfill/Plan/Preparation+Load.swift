import PostgresClient

/// A load's preparation: the shared first half (`prepare`) with every check a load makes
/// before it stages or writes, in one place: the lock timeout and locks first (so the
/// FKs read are the ones that hold), then the input's columns against the target
/// (NOT NULL columns it lacks, `--replace-by`).
extension Preparation {
    /// Returns the preparation with `--replace-by` in its plan, and the target's
    /// constraints (unique keys, exclusion constraints, triggers) the load reads later.
    static func prepareLoad(
        table: String, input: InputSource, options: LoadOptions, on session: Session
    ) throws -> (Preparation, TargetConstraints) {
        if let timeout = options.lockTimeout {
            try session.execute("SELECT pg_catalog.set_config('lock_timeout', \(bind: timeout), true)")
        }
        let prepared = try Preparation.prepare(
            table: table, input: input, rules: options.rules, mode: options.mode, on: session, lockTarget: options.loadTarget,
            afterCatalog: { target in
                if options.exclusive {
                    // One load of this table at a time; released at COMMIT or ROLLBACK.
                    try session.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended('fkbackfill load ' || \(bind: String(target.oid)), 0))")
                }
            }, ignoreExtraColumns: options.ignoreExtraColumns)
        let (target, opened) = (prepared.target, prepared.opened)
        var plan = prepared.plan
        plan.replaceBy = options.replaceBy
        plan.replaceEquality = try replaceEquality(options.replaceBy, of: target, input: opened.columns, on: session)
        plan.replaceNotNull = try replaceNotNull(options.replaceBy, of: target, on: session)
        let constraints = try TargetConstraints.read(target, on: session)
        if options.loadTarget, let column = try Preparation.notNullColumnsMissing(from: opened.columns, of: target, constraints: constraints, on: session).first {
            let place = if case .csv = input { "\(input.label):1" } else { input.label }
            throw FKBackfillError(
                "\(place): " + Preparation.notNullColumnMissingMessage(column, of: target),
                hint: "add \(column.name) to the input", kind: .badInput(line: 1))
        }
        try Preparation.checkReplaceByColumns(options.replaceBy, in: opened.columns, of: target)
        let load = Preparation(
            catalog: prepared.catalog, graph: prepared.graph, target: target, opened: opened, rules: prepared.rules, plan: plan)
        return (load, constraints)
    }
}

extension Preparation {
    /// Each `--replace-by` column's own equality (citext case-blind, a domain over ltree as
    /// ltree), as the load's DELETE and validate compare; a target column of the input
    /// without one is refused.
    static func replaceEquality(_ replaceBy: [String], of target: Table, input: [String], on session: Session) throws -> [String: SQLOperator] {
        let equality = try OperatorCatalog.columnEquality(target.oid, replaceBy, on: session)
        for column in replaceBy where input.contains(column) && target.column(column) != nil && equality[column] == nil {
            throw FKBackfillError(
                "replace-by column \(column) of \(target.name.display) has a type with no equality (no default btree or hash operator class)",
                hint: "choose columns whose values can be compared", kind: .invalidOptions)
        }
        return equality
    }

    /// The `--replace-by` columns that hold no NULL anywhere the load's DELETE reaches: NOT
    /// NULL in the target and in every inheritance child (PostgreSQL 15 lets a child drop
    /// an inherited NOT NULL, and the DELETE is not ONLY: hostile review 10). Those are
    /// matched with plain equality (`LoadStatements.replaceMatch`).
    static func replaceNotNull(_ replaceBy: [String], of target: Table, on session: Session) throws -> Set<String> {
        guard !replaceBy.isEmpty else { return [] }
        let rows = try session.execute(
            """
            WITH RECURSIVE tree(oid) AS (
                SELECT CAST(\(bind: String(target.oid)) AS pg_catalog.oid)
                UNION
                SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent OPERATOR(pg_catalog.=) tree.oid
            )
            SELECT c.name FROM pg_catalog.unnest(CAST(\(bindArray: replaceBy) AS pg_catalog.text[])) AS c(name)
            WHERE NOT EXISTS (SELECT 1 FROM tree LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) tree.oid
                              AND a.attname OPERATOR(pg_catalog.=) CAST(c.name AS pg_catalog.name) AND NOT a.attisdropped
                              WHERE a.attnotnull IS NOT TRUE)
            """).rows
        return Set(try rows.map { try $0.string("name") })
    }
}
