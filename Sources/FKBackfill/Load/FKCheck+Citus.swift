import PostgresClient

/// The FK check on Citus (docs/scale-out.md).
///
/// What was measured on Citus 13.2 with a coordinator and two workers:
/// - `session_replication_role = replica` set on the coordinator (with `set_config` or
///   `SET LOCAL`) does not reach the sessions Citus opens on the workers: an insert into
///   a distributed or reference table still runs the shards' FK triggers there, and an
///   orphan key still fails with 23503 from the worker. The per-row check never left.
/// - With `citus.propagate_set_commands = 'local'`, a `SET LOCAL` is sent to every worker
///   session of the transaction, open or opened later: then the shards' triggers are off.
/// - `FOR KEY SHARE` on a join of a coordinator temp table with a reference table locks
///   the rows of the coordinator's copy; a DELETE of one waits, because a write to a
///   reference table writes every copy. With a distributed table (hash or single shard)
///   Citus refuses the statement ("could not run distributed query with FOR
///   UPDATE/SHARE commands").
///
/// So the set-based path stays exact on Citus when every parent it checks has its rows
/// on the coordinator (a reference table with a coordinator copy, or a local table) and
/// the replica setting is propagated for the insert; otherwise the workers' triggers
/// check every row (per-row).
extension FKCheck {
    /// Why the set-based check cannot be exact here on Citus; empty off Citus too.
    func citusBlockers(on session: Session) throws -> [String] {
        guard let citus = try CitusTables.read(on: session) else { return [] }
        let parents = Array(Set(checkedKeys.map(\.referencedTable))).sorted()
        let involved = [plan.target.oid] + parents.compactMap { catalog.table($0)?.oid }
        guard involved.contains(where: { citus.entry($0) != nil }) else { return [] }
        var reasons: [String] = []
        for name in parents {
            guard let parent = catalog.table(name), let entry = citus.entry(parent.oid) else { continue }
            switch entry.kind {
            case .distributed, .singleShard:
                reasons.append("\(name.display) is a Citus \(entry.kind.rawValue) table: its rows are on the workers, "
                    + "where a FOR KEY SHARE from the coordinator cannot lock them, so the workers' FK triggers check each row")
            case .reference where !entry.onCoordinator:
                reasons.append("Citus reference table \(name.display) has no copy on the coordinator "
                    + "(citus_set_coordinator_host was not called), so its rows cannot be locked here")
            case .reference, .local:
                break
            }
        }
        // The replica setting must be accepted by every worker's session, too: a grant on
        // the coordinator says nothing about the workers.
        let superuser = try session.execute(
            "SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER").rows.first?.bool("rolsuper") ?? false
        if !superuser {
            reasons.append("on Citus only a superuser is sure to be allowed session_replication_role on every worker")
        }
        return reasons
    }

    /// On a Citus target the rows cannot be read back from the shards, so the staged keys
    /// are verified: exact only where they are what the insert stores. An FK the input
    /// does not set in full, one declared on a partition only, or one referencing the
    /// target itself makes it inexact.
    func citusStagedBlockers() -> [String] {
        var reasons: [String] = []
        let target = plan.target
        let staged = Set(plan.stagedColumns.map(\.name))
        for fk in catalog.foreignKeys(of: target.name) where !fk.declared {
            let unstaged = fk.columns.filter { !staged.contains($0) }
            if fk.isSelfReference {
                reasons.append("\(fk.name) references \(target.name.display) itself")
            } else if fk.declaredOn != fk.table {
                reasons.append("\(fk.name) is declared on partition \(fk.declaredOn.display) only")
            } else if !unstaged.isEmpty {
                reasons.append("\(fk.name) has columns the input does not set (\(unstaged.joined(separator: ", ")))")
            }
        }
        return reasons
    }

    /// Citus: locks the referenced parent rows of the staged keys (`fkb_seen`) in their
    /// coordinator copies, before the insert.
    func lockStaged(_ fk: ForeignKey) -> SQL {
        let keys = KeyPredicates.columns("g", fk.columns)
        let named = fk.columns.indices.map { position -> SQL in "k.c\(int: position + 1)" }
        let select = keys.enumerated().map { position, key -> SQL in "\(key) AS c\(int: position + 1)" }
        return "SELECT pg_catalog.count(*) AS n FROM (SELECT 1 FROM \(KeyPredicates.referenced(fk)) p JOIN (SELECT \(select.joined(separator: ", "))"
            + " FROM \(sql.seenKeys(fk.columns)) AND " + keys.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            + ") k ON " + KeyPredicates.match(fk, parent: KeyPredicates.columns("p", fk.referencedColumns), child: named)
            + " ORDER BY \(KeyPredicates.columns("p", fk.referencedColumns).joined(separator: ", ")) FOR KEY SHARE OF p) locked"
    }

    /// Citus: staged keys (`fkb_seen`) that would violate `fk`, before the insert.
    func stagedViolations(_ fk: ForeignKey, samples: Int) -> SQL {
        let keys = KeyPredicates.columns("g", fk.columns)
        return Self.countViolations(fk, keys: keys, missing: KeyPredicates.missing(fk, child: keys), samples: samples, from: sql.seenKeys(fk.columns))
    }
}
