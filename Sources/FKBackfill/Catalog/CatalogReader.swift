import PostgresClient

/// Reads a target table's FK graph from `pg_constraint`, `pg_attribute` and friends.
///
/// `information_schema` is not used: it hides constraints on tables the role does not
/// own, cannot tell a unique index from a constraint, and knows nothing of partitions.
public enum CatalogReader {
    /// Reads the graph rooted at the table `text` names (resolved like psql does).
    public static func read(table text: String, on connection: Connection) throws(FKBackfillError) -> Catalog {
        let (oid, _) = try TableResolver.resolve(text, on: connection)
        return try read(rootOID: oid, on: connection)
    }

    /// Reads the graphs of several tables at once (an audit of a schema): one catalog
    /// whose root is the first table and whose tables include every one of them.
    /// The three queries share one snapshot, so a concurrent DDL cannot make them disagree.
    public static func read(rootOIDs: [UInt32], on connection: Connection) throws(FKBackfillError) -> Catalog {
        guard !rootOIDs.isEmpty else { throw FKBackfillError("no tables to read") }
        return try FKBackfillError.mapping {
            if connection.inTransaction {
                return try withJITOff(on: connection) { try readQueries(rootOIDs: rootOIDs, on: connection) }
            }
            return try connection.transaction(readOnly: true) {
                try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                try connection.execute("SET LOCAL jit = off")
                return try readQueries(rootOIDs: rootOIDs, on: connection)
            }
        }
    }

    /// Adds the rules file's declared relations to a catalog already read.
    public static func addRelations(_ rules: Rules, to catalog: Catalog, on connection: Connection) throws(FKBackfillError) -> Catalog {
        guard !rules.relations.isEmpty else { return catalog }
        return try FKBackfillError.mapping {
            var problems: [RulesProblem] = []
            let relations = try DeclaredRelations.resolve(rules.relations, on: connection, problems: &problems)
            if !problems.isEmpty { throw FKBackfillError(rulesProblems: problems, file: rules.file) }
            if connection.inTransaction {
                return try withJITOff(on: connection) { try DeclaredRelations.merge(relations, into: catalog, on: connection) }
            }
            return try DeclaredRelations.merge(relations, into: catalog, on: connection)
        }
    }

    /// Reads the graph with the rules file's declared relations added (and followed).
    /// Relations that cannot be resolved are rules problems, thrown all at once.
    public static func read(table text: String, rules: Rules, on connection: Connection) throws(FKBackfillError) -> Catalog {
        try addRelations(rules, to: read(table: text, on: connection), on: connection)
    }

    /// Reads the graph rooted at the relation with this oid.
    public static func read(rootOID: UInt32, on connection: Connection) throws(FKBackfillError) -> Catalog {
        try read(rootOIDs: [rootOID], on: connection)
    }

    /// Inside a caller's transaction: JIT off for the catalog queries only.
    static func withJITOff<T>(on connection: Connection, _ body: () throws -> T) throws -> T {
        let previous = try connection.execute("SELECT current_setting('jit') AS jit").rows[0].string("jit")
        try connection.execute("SELECT set_config('jit', 'off', true)")
        let value = try body()
        try connection.execute("SELECT set_config('jit', $1, true)", [previous])
        return value
    }

    static func readQueries(rootOID: UInt32, on connection: Connection) throws -> Catalog {
        try readQueries(rootOIDs: [rootOID], on: connection)
    }

    /// Reads the union of several tables' graphs in the same three queries; the first
    /// table is the root.
    static func readQueries(rootOIDs: [UInt32], on connection: Connection) throws -> Catalog {
        let rootOID = rootOIDs[0]
        let roots = Set(rootOIDs.map(String.init))
        let constraints = try connection.execute(CatalogQueries.closure, [oidArray(roots)]).rows
        let constraintOIDs = Set(constraints.map { $0.string("constraint_oid") })
        var relationOIDs: Set<String> = roots
        for row in constraints {
            relationOIDs.formUnion([
                row.string("owner_oid"), row.string("conrelid"), row.string("confrelid"), row.string("declared_on"),
            ])
        }
        let pairs = try connection.execute(CatalogQueries.keyColumns, [oidArray(constraintOIDs)]).rows
        let tableRows = try connection.execute(CatalogQueries.tables, [oidArray(relationOIDs)]).rows

        let tablesByOID = buildTables(tableRows)
        var columnsByConstraint: [String: (child: [String], parent: [String])] = [:]
        for row in pairs {
            columnsByConstraint[row.string("constraint_oid"), default: ([], [])].child.append(row.string("child"))
            columnsByConstraint[row.string("constraint_oid"), default: ([], [])].parent.append(row.string("parent"))
        }
        guard let root = tablesByOID[String(rootOID)] else {
            throw FKBackfillError("relation with oid \(rootOID) disappeared while reading the catalog", exitStatus: .database)
        }
        let foreignKeys = constraints.compactMap { row -> ForeignKey? in
            guard let owner = tablesByOID[row.string("owner_oid")]?.name,
                  let parent = tablesByOID[row.string("confrelid")]?.name,
                  let declaredOn = tablesByOID[row.string("declared_on")]?.name,
                  let columns = columnsByConstraint[row.string("constraint_oid")]
            else { return nil }
            return ForeignKey(
                name: row.string("conname"),
                table: owner,
                columns: columns.child,
                referencedTable: parent,
                referencedColumns: columns.parent,
                match: row.string("confmatchtype") == "f" ? .full : row.string("confmatchtype") == "p" ? .partial : .simple,
                deferrable: row.bool("condeferrable"),
                initiallyDeferred: row.bool("condeferred"),
                validated: row.bool("convalidated"),
                onDelete: action(row.string("confdeltype")),
                onUpdate: action(row.string("confupdtype")),
                declaredOn: declaredOn,
                referencedKey: ForeignKey.ReferencedKey(
                    kind: row.string("key_kind") == "p" ? .primaryKey
                        : row.string("key_kind") == "u" ? .uniqueConstraint : .uniqueIndex,
                    name: row.string("key_name")))
        }
        // The graph's nodes: the root, FK owners and referenced tables (not the
        // partitions that merely hold a declaration).
        var tables: [TableName: Table] = [root.name: root]
        for oid in roots { if let table = tablesByOID[oid] { tables[table.name] = table } }
        for row in constraints {
            for key in ["owner_oid", "confrelid"] {
                if let table = tablesByOID[row.string(key)] { tables[table.name] = table }
            }
        }
        return Catalog(root: root.name, tables: tables, foreignKeys: foreignKeys)
    }

    static func buildTables(_ rows: [Row]) -> [String: Table] {
        var tables: [String: Table] = [:]
        for row in rows {
            let oid = row.string("oid")
            if tables[oid] == nil {
                let parent = row["parent_name"].map { TableName(schema: row.string("parent_schema"), name: $0) }
                tables[oid] = Table(
                    name: TableName(schema: row.string("nspname"), name: row.string("relname")),
                    oid: UInt32(oid) ?? 0,
                    kind: kind(row.string("relkind")),
                    partitionOf: parent,
                    columns: [])
            }
            guard let name = row["attname"] else { continue }
            let identity = row.string("attidentity")
            let generated = row.string("attgenerated")
            tables[oid]?.columns.append(Column(
                name: name,
                type: row.string("type"),
                notNull: row.bool("attnotnull"),
                defaultExpression: generated.isEmpty ? row["default_expression"] : nil,
                identity: identity == "a" ? .always : identity == "d" ? .byDefault : nil,
                generatedExpression: generated.isEmpty ? nil : row["default_expression"]))
        }
        return tables
    }

    static func kind(_ relkind: String) -> Table.Kind {
        switch relkind {
        case "r": .ordinary
        case "p": .partitioned
        case "f": .foreign
        case "v", "m": .view
        default: .other
        }
    }

    static func action(_ code: String) -> ForeignKey.Action {
        switch code {
        case "r": .restrict
        case "c": .cascade
        case "n": .setNull
        case "d": .setDefault
        default: .noAction
        }
    }

    /// An `oid[]` literal for a bound parameter: oids are digits, so no quoting is needed.
    static func oidArray(_ oids: Set<String>) -> String {
        "{" + oids.sorted().joined(separator: ",") + "}"
    }
}
