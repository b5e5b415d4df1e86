import PostgresClient

/// One step of the load after staging. The load runs every step of
/// `LoadRun.stepsAfterStaging()`; validate's trial runs the same list's writes (its
/// prediction has made the decisions, listing every finding), so the order of the writes
/// is written once, here, for both (issue #26).
struct LoadStep {
    enum Kind {
        /// Reads and decides: the missing keys, the checks, the rejects, the Citus
        /// pre-insert verify. The load's own; validate's prediction decides these its way.
        case decide
        /// Writes parents (and, for a target that references itself, first deletes the
        /// rows --replace-by replaces).
        case parents
        /// Writes the target and checks its rows: validate tries these only when the
        /// target's own code or constraints call for it.
        case target
    }
    let kind: Kind
    let body: () throws -> Void

    init(_ kind: Kind, _ body: @escaping () throws -> Void) {
        self.kind = kind
        self.body = body
    }
}

extension LoadRun {
    /// The steps after staging, in this run's order: facts first where
    /// `insertsBeforeBackfill` allows it (which chooses the FK check), else parents first.
    func stepsAfterStaging() throws -> [LoadStep] {
        let factsFirst = try insertsBeforeBackfill()
        // Parents first, "find missing keys" comes next: nothing runs beside the second
        // session, which only repeats this session's work; nor can a changed stage use it.
        if !factsFirst || stageUpdated { closeSecondSession() }
        return factsFirst ? factsFirstSteps() : parentsFirstSteps()
    }

    /// A step of the report's Steps table: announced (`stepStarted`), run, then timed.
    func timed(_ name: String, _ body: () throws -> Void) rethrows {
        stepStarted?(name)
        try body()
        lap(name)
    }

    /// Parents first, then the fact rows: every load but those `insertsBeforeBackfill`
    /// takes (a per-row check needs the parents there; so do a cycle's and a
    /// self-reference's placeholder rows).
    func parentsFirstSteps() -> [LoadStep] {
        var steps: [LoadStep] = [
            .init(.decide) { try self.timed("find missing keys") { try self.findMissingKeys(); try self.warnNearDuplicates() } },
            .init(.decide) { try self.refuseUnfillable(); try self.refuseBadNewRows() },
        ]
        // A target that references itself takes its placeholder rows only once the rows
        // --replace-by replaces are gone: one may carry the key a new row points at.
        let deleteFirst = options.loadTarget && !options.replaceBy.isEmpty && plan.parents.contains(where: \.isTarget)
        if deleteFirst { steps.append(.init(.parents) { try self.timed("delete replaced rows") { try self.deleteReplaced() } }) }
        steps.append(.init(.parents) { try self.timed("backfill parents") { try self.backfillParents(self.targetFirst ? .beforeTarget : .all) } })
        steps.append(.init(.decide) { try self.setAsideRejects() })
        guard options.loadTarget else { return steps }
        if !options.replaceBy.isEmpty && !deleteFirst {
            steps.append(.init(.target) { try self.timed("delete replaced rows") { try self.deleteReplaced() } })
        }
        steps.append(.init(.target) { try self.chooseFKCheck() })
        steps.append(.init(.decide) {
            guard self.check?.onCitus == true else { return }
            try self.timed("lock referenced parents") { try self.lockParents() }
            try self.timed("verify foreign keys") { try self.verifyForeignKeys() }
        })
        steps.append(.init(.target) {
            try self.clearTargetCycleColumns()
            try self.timed("insert target rows") { try self.insertTarget() }
            try self.finishTargetCycle()
        })
        steps.append(.init(.target) {
            guard self.check?.onCitus == false else { return }
            try self.timed("lock and verify stored rows") { try self.verifyStoredRows() }
        })
        return steps
    }

    /// The set-based order where the keys can be read from the rows as stored
    /// (`LoadRun+StoredKeysFirst`): the fact rows go in (replica mode), then the keys
    /// their rows stored are looked up and the missing parents backfilled, then the stored
    /// rows are verified against the parents, locked, as always. Should that first insert
    /// fail, it is rolled back and the rest is the parents-first order: the keys from the
    /// stage, the checks, the backfill, the rejects, then the insert again.
    func factsFirstSteps() -> [LoadStep] {
        let deletes = !options.replaceBy.isEmpty
        let deleteAndInsert = {
            if deletes { try self.timed("delete replaced rows") { try self.deleteReplaced() } }
            try self.timed("insert target rows") { try self.insertTarget() }
        }
        return [
            .init(.decide) {
                self.keysFromStored = true
                try self.countSetAside()
            },
            .init(.target) {
                let before = self.report.steps.count
                self.factsInserted = try self.firstInsert(deleteAndInsert)
                guard !self.factsInserted else { return }
                // The steps of the attempt keep their time, marked as rolled back, so that
                // the report's steps still add up and none is counted twice.
                for index in before..<self.report.steps.count { self.report.steps[index].name += " (facts first, rolled back)" }
                if !self.report.steps.contains(where: { $0.name == "insert target rows (facts first, rolled back)" }) {
                    self.lap("insert target rows (facts first, rolled back)")
                }
            },
            .init(.decide) { try self.timed("find missing keys") { try self.findMissingKeys(); try self.warnNearDuplicates() } },
            .init(.decide) { try self.refuseUnfillable(); try self.refuseBadNewRows() },
            .init(.parents) { try self.timed("backfill parents") { try self.backfillParents(.all) } },
            .init(.decide) { try self.setAsideRejects() },
            .init(.target) { if !self.factsInserted { try deleteAndInsert() } },
            .init(.target) { try self.timed("lock and verify stored rows") { try self.verifyStoredRows() } },
        ]
    }
}
