import PostgresClient

/// The table privileges a run needs, checked in one query before it writes anything, and
/// reported as the GRANT statements a DBA would run.
struct Privileges {
    struct Need: Hashable {
        var table: TableName
        var oid: UInt32
        var privilege: String
        /// The columns it is needed on; empty: the table's (DELETE, or what reads it whole).
        var columns: [String] = []
    }

    private(set) var needs: [Need] = []

    /// `columns`: where PostgreSQL checks the privilege per column (an INSERT's columns, a
    /// SELECT's), a role granted it on those columns alone has what the run needs (hostile
    /// review 22: `GRANT SELECT (code), INSERT (code) ON dim` let a plain INSERT of new
    /// keys run, and the load refused it for want of the table's).
    mutating func require(_ privilege: String, on table: Table, columns: [String] = []) {
        let need = Need(table: table.name, oid: table.oid, privilege: privilege, columns: columns)
        if !needs.contains(need) { needs.append(need) }
    }

    /// GRANT statements for what the current role lacks, one per table; empty when all is
    /// there. A need on columns is met by the table's privilege or each column's; one that
    /// is not is suggested on the table, as a DBA grants it most often.
    func missingGrants(on session: Session) throws -> [String] {
        guard !needs.isEmpty else { return [] }
        // One row per need and column (NULL: the table's).
        let rows = needs.enumerated().flatMap { index, need in (need.columns.isEmpty ? [nil] : need.columns.map { $0 }).map { (index + 1, need, $0) } }
        let result = try session.execute(
            """
            SELECT CURRENT_USER AS role, n.ord,
                   pg_catalog.bool_and(CASE WHEN n.col IS NULL THEN pg_catalog.has_table_privilege(n.oid, n.privilege)
                        ELSE pg_catalog.has_column_privilege(n.oid, CAST(n.col AS pg_catalog.name), n.privilege) END) AS granted
            FROM ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: rows.map { String($0.1.oid) }) AS pg_catalog.oid[])),
                            pg_catalog.unnest(CAST(\(bindArray: rows.map(\.1.privilege)) AS pg_catalog.text[])),
                            pg_catalog.unnest(CAST(\(bindArray: rows.map(\.2)) AS pg_catalog.text[])),
                            pg_catalog.unnest(CAST(\(bindArray: rows.map { String($0.0) }) AS pg_catalog.int4[]))) AS n(oid, privilege, col, ord)
            GROUP BY n.ord ORDER BY n.ord
            """)
        var missing: [TableName: [String]] = [:]
        var order: [TableName] = []
        var role = ""
        for row in result.rows where !row.bool("granted") {
            role = try row.string("role")
            guard let position = row.int("ord") else { continue }
            let need = needs[position - 1]
            if missing[need.table] == nil { order.append(need.table) }
            if missing[need.table]?.contains(need.privilege) != true { missing[need.table, default: []].append(need.privilege) }
        }
        return order.map { table in
            // The privilege names are this type's own constants (SELECT, INSERT, …).
            ("GRANT \(unsafeRaw: (missing[table] ?? []).joined(separator: ", ")) ON \(table) TO \(ident: role);" as SQL).description
        }
    }

    /// GRANT statements for the schemas the current role may not use (`usage`) or create
    /// a table in (`create`).
    static func missingSchemaGrants(usage: [String], create: [String], on session: Session) throws -> [String] {
        let needs = usage.map { ($0, "USAGE") } + create.map { ($0, "CREATE") }
        guard !needs.isEmpty else { return [] }
        let rows = try session.execute(
            """
            SELECT n.schema, n.privilege, current_user AS role
            FROM unnest(CAST(\(bindArray: needs.map(\.0)) AS text[]), CAST(\(bindArray: needs.map(\.1)) AS text[]))
                 WITH ORDINALITY AS n(schema, privilege, position)
            WHERE EXISTS (SELECT 1 FROM pg_namespace s WHERE s.nspname = n.schema)
              AND NOT has_schema_privilege(n.schema, n.privilege)
            ORDER BY n.position
            """).rows
        return try rows.map { row in
            // The privilege is one of this function's two constants.
            ("GRANT \(unsafeRaw: try row.string("privilege") == "CREATE" ? "CREATE" : "USAGE") ON SCHEMA \(ident: try row.string("schema")) "
                + "TO \(ident: try row.string("role"));" as SQL).description
        }
    }

    static func error(_ grants: [String]) -> FKBackfillError {
        FKBackfillError(
            "the current role lacks privileges this run needs, nothing was written", details: grants,
            hint: "have a DBA run the GRANT statements above, or connect as a role that has them",
            kind: .missingPrivileges)
    }
}
