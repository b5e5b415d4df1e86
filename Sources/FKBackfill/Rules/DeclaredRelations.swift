import PostgresClient

/// Resolves the rules file's `relations:` against the database: each becomes a plain
/// `ForeignKey` with `declared = true`, which the catalog then merges
/// (`CatalogReader.adding`). Kept here, on the rules' side, so that Catalog knows
/// nothing of rules files, their locations or their problems.
enum DeclaredRelations {
    /// Finds both tables and checks that the referenced columns carry a primary key or
    /// unique constraint (ON CONFLICT needs one). Problems are collected, not thrown.
    static func resolve(
        _ relations: [Relation], on session: Session, problems: inout [RulesProblem]
    ) throws -> [CatalogReader.DeclaredForeignKey] {
        var resolved: [CatalogReader.DeclaredForeignKey] = []
        for relation in relations {
            let from: (oid: UInt32, name: TableName)
            let to: (oid: UInt32, name: TableName)
            do {
                from = try TableResolver.resolve(relation.fromTable, on: session)
                to = try TableResolver.resolve(relation.toTable, on: session)
            } catch {
                problems.append(RulesProblem(relation.location, error.message, hint: error.hint))
                continue
            }
            let columns = try session.execute(
                """
                SELECT attrelid, attname FROM pg_attribute
                WHERE attrelid IN (CAST(\(bind: String(from.oid)) AS oid), CAST(\(bind: String(to.oid)) AS oid)) AND attnum > 0 AND NOT attisdropped
                """)
            let fromColumns = try columns.rows.filter { try $0.string("attrelid") == String(from.oid) }.map { try $0.string("attname") }
            let toColumns = try columns.rows.filter { try $0.string("attrelid") == String(to.oid) }.map { try $0.string("attname") }
            var ok = true
            for column in relation.fromColumns where !fromColumns.contains(column) {
                problems.append(RulesProblem(relation.location, "relation: \(from.name.display) has no column \(column)",
                                             hint: didYouMean(column, in: fromColumns)))
                ok = false
            }
            for column in relation.toColumns where !toColumns.contains(column) {
                problems.append(RulesProblem(relation.location, "relation: \(to.name.display) has no column \(column)",
                                             hint: didYouMean(column, in: toColumns)))
                ok = false
            }
            guard ok else { continue }
            // A unique, non-partial index on exactly these columns (any order), preferring a constraint.
            let key = try session.execute(
                """
                SELECT coalesce(c.contype::text, 'i') AS kind, coalesce(c.conname::text, ic.relname::text) AS name, x.indexrelid
                FROM pg_index x
                JOIN pg_class ic ON ic.oid = x.indexrelid
                LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
                WHERE x.indrelid = CAST(\(bind: String(to.oid)) AS oid) AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND (SELECT array_agg(CAST(a.attname AS text) ORDER BY a.attname) FROM pg_attribute a
                       WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey))
                      = (SELECT array_agg(n ORDER BY n) FROM unnest(CAST(\(bindArray: relation.toColumns) AS text[])) AS n)
                ORDER BY c.contype NULLS LAST LIMIT 1
                """)
            guard let row = key.rows.first else {
                problems.append(RulesProblem(
                    relation.location,
                    "relation: \(to.name.display) (\(relation.toColumns.joined(separator: ", "))) has no primary key or unique constraint",
                    hint: "backfilling inserts with ON CONFLICT on the referenced key, which needs a unique index on exactly those columns"))
                continue
            }
            let kind: ForeignKey.ReferencedKey.Kind = switch try row.string("kind") {
            case "p": .primaryKey
            case "u": .uniqueConstraint
            default: .uniqueIndex
            }
            let operators = try equalityOperators(relation, from: from.oid, to: to.oid, index: row.string("indexrelid"), on: session)
            let foreignKey = ForeignKey(
                name: relation.name, table: from.name, columns: relation.fromColumns,
                referencedTable: to.name, referencedColumns: relation.toColumns,
                referencedKey: .init(kind: kind, name: try row.string("name")), declared: true,
                equality: operators.pf, childEquality: operators.ff)
            resolved.append(.init(foreignKey: foreignKey, referencedOID: to.oid))
        }
        return resolved
    }

    /// The equality operators a declared FK would get, found the way PostgreSQL finds a
    /// real FK's: in the operator family of the referenced unique index, for the index's
    /// input type on the left and the referencing column's type (or, failing that, the
    /// index's type again) on the right. Only the index's owner can add to that family,
    /// so a lookalike `=` elsewhere is never picked.
    static func equalityOperators(
        _ relation: Relation, from: UInt32, to: UInt32, index: String, on session: Session
    ) throws -> (pf: [SQLOperator], ff: [SQLOperator]) {
        let rows = try session.execute(
            """
            SELECT p.n, pf.oid AS pf_oid, ff.oid AS ff_oid
            FROM unnest(CAST(\(bindArray: relation.fromColumns) AS name[]), CAST(\(bindArray: relation.toColumns) AS name[]))
                 WITH ORDINALITY AS p(child, parent, n)
            JOIN pg_attribute ca ON ca.attrelid = CAST(\(bind: String(from)) AS oid) AND ca.attname = p.child
            JOIN pg_attribute pa ON pa.attrelid = CAST(\(bind: String(to)) AS oid) AND pa.attname = p.parent
            JOIN pg_index x ON x.indexrelid = CAST(\(bind: index) AS oid)
            CROSS JOIN LATERAL (SELECT k.position FROM unnest(CAST(x.indkey AS int2[])) WITH ORDINALITY AS k(attnum, position)
                                WHERE k.attnum = pa.attnum) AS ik
            JOIN pg_opclass oc ON oc.oid = x.indclass[ik.position - 1]
            LEFT JOIN LATERAL (
                SELECT o.oid FROM pg_amop a JOIN pg_operator o ON o.oid = a.amopopr
                WHERE a.amopfamily = oc.opcfamily AND a.amopmethod = oc.opcmethod AND a.amopstrategy = 3
                  AND a.amoplefttype = oc.opcintype AND a.amoprighttype IN (ca.atttypid, oc.opcintype)
                ORDER BY a.amoprighttype = ca.atttypid DESC LIMIT 1) AS pf ON true
            LEFT JOIN LATERAL (
                SELECT o.oid FROM pg_amop a JOIN pg_operator o ON o.oid = a.amopopr
                WHERE a.amopfamily = oc.opcfamily AND a.amopmethod = oc.opcmethod AND a.amopstrategy = 3
                  AND a.amoplefttype = a.amoprighttype AND a.amoplefttype IN (ca.atttypid, oc.opcintype)
                ORDER BY a.amoplefttype = ca.atttypid DESC LIMIT 1) AS ff ON true
            ORDER BY p.n
            """).rows
        let known = try OperatorCatalog.read(rows.flatMap { [$0["pf_oid"], $0["ff_oid"]].compactMap { $0 } }, on: session)
        let pf = rows.map { row in row["pf_oid"].flatMap { known[$0] } ?? SQLOperator.builtinEquality }
        let ff = zip(rows, pf).map { row, fallback in row["ff_oid"].flatMap { known[$0] } ?? fallback }
        return (pf, ff)
    }
}

extension CatalogReader {
    /// Adds the rules file's declared relations to a catalog already read.
    public static func addRelations(_ rules: Rules, to catalog: Catalog, on session: Session) throws(FKBackfillError) -> Catalog {
        guard !rules.relations.isEmpty else { return catalog }
        return try FKBackfillError.mapping {
            var problems: [RulesProblem] = []
            let declared = try DeclaredRelations.resolve(rules.relations, on: session, problems: &problems)
            if !problems.isEmpty { throw FKBackfillError(rulesProblems: problems, file: rules.file) }
            return try adding(declared, to: catalog, on: session)
        }
    }

    /// Reads the graph with the rules file's declared relations added (and followed).
    /// Relations that cannot be resolved are rules problems, thrown all at once.
    public static func read(table text: String, rules: Rules, on session: Session) throws(FKBackfillError) -> Catalog {
        try addRelations(rules, to: read(table: text, on: session), on: session)
    }

    /// Reads with declared relations on a connection of the caller's.
    public static func read(table text: String, rules: Rules, on connection: Connection) throws(FKBackfillError) -> Catalog {
        try Session.scoped(connection) { session in try read(table: text, rules: rules, on: session) }
    }
}
