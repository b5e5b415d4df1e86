import PostgresClient

/// The statements of a validation, each built in one place, over the input staged as
/// text and cast the way a load would read it (`TextStaging`). All of it is temporary
/// and rolled back.
struct ValidationStatements {
    let plan: LoadPlan
    let load: LoadStatements

    /// Rows matching `condition` over `fkb_raw r`: how many, and the first `samples` row numbers.
    func rawRows(where condition: SQL, samples: Int) -> SQL {
        "SELECT count(*) AS n, coalesce(CAST((array_agg(r._fkb_row ORDER BY r._fkb_row))[1:\(bind: samples)] AS text), '{}') AS sample "
            + "FROM \(TextStaging.raw) r WHERE \(condition)"
    }

    /// Several row conditions over `fkb_raw r` in one pass: for each, `nN` (how many rows)
    /// and `sN` (the first `samples` row numbers).
    /// `from` and `row` name another relation of text rows and its row numbers (a CSV's
    /// batch checked read-only, `StreamedStatements`).
    func rawChecks(_ conditions: [SQL], samples: Int, from: SQL = TextStaging.raw, row: SQL = "r._fkb_row") -> SQL {
        "SELECT " + conditions.enumerated().map { index, condition -> SQL in
            "count(*) FILTER (WHERE \(condition)) AS n\(int: index), "
                + "coalesce(CAST((array_agg(\(row) ORDER BY \(row)) FILTER (WHERE \(condition)))[1:\(bind: samples)] AS text), '{}') AS s\(int: index)"
        }.joined(separator: ", ") + " FROM \(from) r"
    }

    // MARK: Foreign keys

    /// Staged rows whose key the parent lacks: non-NULL (MATCH SIMPLE/FULL) and, unless
    /// the key is blank, not present in the parent or (self-reference) in the input.
    /// For an FK of the target to itself, a key `provided` holds (the input's rows: the
    /// stage, or a streamed batch) is not missing either — unless `on_missing: reject`
    /// guards it: the load's guard reads the table only (`LoadPlan.rejectsMissing`).
    /// With `tableLater` (read-only `--replace-by`: which target rows the DELETE removes is
    /// known only after the last batch), such a key is missing when `provided` lacks it,
    /// whatever the table holds: the table is read once every batch is in
    /// (Validator+StreamedSelfReplace.swift).
    func missingCondition(_ fk: ForeignKey, provided: SQL = LoadStatements.stage, tableLater: Bool = false) -> SQL {
        let child = KeyPredicates.columns("s", fk.columns)
        let own = fk.referencedTable == plan.target.name && !plan.rejectsMissing(fk)
        var condition = own && tableLater ? child.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ") : KeyPredicates.missing(fk, child: child)
        if own {
            let inLoad = KeyPredicates.match(fk, parent: KeyPredicates.columns("o", fk.referencedColumns), child: child)
            condition += " AND NOT EXISTS (SELECT 1 FROM \(provided) o WHERE \(inLoad))"
        }
        // Only the rows routed to the partition that declares it (columns by bare name: `s` is the only relation here).
        if let routed = plan.routeCondition(of: fk) { condition += " AND \(routed)" }
        return condition
    }

    /// One row per FK check: violating rows, distinct missing keys, those of them blank.
    /// The missing test sits in WHERE so the planner can run it as one hash anti-join,
    /// as a hand-written check would, instead of a lookup per row.
    func foreignKeyCounts(_ fk: ForeignKey) -> SQL {
        let key = KeyPredicates.columns("s", fk.columns).joined(separator: ", ")
        let blank = KeyPredicates.columns("s", fk.columns).map { load.isBlank($0) }.joined(separator: " OR ")
        return """
            SELECT count(*) AS violating, count(DISTINCT (\(key))) AS missing,
                   count(DISTINCT (\(key))) FILTER (WHERE \(blank)) AS blank
            FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND \(missingCondition(fk))
            """
    }

    /// Rows with a partly NULL key, which MATCH FULL rejects.
    func partlyNull(_ fk: ForeignKey) -> SQL {
        "SELECT count(*) AS n FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL AND "
            + KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns))
    }

    /// Up to `keys` missing keys, each with up to `rows` row numbers that reference it.
    func samples(_ fk: ForeignKey, keys: Int, rows: Int) -> SQL {
        let key = KeyPredicates.columns("s", fk.columns)
        return "SELECT " + key.enumerated().map { "CAST(\($1) AS text) AS k\(int: $0 + 1)" as SQL }.joined(separator: ", ")
            + ", CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:\(bind: rows)] AS text) AS sample FROM \(LoadStatements.stage) s "
            + "WHERE s._fkb_reject IS NULL AND \(missingCondition(fk)) GROUP BY \(key.joined(separator: ", "))"
            + " ORDER BY min(s._fkb_row) LIMIT \(bind: keys)"
    }
}

/// The statements of a validation in place: a table or query whose columns already have
/// the target's types is checked where it is, the way a hand-written anti-join would,
/// instead of being copied twice into temporary tables first.
struct InPlaceStatements {
    let plan: LoadPlan
    let load: LoadStatements
    /// The relation holding the rows to check (a table, or the view of a `--query`).
    let source: SQL
    /// Where the input's own keys are, for an FK of the target to itself: the stage, or a
    /// streamed batch (whose keys later batches resolve: Validator+StreamedSelf.swift).
    var provided: SQL = LoadStatements.stage
    /// Read-only `--replace-by`: an FK of the target to itself is checked against `provided`
    /// only, the table after the last batch (`ValidationStatements.missingCondition`).
    var selfTableLater = false

    /// Rows, NULLs in each of `notNull`, and partly NULL keys of each of `matchFull`, in
    /// one scan (PostgreSQL may run it in parallel): `rows`, `z0…`, `f0…`.
    func counts(notNull: [Column], matchFull: [ForeignKey]) -> SQL {
        let nulls = notNull.enumerated().map { "count(*) FILTER (WHERE s.\(ident: $1.name) IS NULL) AS z\(int: $0)" as SQL }
        let partly = matchFull.enumerated().map { index, fk -> SQL in
            "count(*) FILTER (WHERE \(KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns)))) AS f\(int: index)"
        }
        return "SELECT " + (["count(*) AS rows"] + nulls + partly).joined(separator: ", ") + " FROM \(source) s"
    }

    /// One FK: `missing` distinct keys the parent lacks, `violating` rows that reference
    /// them, `blank` missing keys that are blank, and `samples`, up to `samples` missing
    /// keys in key order as a JSON array of arrays of text. The inner query is the
    /// anti-join a hand-written check runs (hash anti-join, grouped per key, parallel when
    /// it pays); everything else is computed over its few rows.
    func foreignKey(_ fk: ForeignKey, samples: Int) -> SQL {
        let missing = missingKeys(fk)
        let grouped = fk.columns.indices.map { "g.k\(int: $0 + 1)" as SQL }
        let blank = grouped.map { isBlank($0) }.joined(separator: " OR ")
        return "SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE \(blank)) AS blank, "
            + "coalesce(array_to_json((array_agg(jsonb_build_array("
            + grouped.map { "CAST(\($0) AS text)" as SQL }.joined(separator: ", ")
            + ") ORDER BY \(grouped.joined(separator: ", "))))[1:\(bind: samples)]), '[]') AS samples "
            + "FROM (\(missing)) g"
    }

    /// The distinct keys of `fk` the parent lacks, one row each: `k1…` the key, `n` the
    /// rows of `source s` that reference it, then each of `extra` (aggregates over those
    /// rows). The anti-join a hand-written check runs, the same the staged check runs (no
    /// self-references come this way): every check in place, of a table or of a batch of
    /// a CSV (`StreamedStatements`), is built on it.
    func missingKeys(_ fk: ForeignKey, extra: [SQL] = []) -> SQL {
        let keys = KeyPredicates.columns("s", fk.columns)
        let condition = ValidationStatements(plan: plan, load: load).missingCondition(fk, provided: provided, tableLater: selfTableLater)
        return "SELECT " + keys.enumerated().map { "\($1) AS k\(int: $0 + 1)" as SQL }.joined(separator: ", ")
            + ", count(*) AS n" + extra.map { ", \($0)" as SQL }.joined()
            + " FROM \(source) s WHERE \(condition) GROUP BY \(keys.joined(separator: ", "))"
    }

    /// The load's blank test with the markers bound as values: the load looks them up in
    /// its temporary constants table, which a check in place, READ ONLY, cannot create.
    func isBlank(_ value: SQL) -> SQL {
        plan.isBlankBound(value)
    }
}
