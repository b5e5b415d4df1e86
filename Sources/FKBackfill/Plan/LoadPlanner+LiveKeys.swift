/// Which FKs between parents can carry a key to backfill at all.
///
/// A parent's FK gives its own parent keys only through the parent's new rows (or, in
/// fill_null_only mode, its filled ones), and only where the planned values of its
/// columns are not NULL. Spree's `spree_countries` is referenced by `spree_states.country_id`
/// (its id) and by `spree_addresses.country_iso` (its iso): an address export with new
/// isos and no state column was refused as "referenced through different keys (id) and
/// (iso)", though no new state (nor, from orders, a new address: their address ids are
/// NULL on new orders) could ever ask for a country by id; PostgreSQL took the rows, the
/// id from its sequence (RealSchemaSweep6Tests). An FK that can carry no key is no key
/// source: it neither asks for a second key nor chooses the key's types.
extension LoadPlanner {
    /// The FKs of parents (not the target's own) that can carry keys: their table gets
    /// keys itself (the target, or a parent reached through such an FK), and no column of
    /// theirs is NULL on new rows (all of them, for MATCH FULL) — or their table is filled
    /// in fill_null_only mode, whose existing rows' values may carry keys too.
    static func liveParentKeys(
        catalog: Catalog, target: TableName, parentNames: [TableName], stagedNames: Set<String>, rules: Rules, mode: BackfillMode
    ) -> Set<EdgeID> {
        let inPlan = Set(parentNames).union([target])
        var reached: Set<TableName> = [target]
        var live = Set<EdgeID>()
        var changed = true
        while changed {
            changed = false
            for name in parentNames where !reached.contains(name) {
                let carries = catalog.foreignKeys(referencing: name).contains { fk in
                    guard rules.foreignKey(fk)?.skip != true, inPlan.contains(fk.table) else { return false }
                    if fk.table == target { return fk.columns.allSatisfy(stagedNames.contains) }
                    return reached.contains(fk.table) && carriesKeys(fk, catalog: catalog, stagedNames: stagedNames, rules: rules, mode: mode)
                }
                if carries { reached.insert(name); changed = true }
            }
        }
        for name in parentNames {
            for fk in catalog.foreignKeys(referencing: name) where fk.table != target && reached.contains(fk.table)
                && carriesKeys(fk, catalog: catalog, stagedNames: stagedNames, rules: rules, mode: mode) {
                live.insert(EdgeID(fk))
            }
        }
        return live
    }

    /// Whether a parent's FK has values on the parent's new rows: each column read as its
    /// table's columns are (`source(for:)`), with every key the table is referenced by
    /// counted as filled (whichever the plan picks).
    private static func carriesKeys(_ fk: ForeignKey, catalog: Catalog, stagedNames: Set<String>, rules: Rules, mode: BackfillMode) -> Bool {
        guard let table = catalog.table(fk.table) else { return true }
        let tableRule = rules.table(fk.table)
        if (tableRule?.mode ?? (mode == .fillNullOnly ? .fillNullOnly : .insertMissing)) == .fillNullOnly { return true }
        let keys = catalog.foreignKeys(referencing: fk.table).flatMap(\.referencedColumns)
        let unfilled = fk.columns.map { name in
            table.column(name).map {
                source(for: $0, keyColumns: keys, table: table, isTarget: false, stagedNames: stagedNames, catalog: catalog,
                       rule: tableRule?.column(name)) == .null
            } ?? false
        }
        return fk.match == .full ? !unfilled.allSatisfy { $0 } : !unfilled.contains(true)
    }
}
