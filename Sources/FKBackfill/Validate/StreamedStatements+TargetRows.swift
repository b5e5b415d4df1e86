import PostgresClient

/// The target's own refusals of a streamed batch's rows, as the staged path's reject steps
/// find them (`LoadRun.markValueRejects`, `markUniqueRejects`): CHECKs and partition
/// routing evaluated over the typed batch, each unique key's clash with a row already in
/// the target (read `ONLY` where the index covers only the table's own rows, with the
/// index's own equality operators), and the batch's keys grouped, so that the client
/// finds repeats across the whole file (`Validator.UniqueTally`).
extension StreamedStatements {
    /// One refusal of a row, evaluated per row of the typed batch `b`.
    struct TargetRowCheck {
        var column: String
        var problem: ValidationReport.ColumnProblem.Problem
        var detail: String
        var condition: SQL
    }

    /// The target's checks a batch can evaluate exactly: CHECKs whose columns the input
    /// gives (a CHECK on a column the input lacks sees its DEFAULT, the server's to
    /// compute) and that call no code (`TargetConstraints.codeChecks`: PostgreSQL's, after
    /// the backfill), routing to a partition, and clashes with existing rows per unique
    /// key the input fills. Routing always; the others not when a BEFORE INSERT trigger may change the row first:
    /// the staged prediction then leaves them to the server's trial too — unless the
    /// load's reject steps run (`rejects`, `--max-rejects`), which read the input's values.
    /// With `--replace-by`, an existing row that `replacedBy` (the rows of the whole input)
    /// matches is deleted first and clashes with nothing; a streamed batch does not hold
    /// the whole input, so there (`replacedBy` nil) the clashes are `clashCandidates` instead.
    func targetRowChecks(checks: [TableFacts.Check], constraints: TargetConstraints, replacedBy: SQL? = nil) -> [TargetRowCheck] {
        let given = Set(columns.map(\.name))
        // Under triggers that leave some columns alone (`untouchedByTriggers`), what reads
        // only those is what the insert sees.
        func evaluated(_ read: [String]) -> Bool { rejects || constraints.unchangedByTriggers(read) }
        var result: [TargetRowCheck] = []
        // Routing reads the row as given: PostgreSQL finds the partition before the
        // partition's BEFORE INSERT triggers run (one that returns NULL does not save the row).
        if let unroutable = plan.unroutable {
            result.append(.init(
                column: "", problem: .noPartition, detail: "no partition of \(plan.target.name.display) accepts the row",
                condition: unroutable))
        }
        // A CHECK reads only its row: a trigger's writes elsewhere change none of it. One over
        // a column a trigger may assign is PostgreSQL's at the insert, `--max-rejects` or not
        // (the load sets no row aside by it: `LoadRun.markValueRejects`).
        for check in checks where !check.callsCode && check.columns.allSatisfy(given.contains)
            && (rejects ? constraints.setAsideOnInput(check.columns) : constraints.keptByTriggers(check.columns)) {
            result.append(.init(
                column: check.columns.joined(separator: ", "), problem: .check, detail: "fails CHECK \(check.name)",
                condition: "NOT (\(check.sql))"))
        }
        if !plan.replaceBy.isEmpty && replacedBy == nil { return result }
        for key in Self.checkedUniqueKeys(constraints, given: given, rejects: rejects) {
            result.append(.init(
                column: key.columns.joined(separator: ", "), problem: .keyExists,
                detail: clashReason(key),
                condition: clash(key, replacedBy: replacedBy)))
        }
        return result
    }

    /// The words of the staged path's reject (`LoadRun.clashReason`).
    func clashReason(_ key: TargetConstraints.UniqueKey) -> String {
        key.clashReason(plan.target.name) + (plan.replaceBy.isEmpty ? "" : ", not replaced by --replace-by")
    }

    /// Unique keys a batch checks: on plain columns, all of them in the input. None under a
    /// BEFORE INSERT trigger, but where the load sets their clashes and repeats aside by the
    /// input's values first (`rejects`: `--max-rejects`, `LoadRun.markUniqueRejects`).
    static func checkedUniqueKeys(_ constraints: TargetConstraints, given: Set<String>, rejects: Bool = false) -> [TargetConstraints.UniqueKey] {
        constraints.uniqueKeys.filter {
            !$0.partialOrExpression && $0.columns.allSatisfy(given.contains) && (rejects || constraints.unchangedByTriggers($0.columns))
        }
    }

    /// Row `b`'s key held by a row of the target, as the index compares, that no row of
    /// `replacedBy` matches on the `--replace-by` columns (`LoadRun.clash`).
    func clash(_ key: TargetConstraints.UniqueKey, replacedBy: SQL? = nil) -> SQL {
        "(\(key.complete("b")) AND EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: plan.target)) t WHERE \(key.match(stored: "t", incoming: "b"))"
            + kept(replacedBy) + "))"
    }

    /// ` AND NOT EXISTS (…)`: target row `t` is not deleted by `--replace-by` for a row of `replacedBy`.
    /// Against the distinct values of `replacedBy`, not its rows: the match (NULL matching
    /// NULL) is no hash join, and a row per row was quadratic (hostile review 6: 15 s for
    /// 20,000 rows whose month a later batch brings).
    func kept(_ replacedBy: SQL?) -> SQL {
        guard let replacedBy, !plan.replaceBy.isEmpty else { return "" }
        let columns = plan.replaceBy.map { "r.\(ident: $0)" as SQL }.joined(separator: ", ")
        return " AND NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT \(columns) FROM \(replacedBy) r) r WHERE \(load.replaceMatch("t", "r")))"
    }

    /// The per-row checks over the typed batch, one row: `x0…` rows and `xs0…` their first lines.
    func targetRowCounts(_ checks: [TargetRowCheck], samples: Int) -> SQL {
        "SELECT " + checks.enumerated().map { index, check -> SQL in
            "pg_catalog.count(*) FILTER (WHERE \(check.condition)) AS x\(int: index), "
                + "coalesce(CAST((pg_catalog.array_agg(b.\(line) ORDER BY b.\(line)) FILTER (WHERE \(check.condition)))[1:\(bind: samples)] "
                + "AS pg_catalog.text), '{}') AS xs\(int: index)"
        }.joined(separator: ", ") + " FROM \(collatedBatch) b"
    }

    /// The typed batch with each column under its own collation where it has one the type
    /// lacks: a CHECK (`code < 'a'` under "en-x-icu") compares as the table does.
    var collatedBatch: SQL { collated(Self.batch) }

    /// `rows` (the batch, or the rows of it kept) with each column under its own collation.
    func collated(_ rows: SQL) -> SQL {
        guard columns.contains(where: { $0.collation != nil }) else { return rows }
        let projected = columns.map { column -> SQL in
            guard let collation = column.collation, collation.count == 2 else { return "b.\(ident: column.name)" }
            return "b.\(ident: column.name) COLLATE \(ident: collation[0]).\(ident: collation[1]) AS \(ident: column.name)"
        }
        return "(SELECT \(projected.joined(separator: ", ")), b.\(line) FROM \(rows) b)"
    }

    /// `key`'s values in the batch, grouped by the type's own equality (the default
    /// operator classes the unique index uses), as parallel arrays by first line
    /// (`KeyArrays`: `name_k0…`, `name_n`, `name_l`). With `all`, every key, for the
    /// client to find the repeats across batches by their text; otherwise only those
    /// the batch repeats.
    func keyGroups(_ key: TargetConstraints.UniqueKey, all: Bool, samples: Int, as name: String, from rows: SQL = Self.batch) -> SQL {
        let columns = key.columns.enumerated().map { key.collated("b.\(ident: $1)", $0) }.joined(separator: ", ")
        let names = key.columns.indices.map { "k\(int: $0 + 1)" as SQL }
        let having: SQL = all ? "" : " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1"
        var arrays: [(name: String, value: SQL)] = names.enumerated().map { index, column in ("\(name)_k\(index)", "CAST(g.\(column) AS pg_catalog.text)") }
        arrays += canonical(key.columns, names.map { "g.\($0)" }, name)
        arrays.append(("\(name)_n", "g.n"))
        arrays.append(("\(name)_l", "pg_catalog.array_to_string(g.lines, ',')"))
        // And the rows whose key is long enough that the index may not take it (a btree
        // entry holds 2,704 bytes after compression: only the insert can tell), `name_w`.
        let length = key.columns.map { "coalesce(pg_catalog.octet_length(CAST(b.\(ident: $0) AS pg_catalog.text)), 0)" as SQL }
            .joined(separator: " OPERATOR(pg_catalog.+) ")
        return "SELECT \(KeyArrays.select(arrays, order: "g.first")), (SELECT pg_catalog.count(*) FROM \(rows) b WHERE \(length) "
            + "OPERATOR(pg_catalog.>) \(int: Self.wideKey)) AS \(ident: "\(name)_w") FROM (SELECT \(columns), pg_catalog.count(*) AS n, "
            + "(pg_catalog.array_agg(b.\(line) ORDER BY b.\(line)))[1:\(bind: samples + 1)] AS lines, pg_catalog.min(b.\(line)) AS first "
            + "FROM \(rows) b WHERE \(key.complete("b")) GROUP BY \(columns)\(having)) AS g(\(names.joined(separator: ", ")), n, lines, first)"
    }

    /// Bytes of a key's text beyond which its index entry may not fit (a btree entry's
    /// limit is 2,704 bytes; values over ~2 KB are compressed first, so only the insert knows).
    static let wideKey = 2_000
}
