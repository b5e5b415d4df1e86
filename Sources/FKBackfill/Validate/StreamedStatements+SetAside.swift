import PostgresClient

/// `--max-rejects` on a CSV streamed read-only. The load sets a bad row aside instead of
/// failing (`LoadRun.markValueRejects`, `markKeyRejects`): a row set aside is not
/// inserted and brings no parent row, and the load commits while at most N are. So each
/// batch flags the rows the load's reject steps would set aside — every column check and
/// target check it evaluates, blank keys the rules reject, keys `on_missing: reject`
/// guards — and checks the FKs over the rows left, as the load backfills for them only.
/// A row counts once whatever its reasons (the load keeps its first). Repeats of a unique
/// key are found among the rows left, the first loading, as the load's last reject step
/// finds them; within a batch they are left out of the FK checks too.
struct SetAside {
    /// The batch's lines the load sets aside.
    static let flagged: SQL = "fkb_flagged"
    /// The batch's rows it does not.
    static let kept: SQL = "fkb_kept"
    /// And of those, the rows whose FK keys are checked: not a repeat of a unique key.
    static let forKeys: SQL = "fkb_for_keys"

    /// Per-row conditions over the typed batch `s` besides the column and target checks.
    var conditions: [SQL]

    /// The CTEs (`, fkb_flagged AS …`) after the batch's own: `checks` over the text rows
    /// `r`, `target` over the collated batch `b`, `conditions` over the batch `s` (each
    /// over its one relation: partition bounds name columns bare), and the repeats of
    /// `repeats` within the batch.
    func relations(_ sql: StreamedStatements, checks: [SQL], target: [SQL], repeats: [TargetConstraints.UniqueKey]) -> SQL {
        let line = sql.line
        func any(_ conditions: [SQL]) -> SQL { conditions.map { "(\($0))" as SQL }.joined(separator: " OR ") }
        var flagged: [SQL] = []
        if !checks.isEmpty { flagged.append("SELECT r.\(line) AS l FROM \(StreamedStatements.text) r WHERE \(any(checks))") }
        if !target.isEmpty { flagged.append("SELECT b.\(line) AS l FROM \(sql.collatedBatch) b WHERE \(any(target))") }
        if !conditions.isEmpty { flagged.append("SELECT s.\(line) AS l FROM \(StreamedStatements.batch) s WHERE \(any(conditions))") }
        if flagged.isEmpty { flagged.append("SELECT CAST(NULL AS pg_catalog.int8) AS l WHERE false") }
        var result: SQL = ", \(Self.flagged) AS MATERIALIZED (\(flagged.joined(separator: " UNION "))), "
            + "\(Self.kept) AS MATERIALIZED (SELECT s.* FROM \(StreamedStatements.batch) s WHERE NOT EXISTS "
            + "(SELECT 1 FROM \(Self.flagged) f WHERE f.l OPERATOR(pg_catalog.=) s.\(line))), "
        let repeated = repeats.enumerated().map { index, key -> SQL in
            let columns = key.columns.enumerated().map { key.collated("k.\(ident: $1)", $0) }.joined(separator: ", ")
            return "(\(key.complete("k")) AND pg_catalog.row_number() OVER (PARTITION BY \(columns) ORDER BY k.\(line)) "
                + "OPERATOR(pg_catalog.>) 1) AS \(ident: "_fkb_repeat\(index)")"
        }
        if repeated.isEmpty {
            result += "\(Self.forKeys) AS (SELECT * FROM \(Self.kept)) "
        } else {
            let any = repeats.indices.map { "k.\(ident: "_fkb_repeat\($0)")" as SQL }.joined(separator: " OR ")
            result += "\(Self.forKeys) AS MATERIALIZED (SELECT k.* FROM (SELECT k.*, \(repeated.joined(separator: ", ")) FROM \(Self.kept) k) k "
                + "WHERE NOT (\(any))) "
        }
        return result
    }

    /// The batch's rows set aside, `rj_n` (the column problems say which, and where).
    func counts() -> SQL {
        "SELECT pg_catalog.count(*) AS rj_n FROM \(Self.flagged) f"
    }
}

extension Validator {
    /// What the batches flag besides their column and target checks (`SetAside`): blank
    /// keys the rules set aside (`on_blank: reject`, or `null` in a NOT NULL column), as
    /// `LoadRun.handleBlankKeys`; keys `on_missing: reject` guards, as `guardKeys`.
    static func setAside(_ sql: StreamedStatements) -> SetAside {
        let plan = sql.plan
        var conditions: [SQL] = []
        for column in plan.blankColumns where plan.blank.onBlank == .reject || (plan.blank.onBlank == .null && column.refusesNull) {
            conditions.append(sql.inPlace.isBlank("s.\(ident: column.name)"))
        }
        let statements = ValidationStatements(plan: plan, load: sql.load)
        for guarded in plan.guardedKeys where guarded.reject {
            let blank = KeyPredicates.columns("s", guarded.foreignKey.columns).map { "NOT \(sql.inPlace.isBlank($0))" as SQL }
            // The table's rows only, even for an FK of the target to itself: the load's guard
            // (`LoadRun.guardKeys`) looks in the table, not among the rows it loads.
            conditions.append((blank + [statements.missingCondition(guarded.foreignKey)]).joined(separator: " AND "))
        }
        return SetAside(conditions: conditions)
    }

    /// With more than one unique key, the load's steps go key by key (a key's clashes, then
    /// its repeats, then the next key's among the rows left): a row set aside for one key
    /// may be what made another row a repeat, or not (hostile review 7).
    static let twoKeysNote = "--max-rejects: with more than one unique key, the load sets rows aside key by key (its clashes, then its repeats, "
        + "the next key's among the rows left); here every key's clashes and repeats are found at once"

    /// What a read-only count of the rows set aside does not follow of the load's order.
    static func setAsideNotExact(_ plan: LoadPlan, repeats: [UniqueTally], resolvedClashes: Int, clashes: Int, uniqueKeys: Int) -> [String] {
        var reasons: [String] = []
        if uniqueKeys > 1, clashes + resolvedClashes + repeats.reduce(0, { $0 + $1.rows }) > 0 {
            reasons.append(Self.twoKeysNote)
        }
        if repeats.contains(where: { $0.acrossBatches > 0 }) {
            // Its batch did not know: a key of the target's own it gives was taken as given too.
            let own = plan.parents.contains(where: \.isTarget) ? ", and the target's own keys they give taken as given" : ""
            reasons.append("--max-rejects: rows set aside for repeating a key of an earlier batch were checked for their FK keys as if loaded" + own)
        }
        if resolvedClashes > 0 {
            reasons.append("--max-rejects: rows set aside for a key a row --replace-by keeps holds (known after the last batch) were checked for their FK keys as if loaded")
        }
        return reasons
    }
}
