/// The order of the writes when the target itself sits in a cycle of tables.
///
/// `merge_requests.latest_merge_request_diff_id → merge_request_diffs` and
/// `merge_request_diffs.merge_request_id → merge_requests`, loading merge_requests: a new
/// merge_request_diffs row may point at a merge_requests row that only the fact rows
/// bring. Parents first, as everywhere else, then fails on that FK. PostgreSQL takes the
/// same rows in one transaction in one of these orders (issue #24, item 2):
///
/// - `parentsFirst`: every FK from the cycle into the target can wait: a deferrable one is
///   deferred, a nullable one goes in NULL and is set by an UPDATE once the fact rows are in;
/// - `targetFirst`: an FK into the target cannot wait, but every FK of the target into the
///   cycle can: the fact rows go in with those columns NULL (or deferred), then the cycle's
///   parents, then an UPDATE sets the columns from the staged rows;
/// - `none`: neither; new rows in the cycle stop the load before its first write.
struct TargetCycle: Sendable {
    enum Order: String, Sendable { case parentsFirst, targetFirst, none }

    /// The tables of the cycle, for messages.
    var tables: [TableName]
    /// FKs of the cycle's other tables that reference the target.
    var into: [ForeignKey]
    /// FKs of the target that reference the cycle's other tables.
    var outOf: [ForeignKey]
    var order: Order

    /// Target columns that go in NULL and are set after the cycle's parents (`targetFirst`).
    var nulledTargetColumns: [String] = []

    /// FKs to defer for the chosen order: SET CONSTRAINTS … DEFERRED, checked at COMMIT.
    var deferred: [ForeignKey] {
        switch order {
        case .parentsFirst: into.filter(\.deferrable)
        case .targetFirst: outOf.filter(\.deferrable)
        case .none: []
        }
    }

    /// Columns of cycle parents that go in NULL and are set once the fact rows are in.
    func setAfterTarget(_ fk: ForeignKey) -> Bool {
        order == .parentsFirst && !fk.deferrable && into.contains { $0.table == fk.table && $0.name == fk.name }
    }

    var display: String { tables.map(\.display).joined(separator: ", ") }

    /// Why a load with new rows in the cycle stops before its first write when no order
    /// exists (`order == .none`): the load's blocker, the audit's and validate's reason.
    func noOrder(_ target: TableName) -> String {
        let into = into.map { "\($0.table.display).\($0.name)" }.joined(separator: ", ")
        let outOf = outOf.map { "\($0.table.display).\($0.name)" }.joined(separator: ", ")
        return "\(target.display) is in a cycle (\(display)) whose tables get new rows, and no order of the writes "
            + "exists: neither its FKs into the cycle (\(outOf)) nor the cycle's FKs to it (\(into)) are nullable or deferrable"
    }

    /// Nil when the target is in no cycle with other tables (a self-reference alone needs
    /// nothing: one INSERT checks its rows against each other at its end).
    ///
    /// `outOf` holds only the FKs whose columns the input gives (`stagedColumns`), as the
    /// planner reads a target FK's keys only then: the fact insert leaves the others to
    /// their DEFAULT or NULL, so they name no new row of the cycle and need no order. An
    /// Odoo table's `write_uid → res_users` the input lacks made the target-first order
    /// keep aside `s.write_uid`, which the stage has not ("column s.write_uid does not
    /// exist", exit 3, RealSchemaSweep3Tests).
    static func plan(catalog: Catalog, graph: DependencyGraph, target: Table, stagedColumns: Set<String>) -> TargetCycle? {
        guard let cycle = graph.cycles.first(where: { $0.tables.contains(target.name) }), cycle.tables.count > 1 else { return nil }
        let members = Set(cycle.tables)
        let into = catalog.foreignKeys(referencing: target.name).filter { $0.table != target.name && members.contains($0.table) }
        let outOf = catalog.foreignKeys(of: target.name).filter {
            $0.referencedTable != target.name && members.contains($0.referencedTable) && $0.columns.allSatisfy(stagedColumns.contains)
        }
        func canWait(_ fk: ForeignKey) -> Bool { DependencyGraph.breakMethod(fk, in: catalog) != nil }
        var result = TargetCycle(tables: cycle.tables, into: into, outOf: outOf, order: .none)
        if into.allSatisfy(canWait) {
            result.order = .parentsFirst
        } else if outOf.allSatisfy(canWait) {
            result.order = .targetFirst
            // MATCH SIMPLE: one NULL column suffices; MATCH FULL: all must be NULL.
            result.nulledTargetColumns = outOf.filter { !$0.deferrable }.flatMap { fk in
                fk.columns.filter { target.column($0).map { !$0.refusesNull } ?? false }
            }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        }
        return result
    }
}
