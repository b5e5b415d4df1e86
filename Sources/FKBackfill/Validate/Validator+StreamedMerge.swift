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
    /// raised to 1 for the check. Returns whether it was. A float may sit under a domain,
    /// in an array, a range or a composite (`OpenedInput.lossyText` walks them the same
    /// way): a domain over `double precision` printed 0.30000000000000004 as 0.3, one key
    /// with 0.3 where the load inserts two parent rows (hostile review 26).
    func printFloatKeysWhole(_ sql: StreamedStatements) throws -> Bool {
        guard (Int(try session.execute("SELECT pg_catalog.current_setting('extra_float_digits') AS f").rows[0].string("f")) ?? 1) < 1,
              try Self.mayHoldFloats(sql.columns.map(\.name), of: sql.plan.target, on: session)
        else { return false }
        try session.execute("SELECT pg_catalog.set_config('extra_float_digits', '1', true)")
        return true
    }

    /// Whether a column of `names` of `table` is of a type that may print a float: `real`
    /// or `double precision`, through domains and arrays; a range or composite may hold one.
    static func mayHoldFloats(_ names: [String], of table: Table, on session: Session) throws -> Bool {
        try session.execute(
            """
            WITH RECURSIVE t(oid) AS (
                SELECT a.atttypid FROM pg_catalog.pg_attribute a
                WHERE a.attrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid)
                  AND a.attname OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: names) AS pg_catalog.name[]))
                UNION
                SELECT CASE WHEN y.typtype OPERATOR(pg_catalog.=) 'd' THEN y.typbasetype ELSE y.typelem END
                FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid
                WHERE y.typtype OPERATOR(pg_catalog.=) 'd' OR y.typelem OPERATOR(pg_catalog.<>) 0
            )
            SELECT coalesce(pg_catalog.bool_or(y.typname OPERATOR(pg_catalog.=) ANY ('{float4,float8}')
                                               OR y.typtype OPERATOR(pg_catalog.=) ANY ('{c,r,m}')), false) AS floats
            FROM t JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid
            """).rows[0].bool("floats")
    }
}
