import PostgresClient

/// What the load's reject steps (`LoadRun+Unique`) and read-only validate's checks
/// (`StreamedStatements+TargetRows`, `Validator+InPlaceTargetRows`) say and compare of a
/// unique key: one wording, one comparison, so the two paths cannot drift apart.
extension TargetConstraints.UniqueKey {
    /// Row `incoming`'s key equal to row `stored`'s, as the index compares: its
    /// operators, its collation on both sides, NULLs equal under NULLS NOT DISTINCT.
    /// `shape` gives the incoming value of a column as the table stores it (a cast to
    /// varchar(n)); the column reference itself by default.
    func match(stored: SQL, incoming: SQL, shape: (SQL, String) -> SQL = { value, _ in value }) -> SQL {
        columns.enumerated().map { position, name -> SQL in
            let value = shape("\(incoming).\(ident: name)", name)
            let equal = equality[position].compare(collated("\(stored).\(ident: name)", position), collated(value, position))
            return nullsNotDistinct ? "(\(equal) OR \(stored).\(ident: name) IS NULL AND \(value) IS NULL)" : equal
        }.joined(separator: " AND ")
    }

    /// Row `alias`'s key is one the index holds at most once: complete, or any under NULLS NOT DISTINCT.
    func complete(_ alias: SQL) -> SQL {
        nullsNotDistinct ? "true" : columns.map { "\(alias).\(ident: $0) IS NOT NULL" as SQL }.joined(separator: " AND ")
    }

    func clashReason(_ target: TableName) -> String {
        "key (\(columns.joined(separator: ", "))) already in \(target.display) (\(name))"
    }

    var duplicateReason: String {
        "duplicate key (\(columns.joined(separator: ", "))) of an earlier input row (\(name))"
    }
}
