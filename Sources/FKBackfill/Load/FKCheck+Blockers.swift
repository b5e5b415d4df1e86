import PostgresClient

/// When the set-based check is exact (see `FKCheck`): what replica mode changes besides
/// skipping the RI triggers, and what the role must be allowed.
extension FKCheck {
    /// Why `set-based` cannot be used here; empty when it can.
    func blockers(on session: Session) throws -> [String] {
        var reasons: [String] = []
        let target = plan.target
        if target.kind != .ordinary && target.kind != .partitioned {
            reasons.append("\(target.name.display) is a \(target.kind.rawValue), not a table: what it writes where is not the tool's to see")
        }
        let role = try session.execute(
            """
            SELECT r.rolsuper OR (CAST(pg_catalog.current_setting('server_version_num') AS pg_catalog.int4) >= 150000
                   AND pg_catalog.has_parameter_privilege('session_replication_role', 'SET')) AS allowed
            FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER
            """).rows.first?.bool("allowed") ?? false
        if !role {
            reasons.append("the role may not set session_replication_role (superuser, or GRANT SET ON PARAMETER session_replication_role)")
        }
        let oid: SQL = "CAST(\(bind: String(target.oid)) AS pg_catalog.oid)"
        let tree: SQL = "(SELECT \(oid) UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt)"
        // tgtype bit 4 is INSERT (pg_trigger.h): a trigger that fires only on UPDATE,
        // DELETE or TRUNCATE never runs during the insert. ev_type '3' is an INSERT rule.
        // Each name once: a partitioned table's trigger is cloned onto every partition
        // ("has trigger stamp, trigger stamp, trigger stamp on INSERT").
        let hooks = try session.execute(
            """
            SELECT pg_catalog.string_agg(DISTINCT h.name, ', ' ORDER BY h.name) AS names FROM (
                SELECT 'trigger ' || t.tgname || CASE t.tgenabled WHEN 'A' THEN ' (ENABLE ALWAYS)' WHEN 'R' THEN ' (ENABLE REPLICA)' ELSE '' END AS name
                FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid IN \(tree) AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 4) <> 0
                UNION ALL
                SELECT 'rule ' || r.rulename FROM pg_catalog.pg_rewrite r
                WHERE r.ev_class IN \(tree) AND r.rulename <> '_RETURN' AND r.ev_enabled <> 'D' AND r.ev_type = '3'
            ) h
            """).rows.first?["names"]
        if let hooks {
            reasons.append("\(target.name.display) has \(hooks) on INSERT: with the FK triggers off they would not fire, or fire unchecked")
        }
        // PostgreSQL's own checks that are triggers besides the FK checks: a DEFERRABLE
        // unique, primary key or exclusion constraint is rechecked by an internal trigger
        // (unique_key_recheck), which replica mode skips as it skips the RI triggers.
        // `seeded`, in the same round trip: whether the walk of `FKCheck+ReplicaCode` has
        // anywhere to start (see `walkSeeds`).
        let row = try session.execute(
            """
            SELECT (SELECT pg_catalog.string_agg(DISTINCT c.conname, ', ')
                    FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_constraint c ON c.oid = t.tgconstraint
                    WHERE t.tgrelid IN \(tree) AND t.tgisinternal AND (t.tgtype & 4) <> 0 AND c.contype IN ('u', 'p', 'x')) AS names,
                   \(Self.walkSeeds(tree)) AS seeded
            """).rows.first
        if let rechecks = row?["names"] {
            reasons.append("\(target.name.display)'s constraint \(rechecks) is DEFERRABLE: PostgreSQL rechecks it by a trigger, which the set-based check's replica mode would skip")
        }
        // Code the insert runs itself, in replica mode, that could write where replica
        // mode checks nothing (`FKCheck+ReplicaCode`).
        if row?.bool("seeded") ?? true, let calls = try replicaModeCalls(on: session, tree: tree) {
            reasons.append("\(target.name.display)'s defaults, checks, indexes or partition key call \(calls), which could write where replica mode checks nothing")
        }
        if !onCitus {
            // RETURNING needs SELECT on what it returns, and row-level security would
            // apply the target's SELECT policies to the new rows.
            if try !readable(on: session) {
                reasons.append("the role may not read back the key columns it inserts into \(target.name.display) "
                    + "(RETURNING needs SELECT on them, and no row-level security on the table for this role)")
            }
        } else {
            reasons += citusStagedBlockers()
        }
        let parents = Array(Set(checkedKeys.map(\.referencedTable))).sorted()
        let parentOIDs = parents.compactMap { catalog.table($0).map { String($0.oid) } }
        if !parentOIDs.isEmpty {
            for row in try session.execute(
                """
                SELECT c.oid, pg_catalog.row_security_active(c.oid) AS rls, pg_catalog.has_table_privilege(c.oid, 'UPDATE')
                       OR pg_catalog.has_any_column_privilege(c.oid, 'UPDATE') AS can_lock
                FROM pg_catalog.pg_class c WHERE c.oid = ANY(CAST(\(bindArray: parentOIDs) AS pg_catalog.oid[])) ORDER BY c.oid
                """).rows {
                guard let name = try parents.first(where: { catalog.table($0).map { String($0.oid) } == (try row.string("oid")) }) else { continue }
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
}
