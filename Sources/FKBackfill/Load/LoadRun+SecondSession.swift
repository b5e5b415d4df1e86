import Foundation
import PostgresClient

/// When a load opens a second session (`SecondSession`), and how it takes a parent's keys
/// and values from there.
extension LoadRun {
    /// A file smaller than this is loaded by one session under `.auto`: the second's
    /// connection and statements cost more than its work saves.
    static let secondSessionMinimumBytes = 4 << 20

    /// Opens the second session where it can pay off and is safe, and returns its COPY for
    /// the stage's to feed; nil otherwise. Only a load of a CSV file, in its own
    /// transaction, under the role it connected as, without rejects, in insert-missing mode,
    /// set-based: where the fact insert runs long enough to hide the derivations behind it.
    /// Only parents whose rows are aggregated straight from the stage are taken from there
    /// (`adoptable`), none with a rule of SQL (which may call code that is not the same
    /// twice), no cycle, only built-in types in the stage and in the parents' columns it
    /// writes (no code of the user's or an extension's runs there), and
    /// not where the DBA turned parallel query off (`max_parallel_workers_per_gather = 0`):
    /// a second core is what it uses.
    func openSecondSession() throws -> CopyMirror? {
        guard options.secondSession != .off, secondSessionAllowed, options.loadTarget, !options.checksValues,
              options.mode == .insertMissing, options.fkCheck != .perRow,
              case .csv(let path, _) = input, path != "-" else { return nil }
        if options.secondSession == .auto {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size >= Self.secondSessionMinimumBytes else { return nil }
        }
        // Built-in types only, staged and written: a domain's CHECK, an enum, an
        // extension's or the user's type and its operators would run their code twice.
        func builtIn(_ column: Column) -> Bool {
            !PathSafeType.isQualified(column.type) && column.domainBaseType == nil && column.arrayDomainBaseType == nil
        }
        guard plan.stagedColumns.allSatisfy(builtIn),
              plan.parents.allSatisfy({ $0.insertedColumns.allSatisfy { builtIn($0.column) } }), plan.targetCycle == nil, plan.parents.contains(where: adoptable),
              !plan.parents.contains(where: { $0.isTarget || $0.cycle != nil || $0.mode == .fillNullOnly || runsSQLRule($0) })
        else { return nil }
        let row = try session.execute(
            "SELECT CAST(pg_catalog.current_setting('max_parallel_workers_per_gather') AS pg_catalog.int4) OPERATOR(pg_catalog.>) 0 AS parallel, "
                + "SESSION_USER OPERATOR(pg_catalog.=) CURRENT_USER AS own").rows[0]
        guard row.bool("parallel"), row.bool("own"), try citusTarget() == nil,
              let second = SecondSession.open(beside: self) else { return nil }
        secondSession = second
        return second.mirror
    }

    /// A parent whose keys and values the second session's tables can stand for: its
    /// derived values are aggregated straight from the stage (`readsStageDirectly`), so
    /// no table of row addresses (`fkb_ref_N`, by `ctid`) is made beside them.
    func adoptable(_ parent: ParentPlan) -> Bool {
        sql.needsRefs(parent) && sql.readsStageDirectly(parent) && !sql.feedsItself(parent)
    }

    func runsSQLRule(_ parent: ParentPlan) -> Bool {
        parent.columns.contains { column in
            if case .rule(let rule) = column.source, case .sql = rule.source { true } else { false }
        }
    }

    /// Takes `parent`'s keys (`fkb_keys_N`, its own already made) and values
    /// (`fkb_val_N`) from the second session, when that session is done, the stage was not
    /// changed after the COPY both read, and its keys are this session's: the same rows,
    /// each present or missing alike, by the key's equality and byte for byte (`*=`).
    /// Then the values, computed from the same rows by the same statement, are these
    /// rows' own. Returns false, having closed the second session, where any of that
    /// fails: the parent and every later one are then computed here.
    func adoptFromSecondSession(_ parent: ParentPlan) throws -> Bool {
        guard let second = secondSession, adoptable(parent) else { return false }
        guard !stageUpdated, second.finished(),
              let keyColumns = try second.columns(of: LoadStatements.keys(parent.index)),
              let valueColumns = try second.columns(of: LoadStatements.values(parent.index)) else {
            closeSecondSession()
            return false
        }
        let theirs: SQL = "pg_temp.fkb_keys_theirs"
        try session.execute("CREATE TEMP TABLE \(theirs) (\(keyColumns.joined(separator: ", "))) ON COMMIT DROP")
        try second.copy(LoadStatements.keys(parent.index), into: theirs, on: session)
        guard try session.execute(sql.sameKeys(parent, theirs)).rows[0].bool("same") else {
            try session.execute("DROP TABLE \(theirs)")
            closeSecondSession()
            return false
        }
        try session.execute("DROP TABLE \(LoadStatements.keys(parent.index))")
        try session.execute("ALTER TABLE \(theirs) RENAME TO \(ident: "fkb_keys_\(parent.index)")")
        try session.execute("CREATE TEMP TABLE \(LoadStatements.values(parent.index)) (\(valueColumns.joined(separator: ", "))) ON COMMIT DROP")
        try second.copy(LoadStatements.values(parent.index), into: LoadStatements.values(parent.index), on: session)
        report.derivedInSecondSession.append(parent.table.name)
        return true
    }

    /// For tests (`LoadOptions.afterSecondSession`): waits for the second session, then
    /// runs the hook, before this session reads a key.
    func secondSessionDone() {
        guard let second = secondSession, let hook = options.afterSecondSession else { return }
        _ = second.finished()
        hook()
    }

    /// Ends the second session (its transaction rolled back, its statements printed).
    func closeSecondSession() {
        guard let second = secondSession else { return }
        secondSession = nil
        second.close(announcingOn: session.connection)
    }
}

extension LoadStatements {
    /// Whether `theirs` (a copy of another session's `fkb_keys_N`) holds exactly the rows
    /// of `fkb_keys_N`: as many, and each of ours matched by one of theirs with the same
    /// key, by the key's own equality, and the same bytes and `present`.
    func sameKeys(_ parent: ParentPlan, _ theirs: SQL) -> SQL {
        let ours = Self.keys(parent.index)
        // A function call, not `ROW(…) *= ROW(…)`, which PostgreSQL reads column by column.
        let image: SQL = "pg_catalog.record_image_eq(ROW(\((kList("a", parent) + ["a.present"]).joined(separator: ", "))), "
            + "ROW(\((kList("b", parent) + ["b.present"]).joined(separator: ", "))))"
        return "SELECT (SELECT pg_catalog.count(*) FROM \(ours)) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM \(theirs)) "
            + "AND (SELECT pg_catalog.count(*) FROM \(ours)) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM \(ours) a "
            + "JOIN \(theirs) b ON \(keyJoin("a", "b", parent)) WHERE \(image)) AS same"
    }
}
