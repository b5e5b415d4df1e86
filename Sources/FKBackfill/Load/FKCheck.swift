import PostgresClient

/// How the fact insert's foreign keys are checked.
public enum FKCheckMode: String, Sendable, CaseIterable, Codable {
    /// `set-based` when every precondition holds, else `per-row`.
    case auto
    /// PostgreSQL's own trigger, once per inserted row.
    case perRow = "per-row"
    /// Lock the referenced parents, verify all rows with one anti-join per FK, then insert
    /// with the per-row triggers off for that one statement.
    case setBased = "set-based"
}

/// Decides whether the set-based check is exact for this load, and runs its statements.
///
/// Exact means the rows the insert writes carry exactly the staged keys the tool locks
/// and verifies, and skipping the RI triggers (`session_replication_role = replica` for
/// that one statement) skips nothing but those checks. So:
/// - the target is a plain or partitioned table (a view's INSTEAD OF trigger or rule, a
///   foreign table's server, could write anything anywhere);
/// - no trigger on it or its partitions is enabled: an ordinary one would not fire in
///   replica mode, and an ALWAYS or REPLICA one would fire and could change the key
///   (BEFORE) or write to a table whose own FK triggers replica mode skips (AFTER);
///   no rule either;
/// - every FK of the target is one the tool verifies: none declared on a partition only,
///   none on columns the input leaves to a DEFAULT or a generated expression (their
///   values exist only once inserted), none referencing the target itself;
/// - the role may set replica mode and lock the parents (`FOR KEY SHARE` needs UPDATE),
///   and no row-level security hides parent rows from it (the RI check sees them all).
/// Where one fails, `auto` uses PostgreSQL's own per-row check and says why.
struct FKCheck {
    let plan: LoadPlan
    let catalog: Catalog
    /// The load's statements: the staged keys are read from its `fkb_seen`.
    let sql: LoadStatements

    /// Why `set-based` cannot be used here; empty when it can.
    func blockers(on session: Session) throws -> [String] {
        var reasons: [String] = []
        let target = plan.target
        if target.kind != .ordinary && target.kind != .partitioned {
            reasons.append("\(target.name.display) is a \(target.kind.rawValue), not a table: what it writes where is not the tool's to see")
        }
        let role = try session.execute(
            """
            SELECT r.rolsuper OR (CAST(current_setting('server_version_num') AS int) >= 150000
                   AND has_parameter_privilege('session_replication_role', 'SET')) AS allowed
            FROM pg_roles r WHERE r.rolname = current_user
            """).rows.first?.bool("allowed") ?? false
        if !role {
            reasons.append("the role may not set session_replication_role (superuser, or GRANT SET ON PARAMETER session_replication_role)")
        }
        let oid = String(target.oid)
        let hooks = try session.execute(
            """
            SELECT string_agg(h.name, ', ' ORDER BY h.name) AS names FROM (
                SELECT 'trigger ' || t.tgname || CASE t.tgenabled WHEN 'A' THEN ' (ENABLE ALWAYS)' WHEN 'R' THEN ' (ENABLE REPLICA)' ELSE '' END AS name
                FROM pg_trigger t
                WHERE t.tgrelid IN (SELECT CAST(\(bind: oid) AS oid) UNION SELECT pt.relid FROM pg_partition_tree(CAST(\(bind: oid) AS oid)) pt)
                  AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                UNION ALL
                SELECT 'rule ' || r.rulename FROM pg_rewrite r
                WHERE r.ev_class IN (SELECT CAST(\(bind: oid) AS oid) UNION SELECT pt.relid FROM pg_partition_tree(CAST(\(bind: oid) AS oid)) pt)
                  AND r.rulename <> '_RETURN' AND r.ev_enabled <> 'D'
            ) h
            """).rows.first?["names"]
        if let hooks {
            reasons.append("\(target.name.display) has \(hooks): with the FK triggers off they would not fire, or fire unchecked")
        }
        let staged = Set(plan.stagedColumns.map(\.name))
        // A column whose type is a domain with a DEFAULT gets that default when the input
        // leaves it out, as surely as one with a DEFAULT of its own.
        let domainDefaults = Set(try session.execute(
            """
            SELECT a.attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = CAST(\(bind: oid) AS oid) AND a.attnum > 0 AND NOT a.attisdropped
              AND t.typtype = 'd' AND t.typdefaultbin IS NOT NULL
            """).rows.map { try $0.string("attname") })
        for fk in catalog.foreignKeys(of: target.name) where !fk.declared {
            let unstaged = fk.columns.filter { !staged.contains($0) }
            let filled = unstaged.filter { name in
                guard let column = target.column(name) else { return false }
                return column.defaultExpression != nil || column.isDatabaseGenerated || domainDefaults.contains(name)
            }
            if fk.isSelfReference {
                reasons.append("\(fk.name) references \(target.name.display) itself")
            } else if fk.declaredOn != fk.table {
                reasons.append("\(fk.name) is declared on partition \(fk.declaredOn.display) only")
            } else if !filled.isEmpty {
                reasons.append("\(fk.name) is on \(filled.joined(separator: ", ")), which the input leaves to "
                    + "\(filled.count == 1 ? "its" : "their") DEFAULT or generated expression")
            } else if !unstaged.isEmpty && unstaged.count < fk.columns.count {
                reasons.append("\(fk.name) has columns the input does not set")
            }
        }
        // Code the insert runs itself, in replica mode: a DEFAULT, a CHECK or a domain's
        // default or check that calls a function of the user's that is not IMMUTABLE
        // could write to a table whose FK triggers replica mode skips. (Built-in
        // functions are not in pg_depend, and none of them writes to a user table.)
        let calls = try session.execute(
            """
            WITH rel AS (SELECT CAST(\(bind: oid) AS oid) AS oid UNION SELECT pt.relid FROM pg_partition_tree(CAST(\(bind: oid) AS oid)) pt),
            domains AS (
                SELECT DISTINCT a.atttypid AS oid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid IN (SELECT oid FROM rel) AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype = 'd'
            ),
            users AS (
                SELECT d.refobjid AS proc FROM pg_depend d
                WHERE d.refclassid = CAST('pg_proc' AS regclass) AND (
                    (d.classid = CAST('pg_attrdef' AS regclass) AND d.objid IN (SELECT ad.oid FROM pg_attrdef ad WHERE ad.adrelid IN (SELECT oid FROM rel)))
                    OR (d.classid = CAST('pg_constraint' AS regclass) AND d.objid IN (
                        SELECT c.oid FROM pg_constraint c WHERE c.contype = 'c'
                          AND (c.conrelid IN (SELECT oid FROM rel) OR c.contypid IN (SELECT oid FROM domains))))
                    OR (d.classid = CAST('pg_type' AS regclass) AND d.objid IN (SELECT oid FROM domains)))
            )
            SELECT string_agg(DISTINCT CAST(CAST(p.oid AS regprocedure) AS text), ', ') AS names
            FROM users u JOIN pg_proc p ON p.oid = u.proc WHERE p.provolatile <> 'i'
            """).rows.first?["names"]
        if let calls {
            reasons.append("\(target.name.display)'s defaults or checks call \(calls), which could write where replica mode checks nothing")
        }
        let parents = Array(Set(checkedKeys.map(\.referencedTable))).sorted()
        let parentOIDs = parents.compactMap { catalog.table($0).map { String($0.oid) } }
        if !parentOIDs.isEmpty {
            for row in try session.execute(
                """
                SELECT c.oid, row_security_active(c.oid) AS rls, has_table_privilege(c.oid, 'UPDATE')
                       OR has_any_column_privilege(c.oid, 'UPDATE') AS can_lock
                FROM pg_class c WHERE c.oid = ANY(CAST(\(bindArray: parentOIDs) AS oid[])) ORDER BY c.oid
                """).rows {
                let oid = try row.string("oid")
                guard let name = parents.first(where: { catalog.table($0).map { String($0.oid) } == oid }) else { continue }
                if row.bool("rls") {
                    reasons.append("row-level security applies to \(name.display) for this role, but not to PostgreSQL's own FK check")
                }
                if !row.bool("can_lock") {
                    reasons.append("the role may not lock rows of \(name.display) (FOR KEY SHARE needs UPDATE on it)")
                }
            }
        }
        reasons += try citusBlockers(on: session)
        return reasons
    }

    /// The FKs the set-based path verifies: the target's catalog FKs the input sets. Taken
    /// from the plan's staged keys, the same list `fkb_seen` is built from.
    var checkedKeys: [ForeignKey] {
        plan.stagedKeys.filter { !$0.declared }
    }

    /// Locks the referenced parent rows of the staged keys as the RI trigger would:
    /// a concurrent DELETE or key UPDATE of one of them now waits for this transaction.
    /// The keys are the distinct ones of `fkb_seen`, so this costs a lookup per key, not
    /// per staged row.
    func lock(_ fk: ForeignKey) -> SQL {
        let keys = KeyPredicates.columns("g", fk.columns)
        let named = fk.columns.indices.map { position -> SQL in "k.c\(int: position + 1)" }
        let select = keys.enumerated().map { position, key -> SQL in "\(key) AS c\(int: position + 1)" }
        return "SELECT count(*) AS n FROM (SELECT 1 FROM \(fk.referencedTable.sql) p JOIN (SELECT \(select.joined(separator: ", "))"
            + " FROM \(sql.seenKeys(fk.columns)) AND " + keys.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            + ") k ON " + KeyPredicates.match(fk, parent: KeyPredicates.columns("p", fk.referencedColumns), child: named)
            + " ORDER BY \(KeyPredicates.columns("p", fk.referencedColumns).joined(separator: ", ")) FOR KEY SHARE OF p) locked"
    }

    /// Staged rows (to be inserted) that would violate `fk`: a complete key the parent
    /// lacks, or under MATCH FULL a partly NULL key. Returns count and up to `samples` keys.
    /// Read from `fkb_seen`, which holds every distinct key the insert writes with its
    /// number of rows: the same answer as an anti-join over the staged rows.
    func violations(_ fk: ForeignKey, samples: Int) -> SQL {
        let keys = KeyPredicates.columns("g", fk.columns)
        var condition: SQL = "(\(KeyPredicates.missing(fk, child: keys)))"
        if fk.match == .full && keys.count > 1 {
            condition += " OR " + KeyPredicates.partlyNull(keys)
        }
        let key: SQL = "CAST((\(keys.joined(separator: ", "))) AS text)"
        return "SELECT coalesce(sum(g._fkb_n), 0) AS n, CAST((array_agg(\(key) ORDER BY \(key)))[1:\(bind: samples)] AS text) AS sample "
            + "FROM \(sql.seenKeys(fk.columns)) AND (\(condition))"
    }
}
