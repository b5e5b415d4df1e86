import PostgresClient

/// An input column of a cross-type FK whose referenced column is of a narrower type
/// (`bigint` → `integer`, a double into a `real`, `text` into `varchar(8)`): a missing key
/// the parent's type does not keep exactly can never have a parent row, and the load sets
/// its row aside (`LoadRun.markKeysThatCannotFit`); read-only validate looks for the same
/// keys per batch (`StreamedStatements+KeyFit`). One choice of columns and one test for both.
struct KeyFit {
    var fk: ForeignKey
    var child: String
    var pair: Int
    var parent: Column
    var staged: Column
    var parentTable: TableName

    /// The load's reject reason, and read-only's problem detail.
    var reason: String {
        let why = TextStaging.maxLength(parent).map { "longer than \($0) characters, or not kept exactly" }
            ?? "not a valid \(parent.type), or not kept exactly by it"
        return "key (\(child)) cannot exist in \(parentTable.display).\(parent.name): \(why)"
    }

    /// Whether casting to the parent's type may run the user's code (a domain whose CHECK
    /// calls their function): then the cast runs under the user's path, as PostgreSQL's
    /// insert of the new parent row does (hostile review 15), in a statement of its own
    /// (`LoadRun.markKeysThatCannotFit`, `Validator.unfitLines`).
    var runsUserCode: Bool { PathSafeType.isQualified(parent.type) || PathSafeType.isQualified(staged.type) }

    /// The input's `value` (text) kept exactly by the parent's type: cast as the backfill
    /// casts it, then compared with the FK's own operator, as PostgreSQL's check will (the
    /// cast may raise for a value the parent's type cannot take at all). Every name
    /// qualified (`PathSafeType`), so it may run under the user's path.
    func fits(_ value: SQL) -> SQL {
        let typed: SQL = "CAST(\(value) AS \(PathSafeType.sql(staged.type)))"
        let prefix: SQL = TextStaging.maxLength(parent).map { "pg_catalog.char_length(pg_catalog.rtrim(\(value), ' ')) OPERATOR(pg_catalog.<=) \(int: $0) AND " } ?? ""
        return prefix + "(\(matches("CAST(\(typed) AS \(PathSafeType.sql(parent.type)))", typed))) IS TRUE"
    }

    /// The new parent row's key `stored` (of the parent's type) matches the fact row's
    /// `key` as PostgreSQL's check compares them: the referenced value first, with the FK's
    /// `conpfeqop` (`ri_GenerateQual`). Not a round trip back to the input's type under
    /// `conffeqop`: a `timestamp` key of an hour the clocks skip (02:30 in New York on the
    /// day DST starts) becomes 03:30-04 in a `timestamptz` parent, which is not 02:30 again
    /// as a `timestamp`, yet PostgreSQL's `timestamptz = timestamp` matches it (hostile
    /// review 24: the load set the row aside, PostgreSQL takes it).
    func matches(_ stored: SQL, _ key: SQL) -> SQL {
        fk.equality[pair].compare(stored, key)
    }
}

extension LoadPlan {
    /// The input's FK columns whose parent column is of a narrower type.
    func narrowerKeys(_ catalog: Catalog) -> [KeyFit] {
        var fits: [KeyFit] = []
        for fk in stagedKeys where !fk.declared {
            guard let table = catalog.table(fk.referencedTable) else { continue }
            for (pair, (child, referenced)) in zip(fk.columns, fk.referencedColumns).enumerated() {
                guard let staged = stagedColumns.first(where: { $0.name == child }),
                      let parent = table.columns.first(where: { $0.name == referenced }), staged.type != parent.type else { continue }
                if parent.type == "text" || (parent.type.hasPrefix("character") && TextStaging.maxLength(parent) == nil) { continue }
                fits.append(KeyFit(fk: fk, child: child, pair: pair, parent: parent, staged: staged, parentTable: table.name))
            }
        }
        return fits
    }
}
