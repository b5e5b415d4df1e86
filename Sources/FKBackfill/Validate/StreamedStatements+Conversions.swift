import PostgresClient

/// How a batch's text values reach their column's type outside the batch's statement:
/// casts that run the user's code or read names under the search path, and the
/// per-value conversion checks, each run by the caller under the user's path; and the
/// array literals a batch's values are bound as.
extension StreamedStatements {
    /// Whether `column`'s values are cast under the user's path, before the batch's
    /// statement, which then holds them in the domain's base type (`TextStaging.castToBase`).
    func userCast(_ column: Column) -> Bool {
        TextStaging.castRunsUserCode(column, via: plan.sourceTypes[column.name]) && (column.domainBaseType ?? column.arrayDomainBaseType) != nil
    }

    /// Whether `column`'s input type reads names under the search path (`regclass` and the
    /// other `reg…` types): its text is read back under the user's path before the batch's
    /// statement (`translation`), as the load reads it, and the batch casts the result.
    func translated(_ column: Column) -> Bool {
        plan.sourceTypes[column.name].map(PathSafeType.readsPath) ?? false
    }

    /// `values` cast to `column`'s type as the load casts them (through the input's own
    /// type) and printed as text again, in order (`t`): run under the user's path.
    func translation(_ column: Column, _ values: [String]) -> SQL {
        "SELECT pg_catalog.array_agg(CAST(\(TextStaging.checkedCast("u.v", column, via: plan.sourceTypes[column.name])) AS pg_catalog.text) ORDER BY u.n) AS t "
            + "FROM pg_catalog.unnest(CAST(\(bindArray: values) AS pg_catalog.text[])) WITH ORDINALITY AS u(v, n)"
    }

    /// Whether a NULL casts to `column`'s type: not where its domain's CHECK refuses NULL.
    /// Run under the user's path (`TextStaging.castsUnderUserPath`), as `convertsAll`.
    func convertsNull(_ column: Column) -> SQL {
        "SELECT CAST(NULL AS \(TextStaging.checkedType(column))) IS NULL AS n"
    }

    /// Whether every one of `values` casts to `column`'s type (a domain checks its own): one statement, run
    /// in a savepoint by the caller, to find the values that do not (PostgreSQL 15 has no
    /// `pg_input_is_valid`).
    func convertsAll(_ column: Column, _ values: [String]) -> SQL {
        "SELECT pg_catalog.count(\(TextStaging.checkedCast("u.v", column, via: plan.sourceTypes[column.name]))) AS n "
            + "FROM pg_catalog.unnest(CAST(\(bindArray: values) AS pg_catalog.text[])) AS u(v)"
    }

    /// `values` as a PostgreSQL array literal (`{"a",NULL}`), built byte by byte: a batch
    /// holds hundreds of thousands of values.
    static func arrayLiteral(_ values: [String?]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.count * 12)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else { bytes.append(contentsOf: "NULL".utf8); continue }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
