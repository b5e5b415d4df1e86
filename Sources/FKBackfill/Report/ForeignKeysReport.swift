/// What `fkbackfill fks` prints: every FK of the target and its parents.
public struct ForeignKeysReport: Sendable {
    /// The target's FK graph as read from the database (and the rules file's relations).
    public let catalog: Catalog
    /// The graph of `catalog`, which decides the order FKs are listed in.
    public let graph: DependencyGraph

    /// A report on every FK of `catalog`, its graph built from it.
    public init(catalog: Catalog) {
        self.catalog = catalog
        self.graph = DependencyGraph(catalog: catalog)
    }

    /// FKs by table: the target's own first, then its parents' in reverse load order,
    /// then by name. The target is put first by name, not by its place in the order: in
    /// a cycle the load order may put a parent after it.
    public var foreignKeys: [ForeignKey] {
        let position = Dictionary(uniqueKeysWithValues: graph.order.reversed().enumerated().map { ($1, $0 + 1) })
        let root = catalog.root
        func rank(_ fk: ForeignKey) -> Int { fk.table == root ? 0 : position[fk.table] ?? Int.max }
        return catalog.foreignKeys.sorted { (rank($0), $0.name) < (rank($1), $1.name) }
    }

    /// The FKs as `text` or `json` (docs/json-output.md); other formats give text.
    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: encodeJSON(json)
        default: text
        }
    }

    // MARK: JSON (documented in docs/json-output.md)

    struct JSONDocument: Encodable {
        var schemaVersion = SchemaVersion.foreignKeys
        var table: TableName
        var foreignKeys: [JSONForeignKey]
    }

    struct JSONColumn: Encodable {
        var name: String
        var type: String
        var nullable: Bool
        var `default`: String?
        var identity: String?
        var generated: String?

        init(_ column: Column?, name: String) {
            self.name = name
            type = column?.type ?? "unknown"
            nullable = !(column?.notNull ?? false)
            self.default = column?.defaultExpression
            identity = column?.identity?.rawValue
            generated = column?.generatedExpression
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(type, forKey: .type)
            try container.encode(nullable, forKey: .nullable)
            try container.encode(self.default, forKey: .default)
            try container.encode(identity, forKey: .identity)
            try container.encode(generated, forKey: .generated)
        }

        enum CodingKeys: String, CodingKey { case name, type, nullable, `default`, identity, generated }
    }

    struct JSONForeignKey: Encodable {
        var name: String
        var table: TableName
        var columns: [String]
        var referencedTable: TableName
        var referencedColumns: [String]
        var match: String
        var deferrable: Bool
        var initiallyDeferred: Bool
        var validated: Bool
        var onDelete: String
        var onUpdate: String
        var declaredOn: TableName
        var referencedKey: ForeignKey.ReferencedKey
        var columnDetails: [JSONColumn]
        var referencedColumnDetails: [JSONColumn]
        var declared: Bool
    }

    var json: JSONDocument {
        JSONDocument(
            table: catalog.root,
            foreignKeys: foreignKeys.map { fk in
                let child = catalog.table(fk.table)
                let parent = catalog.table(fk.referencedTable)
                return JSONForeignKey(
                    name: fk.name, table: fk.table, columns: fk.columns,
                    referencedTable: fk.referencedTable, referencedColumns: fk.referencedColumns,
                    match: fk.match.rawValue, deferrable: fk.deferrable, initiallyDeferred: fk.initiallyDeferred,
                    validated: fk.validated, onDelete: fk.onDelete.rawValue, onUpdate: fk.onUpdate.rawValue,
                    declaredOn: fk.declaredOn, referencedKey: fk.referencedKey,
                    columnDetails: fk.columns.map { JSONColumn(child?.column($0), name: $0) },
                    referencedColumnDetails: fk.referencedColumns.map { JSONColumn(parent?.column($0), name: $0) },
                    declared: fk.declared)
            })
    }

    // MARK: Text

    var text: String {
        let keys = foreignKeys
        let tableCount = Set(keys.map(\.table)).count
        var out = "Foreign keys of \(catalog.root.display) and its parents: \(keys.count) "
            + "\(keys.count == 1 ? "key" : "keys") on \(tableCount) \(tableCount == 1 ? "table" : "tables")\n"
        guard !keys.isEmpty else { return out + "\n(\(catalog.root.display) references no other table)\n" }
        var summary = TextTable("TABLE", "CONSTRAINT", "COLUMNS", "REFERENCES", "MATCH", "ON DELETE", "ON UPDATE", "NOTES")
        for fk in keys {
            var notes: [String] = []
            if fk.deferrable { notes.append(fk.initiallyDeferred ? "deferrable, initially deferred" : "deferrable") }
            if !fk.validated { notes.append("NOT VALID") }
            if fk.declaredOn != fk.table { notes.append("declared on \(fk.declaredOn.display)") }
            switch fk.referencedKey.kind {
            case .primaryKey: break
            case .uniqueConstraint: notes.append("to unique constraint \(fk.referencedKey.name)")
            case .uniqueIndex: notes.append("to unique index \(fk.referencedKey.name)")
            }
            if fk.isSelfReference { notes.append("self-reference") }
            if fk.declared { notes.append("declared (rules file, not in the database)") }
            summary.add(
                fk.table.display, fk.name, fk.columns.joined(separator: ", "),
                "\(fk.referencedTable.display) (\(fk.referencedColumns.joined(separator: ", ")))",
                fk.match.rawValue, fk.onDelete.rawValue, fk.onUpdate.rawValue, notes.joined(separator: "; "))
        }
        out += "\n" + summary.render()
        var columns = TextTable("CONSTRAINT", "COLUMN", "TYPE", "NULL", "REFERENCED COLUMN", "TYPE", "NULL")
        for fk in keys {
            let child = catalog.table(fk.table)
            let parent = catalog.table(fk.referencedTable)
            for (name, referenced) in zip(fk.columns, fk.referencedColumns) {
                let childColumn = child?.column(name)
                let parentColumn = parent?.column(referenced)
                columns.add(
                    fk.name, name, childColumn?.type ?? "?", childColumn?.notNull == false ? "yes" : "no",
                    referenced, parentColumn?.type ?? "?", parentColumn?.notNull == false ? "yes" : "no")
            }
        }
        out += "\nKey columns:\n" + columns.render()
        return out
    }
}
