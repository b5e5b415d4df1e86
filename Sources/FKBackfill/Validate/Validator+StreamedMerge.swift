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

    /// Keys go from batch to batch as text: a float printed with fewer digits than it has
    /// (`extra_float_digits` below 1) would merge two keys (hostile review 9), so it is
    /// raised to 1 for the check. Returns whether it was.
    func printFloatKeysWhole(_ sql: StreamedStatements) throws -> Bool {
        guard sql.columns.contains(where: { $0.type.hasPrefix("real") || $0.type.hasPrefix("double precision") }),
              (Int(try session.execute("SELECT pg_catalog.current_setting('extra_float_digits') AS f").rows[0].string("f")) ?? 1) < 1
        else { return false }
        try session.execute("SELECT pg_catalog.set_config('extra_float_digits', '1', true)")
        return true
    }
}
