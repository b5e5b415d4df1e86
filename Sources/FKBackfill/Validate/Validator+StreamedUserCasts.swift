import PostgresClient

/// The casts of a streamed batch that must run under the user's search path, as the
/// load's COPY and INSERT run them, in statements of their own before the batch's (whose
/// own statement runs under the pinned path and cannot): a domain's CHECK calling the
/// user's function (hostile review 15), and an input type that reads names under the path
/// (a `regclass` source printed 'pt' under the user's path, which the pinned batch could
/// not read back: hostile review 9).
extension Validator {
    /// Finds the values of column `index` that do not convert (under the user's path),
    /// skipping those found in earlier batches (`knownBad`), and whether its domain refuses NULL.
    func findUnconvertible(
        _ index: Int, _ column: Column, _ sql: StreamedStatements, values: [[String?]],
        _ unconvertible: inout [[String]], _ nullRefused: inout [Bool], _ knownBad: inout [Set<String>]
    ) throws {
        let distinct = Set(values[index].compactMap { $0 })
        let again = distinct.intersection(knownBad[index])
        let found = try unconvertibleValues(column, distinct.subtracting(again).sorted(), sql)
        knownBad[index].formUnion(found)
        unconvertible[index] = (Array(again) + found).sorted()
        // A domain whose CHECK refuses NULL (not a NOT NULL domain: its NULL is
        // the NOT NULL check's, and TextStaging.cast lets it through).
        if column.domainBaseType != nil, !column.domainNotNull, values[index].contains(where: { $0 == nil }) {
            do {
                _ = try TextStaging.castsUnderUserPath(on: session) { try session.savepoint { try session.execute(sql.convertsNull(column)) } }
            } catch let refusal as PostgresError where refusal.kind == .server && Self.isValueRefusal(refusal) {
                nullRefused[index] = true
            }
        }
    }

    /// `values` of a column whose input type reads names under the path, each read back
    /// under the user's path and printed as the target's type prints it
    /// (`StreamedStatements.translation`); `bad` ones (which do not convert) as they are.
    func translate(_ column: Column, _ values: [String?], skipping bad: [String], _ sql: StreamedStatements) throws -> [String?] {
        let distinct = Set(values.compactMap { $0 }).subtracting(bad).sorted()
        guard !distinct.isEmpty else { return values }
        let texts = try TextStaging.castsUnderUserPath(on: session) { try session.execute(sql.translation(column, distinct)).rows[0].array("t") }
        var read: [String: String?] = [:]
        for (value, text) in zip(distinct, texts) { read[value] = text }
        return values.map { value in value.flatMap { read[$0] ?? $0 } }
    }

    /// The values of `values` that do not cast to `column`'s staging type: all of them
    /// tried at once, then halves of a set that fails, each in a savepoint, down to the
    /// single values that fail (a handful of statements per bad value).
    func unconvertibleValues(_ column: Column, _ values: [String], _ sql: StreamedStatements) throws -> [String] {
        guard !values.isEmpty else { return [] }
        do {
            // Under the user's path, as the load's COPY casts (a domain's CHECK may call their code).
            _ = try TextStaging.castsUnderUserPath(on: session) { try session.savepoint { try session.execute(sql.convertsAll(column, values)) } }
            return []
        } catch let error as PostgresError where error.kind == .server && Self.isValueRefusal(error) {
            if values.count == 1 { return values }
            let half = values.count / 2
            return try unconvertibleValues(column, Array(values[..<half]), sql)
                + unconvertibleValues(column, Array(values[half...]), sql)
        }
    }
}
