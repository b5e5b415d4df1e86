import PostgresClient

/// Reads a target table's FK graph from `pg_constraint`, `pg_attribute` and friends.
///
/// `information_schema` is not used: it hides constraints on tables the role does not
/// own, cannot tell a unique index from a constraint, and knows nothing of partitions.
public enum CatalogReader {
    /// Reads the graph rooted at the table `text` names (resolved like psql does).
    public static func read(table text: String, on session: Session) throws(FKBackfillError) -> Catalog {
        let (oid, _) = try TableResolver.resolve(text, on: session)
        return try read(rootOID: oid, on: session)
    }

    /// Reads on a connection of the caller's, which keeps its own search path.
    public static func read(table text: String, on connection: Connection) throws(FKBackfillError) -> Catalog {
        try Session.scoped(connection) { session in try read(table: text, on: session) }
    }

    /// Reads the graphs of several tables at once (an audit of a schema): one catalog
    /// whose root is the first table and whose tables include every one of them.
    /// The three queries share one snapshot, so a concurrent DDL cannot make them disagree.
    public static func read(rootOIDs: [UInt32], on session: Session) throws(FKBackfillError) -> Catalog {
        guard !rootOIDs.isEmpty else { throw FKBackfillError("no tables to read", kind: .tableNotFound) }
        return try FKBackfillError.mapping {
            if session.inTransaction {
                return try withJITOff(on: session) { try readQueries(rootOIDs: rootOIDs, on: session) }
            }
            return try session.transaction(isolation: .repeatableRead, readOnly: true, jit: false) {
                try readQueries(rootOIDs: rootOIDs, on: session)
            }
        }
    }

    /// Reads the graph rooted at the relation with this oid.
    public static func read(rootOID: UInt32, on session: Session) throws(FKBackfillError) -> Catalog {
        try read(rootOIDs: [rootOID], on: session)
    }

    /// Inside a caller's transaction: JIT off for the catalog queries only.
    static func withJITOff<T>(on session: Session, _ body: () throws -> T) throws -> T {
        try session.withLocalSetting("jit", "off", body)
    }

    static func readQueries(rootOID: UInt32, on session: Session) throws -> Catalog {
        try readQueries(rootOIDs: [rootOID], on: session)
    }

    /// Reads the union of several tables' graphs in the same three queries; the first
    /// table is the root.
    static func readQueries(rootOIDs: [UInt32], on session: Session) throws -> Catalog {
        let rootOID = rootOIDs[0]
        let roots = Set(rootOIDs.map(String.init))
        let constraints = try session.execute(CatalogQueries.closure(roots.sorted())).rows
        let constraintOIDs = Set(try constraints.map { try $0.string("constraint_oid") })
        var relationOIDs: Set<String> = roots
        for row in constraints {
            relationOIDs.formUnion([
                try row.string("owner_oid"), try row.string("conrelid"), try row.string("confrelid"), try row.string("declared_on"),
            ])
        }
        let pairs = try session.execute(CatalogQueries.keyColumns(constraintOIDs.sorted())).rows
        let tableRows = try session.execute(CatalogQueries.tables(relationOIDs.sorted())).rows

        let tablesByOID = try buildTables(tableRows)
        var columnsByConstraint: [String: KeyPairs] = [:]
        let operators = try OperatorCatalog.read(pairs.flatMap { [try $0.string("pf_oid"), try $0.string("ff_oid")] }, on: session)
        for row in pairs {
            guard var pf = operators[try row.string("pf_oid")], let ff = operators[try row.string("ff_oid")] else {
                throw FKBackfillError("an equality operator of an FK disappeared while reading the catalog", kind: .catalogChanged)
            }
            if let schema = row["pk_collation_schema"], let name = row["pk_collation_name"] { pf.collation = SQLTypeName(schema: schema, name: name) }
            columnsByConstraint[try row.string("constraint_oid"), default: KeyPairs()].append(
                child: try row.string("child"), parent: try row.string("parent"), pf: pf, ff: ff)
        }
        guard let root = tablesByOID[String(rootOID)] else {
            throw FKBackfillError("relation with oid \(rootOID) disappeared while reading the catalog", kind: .catalogChanged)
        }
        let foreignKeys = try constraints.compactMap { row -> ForeignKey? in
            guard let owner = tablesByOID[try row.string("owner_oid")]?.name,
                  let parent = tablesByOID[try row.string("confrelid")]?.name,
                  let declaredOn = tablesByOID[try row.string("declared_on")]?.name,
                  let columns = columnsByConstraint[try row.string("constraint_oid")]
            else { return nil }
            var fk = ForeignKey(
                name: try row.string("conname"),
                table: owner,
                columns: columns.child,
                referencedTable: parent,
                referencedColumns: columns.parent,
                match: try row.string("confmatchtype") == "f" ? .full : try row.string("confmatchtype") == "p" ? .partial : .simple,
                deferrable: row.bool("condeferrable"),
                initiallyDeferred: row.bool("condeferred"),
                validated: row.bool("convalidated"),
                onDelete: action(try row.string("confdeltype")),
                onUpdate: action(try row.string("confupdtype")),
                declaredOn: declaredOn,
                referencedKey: ForeignKey.ReferencedKey(
                    kind: try row.string("key_kind") == "p" ? .primaryKey
                        : try row.string("key_kind") == "u" ? .uniqueConstraint : .uniqueIndex,
                    name: try row.string("key_name")),
                equality: columns.pf, childEquality: columns.ff)
            fk.referencedPartitioned = tablesByOID[try row.string("confrelid")]?.kind == .partitioned
            return fk
        }
        // The graph's nodes: the root, FK owners and referenced tables (not the
        // partitions that merely hold a declaration).
        var tables: [TableName: Table] = [root.name: root]
        for oid in roots { if let table = tablesByOID[oid] { tables[table.name] = table } }
        for row in constraints {
            for key in ["owner_oid", "confrelid"] {
                if let table = tablesByOID[try row.string(key)] { tables[table.name] = table }
            }
        }
        return Catalog(root: root.name, tables: tables, foreignKeys: foreignKeys)
    }

    static func buildTables(_ rows: [Row]) throws -> [String: Table] {
        var tables: [String: Table] = [:]
        for row in rows {
            let oid = try row.string("oid")
            if tables[oid] == nil {
                let parent = try row["parent_name"].map { TableName(schema: try row.string("parent_schema"), name: $0) }
                tables[oid] = Table(
                    name: TableName(schema: try row.string("nspname"), name: try row.string("relname")),
                    oid: UInt32(oid) ?? 0,
                    kind: kind(try row.string("relkind")),
                    partitionOf: parent,
                    columns: [])
            }
            guard let name = row["attname"] else { continue }
            let identity = try row.string("attidentity")
            let generated = try row.string("attgenerated")
            var column = Column(
                name: name,
                type: try row.string("type"),
                // A domain's NOT NULL refuses NULL as the column's does: every "left NULL"
                // check (a parent's new rows, a target column the input lacks) must see it
                // (hostile review 19: `label nonempty_text`, validate said would load).
                notNull: row.bool("attnotnull") || row.bool("domain_not_null"),
                defaultExpression: generated.isEmpty ? row["default_expression"] : nil,
                identity: identity == "a" ? .always : identity == "d" ? .byDefault : nil,
                generatedExpression: generated.isEmpty ? nil : row["default_expression"])
            column.domainBaseType = row["domain_base"]
            column.domainNotNull = row.bool("domain_not_null")
            column.domainDefault = row.bool("domain_default")
            column.domainDefaultExpression = row["domain_default_expression"]
            column.arrayDomainBaseType = row["array_domain_base"]
            if let schema = row["collation_schema"], let name = row["collation_name"] { column.collation = [schema, name] }
            tables[oid]?.columns.append(column)
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

}

/// One FK's column pairs and their operators, as the catalog lists them.
struct KeyPairs {
    var child: [String] = []
    var parent: [String] = []
    var pf: [SQLOperator] = []
    var ff: [SQLOperator] = []

    mutating func append(child: String, parent: String, pf: SQLOperator, ff: SQLOperator) {
        self.child.append(child)
        self.parent.append(parent)
        self.pf.append(pf)
        self.ff.append(ff)
    }
}
