import PostgresClient

/// Implied relations: columns that refer to another table's key though no FK says so.
/// Each one must earn its place with evidence (docs/audit.md): a name that names the
/// parent, the same type, a referenced key; the statistics the server already keeps must
/// not contradict it. Only the best candidate per column is reported, with how many
/// were dropped. One catalog query and one `pg_stats` query, whatever the schema's size;
/// no table is read unless `--sample-rows`/`--time-budget` asks for it (`DataChecks`).
struct ImpliedRelations {
    /// A single-column primary or unique key another column could refer to.
    struct Key {
        var table: TableName
        var column: String
        var typeOID: String
        var type: String
        var primary: Bool
        var rows: Double
        /// A unique column that is also part of the table's composite primary key: a
        /// single column matching it covers only part of the table's identity (issue 27).
        var inCompositePrimaryKey = false
    }

    /// A column of an audited table that could refer to a key.
    struct Candidate {
        var table: TableName
        var column: String
        var typeOID: String
        var type: String
        /// Its table has a primary key and declares an FK of its own: live data, even when
        /// its name says archive or backup.
        var live = false
        /// The column is its table's own single-column primary key (a one-to-one child).
        var ownKey = false
    }

    /// One implied relation with its evidence, before it becomes a finding.
    struct Relation {
        var child: TableName
        var column: String
        var key: Key
        var naming: RelationNaming.Match
        var score: Int
        var evidence: [String]
        var dropped: [TableName] = []
    }

    let catalog: Catalog
    let session: Session

    /// The relations implied for `tables`' columns, best candidate per column.
    func find(in tables: [Table]) throws -> [Relation] {
        guard !tables.isEmpty else { return [] }
        let (keys, candidates, roles) = try read(tables)
        let index = KeyIndex(keys)
        let keysByColumn = Dictionary(keys.map { ("\($0.table.description)\u{0}\($0.column)", $0) }) { first, _ in first }
        let keyNames = Dictionary(grouping: keys, by: \.table).mapValues { Set($0.map { $0.column.lowercased() }) }
        var found: [Relation] = []
        for candidate in candidates where candidate.live || !RelationNaming.looksLikeCopy(candidate.table) {
            let covered = catalog.foreignKeys(of: candidate.table).contains { $0.columns.contains(candidate.column) }
            guard !covered else { continue }
            var ranked: [Relation] = []
            for key in index.keys(for: candidate) where key.typeOID == candidate.typeOID && key.table != candidate.table
                && !key.inCompositePrimaryKey {
                guard let naming = RelationNaming.match(column: candidate.column, child: candidate.table, parent: key.table, key: key.column)
                else { continue }
                // `<parent>_id` means the parent's `id` when it has one: of another type, it is
                // no reference to some other unique column (`customer_id text` is not `email`).
                if naming == .idOrCode, let suffix = candidate.column.split(separator: "_").last.map({ String($0).lowercased() }),
                   keyNames[key.table]?.contains(suffix) == true { continue }
                ranked.append(relation(candidate, key, naming))
            }
            // No name names a parent: the role name other tables' declared FKs use (issue 27).
            if ranked.isEmpty, let role = roleRelation(candidate, roles: roles, keys: keysByColumn) { ranked = [role] }
            guard !ranked.isEmpty else { continue }
            ranked.sort { ($1.score, $0.key.table) < ($0.score, $1.key.table) }
            // Two parents with the same evidence: the name does not say which; no guess.
            if ranked.count > 1 && ranked[0].score == ranked[1].score { continue }
            var best = ranked[0]
            best.dropped = ranked.dropFirst().map(\.key.table)
            found.append(best)
        }
        return try StatisticsEvidence(session: session).apply(to: found)
    }

    func relation(_ candidate: Candidate, _ key: Key, _ naming: RelationNaming.Match) -> Relation {
        var score = naming.rawValue * 10
        var evidence = [naming.describe(column: candidate.column, parent: key.table, key: key.column)]
        if candidate.type == key.type {
            score += 2
            evidence.append("same type (\(key.type))")
        } else {
            evidence.append("same base type (\(candidate.type) against \(key.type))")
        }
        evidence.append("\(key.table.name).\(key.column) is its \(key.primary ? "primary key" : "unique key")")
        if key.primary { score += 2 }
        if key.table.schema == candidate.table.schema {
            score += 3
            evidence.append("same schema")
        }
        if candidate.ownKey { evidence.append("it is \(candidate.table.name)'s own primary key: a one-to-one child") }
        return Relation(child: candidate.table, column: candidate.column, key: key, naming: naming, score: score, evidence: evidence)
    }

    /// Keys of every user table, and the audited tables' columns that could refer to one:
    /// not their own single-column key, not the `id` of their own composite key, not
    /// filled by a sequence or identity, not in an FK (on the table or any partition).
    func read(_ tables: [Table]) throws -> ([Key], [Candidate], RoleNames) {
        let rows = try session.execute(
            """
            WITH keys AS MATERIALIZED (
                SELECT x.indrelid AS relid, a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod) AS type,
                       x.indisprimary AS is_primary, r.reltuples, n.nspname, r.relname,
                       EXISTS (SELECT 1 FROM pg_index p WHERE p.indrelid = x.indrelid AND p.indisprimary
                               AND p.indnkeyatts > 1 AND a.attnum = ANY(p.indkey)) AS in_composite_pk
                FROM pg_index x
                JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
                JOIN pg_class r ON r.oid = x.indrelid
                JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE x.indisunique AND x.indnkeyatts = 1 AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND NOT r.relispartition AND r.relkind IN ('r', 'p')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
                  -- A key that is itself a single-column FK belongs to a one-to-one extension
                  -- table: the relation is to the table it extends, not to it.
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = x.indrelid
                                  AND f.conkey = ARRAY[a.attnum])
            )
            SELECT 'k' AS what, k.nspname, k.relname, k.attname, CAST(k.atttypid AS text) AS type_oid, k.type,
                   k.is_primary, k.reltuples, k.in_composite_pk AS flag, false AS own
            FROM keys k
            UNION ALL
            SELECT 'c', n.nspname, r.relname, a.attname, CAST(a.atttypid AS text), format_type(a.atttypid, a.atttypmod),
                   false, r.reltuples,
                   EXISTS (SELECT 1 FROM pg_index p WHERE p.indrelid = r.oid AND p.indisprimary)
                       AND EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = r.oid),
                   EXISTS (SELECT 1 FROM keys own WHERE own.relid = a.attrelid AND own.attname = a.attname)
            FROM pg_attribute a
            JOIN pg_class r ON r.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = r.relnamespace
            WHERE a.attrelid = ANY(CAST(\(bindArray: tables.map { String($0.oid) }) AS oid[])) AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attidentity = '' AND a.attgenerated = ''
              AND a.atttypid IN (SELECT atttypid FROM keys)
              -- Its own key only as a one-to-one child: the single-column primary key, not `id`.
              AND (NOT EXISTS (SELECT 1 FROM keys own WHERE own.relid = a.attrelid AND own.attname = a.attname)
                   OR (a.attname <> 'id' AND EXISTS (SELECT 1 FROM keys own WHERE own.relid = a.attrelid
                                                      AND own.attname = a.attname AND own.is_primary)))
              AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = a.attrelid AND x.indisprimary
                              AND a.attnum = ANY(x.indkey) AND a.attname = 'id')
              AND NOT EXISTS (SELECT 1 FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                              AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
            UNION ALL
            \(RoleNames.query)
            ORDER BY 1, 2, 3, 4
            """).rows
        var keys: [Key] = [], candidates: [Candidate] = [], roles = RoleNames()
        for row in rows {
            let table = TableName(schema: try row.string("nspname"), name: try row.string("relname"))
            switch try row.string("what") {
            case "k":
                keys.append(Key(table: table, column: try row.string("attname"), typeOID: try row.string("type_oid"), type: try row.string("type"),
                                primary: row.bool("is_primary"), rows: Double(try row.string("reltuples")) ?? -1,
                                inCompositePrimaryKey: row.bool("flag")))
            case "r":
                try roles.add(row)
            default:
                candidates.append(Candidate(table: table, column: try row.string("attname"), typeOID: try row.string("type_oid"),
                                            type: try row.string("type"), live: row.bool("flag"), ownKey: row.bool("own")))
            }
        }
        return (keys, candidates, roles)
    }
}

/// Finds the keys a column's name could point at without trying every key: each key is
/// filed under the column names that would name it (see `RelationNaming.match`, which
/// decides in the end); suffix matches are looked up by the column's `_`-separated tails.
struct KeyIndex {
    private var byName: [String: [Int]] = [:]
    private let all: [ImpliedRelations.Key]

    init(_ keys: [ImpliedRelations.Key]) {
        all = keys
        for (position, key) in keys.enumerated() {
            let column = key.column.lowercased()
            let schema = key.table.schema.lowercased()
            let stems = RelationNaming.forms(key.table.name)
            // The bare key name only when it names the parent (region_code); `id` alone would
            // file every key under every *_id column.
            var names: Set<String> = stems.contains { column.hasPrefix($0) && column.count > $0.count } ? [column] : []
            for stem in stems {
                names.formUnion(["\(stem)_\(column)", "\(schema)_\(stem)_\(column)", "\(stem)_id", "\(stem)_code"])
            }
            if let prefix = RelationNaming.prefix(key.table.name) {
                for stem in RelationNaming.forms(String(key.table.name.dropFirst(prefix.count))) {
                    names.insert("\(prefix)|\(stem)_\(column)")
                }
            }
            for name in names { byName[name, default: []].append(position) }
        }
    }

    /// Keys that `candidate`'s name might name (a superset of the matches).
    func keys(for candidate: ImpliedRelations.Candidate) -> [ImpliedRelations.Key] {
        let column = candidate.column.lowercased()
        var positions = Set(byName[column] ?? [])
        if let prefix = RelationNaming.prefix(candidate.table.name) {
            positions.formUnion(byName["\(prefix)|\(column)"] ?? [])
        }
        // Tails after each `_`: author_user_id → user_id, id.
        var rest = Substring(column)
        while let underscore = rest.firstIndex(of: "_") {
            rest = rest[rest.index(after: underscore)...]
            guard !rest.isEmpty else { break }
            positions.formUnion(byName[String(rest)] ?? [])
        }
        return positions.sorted().map { all[$0] }
    }
}

extension ImpliedRelations {
    /// The `implied-relation` findings for `tables`, with the sampled containment when
    /// data checks are on (a relation most of whose sampled values have no parent is dropped).
    func findings(in tables: [Table], checks: DataChecks) throws -> [AuditReport.Finding] {
        try find(in: tables).compactMap { relation -> AuditReport.Finding? in
            let child = relation.child, parent = relation.key.table, column = relation.column, key = relation.key.column
            var evidence = relation.evidence
            let implied = ForeignKey(name: "\(child.name)_\(column)_fkey", table: child, columns: [column],
                                     referencedTable: parent, referencedColumns: [key])
            if let sample = try checks.orphans(implied, nonNullOnly: true) {
                let contained = sample.rows - sample.orphans
                if sample.rows > 0 && contained * 2 < sample.rows { return nil }
                evidence.append("data: \(contained) of \(sample.rows) \(checks.options.sampleRows == nil ? "" : "sampled ")"
                    + "non-NULL values are in \(parent.name).\(key)")
            }
            let dropped = relation.dropped.map(\.description)
            let others = dropped.isEmpty ? "" : "; \(dropped.count) other \(dropped.count == 1 ? "candidate" : "candidates") dropped"
            return AuditReport.Finding(
                kind: "implied-relation", severity: .info, object: "\(child.description).\(column)",
                message: "\(child.display).\(column) looks like a reference to \(parent.display) (\(key)), but no FK says so: "
                    + evidence.joined(separator: "; ") + others,
                fix: ("ALTER TABLE \(child) ADD CONSTRAINT \(ident: "\(child.name)_\(column)_fkey") FOREIGN KEY (\(ident: column)) "
                    + "REFERENCES \(parent) (\(ident: key)) NOT VALID;" as SQL).description,
                snippet: "relations:\n  - from: \(child.display) (\(column))\n    to: \(parent.display) (\(key))",
                table: child, evidence: evidence, droppedCandidates: dropped)
        }
    }
}
