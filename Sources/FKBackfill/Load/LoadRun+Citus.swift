import PostgresClient

/// The load's steps where Citus needs something else (docs/scale-out.md): each hook asks
/// Citus's metadata (`CitusTables`) and does nothing off Citus or for a plain table.
extension LoadRun {
    /// Citus's metadata, read once per run (nil off Citus): every hook asks it.
    func citus() throws -> CitusTables? {
        if let cached = citusTables { return cached }
        let tables = try CitusTables.read(on: session)
        citusTables = .some(tables)
        return tables
    }

    /// Whether the target's rows live where Citus puts them (in its metadata).
    func citusTarget() throws -> CitusTables.Entry? {
        try citus()?.entry(target.oid)
    }

    /// After the mode is chosen: on Citus the report says what the mode does there.
    func noteCitusFKCheck() throws {
        guard options.loadTarget, let entry = try citusTarget() else { return }
        let kind = "Citus \(entry.kind.rawValue) table"
        if report.fkCheck == .setBased {
            report.fkCheckNote = "set-based on a \(kind): parents locked and verified in their coordinator copies, "
                + "and session_replication_role = replica sent to the workers for the insert (citus.propagate_set_commands = local)"
        } else if report.fkCheckNote == nil {
            report.fkCheckNote = "per-row on a \(kind): the FK triggers of the shards check each row on the workers"
        }
    }

    /// Around the set-based insert on Citus: the coordinator's `set_config` does not reach
    /// the workers, so the same setting goes there as a propagated `SET LOCAL` (only a
    /// `SET` statement is propagated, and only with `citus.propagate_set_commands`).
    /// Nothing happens off Citus.
    func propagateReplicationRole(replica: Bool) throws {
        guard try citusTarget() != nil else { return }
        try session.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        try session.execute(replica ? "SET LOCAL session_replication_role = replica" : "SET LOCAL session_replication_role = origin")
    }

    /// The fill of `parent`'s NULL columns: through a subquery where Citus holds the parent.
    func fillNullsStatement(_ parent: ParentPlan) throws -> SQL? {
        if try citus()?.entry(parent.table.oid) != nil { return sql.fillNullsOnCitus(parent) }
        return sql.fillNulls(parent)
    }

    /// The statement that builds a parent's keys table: the Citus form where the parent's
    /// rows are on the workers, the usual one everywhere else.
    ///
    /// Reading a distributed parent is the run's first distributed query. Citus runs it
    /// over one connection per shard; afterwards it refuses to write a reference table
    /// that a distributed table references ("cannot modify table because there was a
    /// parallel operation on a distributed table"), and the backfill of the parents'
    /// reference parents comes next. So the transaction goes sequential (one connection
    /// per worker) first, which Citus allows only before its first parallel operation.
    func createKeysStatement(_ parent: ParentPlan, sources: [SQL]) throws -> SQL {
        if let entry = try citus()?.entry(parent.table.oid), entry.kind == .distributed || entry.kind == .singleShard {
            try session.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
            return sql.createKeysOnCitus(parent, sources: sources)
        }
        return sql.createKeys(parent, sources: sources)
    }

    /// Before the backfill on Citus: the parents this run writes, locked in name order
    /// against each other's writers until COMMIT (`SHARE ROW EXCLUSIVE`; reads go on):
    /// every reference table it inserts into or fills, and every distributed one it fills.
    ///
    /// Found by `CitusConcurrencyTests`: Citus serializes writes to a reference table's
    /// copies with a lock of its own per shard, so two loads inserting overlapping new keys
    /// deadlocked — one waiting for the other's uncommitted key (ON CONFLICT), the other for
    /// the first one's shard lock. Taking the tables whole, in one order, first, leaves
    /// no cycle: the second load waits once, then finds the keys committed. A distributed
    /// parent's rows cannot be locked one by one from the coordinator (`lockFilledRows`),
    /// so a fill takes it whole too.
    func lockCitusParents() throws {
        guard let citus = try citus() else { return }
        let written = plan.parents.filter { parent in
            guard parentStates[parent.index].available, let count = parentStates[parent.index].counts,
                  let kind = citus.entry(parent.table.oid)?.kind else { return false }
            if parent.mode == .fillNullOnly { return kind != .local }
            return count.candidates > count.present && kind == .reference
        }.map(\.table.name)
        for name in Set(written).sorted() {
            try session.execute("LOCK TABLE \(name.sql) IN SHARE ROW EXCLUSIVE MODE")
        }
    }

    /// The row locks before a fill: none for a parent Citus distributes (Citus refuses
    /// `FOR NO KEY UPDATE` there; `lockCitusParents` locked the table whole instead).
    func lockFilledRowsStatement(_ parent: ParentPlan) throws -> SQL? {
        if let kind = try citus()?.entry(parent.table.oid)?.kind, kind == .distributed || kind == .singleShard {
            return "SELECT 0 AS n"
        }
        return sql.lockFilledRows(parent)
    }
}
