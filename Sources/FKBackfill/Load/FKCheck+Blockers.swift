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
        let hooks = try session.execute(
            """
            SELECT pg_catalog.string_agg(h.name, ', ' ORDER BY h.name) AS names FROM (
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
        let rechecks = try session.execute(
            """
            SELECT pg_catalog.string_agg(DISTINCT c.conname, ', ') AS names
            FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_constraint c ON c.oid = t.tgconstraint
            WHERE t.tgrelid IN \(tree) AND t.tgisinternal AND (t.tgtype & 4) <> 0 AND c.contype IN ('u', 'p', 'x')
            """).rows.first?["names"]
        if let rechecks {
            reasons.append("\(target.name.display)'s constraint \(rechecks) is DEFERRABLE: PostgreSQL rechecks it by a trigger, which the set-based check's replica mode would skip")
        }
        // Code the insert runs itself, in replica mode: a DEFAULT, a CHECK or a domain's
        // default or check that calls a function of the user's that is not IMMUTABLE
        // could write to a table whose FK triggers replica mode skips. (Built-in
        // functions are not in pg_depend, and none of them writes to a user table.)
        let calls = try session.execute(
            """
            WITH rel (relid) AS MATERIALIZED \(tree),
            -- Each lookup by its catalog's index (LATERAL ... OFFSET 0): with IN lists the planner
            -- scanned the whole of pg_attribute and pg_depend, 7 ms of a one-row load on a
            -- catalog of 1,500 tables, and more as a warehouse grows.
            domains AS MATERIALIZED (
                SELECT DISTINCT a.atttypid AS oid FROM rel CROSS JOIN LATERAL (
                    SELECT a.atttypid FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid OPERATOR(pg_catalog.=) rel.relid AND a.attnum > 0 AND NOT a.attisdropped OFFSET 0) a
                JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid WHERE t.typtype = 'd'
            ),
            objects AS (
                SELECT CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AS classid, ad.oid FROM rel CROSS JOIN LATERAL (
                    SELECT ad.oid FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid OPERATOR(pg_catalog.=) rel.relid OFFSET 0) ad
                UNION ALL
                SELECT CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid FROM rel CROSS JOIN LATERAL (
                    SELECT c.oid FROM pg_catalog.pg_constraint c
                    WHERE c.conrelid OPERATOR(pg_catalog.=) rel.relid AND c.contype = 'c' OFFSET 0) c
                UNION ALL
                SELECT CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid FROM domains dm CROSS JOIN LATERAL (
                    SELECT c.oid FROM pg_catalog.pg_constraint c
                    WHERE c.contypid OPERATOR(pg_catalog.=) dm.oid AND c.contype = 'c' OFFSET 0) c
                UNION ALL
                SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), dm.oid FROM domains dm
            ),
            users AS (
                SELECT d.refobjid AS proc FROM objects o CROSS JOIN LATERAL (
                    SELECT d.refobjid FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) o.classid AND d.objid OPERATOR(pg_catalog.=) o.oid
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) OFFSET 0) d
            )
            SELECT pg_catalog.string_agg(DISTINCT CAST(CAST(p.oid AS pg_catalog.regprocedure) AS pg_catalog.text), ', ') AS names
            FROM users u JOIN pg_catalog.pg_proc p ON p.oid = u.proc WHERE p.provolatile <> 'i'
              -- A domain depends on its base type's I/O functions (citext's citextsend):
              -- they convert values, they write nothing.
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE p.oid IN (
                  CAST(t.typinput AS pg_catalog.oid), CAST(t.typoutput AS pg_catalog.oid), CAST(t.typreceive AS pg_catalog.oid),
                  CAST(t.typsend AS pg_catalog.oid), CAST(t.typmodin AS pg_catalog.oid), CAST(t.typmodout AS pg_catalog.oid)))
            """).rows.first?["names"]
        if let calls {
            reasons.append("\(target.name.display)'s defaults or checks call \(calls), which could write where replica mode checks nothing")
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
