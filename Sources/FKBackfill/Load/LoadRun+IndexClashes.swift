import PostgresClient

/// The input row behind a clash on a partial or expression unique index, when the fact
/// insert failed on one: PostgreSQL names the index and the key ("Key (lower(name))=(ann)
/// already exists") but not the line, and the house rule is an error that says where
/// (`FILE:LINE`). The load does not set such rows aside (`markUniqueRejects` leaves these
/// indexes to the insert, and validate says "the insert fails"), so this runs only to name
/// the row after the insert was refused (`refusedRow`), marking the rows the index refuses
/// as the reject statements mark the others: a row whose key (its expressions, for rows
/// its predicate holds) a row of the table has, or an earlier input row has. The index is
/// evaluated as read-only validate evaluates it (`IndexExpressions`, under the user's path
/// where it calls the user's code), over the staged rows typed as the table's columns.
extension LoadRun {
    /// Marks the staged rows the target's partial and expression unique indexes refuse.
    /// An index that cannot be evaluated here (its expressions error) leaves the server's
    /// words as they were.
    func markIndexClashes() throws {
        // A column the input does not give is NULL in the row the insert stores when it has
        // no DEFAULT and is not generated (`deleted_at` of `WHERE deleted_at IS NULL`).
        let given = Set(plan.stagedColumns.map(\.name))
        let null = Set(plan.target.columns.filter { !given.contains($0.name) && $0.defaultExpression == nil && !$0.isDatabaseGenerated }.map(\.name))
        for key in StreamedStatements.evaluatedIndexes(constraints, given: given.union(null)) {
            guard let index = key.expressions else { continue }
            let statement = indexClashes(key, index)
            do {
                _ = try session.savepoint {
                    index.userCode ? try session.underUserCodePath { try updateStage(statement) } : try updateStage(statement)
                }
            } catch let error as PostgresError where error.kind == .server {
                continue
            }
        }
    }

    /// The UPDATE marking the rows `key` refuses: `b` the rows given to the insert, typed
    /// and collated as the table's columns (the one relation in scope of the index's
    /// expressions, which name columns bare), `e` each row's key where the predicate holds.
    func indexClashes(_ key: TargetConstraints.UniqueKey, _ index: IndexExpressions) -> SQL {
        let rows = indexedRows([index])
        let names = index.keys.indices.map { "k\($0 + 1)" }
        let values = index.keys.enumerated().map { "(\(unsafeRaw: $1)) AS \(ident: names[$0])" as SQL }.joined(separator: ", ")
        let predicate: SQL = index.predicate.map { " WHERE (\(unsafeRaw: $0))" } ?? ""
        let complete: SQL = key.nullsNotDistinct ? "true" : names.map { "e.\(ident: $0) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let grouped = names.enumerated().map { key.collated("e.\(ident: $1)", $0) }.joined(separator: ", ")
        // A row of the table the index holds with this key.
        let stored = key.heldByTableRow(index, names: names, rows: KeyPredicates.rows(of: plan.target))
        let shown = index.keys.joined(separator: ", ")
        return "WITH e AS MATERIALIZED (SELECT b._fkb_row AS l, \(values) FROM \(rows)\(predicate)), "
            + "c AS (SELECT d.l, d.held FROM (SELECT e.l, \(stored) AS held, pg_catalog.row_number() OVER (PARTITION BY \(grouped) "
            + "ORDER BY e.l) AS n FROM e WHERE \(complete)) d WHERE d.held OR d.n OPERATOR(pg_catalog.>) 1) "
            + "UPDATE \(LoadStatements.stage) s SET _fkb_reject = CASE WHEN c.held THEN \(bind: "key (\(shown)) already in \(target.name.display) (\(key.name))") "
            + "ELSE \(bind: "duplicate key (\(shown)) of an earlier input row (\(key.name))") END "
            + "FROM c WHERE s._fkb_row OPERATOR(pg_catalog.=) c.l AND s._fkb_reject IS NULL"
    }

    /// The staged rows given to the insert as `b`, with the columns `indexes` read typed
    /// and collated as the table's (the one relation in scope of their expressions, which
    /// name columns bare): the stage is typed by the type alone, and a predicate
    /// `note < 'a'` on an "und-x-icu" column compares as the table does (hostile review 30).
    func indexedRows(_ indexes: [IndexExpressions]) -> SQL {
        let given = Set(plan.stagedColumns.map(\.name))
        let userCode = indexes.contains(where: \.userCode)
        let typed = plan.target.columns.filter { column in indexes.contains { $0.reads.contains(column.name) } }.map { column -> SQL in
            let type = userCode ? column.sqlType : column.pinnedType
            let value: SQL = given.contains(column.name) ? "CAST(s.\(ident: column.name) AS \(type))" : "CAST(NULL AS \(type))"
            return "\(column.collated(value)) AS \(ident: column.name)"
        }
        return "(SELECT s._fkb_row, \(typed.joined(separator: ", ")) FROM \(LoadStatements.stage) s WHERE s._fkb_reject IS NULL) b"
    }
}
