import PostgresClient

/// Keys a parent's narrower type cannot hold, per streamed batch (StreamedStatements+KeyFit):
/// one statement in a savepoint, and where the parent type's cast raises, the keys that
/// raise found by halves of the batch's distinct missing keys, each half in a savepoint.
extension Validator {
    /// Per fit, the batch's lines whose missing key does not fit.
    func unfitLines(_ fits: [KeyFit], _ sql: StreamedStatements, relations: SQL) throws -> [[Int]] {
        try fits.map { fit in
            // A cast that may run the user's code is made under the user's path, in
            // `unfitValues` only, never in the batch's statement.
            if !fit.runsUserCode {
                do {
                    return try session.savepoint { Self.integers(try session.execute(sql.unfitLines(fit, relations: relations)).rows[0], "l") }
                } catch let error as PostgresError where error.kind == .server && Self.isValueRefusal(error) {}
            }
            let values = try session.execute(sql.missingValues(fit, relations: relations)).rows[0].array("v").compactMap { $0 }
            let bad = try unfitValues(fit, values, sql)
            guard !bad.isEmpty else { return [] }
            return Self.integers(try session.execute(sql.unfitLines(fit, relations: relations, bad: bad)).rows[0], "l")
        }
    }

    /// Of `values`, those the parent's type does not keep, or cannot take at all.
    func unfitValues(_ fit: KeyFit, _ values: [String], _ sql: StreamedStatements) throws -> [String] {
        guard !values.isEmpty else { return [] }
        do {
            // Under the user's path, as the parent's insert casts: the statement's names are qualified.
            return try TextStaging.castsUnderUserPath(on: session) {
                try session.savepoint { try session.execute(sql.unfitValues(fit, values)).rows[0].array("v").compactMap { $0 } }
            }
        } catch let error as PostgresError where error.kind == .server && Self.isValueRefusal(error) {
            if values.count == 1 { return values }
            let half = values.count / 2
            return try unfitValues(fit, Array(values[..<half]), sql) + unfitValues(fit, Array(values[half...]), sql)
        }
    }
}
