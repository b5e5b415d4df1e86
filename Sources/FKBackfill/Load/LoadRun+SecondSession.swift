import Foundation
import PostgresClient

/// When a load opens a second session (`SecondSession`), and how it takes a parent's keys
/// and values from there.
extension LoadRun {
    /// A file smaller than this is loaded by one session under `.auto`: the second's
    /// connection and statements cost more than its work saves.
    static let secondSessionMinimumBytes = 4 << 20
    /// The largest file a second session stages from a spool (`CopyMirror.Feed.spooled`):
    /// the spool is a copy of the input in the temporary folder, and a DBA does not
    /// expect a load to write gigabytes there. A larger file's second session is fed live
    /// (`always`), or not opened but for a first load (`auto`).
    static let secondSessionSpoolLimit = 1 << 30

    /// Opens the second session where it can pay off and is safe, and returns its COPY for
    /// the stage's to feed; nil otherwise. Only a load of a CSV file, in its own
    /// transaction, under the role it logged in as, without rejects, in insert-missing
    /// mode, set-based: where the fact insert runs long enough to hide the derivations
    /// behind it. Only where no code but PostgreSQL's own would run there, which would run
    /// twice: built-in types in the stage and in the parents' written columns (a domain's
    /// CHECK, an enum, an extension's type), built-in FK operators, no row-level security
    /// on a parent, no rule of SQL; no cycle; not on Citus; and not where the DBA turned
    /// parallel query off (`max_parallel_workers_per_gather = 0`): a second core is what
    /// it uses. Before it opens, this session takes ACCESS SHARE on the parents the second
    /// will read: another's `ALTER TABLE` queued behind the second's lock, while the
    /// second waits for this session to take its tables, would otherwise hold up this
    /// session's own read of that parent with no deadlock PostgreSQL can see.
    func openSecondSession() throws -> CopyMirror? {
        guard options.secondSession != .off, secondSessionAllowed, options.loadTarget, !options.checksValues,
              options.mode == .insertMissing, options.fkCheck != .perRow,
              case .csv(let path, _) = input, path != "-" else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if options.secondSession == .auto, size < Self.secondSessionMinimumBytes { return nil }
        func builtIn(_ column: Column) -> Bool {
            !PathSafeType.isQualified(column.type) && column.domainBaseType == nil && column.arrayDomainBaseType == nil
        }
        let tables = [plan.target.name] + plan.parents.map(\.table.name)
        let operators = tables.flatMap { catalog.foreignKeys(of: $0) }.flatMap { $0.equality + $0.childEquality }
        guard plan.stagedColumns.allSatisfy(builtIn), operators.allSatisfy({ $0.schema == "pg_catalog" }),
              plan.parents.allSatisfy({ $0.insertedColumns.allSatisfy { builtIn($0.column) } }),
              plan.targetCycle == nil, plan.parents.contains(where: adoptable),
              !plan.parents.contains(where: { $0.isTarget || $0.cycle != nil || $0.mode == .fillNullOnly || runsSQLRule($0) })
        else { return nil }
        let parents = plan.parents.map(\.table.name)
        // The login role: SET SESSION AUTHORIZATION changes SESSION_USER, not the role a
        // second connection logs in as.
        let row = try session.execute(
            "SELECT CAST(pg_catalog.current_setting('max_parallel_workers_per_gather') AS pg_catalog.int4) OPERATOR(pg_catalog.>) 0 AS parallel, "
                + "SESSION_USER OPERATOR(pg_catalog.=) CURRENT_USER AND (SELECT a.usename FROM pg_catalog.pg_stat_activity a "
                + "WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()) OPERATOR(pg_catalog.=) SESSION_USER AS own, "
                + "NOT EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: parents.map(\.schema)) AS pg_catalog.text[])), "
                + "pg_catalog.unnest(CAST(\(bindArray: parents.map(\.name)) AS pg_catalog.text[]))) AS u(s, r) "
                + "JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.s "
                + "JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) u.r "
                + "WHERE c.relrowsecurity) AS open_rows").rows[0]
        guard row.bool("parallel"), row.bool("own"), row.bool("open_rows"), try citusTarget() == nil else { return nil }
        // A role with column grants only on a parent may not LOCK it (nor read it whole):
        // no second session then, and the load goes on as it would without one.
        let feed = try? session.savepoint { () throws -> CopyMirror.Feed? in
            let spools = size <= Self.secondSessionSpoolLimit
                && (options.secondSession == .always || plan.parents.contains { adoptable($0) && derivesByRule($0) })
            let feed: CopyMirror.Feed? = try firstLoadOfAParent() ? .live
                : spools ? .spooled : options.secondSession == .always ? .live : nil
            guard let feed else { return nil }
            try session.execute("LOCK TABLE \(Set(parents).sorted { $0.display < $1.display }.map(\.sql).joined(separator: ", ")) IN ACCESS SHARE MODE")
            return feed
        }
        guard let feed = feed ?? nil, let second = SecondSession.open(beside: self, feed: feed) else { return nil }
        secondSession = second
        report.secondSessionFeed = feed
        return second.mirror
    }

    /// Whether a parent whose values come from the stage holds no row yet: a first load,
    /// where every key of it is new and deriving its rows takes about as long as the fact
    /// insert, so the second session is fed live and starts as soon as the first. Else it
    /// is fed from a spool after the first's COPY (two COPYs parsing at once slowed the
    /// first's by a tenth), where rules derive values (`derivesByRule`).
    func firstLoadOfAParent() throws -> Bool {
        let empty = Set(plan.parents.filter(adoptable).map(\.table.name)).sorted { $0.display < $1.display }
            .map { "NOT EXISTS (SELECT 1 FROM \($0.sql))" as SQL }
        guard !empty.isEmpty else { return false }
        return try session.execute("SELECT \(empty.joined(separator: " OR ")) AS empty").rows[0].bool("empty")
    }

    /// A parent whose keys and values the second session's tables can stand for: its
    /// derived values are aggregated straight from the stage (`readsStageDirectly`), so
    /// no table of row addresses (`fkb_ref_N`, by `ctid`) is made beside them.
    func adoptable(_ parent: ParentPlan) -> Bool {
        sql.needsRefs(parent) && sql.readsStageDirectly(parent) && !sql.feedsItself(parent)
    }

    /// Whether a rule of the rules file derives one of `parent`'s columns from the staged
    /// rows (`from:`, a template with a placeholder; a constant reads none). Measured side by
    /// side at 200,000 rows, a spooled second session beside the fact insert saved 6–18%
    /// at 1–25% new keys with the rules and cost 6% with none new; without rules, where
    /// only the defaults are derived, it saved 10% at 5% and cost 20% with none new
    /// (docs/performance.md): `auto` spools only where rules derive values.
    func derivesByRule(_ parent: ParentPlan) -> Bool {
        parent.columns.contains { column in
            guard case .rule(let rule) = column.source else { return false }
            switch rule.source {
            case .from: return true
            case .template(let text): return text.contains("{")
            case .value, .sql, .databaseDefault, .null: return false
            }
        }
    }

    func runsSQLRule(_ parent: ParentPlan) -> Bool {
        parent.columns.contains { column in
            if case .rule(let rule) = column.source, case .sql = rule.source { true } else { false }
        }
    }

    /// Compares `parent`'s keys (`fkb_keys_N`, its own already made) with the second
    /// session's, and where they are the same rows, each present or missing alike, by
    /// the key's equality and byte for byte (`*=`), and the stage was not changed after
    /// the COPY both read, takes the second's keys and values (`fkb_val_N`): computed from
    /// the same rows by the same statement, they are this session's own. Every parent
    /// before it is compared too, those it does not take (no key missing here, or values
    /// not read straight from the stage): a later parent's values read an earlier one's (a
    /// plan's, its new portfolios'), so one difference anywhere — a portfolio another
    /// session committed between the two sessions' reads — ends the second session, and
    /// this one computes that parent and every later one. A parent with no key missing
    /// here waits to be compared until a later one is to be taken: a load with nothing
    /// new neither waits for the second session nor copies anything from it. So does any
    /// failure of the second's connection: the comparison and the copies run in a savepoint.
    func adoptFromSecondSession(_ parent: ParentPlan, empty: Bool) throws -> Bool {
        guard let second = secondSession else { return false }
        if empty {
            secondSessionUncompared.append(parent)
            return false
        }
        do {
            let adopted = try session.savepoint {
                guard !stageUpdated, second.finished(cancelledWith: session.connection) else {
                    closeSecondSession()
                    return false
                }
                let compared = secondSessionUncompared + [parent]
                for (position, earlier) in compared.enumerated() {
                    guard let theirs = try copySecondSessionKeys(of: earlier, from: second) else {
                        closeSecondSession()
                        return false
                    }
                    let same = try session.execute(sql.sameKeys(earlier, theirs)).rows[0].bool("same")
                    // The copy of this parent's keys, the last compared, is kept to be taken.
                    if !same || position < compared.count - 1 { try session.execute("DROP TABLE \(theirs)") }
                    if !same {
                        closeSecondSession()
                        return false
                    }
                }
                secondSessionUncompared = []
                let theirs = Self.theirKeys
                guard adoptable(parent), let valueColumns = try second.columns(of: LoadStatements.values(parent.index)) else {
                    try session.execute("DROP TABLE \(theirs)")
                    return false
                }
                try session.execute("DROP TABLE \(LoadStatements.keys(parent.index))")
                try session.execute("ALTER TABLE \(theirs) RENAME TO \(ident: "fkb_keys_\(parent.index)")")
                try session.execute("CREATE TEMP TABLE \(LoadStatements.values(parent.index)) (\(valueColumns.joined(separator: ", "))) ON COMMIT DROP")
                try second.copy(LoadStatements.values(parent.index), into: LoadStatements.values(parent.index), on: session)
                return true
            }
            if adopted { report.derivedInSecondSession.append(parent.table.name) }
            return adopted
        } catch {
            // This session's own failure (its connection, a cancel) ends the load, as anywhere.
            if !session.connection.isConnected || session.connection.isCancelled { throw error }
            // The second's connection failed, or a copy from it: this session goes on alone.
            closeSecondSession()
            return false
        }
    }

    static let theirKeys: SQL = "pg_temp.fkb_keys_theirs"

    /// The second session's `fkb_keys_N` of `parent`, copied here as `theirKeys`; nil when
    /// it has none (or of a type not built in).
    private func copySecondSessionKeys(of parent: ParentPlan, from second: SecondSession) throws -> SQL? {
        guard let keyColumns = try second.columns(of: LoadStatements.keys(parent.index)) else { return nil }
        try session.execute("CREATE TEMP TABLE \(Self.theirKeys) (\(keyColumns.joined(separator: ", "))) ON COMMIT DROP")
        try second.copy(LoadStatements.keys(parent.index), into: Self.theirKeys, on: session)
        return Self.theirKeys
    }

    /// For tests (`LoadOptions.afterSecondSession`): waits for the second session, then
    /// runs the hook, before this session reads a key.
    func secondSessionDone() {
        guard let second = secondSession, let hook = options.afterSecondSession else { return }
        _ = second.finished(cancelledWith: session.connection)
        hook()
    }

    /// Ends the second session (its transaction rolled back, its statements printed).
    func closeSecondSession() {
        guard let second = secondSession else { return }
        secondSession = nil
        secondSessionUncompared = []
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
