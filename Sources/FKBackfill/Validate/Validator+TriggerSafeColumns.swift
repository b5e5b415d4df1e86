import PostgresClient

/// The target's columns its BEFORE INSERT triggers leave as the input gives them, read
/// from the triggers' source (`ParentColumnFacts`), for read-only validate. With any such
/// trigger, every check of the target's rows was left to the insert ("not checked, a
/// BEFORE INSERT trigger may change the rows first"): a file with a repeated id, checked
/// on a standby, "would load" where the load stops — though the trigger was an
/// `updated_at` stamp, as on most tables of real schemas. A unique key, CHECK, partial
/// index or DEFAULT-filled FK over columns no trigger assigns sees what the insert sees,
/// so those are checked again. Nothing is vouched for where a trigger may skip the row
/// (`RETURN NULL`, a rule DO INSTEAD), is not PL/pgSQL (not read), or may write besides
/// its row (`ParentColumnFacts.writesElsewhere`: a DELETE of the clashing row, an
/// "upsert" trigger, would make a clash no clash).
extension Validator {
    /// The columns of `target` that no BEFORE INSERT trigger may change; empty when a
    /// trigger may skip rows, is not read, or writes elsewhere.
    func triggerSafeColumns(_ target: Table) throws -> Set<String> {
        let facts = try ParentColumnFacts.read([target], on: session)
        let name = target.name
        guard (facts.rowDroppers[name] ?? []).isEmpty, (facts.unreadTriggers[name] ?? []).isEmpty,
              (facts.sideEffects[name] ?? []).isEmpty else { return [] }
        return Set(target.columns.map(\.name)).subtracting((facts.triggerFilled[name] ?? [:]).keys)
    }
}
