import PostgresClient

/// Role names as evidence for implied relations (issue 27): `posts.author_id` names no
/// table, but when other tables of the same schema declare `author_id → users.id`, that
/// is how this schema spells a reference to users. Such a relation ranks below every name match, and counts
/// only when every declared FK of that column name points at the same key — a name
/// used for two parents says nothing. Self-references (`parent_id`) are no evidence
/// for other tables, and `id` is no role.
struct RoleNames {
    struct Use {
        var parent: TableName
        var key: String
        /// The schema of the table that declares the FK: role names are a schema's habit.
        var schema: String
        var example: String
    }

    /// Declared single-column FKs by the referencing column's lower-cased name.
    private(set) var uses: [String: [Use]] = [:]

    /// The rows of `ImpliedRelations.read`'s query that carry declared FKs: `attname` is
    /// the referencing column, `type` the referenced one, `type_oid` the referencing
    /// table's schema, a U+0001, and the table and constraint (for the evidence),
    /// `nspname.relname` the parent.
    static let query: SQL = """
        SELECT 'r', rn.nspname, rc.relname, ca.attname,
               CAST(cn.nspname || chr(1) || quote_ident(cn.nspname) || '.' || quote_ident(cc.relname) || ' (' || f.conname || ')' AS text),
               CAST(pa.attname AS text), false, 0, false, false
        FROM pg_constraint f
        JOIN pg_class cc ON cc.oid = f.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
        JOIN pg_class rc ON rc.oid = f.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        JOIN pg_attribute ca ON ca.attrelid = f.conrelid AND ca.attnum = f.conkey[1]
        JOIN pg_attribute pa ON pa.attrelid = f.confrelid AND pa.attnum = f.confkey[1]
        WHERE f.contype = 'f' AND cardinality(f.conkey) = 1 AND f.conrelid <> f.confrelid AND NOT cc.relispartition
          AND f.conparentid = 0 AND ca.attname <> 'id'
          AND cn.nspname NOT IN ('pg_catalog', 'information_schema') AND cn.nspname NOT LIKE 'pg_%'
        """

    mutating func add(_ row: Row) throws {
        let origin = try row.string("type_oid").split(separator: "\u{1}", maxSplits: 1).map(String.init)
        uses[try row.string("attname").lowercased(), default: []].append(Use(
            parent: TableName(schema: try row.string("nspname"), name: try row.string("relname")), key: try row.string("type"),
            schema: origin.first ?? "", example: origin.last ?? ""))
    }

    /// The one key `column`'s name refers to in FKs declared in `schema`, with how often;
    /// nil when none or more than one.
    func parent(of column: String, in schema: String) -> (parent: TableName, key: String, uses: [Use])? {
        guard let found = uses[column.lowercased()]?.filter({ $0.schema == schema }), !found.isEmpty else { return nil }
        let targets = Set(found.map { "\($0.parent.description)\u{0}\($0.key)" })
        guard targets.count == 1 else { return nil }
        return (found[0].parent, found[0].key, found)
    }
}

extension ImpliedRelations {
    /// The relation a role name implies for `candidate`, if its declared uses agree on
    /// one key of the same type.
    func roleRelation(_ candidate: Candidate, roles: RoleNames, keys: [String: Key]) -> Relation? {
        guard !candidate.ownKey, candidate.column.contains("_"), let role = roles.parent(of: candidate.column, in: candidate.table.schema),
              let key = keys["\(role.parent.description)\u{0}\(role.key)"], key.typeOID == candidate.typeOID,
              key.table != candidate.table, !key.inCompositePrimaryKey else { return nil }
        var relation = relation(candidate, key, .role)
        let examples = role.uses.prefix(2).map(\.example).joined(separator: ", ")
        relation.evidence[0] = "the name \(candidate.column) is a role name: \(role.uses.count) declared "
            + "\(role.uses.count == 1 ? "FK" : "FKs") elsewhere refer to \(key.table.name).\(key.column) by it (\(examples))"
        return relation
    }
}
