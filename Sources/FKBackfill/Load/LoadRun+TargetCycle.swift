import PostgresClient

/// The writes around the fact insert when the target sits in a cycle (`TargetCycle`):
/// which parents go in before the fact rows and which after, and what is set once both are in.
extension LoadRun {
    /// Which parents a `backfillParents` call writes.
    enum BackfillPhase {
        /// Every parent: the fact rows come last (the usual order).
        case all
        /// `targetFirst`: the parents outside the target's cycle.
        case beforeTarget
        /// `targetFirst`: the parents in the target's cycle, once the fact rows are in.
        case afterTarget

        func includes(_ parent: ParentPlan, targetCycle: Int?) -> Bool {
            switch self {
            case .all: true
            case .beforeTarget: parent.cycle == nil || parent.cycle != targetCycle
            case .afterTarget: targetCycle != nil && parent.cycle == targetCycle
            }
        }
    }

    /// The target as a parent of its own cycle: the key the cycle's FKs reference.
    var targetAsParent: ParentPlan? { plan.parents.first(where: \.isTarget) }

    /// Whether this run inserts the fact rows before the parents of the target's cycle:
    /// the plan says `targetFirst`, the fact rows are loaded, and some table of the cycle
    /// gets new rows that may point at them (their key is staged).
    var targetFirst: Bool {
        guard options.loadTarget, let cycle = plan.targetCycle, cycle.order == .targetFirst,
              !cycle.nulledTargetColumns.isEmpty || !cycle.deferred.isEmpty,
              let key = targetAsParent, !key.keyColumns.isEmpty,
              key.keyColumns.allSatisfy({ name in plan.stagedColumns.contains { $0.name == name } })
        else { return false }
        return newRowsInTargetCycle
    }

    /// Whether a trial of the writes must insert the fact rows too: the cycle's new rows
    /// point at them (target first), or wait for them (a deferred or later-set FK back),
    /// or a `fill-null-only` parent of the cycle fills its existing rows after them.
    var trialNeedsTarget: Bool {
        guard options.loadTarget, let cycle = plan.targetCycle else { return false }
        return targetFirst || (cycle.order == .parentsFirst && newRowsInTargetCycle)
            || plan.parents.contains { $0.mode == .fillNullOnly && fillsAfterTarget($0) }
    }

    /// A `fill-null-only` parent in the target's cycle fills its existing rows once the
    /// fact rows are in: a filled FK column back to the target may point at one of them.
    func fillsAfterTarget(_ parent: ParentPlan) -> Bool {
        options.loadTarget && plan.targetCycle != nil && parent.cycle != nil && parent.cycle == targetAsParent?.cycle
    }

    /// Some table of the target's cycle other than the target gets new rows.
    var newRowsInTargetCycle: Bool {
        guard let cycle = targetAsParent?.cycle else { return false }
        return plan.parents.contains { parent in
            guard !parent.isTarget, parent.cycle == cycle, parentStates[parent.index].available,
                  let count = parentStates[parent.index].counts else { return false }
            return count.candidates > count.present
        }
    }

    /// The blocker when no order of the writes exists: FKs into the target and out of it
    /// that can neither be NULL nor wait, with new rows in the cycle.
    var targetCycleBlocker: String? {
        // A cycle nothing breaks has its own blocker (`unfillable`), naming it.
        guard options.loadTarget, let cycle = plan.targetCycle, cycle.order == .none, newRowsInTargetCycle,
              let index = targetAsParent?.cycle, graph.cycles[index].breakable else { return nil }
        return cycle.noOrder(target.name)
    }

    /// `targetFirst`, before the fact insert: the FK columns into the cycle are cleared in
    /// the stage (their values kept aside by key), so the rows go in with them NULL.
    func clearTargetCycleColumns() throws {
        guard targetFirst, let cycle = plan.targetCycle, let key = targetAsParent, !cycle.nulledTargetColumns.isEmpty else { return }
        for statement in sql.keepTargetCycleValues(cycle, key: key) { try session.execute(statement) }
        stageUpdated = true
    }

    /// After the fact insert: the cycle's parents (`targetFirst`), the fact rows' cleared
    /// columns, and the cycle parents' columns that reference the target (`parentsFirst`).
    /// Deferred constraints are checked later, by the step "check deferred constraints".
    func finishTargetCycle() throws {
        guard plan.targetCycle != nil else { return }
        do {
            if targetFirst, let cycle = plan.targetCycle, let key = targetAsParent {
                stepStarted?("backfill parents in the target's cycle")
                try backfillParents(.afterTarget)
                if !cycle.nulledTargetColumns.isEmpty {
                    try session.underUserSearchPath { try session.execute(sql.restoreTargetCycleValues(cycle, key: key)) }
                    let lost = try session.execute(sql.lostTargetCycleValues(cycle, key: key)).rows.first?.int("n") ?? 0
                    if lost > 0 {
                        let columns = cycle.nulledTargetColumns.joined(separator: ", ")
                        throw FKBackfillError(
                            "\(counted(lost, "row")) of \(target.name.display) did not keep \(columns): the fact rows went in with them NULL "
                                + "before the cycle (\(cycle.display)) had its new rows, and the UPDATE that sets them afterwards did not store them "
                                + "(a BEFORE UPDATE trigger or a row-level security policy on UPDATE), nothing was written",
                            hint: "a plain INSERT of these rows would keep them: let the UPDATE through, or make the cycle's FK into "
                                + "\(target.name.display) DEFERRABLE so the parents go in first",
                            kind: .blocked)
                    }
                }
                lap("backfill parents in the target's cycle")
            }
            for parent in plan.parents where parentStates[parent.index].available {
                if let restore = sql.restoreDeferredColumns(parent, afterTarget: true) {
                    try session.underUserSearchPath { try session.execute(restore) }
                }
            }
            // Target first filled them in its phase after the fact rows.
            if !targetFirst {
                for parent in plan.parents where parentStates[parent.index].available && parent.mode == .fillNullOnly && fillsAfterTarget(parent) {
                    try fillNulls(of: parent)
                }
            }
        } catch let error as PostgresError where Self.isRefusal(error) {
            let cycle = plan.targetCycle?.display ?? ""
            throw FKBackfillError(
                "PostgreSQL refused the rows of the cycle (\(cycle)) once all were in: \(error.message), nothing was written",
                details: error.detail.map { [$0] } ?? [],
                hint: "`fkbackfill validate` shows the keys; the rows of a cycle must reference each other's keys",
                kind: .blocked, cause: error)
        }
    }
}
