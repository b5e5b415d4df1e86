import PostgresClient

/// The table privileges a run needs, checked in one query before it writes anything, and
/// reported as the GRANT statements a DBA would run.
struct Privileges {
    struct Need: Hashable {
        var table: TableName
        var oid: UInt32
        var privilege: String
    }

    private(set) var needs: [Need] = []

    mutating func require(_ privilege: String, on table: Table) {
        let need = Need(table: table.name, oid: table.oid, privilege: privilege)
        if !needs.contains(need) { needs.append(need) }
    }

    /// GRANT statements for what the current role lacks, one per table; empty when all is there.
    func missingGrants(on session: Session) throws -> [String] {
        guard !needs.isEmpty else { return [] }
        let result = try session.execute(
            """
            SELECT current_user AS role, n.ord, has_table_privilege(n.oid, n.privilege) AS granted
            FROM unnest(CAST(\(bindArray: needs.map { String($0.oid) }) AS oid[]), CAST(\(bindArray: needs.map(\.privilege)) AS text[]))
                 WITH ORDINALITY AS n(oid, privilege, ord)
            """)
        var missing: [TableName: [String]] = [:]
        var order: [TableName] = []
        var role = ""
        for row in result.rows where !row.bool("granted") {
            role = try row.string("role")
            guard let position = row.int("ord") else { continue }
            let need = needs[position - 1]
            if missing[need.table] == nil { order.append(need.table) }
            missing[need.table, default: []].append(need.privilege)
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
