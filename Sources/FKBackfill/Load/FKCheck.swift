import PostgresClient

/// How the fact insert's foreign keys are checked.
public enum FKCheckMode: String, Sendable, CaseIterable, Codable {
    /// `set-based` when every precondition holds, else `per-row`.
    case auto
    /// PostgreSQL's own trigger, once per inserted row.
    case perRow = "per-row"
    /// Insert with the per-row RI triggers off for that one statement, then lock the
    /// referenced parents of the rows as stored and verify them with one anti-join per FK.
    case setBased = "set-based"
}

/// The set-based check: PostgreSQL's own RI check (`ri_triggers.c`), done once for all
/// rows instead of once per row, on the rows **as stored**.
///
/// The insert runs with `session_replication_role = replica`, so the RI triggers do not
/// fire, and `RETURNING` every FK column of the target and of its partitions (plus
/// `tableoid` for an FK declared on one partition) puts the stored keys into
/// `fkb_stored`, grouped per key in the same statement: the values after DEFAULTs,
/// generated columns, domain coercions and partition routing, whatever produced them.
/// Then, per FK, one statement locks the referenced rows `FOR KEY SHARE` and counts
/// the stored rows whose key no locked row matches, reading the referenced table as RI
/// does (`ONLY` unless partitioned), comparing with the constraint's own operator and
/// operands cast to its input types, under its MATCH type, over the rows of the
/// partitions the FK is declared on. Any violation rolls the whole load back.
///
/// What replica mode changes besides the RI triggers decides when this is exact (the
/// `blockers`): the target must be a table; no user trigger or rule may fire on INSERT
/// (replica mode would skip an ordinary one, and an ALWAYS one would run with the FK
/// triggers of whatever it writes switched off); no DEFAULT or CHECK may call user code
/// that could write elsewhere; the role must be allowed replica mode and the locks, and
/// see every parent row (no row-level security). Triggers that fire only on UPDATE,
/// DELETE or TRUNCATE do not matter. Where one fails, `auto` uses PostgreSQL's own
/// per-row check and says why.
struct FKCheck {
    let plan: LoadPlan
    let catalog: Catalog
    let sql: LoadStatements
    /// On a Citus target the rows cannot be read back from the workers' shards: the
    /// staged keys are verified instead (`FKCheck+Citus`), with its stricter blockers.
    var onCitus = false

    /// The FKs PostgreSQL enforces on the target's rows: its own and its partitions'.
    var checkedKeys: [ForeignKey] {
        if onCitus { return plan.stagedKeys.filter { !$0.declared } }
        return catalog.foreignKeys(of: plan.target.name).filter { !$0.declared }
    }

    /// Every column of a checked key, in the target's column order.
    var storedColumns: [String] {
        let wanted = Set(checkedKeys.flatMap(\.columns))
        return plan.target.columns.map(\.name).filter { wanted.contains($0) }
    }

    static let stored: SQL = "pg_temp.fkb_stored"

    /// The distinct column sets of the checked keys, in order: `fkb_stored` holds one
    /// grouping set per entry (`_fkb_set` = position + 1).
    var keySets: [[String]] {
        var sets: [[String]] = []
        for fk in checkedKeys where !sets.contains(where: { Set($0) == Set(fk.columns) }) { sets.append(fk.columns) }
        return sets
    }

    /// The table the insert's `RETURNING` fills: per key set (`_fkb_set`), the partition
    /// each row landed in (where `byPartition`, else 0), its stored key (the target's own
    /// types), and how many rows carry it; columns outside the set are NULL there.
    func createStored() -> SQL {
        let columns = KeyPredicates.columns("t", storedColumns)
        return "CREATE TEMP TABLE \(Self.stored) ON COMMIT DROP AS SELECT CAST(0 AS pg_catalog.int4) AS _fkb_set, CAST(0 AS pg_catalog.oid) AS _fkb_rel"
            + columns.map { ", \($0)" as SQL }.joined() + ", CAST(0 AS pg_catalog.int8) AS _fkb_n FROM ONLY \(plan.target.name) t WITH NO DATA"
    }

    /// Whether the insert returns and groups by `tableoid`: only when a checked FK is
    /// declared on one partition, the one case where the verify asks where a row landed
    /// (`applies`). The keys are read back as stored either way; the partition is a
    /// second hash key a row and key set, about 0.15 s at a million rows (issue #23).
    var byPartition: Bool {
        storedColumns.isEmpty || checkedKeys.contains { $0.declaredOn != plan.target.name }
    }

    /// The fact insert, writing the stored keys into `fkb_stored`. When `grouped` (every
    /// key column compares with its type's default equality under a deterministic
    /// collation: grouping then merges only keys the FK cannot tell apart) each key set
    /// is grouped by key (and partition, `byPartition`) in one hashed pass (`GROUPING
    /// SETS`), so the verify reads a few distinct keys per FK, not a million rows;
    /// otherwise each row is kept once (`_fkb_set` 0, every key). Run it under
    /// `withReturningMemory`: at the default `work_mem` the planner sorts instead of hashing.
    func insertReturning(ordered: Bool, grouped: Bool) -> SQL {
        let partition = byPartition
        let returned = (partition ? ["tableoid"] : []) + storedColumns
        let names: SQL = "_fkb_set, _fkb_rel" + storedColumns.map { ", \(ident: $0)" as SQL }.joined() + ", _fkb_n"
        let all = KeyPredicates.columns("i", storedColumns)
        let relation: [SQL] = partition ? ["i.tableoid"] : []
        let landed: SQL = partition ? "i.tableoid" : "CAST(0 AS pg_catalog.oid)"
        let select = landed + all.map { ", \($0)" as SQL }.joined()
        let insert = sql.insertTarget(ordered: ordered) + " RETURNING \(idents: returned)"
        let sets = keySets
        // GROUPING() takes at most 31 arguments: beyond that, one set of every key.
        guard grouped, !sets.isEmpty, storedColumns.count <= 31 else {
            if grouped {
                return "WITH i AS (\(insert)) INSERT INTO \(Self.stored) (\(names)) SELECT 0, \(select), pg_catalog.count(*) FROM i GROUP BY "
                    + (relation + all).joined(separator: ", ")
            }
            return "WITH i AS (\(insert)) INSERT INTO \(Self.stored) (\(names)) SELECT 0, \(select), 1 FROM i"
        }
        let masks = sets.enumerated().map { index, set -> SQL in
            let mask = storedColumns.enumerated().reduce(0) { bits, column in
                set.contains(column.element) ? bits : bits | (1 << (storedColumns.count - 1 - column.offset))
            }
            return "WHEN GROUPING(\(all.joined(separator: ", "))) OPERATOR(pg_catalog.=) \(int: mask) THEN \(int: index + 1)"
        }
        let groups = sets.map { set -> SQL in "(\((relation + KeyPredicates.columns("i", set)).joined(separator: ", ")))" }
        return "WITH i AS (\(insert)) INSERT INTO \(Self.stored) (\(names)) SELECT CASE "
            + masks.joined(separator: " ") + " END, \(select), pg_catalog.count(*) FROM i GROUP BY GROUPING SETS (\(groups.joined(separator: ", ")))"
    }

    /// How many rows the insert wrote: the rows of the first key set (every row is in
    /// each), or of the ungrouped rows.
    func storedCount() -> SQL {
        "SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n FROM \(Self.stored) g "
            + "WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 1])"
    }

    /// Stored rows `g` that `fk` applies to: those of its key set (or ungrouped), and of
    /// the partitions under the partition that declares it, when one does.
    func applies(_ fk: ForeignKey) -> SQL {
        let set = (keySets.firstIndex { Set($0) == Set(fk.columns) } ?? -1) + 1
        let inSet: SQL = "g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, \(int: set)])"
        guard fk.declaredOn != plan.target.name else { return inSet }
        // The partition is named, fully qualified and quoted: it need not be a graph node.
        let partition = quoteQualified(schema: fk.declaredOn.schema, name: fk.declaredOn.name)
        return inSet + " AND g._fkb_rel OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT t.relid FROM pg_catalog.pg_partition_tree("
            + "CAST(\(bind: partition) AS pg_catalog.regclass)) t))"
    }

    /// One statement per FK, as the RI trigger does per row: lock the referenced rows the
    /// stored keys match (`FOR KEY SHARE`, in key order), then count the stored rows with
    /// a complete key that no locked row matches, and under MATCH FULL those with a
    /// partly NULL key. A row deleted concurrently is not locked, so its key counts as
    /// missing; a locked one cannot go before COMMIT. Returns the count and up to
    /// `samples` keys.
    func verify(_ fk: ForeignKey, samples: Int) -> SQL {
        let stored = KeyPredicates.columns("g", fk.columns)
        let parent = KeyPredicates.columns("p", fk.referencedColumns)
        let locked = KeyPredicates.columns("l", fk.referencedColumns)
        let complete = stored.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let select = zip(parent, fk.referencedColumns).map { "\($0.0) AS \(ident: $0.1)" as SQL }.joined(separator: ", ")
        let missing: SQL = "\(complete) AND NOT EXISTS (SELECT 1 FROM l WHERE \(KeyPredicates.match(fk, parent: locked, child: stored)))"
        return "WITH l AS MATERIALIZED (SELECT \(select) FROM \(KeyPredicates.referenced(fk)) p WHERE EXISTS (SELECT 1 FROM \(Self.stored) g "
            + "WHERE \(applies(fk)) AND \(complete) AND \(KeyPredicates.match(fk, parent: parent, child: stored))) "
            + "ORDER BY \(parent.joined(separator: ", ")) FOR KEY SHARE OF p) "
            + Self.countViolations(fk, keys: stored, missing: missing, samples: samples, from: "\(Self.stored) g WHERE \(applies(fk))")
    }

    /// Rows of `from` (grouped keys `g` with their row counts `_fkb_n`) whose key is
    /// `missing`, or under MATCH FULL partly NULL: the count and up to `samples` keys.
    static func countViolations(_ fk: ForeignKey, keys: [SQL], missing: SQL, samples: Int, from: SQL) -> SQL {
        var condition: SQL = "(\(missing))"
        if fk.match == .full && keys.count > 1 {
            condition += " OR " + KeyPredicates.partlyNull(keys)
        }
        let key: SQL = "CAST((\(keys.joined(separator: ", "))) AS pg_catalog.text)"
        return "SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n, "
            + "CAST((pg_catalog.array_agg(\(key) ORDER BY \(key)))[1:\(bind: samples)] AS pg_catalog.text) AS sample "
            + "FROM \(from) AND (\(condition))"
    }

    /// Whether the role may read back the rows it inserts: SELECT on the key columns, and
    /// no row-level security on the target (its SELECT policies would filter RETURNING).
    func readable(on session: Session) throws -> Bool {
        let oid: SQL = "CAST(\(bind: String(plan.target.oid)) AS pg_catalog.oid)"
        let row = try session.execute(
            """
            SELECT pg_catalog.bool_and(pg_catalog.has_column_privilege(\(oid), a.attname, 'SELECT')) AS readable,
                   pg_catalog.row_security_active(\(oid)) AS rls
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = \(oid) AND a.attname = ANY(CAST(\(bindArray: ["tableoid"] + storedColumns) AS pg_catalog.name[]))
            """).rows.first
        return row?.bool("readable") != false && row?.bool("rls") != true
    }

    /// Whether `fkb_stored` may group rows by key (see `insertReturning`): each key
    /// column's FK equality is its type's default one, and its collation deterministic.
    func groupable(on session: Session) throws -> Bool {
        let columns = storedColumns
        guard !columns.isEmpty else { return true }
        let defaults = try OperatorCatalog.columnEquality(plan.target.oid, columns, on: session)
        for fk in checkedKeys {
            for (column, op) in zip(fk.columns, fk.childEquality) where defaults[column].map({ $0.schema != op.schema || $0.name != op.name
                || $0.leftType != op.leftType || $0.rightType != op.rightType }) ?? true {
                return false
            }
        }
        let nondeterministic = try session.execute(
            """
            SELECT pg_catalog.count(*) AS n FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation
            WHERE a.attrelid = CAST(\(bind: String(plan.target.oid)) AS pg_catalog.oid)
              AND a.attname = ANY(CAST(\(bindArray: columns) AS pg_catalog.name[])) AND NOT c.collisdeterministic
            """).rows.first?.int("n") ?? 0
        return nondeterministic == 0
    }
}
