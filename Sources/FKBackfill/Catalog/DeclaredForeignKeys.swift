import PostgresClient

/// Adds foreign keys declared outside the database (the rules file's `relations:`,
/// resolved on the rules' side by `DeclaredRelations`) to a catalog already read. The
/// referenced table's own parents are read too, so a declared FK is followed as far as
/// a catalog FK would be.
extension CatalogReader {
    /// A declared FK, and the oid of the table it references (read when it is not in the
    /// graph yet).
    struct DeclaredForeignKey {
        var foreignKey: ForeignKey
        var referencedOID: UInt32
    }

    /// Merges the declared FKs into `catalog`; inside a caller's transaction with JIT off
    /// for the catalog queries, as `read` does.
    static func adding(_ declared: [DeclaredForeignKey], to catalog: Catalog, on session: Session) throws -> Catalog {
        if session.inTransaction {
            return try withJITOff(on: session) { try merge(declared, into: catalog, on: session) }
        }
        return try merge(declared, into: catalog, on: session)
    }

    /// Merges the declared FKs whose referencing table is in the graph, reading each new
    /// referenced table's own closure, until nothing changes.
    private static func merge(_ declared: [DeclaredForeignKey], into catalog: Catalog, on session: Session) throws -> Catalog {
        var tables = catalog.tables
        var foreignKeys = catalog.foreignKeys
        var pending = declared
        var changed = true
        while changed {
            changed = false
            for relation in pending where tables[relation.foreignKey.table] != nil {
                foreignKeys.append(relation.foreignKey)
                if tables[relation.foreignKey.referencedTable] == nil {
                    let more = try readQueries(rootOID: relation.referencedOID, on: session)
                    tables.merge(more.tables) { current, _ in current }
                    // An FK is one constraint of one table: its name is unique there.
                    let known = Set(foreignKeys.map { [$0.table.schema, $0.table.name, $0.name] })
                    foreignKeys += more.foreignKeys.filter { !known.contains([$0.table.schema, $0.table.name, $0.name]) }
                }
                changed = true
            }
            pending.removeAll { tables[$0.foreignKey.table] != nil }
        }
        for index in foreignKeys.indices where foreignKeys[index].declared {
            foreignKeys[index].referencedPartitioned = tables[foreignKeys[index].referencedTable]?.kind == .partitioned
        }
        return Catalog(root: catalog.root, tables: tables, foreignKeys: foreignKeys)
    }
}
