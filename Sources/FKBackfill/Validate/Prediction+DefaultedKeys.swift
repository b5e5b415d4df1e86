import PostgresClient

/// Validate's prediction for FKs whose columns the input leaves, in part or whole, to the
/// target's DEFAULTs: the load stores the default and its verify (or PostgreSQL's own
/// check) refuses a key no parent holds, so validate evaluates the same default.
extension Prediction {
    /// Rows whose stored key, with the left-out columns at their DEFAULTs, no parent holds
    /// (blockers); and FKs whose stored key cannot be known before insert (a generated
    /// column, a default that takes a sequence value or calls a volatile function, a
    /// domain's default), named in `notExact`.
    func defaultedKeyViolations() throws -> (blockers: [String], notExact: [String]) {
        var blockers: [String] = []
        var notExact: [String] = []
        let staged = Set(run.plan.stagedColumns.map(\.name))
        for fk in run.catalog.foreignKeys(of: run.target.name) where !fk.declared && !fk.columns.allSatisfy(staged.contains) {
            let leftOut = fk.columns.filter { !staged.contains($0) }
            let columns = leftOut.compactMap { run.target.column($0) }
            var unknowable: [Column] = []
            for column in columns {
                if column.isDatabaseGenerated { unknowable.append(column); continue }
                let volatile = column.defaultExpression != nil ? try ColumnDefaults.isVolatile(column, of: run.target, on: run.session) : false
                let domain = column.defaultExpression == nil && column.domainDefault
                if volatile || domain { unknowable.append(column) }
            }
            if columns.count != leftOut.count || !unknowable.isEmpty {
                let names = unknowable.map(\.name).joined(separator: ", ")
                notExact.append("\(fk.name): \(names.isEmpty ? leftOut.joined(separator: ", ") : names) "
                    + "gets its value only when stored (generated, or a default that is volatile or a domain's); the load verifies it")
                continue
            }
            // Each left-out column as the insert fills it: its DEFAULT, typed, or NULL.
            let values = fk.columns.map { name -> SQL in
                guard let column = run.target.column(name), !staged.contains(name) else { return "s.\(ident: name) AS \(ident: name)" }
                return "CAST(\(column.defaultSQL ?? "NULL") AS \(column.pinnedType)) AS \(ident: name)"
            }
            let routed: SQL = run.plan.routeCondition(of: fk).map { " AND \($0)" } ?? ""
            let keys = KeyPredicates.columns("g", fk.columns)
            var condition: SQL = "(" + keys.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ") + " AND "
                + KeyPredicates.missing(try run.readable(fk), child: keys) + ")"
            if fk.match == .full && keys.count > 1 { condition += " OR " + KeyPredicates.partlyNull(keys) }
            let rows = try run.session.execute(
                "SELECT pg_catalog.count(*) AS n FROM (SELECT \(values.joined(separator: ", ")) FROM \(LoadStatements.stage) s "
                    + "WHERE s._fkb_reject IS NULL\(routed)) g WHERE \(condition)").rows[0].int("n") ?? 0
            if rows > 0 {
                blockers.append("\(rows) input rows would violate \(fk.name): key (\(fk.columns.joined(separator: ", "))) "
                    + "with \(leftOut.joined(separator: ", ")) at \(leftOut.count == 1 ? "its" : "their") DEFAULT "
                    + "missing from \(fk.referencedTable.display)")
            }
        }
        return (blockers, notExact)
    }
}

/// What the catalog says of a column's DEFAULT, for the keys an insert fills with it.
enum ColumnDefaults {
    /// The DEFAULT takes a sequence value or calls a function that is not IMMUTABLE or
    /// STABLE (user functions only: PostgreSQL records no dependency on built-ins).
    static func isVolatile(_ column: Column, of table: Table, on session: Session) throws -> Bool {
        try session.execute(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                JOIN pg_catalog.pg_depend d ON d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid = ad.oid
                LEFT JOIN pg_catalog.pg_class c ON d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND c.oid = d.refobjid
                LEFT JOIN pg_catalog.pg_proc p ON d.refclassid = CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) AND p.oid = d.refobjid
                WHERE ad.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND a.attname = \(bind: column.name)
                  AND (c.relkind = 'S' OR p.provolatile = 'v')
            ) OR pg_catalog.pg_get_expr(ad2.adbin, ad2.adrelid) ~ '(nextval|random|gen_random_uuid|clock_timestamp|uuid_generate)'
            AS volatile
            FROM pg_catalog.pg_attrdef ad2 JOIN pg_catalog.pg_attribute a2 ON a2.attrelid = ad2.adrelid AND a2.attnum = ad2.adnum
            WHERE ad2.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND a2.attname = \(bind: column.name)
            """).rows.first?.bool("volatile") ?? false
    }

    /// Of `table`'s columns with a DEFAULT, those `isVolatile` says so of, in one query.
    static func volatileColumns(of table: Table, on session: Session) throws -> Set<String> {
        Set(try session.execute(
            """
            SELECT a.attname FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            WHERE ad.adrelid = CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
              AND (pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) ~ '(nextval|random|gen_random_uuid|clock_timestamp|uuid_generate)'
                   OR EXISTS (
                       SELECT 1 FROM pg_catalog.pg_depend d
                       LEFT JOIN pg_catalog.pg_class c ON d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND c.oid = d.refobjid
                       LEFT JOIN pg_catalog.pg_proc p ON d.refclassid = CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) AND p.oid = d.refobjid
                       WHERE d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid = ad.oid
                         AND (c.relkind = 'S' OR p.provolatile = 'v')))
            """).rows.map { try $0.string("attname") })
    }
}
