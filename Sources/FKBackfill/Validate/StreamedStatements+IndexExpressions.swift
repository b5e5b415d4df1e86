import PostgresClient

/// A partial or expression unique index of the target, evaluated over a streamed batch as
/// PostgreSQL's insert evaluates it (issue 29): the rows that satisfy its predicate, keyed
/// by its expressions (`IndexExpressions`, evaluated over the batch's columns by name),
/// clash with a row of the table that satisfies the predicate and that the load keeps, and
/// with each other, across batches too (`Validator.UniqueTally`). The load does not set
/// such rows aside (`LoadRun.markUniqueRejects` leaves these indexes to the insert), so a
/// clash stops it whatever `--max-rejects` allows.
extension StreamedStatements {
    /// The batch's rows the index holds: `l` the line, `k1…` the key's values.
    static let keyed: SQL = "fkb_keyed"

    /// The partial or expression unique indexes a batch evaluates: every column they read
    /// is in the input (a column the insert fills is the insert's), grouping by the
    /// type's default equality finds what the index finds, and no BEFORE INSERT trigger
    /// may change the row first.
    static func evaluatedIndexes(_ constraints: TargetConstraints, given: Set<String>) -> [TargetConstraints.UniqueKey] {
        constraints.uniqueKeys.filter { key in
            guard key.partialOrExpression, key.defaultOperatorClasses, let index = key.expressions, !index.unreadable else { return false }
            return index.reads.allSatisfy(given.contains) && key.equality.count == index.keys.count && constraints.unchangedByTriggers(index.reads)
        }
    }

    /// One batch's evaluation of `key`: `name_k0…`/`name_n`/`name_l` its keys held by
    /// rows of the batch (`KeyArrays`; with `all` every key, for the client to find repeats
    /// across batches, else only those repeated), `name_w` rows whose key is too wide to
    /// judge, `c_n`/`c_l` rows whose key a row of the table that the load keeps holds.
    func indexEvaluation(_ key: TargetConstraints.UniqueKey, relations: SQL, all: Bool, samples: Int, as name: String) -> SQL {
        let index = key.expressions!
        let values = index.keys.enumerated().map { "(\(unsafeRaw: $1)) AS \(ident: "k\($0 + 1)")" as SQL }.joined(separator: ", ")
        let predicate: SQL = index.predicate.map { " WHERE (\(unsafeRaw: $0))" } ?? ""
        // The index's expressions over the batch's columns by name: `b` is the one relation in scope.
        let keyed: SQL = ", \(Self.keyed) AS MATERIALIZED (SELECT b.\(line) AS l, \(values) FROM \(collatedBatch) b\(predicate)) "
        let names = index.keys.indices.map { "k\($0 + 1)" }
        let complete: SQL = key.nullsNotDistinct ? "true" : names.map { "e.\(ident: $0) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let grouped = names.enumerated().map { key.collated("e.\(ident: $1)", $0) }.joined(separator: ", ")
        var arrays: [(name: String, value: SQL)] = names.enumerated().map { ("\(name)_k\($0)", "CAST(g.\(ident: $1) AS pg_catalog.text)") }
        for (position, type) in index.types.enumerated() where Self.isNumeric(type) {
            arrays.append(("\(name)_c\(position)", "CAST(pg_catalog.trim_scale(g.\(ident: names[position])) AS pg_catalog.text)"))
        }
        arrays.append(("\(name)_n", "g.n"))
        arrays.append(("\(name)_l", "pg_catalog.array_to_string(g.lines, ',')"))
        let having: SQL = all ? "" : " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1"
        let length = names.map { "coalesce(pg_catalog.octet_length(CAST(e.\(ident: $0) AS pg_catalog.text)), 0)" as SQL }
            .joined(separator: " OPERATOR(pg_catalog.+) ")
        let groups: SQL = "SELECT \(KeyArrays.select(arrays, order: "g.first")) FROM (SELECT \(grouped), pg_catalog.count(*) AS n, "
            + "(pg_catalog.array_agg(e.l ORDER BY e.l))[1:\(bind: samples + 1)] AS lines, pg_catalog.min(e.l) AS first "
            + "FROM \(Self.keyed) e WHERE \(complete) GROUP BY \(grouped)\(having)) AS g(\(names.map { SQL(ident: $0) }.joined(separator: ", ")), n, lines, first)"
        // A row of the table the index holds, with this key: its predicate and expressions
        // over the table's own columns (`t` is the one relation in scope), so the planner
        // can use the index itself.
        let stored = key.heldByTableRow(index, names: names, rows: KeyPredicates.rows(of: plan.target), and: kept("\(Self.batch)"))
        let clashes: SQL = "SELECT pg_catalog.count(*) AS c_n, coalesce(CAST((pg_catalog.array_agg(e.l ORDER BY e.l))[1:\(bind: samples)] "
            + "AS pg_catalog.text), '{}') AS c_l FROM \(Self.keyed) e WHERE \(complete) AND \(stored)"
        return relations + keyed + "SELECT g.*, c.*, (SELECT pg_catalog.count(*) FROM \(Self.keyed) e WHERE \(length) "
            + "OPERATOR(pg_catalog.>) \(int: Self.wideKey)) AS \(ident: "\(name)_w") FROM (\(groups)) g CROSS JOIN (\(clashes)) c"
    }
}

extension TargetConstraints.UniqueKey {
    /// `EXISTS` a row of the table (`rows`, the one relation in scope of the index's
    /// predicate and expressions, so the planner can use the index itself) that the index
    /// holds with the key of `e` (its `names` columns), compared with the index's own
    /// equality under its collations; `extra` ANDed inside. The load names a refused row
    /// by it too (LoadRun+IndexClashes).
    func heldByTableRow(_ index: IndexExpressions, names: [String], rows: SQL, and extra: SQL = "") -> SQL {
        let match = names.enumerated().map { position, column -> SQL in
            let stored: SQL = "(\(unsafeRaw: index.keys[position]))"
            let equal = equality[position].compare(collated(stored, position), collated("e.\(ident: column)", position))
            return nullsNotDistinct ? "(\(equal) OR \(stored) IS NULL AND e.\(ident: column) IS NULL)" : equal
        }.joined(separator: " AND ")
        return "EXISTS (SELECT 1 FROM \(rows) t WHERE " + (index.predicate.map { "(\(unsafeRaw: $0)) AND " } ?? "") + match + extra + ")"
    }
}
