import PostgresClient

/// A parent's partial or expression unique indexes over the values its new rows get
/// (issue 29): where every column such an index reads gets one known value on every new
/// row (NULL, a `value:` rule, a mark, a DEFAULT that calls no function), the index's
/// predicate and expressions are evaluated on those values, as the insert would: rows
/// the predicate admits with a complete key (or any, under NULLS NOT DISTINCT) are all
/// alike, so a second new row clashes with the first; and a row of the parent that
/// already holds that key clashes with the first. Mastodon's `lower(username)` index
/// with username's DEFAULT '' was "would load" read-only while the load failed.
extension Coverage {
    /// One index evaluated on the new rows' values.
    struct PartialUniqueOutcome {
        var name: String
        var expressions: [String]
        /// The new rows' key is one the index holds (predicate true, key complete).
        var admitted: Bool
        /// A row of the parent already holds it.
        var held: Bool
    }

    /// The parent's partial and expression unique indexes whose columns all get known
    /// values, evaluated; those whose evaluation raised, or that read a key column or a
    /// value that depends on the data, are left out (validate names them in notExact).
    func partialUniqueOutcomes(_ parent: ParentPlan) throws -> [PartialUniqueOutcome] {
        guard evaluatesPartialUniques, (facts.indexes[parent.table.name] ?? []).contains(where: \.partialUnique) else { return [] }
        return try Self.partialUniqueOutcomes(parent, on: session)
    }

    /// The same, for read-only validate's notExact (Validator+ReadOnly.swift): those evaluated are not named.
    static func partialUniqueOutcomes(_ parent: ParentPlan, on session: Session) throws -> [PartialUniqueOutcome] {
        guard !parent.isTarget else { return [] }
        var outcomes: [PartialUniqueOutcome] = []
        for index in try IndexExpressions.read(parent.table, on: session) {
            let expressions = index.expressions
            guard !expressions.unreadable, !expressions.reads.contains(where: parent.keyColumns.contains) else { continue }
            var values: [SQL] = []
            for name in expressions.reads {
                guard let column = parent.columns.first(where: { $0.column.name == name }), let value = Self.constant(column) else { break }
                values.append("\(value) AS \(ident: name)")
            }
            guard values.count == expressions.reads.count else { continue }
            let names = expressions.keys.indices.map { "k\($0 + 1)" }
            let keys = zip(expressions.keys, names).map { "(\(unsafeRaw: $0)) AS \(ident: $1)" as SQL }.joined(separator: ", ")
            let predicate: SQL = expressions.predicate.map { "(\(unsafeRaw: $0)) IS TRUE" } ?? "true"
            let complete: SQL = index.nullsNotDistinct ? "true" : names.map { "e.\(ident: $0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            // pg_catalog's `=` of the key's type (a type without one raises: left out).
            let match = zip(expressions.keys, names).map { key, name -> SQL in
                let equal: SQL = "(\(unsafeRaw: key)) OPERATOR(pg_catalog.=) e.\(ident: name)"
                return index.nullsNotDistinct ? "(\(equal) OR (\(unsafeRaw: key)) IS NULL AND e.\(ident: name) IS NULL)" : equal
            }.joined(separator: " AND ")
            let stored: SQL = "EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p WHERE "
                + (expressions.predicate.map { "(\(unsafeRaw: $0)) AND " } ?? "") + match + ")"
            let query: SQL = "SELECT e.live AND \(complete) AS admitted, e.live AND \(complete) AND \(stored) AS held "
                + "FROM (SELECT \(predicate) AS live, \(keys) FROM (SELECT \(values.joined(separator: ", "))) AS t) AS e"
            let row: Row
            do {
                row = try session.savepoint {
                    expressions.userCode
                        ? try session.underUserCodePath { try session.execute(query).rows[0] }
                        : try session.execute(query).rows[0]
                }
            } catch let error as PostgresError where error.kind == .server {
                continue
            }
            outcomes.append(.init(name: index.name, expressions: expressions.keys, admitted: row.bool("admitted"), held: row.bool("held")))
        }
        return outcomes
    }

    /// A value every new row gets in `column` that the insert computes the same way each
    /// time: a DEFAULT only when it calls no function (`now()`, `gen_random_uuid()` aside).
    static func constant(_ column: ColumnPlan) -> SQL? {
        if column.mark == nil, column.source == .databaseDefault, column.column.defaultExpression?.contains("(") != false { return nil }
        return PlaceholderKeys.value(column)
    }

    /// Why the parent's new rows clash on a partial or expression unique index: two new
    /// rows alike (`twice`, as `collidingUniques`), or the first with a row there (`held`).
    func partialUniqueClashes(_ parent: ParentPlan) throws -> (twice: [String], held: [String]) {
        var twice: [String] = []
        var held: [String] = []
        for outcome in try partialUniqueOutcomes(parent) where outcome.admitted {
            let key = "(\(outcome.expressions.joined(separator: ", ")))"
            if outcome.held {
                held.append("new rows of \(parent.table.name.display) would get \(key) a row of it already holds in unique index \(outcome.name)")
            } else {
                twice.append("placeholder rows of \(parent.table.name.display) would all get the same \(key), which unique index \(outcome.name) allows only once")
            }
        }
        return (twice, held)
    }
}

extension IndexExpressions {
    /// A partial or expression unique index of a table, with what the insert evaluates.
    struct Named {
        var name: String
        var nullsNotDistinct: Bool
        var expressions: IndexExpressions
    }

    /// `table`'s partial and expression unique indexes.
    static func read(_ table: Table, on session: Session) throws -> [Named] {
        try session.execute(
            """
            SELECT i.relname AS name, x.indnullsnotdistinct AS nulls_not_distinct, \(columns)
            FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) x.indexrelid
            WHERE x.indrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid) AND x.indisunique
              AND (x.indpred IS NOT NULL OR x.indexprs IS NOT NULL)
            ORDER BY i.relname
            """).rows.compactMap { row in
            try IndexExpressions(row).map { Named(name: try row.string("name"), nullsNotDistinct: row.bool("nulls_not_distinct"), expressions: $0) }
        }
    }
}
