import PostgresClient

/// How keys found in different batches of a read-only check are merged: by their text
/// where each value has one text, else by their type's equality; either way the text
/// must carry every digit of a float.
extension Validator {
    /// Types whose text is one per value (under the database's deterministic default
    /// collation, which the batch's keys have): keys of these are merged by their text.
    static let oneTextPerValue: Set<String> = ["text", "integer", "bigint", "smallint", "date", "uuid", "boolean"]

    /// Whether values of `type` (a column's) have one text each, as they are sent back
    /// (`StreamedStatements.canonical`: numeric without its trailing zeros).
    static func oneText(_ type: String) -> Bool {
        oneTextPerValue.contains(type) || type.hasPrefix("character varying") || type.hasPrefix("character(")
            || StreamedStatements.isNumeric(type)
    }

    /// Whether `fk`'s keys must be merged by their type's equality, not their text.
    static func mergesByEquality(_ fk: ForeignKey, _ columns: [Column]) -> Bool {
        fk.columns.contains { name in
            guard let type = columns.first(where: { $0.name == name })?.type else { return true }
            return !oneText(type)
        }
    }

    /// Keys go from batch to batch as text, printed under the session's settings and read
    /// back in the next batch's statement: a float printed with fewer digits than it has
    /// (`extra_float_digits` below 1) would merge two keys (hostile review 9), and so would
    /// a date printed in a form that reads back otherwise (`DateStyle` SQL under
    /// Asia/Shanghai prints `CST`, which reads back as US Central: 10:00+08 came back as
    /// 16:00Z, taken for another key of a later batch; 'German, MDY'), so those settings
    /// are pinned for the check as `Session.exactTextSettings` pins them for a cursor. A
    /// float or date may sit under a domain, in an array, a range or a composite: a domain
    /// over `double precision` was left at 0 digits, 0.30000000000000004 and 0.3 one key
    /// where the load inserts two parent rows (hostile review 26). Returns whether a
    /// setting was pinned.
    ///
    /// Pinned only for the key columns of FKs merged by equality (whose keys are read
    /// back), and, as before, where any column is `real` or `double precision`: a pinned
    /// DateStyle also reaches your CHECKs and domains evaluated in the check, so a domain
    /// over `date` checking `VALUE::text` under 'SQL, DMY' was refused read-only where the
    /// load took it when every date column pinned it.
    func printFloatKeysWhole(_ sql: StreamedStatements, _ checked: [ForeignKey]) throws -> Bool {
        let carried = checked.filter { Self.mergesByEquality($0, sql.columns) }.flatMap(\.columns)
        var lossy = carried.isEmpty ? Session.LossyText() : try Self.lossyText(carried, of: sql.plan.target, on: session)
        lossy.floats = lossy.floats || sql.columns.contains { $0.type.hasPrefix("real") || $0.type.hasPrefix("double precision") }
        guard let pin = try session.exactTextSettings(lossy).pin else { return false }
        try session.execute(pin)
        return true
    }

    /// What of `names`, columns of `table`, may print lossily (`Session.LossyText`): floats
    /// and dates, through domains and arrays; a range or composite may hold either (as
    /// `OpenedInput.lossyText` reads an input's types).
    static func lossyText(_ names: [String], of table: Table, on session: Session) throws -> Session.LossyText {
        try session.lossyText(ofTypes: """
            SELECT a.atttypid FROM pg_catalog.pg_attribute a
            WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
              AND a.attname OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: names) AS pg_catalog.name[]))
            """)
    }
}
