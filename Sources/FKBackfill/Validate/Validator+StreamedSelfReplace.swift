import PostgresClient

/// `--replace-by` on a target that references itself, read-only, after the last batch.
///
/// The load (parents first: `LoadRun.parentsFirstSteps`) finds the target's missing keys
/// of itself before its DELETE, counting present a key a row holds that the input's
/// replace-by values do not match, or one a row of the input kept gives; then deletes the
/// rows those values match, where PostgreSQL's RI triggers act for each FK of the target
/// to itself: NO ACTION and RESTRICT refuse the DELETE while a row it keeps references a
/// row it removes (NO ACTION deferred waits for the end of the load), CASCADE removes those
/// rows too, SET NULL and SET DEFAULT update them. Then the placeholders, then the fact
/// rows, which PostgreSQL's check refuses where they reference a key only rows the cascade
/// removed held. Each of these is read here from the table and the values every batch
/// gave (`ReplaceTally`): nothing is deleted.
extension Validator {
    /// The FKs of `target` to itself that PostgreSQL enforces, once each (a partitioned
    /// target's may be listed per partition).
    static func ownForeignKeys(_ foreignKeys: [ForeignKey], of target: TableName) -> [ForeignKey] {
        var seen = Set<String>()
        return foreignKeys.filter { $0.referencedTable == target && $0.table == target && !$0.declared && seen.insert($0.name).inserted }
    }

    /// The merging text of a waiting key (`KeyTally.pending`'s key).
    static func pendingText(_ merge: [String?]) -> String {
        merge.map { $0 ?? "" }.joined(separator: "\u{0}")
    }

    /// Of `stored` (waiting keys of `fk` a target row holds, the input does not give), by
    /// `pendingText`: those the load counts missing (every row holding them is one the
    /// DELETE's values match), and those it counts present that only rows ON DELETE
    /// CASCADE removes hold.
    func storedSelfKeysGone(
        _ fk: ForeignKey, _ stored: [PendingKey], held: [[String?]], _ sql: StreamedStatements
    ) throws -> (missing: Set<String>, cascaded: [PendingKey]) {
        guard !stored.isEmpty else { return ([], []) }
        let row = try session.execute(sql.storedKeysGone(fk, keys: stored.map(\.key), held: held)).rows[0]
        let indices = { (name: String) in row.array(name).compactMap { $0.flatMap { Int($0) } }.filter(stored.indices.contains) }
        return (Set(indices("missing").map { Self.pendingText(stored[$0].merge) }), indices("cascaded").map { stored[$0] })
    }

    /// Why the load stops at `fk`'s check of the rows referencing `keys` (`storedSelfKeysGone`'s cascaded).
    static func cascadedKeysStop(_ fk: ForeignKey, _ keys: [PendingKey], samples: Int) -> String {
        let lines = lineList(Array(keys.flatMap(\.lines).sorted().prefix(samples)), fileLines: true)
        let sample = keys.sorted { ($0.lines.first ?? 0) < ($1.lines.first ?? 0) }.prefix(samples)
            .map { "(" + $0.key.map { $0 ?? "NULL" }.joined(separator: ", ") + ")" }.joined(separator: ", ")
        return "\(keys.count) \(keys.count == 1 ? "key" : "keys") of \(fk.name) the input references (\(sample)) "
            + "\(keys.count == 1 ? "is" : "are") held only by rows the DELETE of --replace-by removes through ON DELETE CASCADE: the load finds "
            + "them before the DELETE and adds no placeholder, so PostgreSQL's check refuses the rows that reference them (\(lines))"
    }

    /// What the DELETE of `held`'s rows does through the target's FKs to itself
    /// (`sql.ownForeignKeys`): what stops the load goes into `stops` by FK name; returns
    /// what is not evaluated.
    func selfReplaceEffects(_ sql: StreamedStatements, held: [[String?]], samples: Int, stops: inout [String: [String]]) throws -> [String] {
        let foreignKeys = sql.ownForeignKeys
        guard !foreignKeys.isEmpty, !held.isEmpty else { return [] }
        let row = try session.execute(sql.keptReferencing(held: held, samples: samples)).rows[0]
        let target = sql.plan.target
        var notExact: [String] = []
        for (index, fk) in foreignKeys.enumerated() where fk.onDelete != .cascade {
            let count = row.int("n\(index)") ?? 0
            guard count > 0 else { continue }
            let keys = row.array("k\(index)").compactMap { $0 }.joined(separator: ", ")
            let kept = "\(count) \(count == 1 ? "row" : "rows") of \(target.name.display) it keeps \(count == 1 ? "references" : "reference") "
                + "rows it deletes by \(fk.name) (keys \(keys))"
            switch fk.onDelete {
            case .noAction where fk.initiallyDeferred || sql.plan.deferredConstraints.contains { $0.name == fk.name && $0.table == fk.table }:
                notExact.append("\(fk.name) is checked at the end of the load (deferred): \(kept); whether the input or a placeholder row "
                    + "gives those keys again by then is not evaluated")
            case .noAction, .restrict:
                stops[fk.name, default: []].append("--replace-by would delete rows of \(target.name.display) that are still referenced "
                    + "(\(fk.name) ON DELETE \(fk.onDelete.rawValue)): \(kept)")
            case .setNull, .setDefault:
                let columns = try session.execute(sql.setColumns(fk)).rows.map { try $0.string("name") }
                let notNull = columns.filter { target.column($0)?.notNull == true }
                // A column without a DEFAULT of its own gets NULL, as SET NULL sets it.
                let defaulted = fk.onDelete == .setDefault && columns.contains { target.column($0)?.hasNonNullDefault != false }
                if !defaulted, !notNull.isEmpty {
                    stops[fk.name, default: []].append("--replace-by's DELETE sets \(notNull.joined(separator: ", ")) to NULL "
                        + "(\(fk.name) ON DELETE \(fk.onDelete.rawValue)), which is NOT NULL: \(kept)")
                } else if defaulted {
                    notExact.append("\(fk.name) ON DELETE SET DEFAULT: \(kept), which get their DEFAULT in \(columns.joined(separator: ", ")); "
                        + "whether that key is there after the DELETE is not evaluated")
                } else {
                    notExact += try setNullCode(sql, fk, columns: columns, kept: kept)
                }
            case .cascade:
                break
            }
        }
        return notExact
    }

    /// The target's code an ON DELETE SET NULL (or a SET DEFAULT of NULL) runs on the rows
    /// it keeps: its CHECKs over `columns` and its UPDATE triggers, not evaluated.
    func setNullCode(_ sql: StreamedStatements, _ fk: ForeignKey, columns: [String], kept: String) throws -> [String] {
        let target = sql.plan.target
        let checks = (try TableFacts.checks(of: [target], on: session)[target.name] ?? []).filter { !Set($0.columns).isDisjoint(with: columns) }
        let triggers = try session.execute(sql.updateTriggers()).rows.map { try $0.string("name") }
        let code = checks.map { "CHECK \($0.name)" } + triggers.map { "trigger \($0)" }
        guard !code.isEmpty else { return [] }
        return ["\(fk.name) ON DELETE \(fk.onDelete.rawValue): \(kept), which it updates; \(code.joined(separator: ", ")) of \(target.name.display) "
            + "on those rows \(code.count == 1 ? "is" : "are") not evaluated"]
    }

    /// Results for FKs of the target to itself that `stops` names but the input has no
    /// columns of (so no result of their own): the DELETE's check is theirs all the same.
    static func unlistedStops(_ stops: [String: [String]], listed: [ForeignKey], of all: [ForeignKey]) -> [ValidationReport.ForeignKeyResult] {
        var seen = Set(listed.map(\.name))
        return all.filter { stops[$0.name] != nil && seen.insert($0.name).inserted }.map { fk in
            ValidationReport.ForeignKeyResult(
                name: fk.name, table: fk.table, referencedTable: fk.referencedTable, declared: fk.declared, violatingRows: 0, missingKeys: 0,
                fixableKeys: 0, unfixableKeys: 0, reasons: stops[fk.name] ?? [], samples: [])
        }
    }
}
