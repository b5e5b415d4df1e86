import PostgresClient

/// Blank keys in the stage (`blank:` in the rules): what counts as blank, and `on_blank`
/// applied to every blank column in one scan of the stage.
extension LoadStatements {
    /// True when `value` is a blank key: `''`, white space only, or a listed marker.
    func isBlank(_ value: SQL) -> SQL {
        var markers: SQL?
        if !plan.blank.markers.isEmpty {
            let ids = plan.blank.markers.map { marker -> SQL in "\(int: (constants.firstIndex(of: marker) ?? 0) + 1)" }
            markers = "SELECT c.value FROM \(Self.constantsTable) c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[\(ids.joined(separator: ", "))])"
        }
        return KeyPredicates.isBlank(value, markers: markers, unicode: plan.unicode)
    }

    /// `on_blank: null`: blank keys become NULL in the staged rows.
    func nullBlank(_ column: Column) -> SQL {
        "UPDATE \(Self.stage) s SET \(identifier(column.name)) = NULL WHERE \(isBlank("s.\(identifier(column.name))"))"
    }

    /// `on_blank` for every blank column in one UPDATE, so the stage is scanned once
    /// whatever the number of FK columns (one UPDATE per column scanned it once each).
    /// `nulled` columns become NULL where blank; a row blank in one of `rejected` is set
    /// aside with that column's reason, the first in order, as one UPDATE per column in
    /// that order would. Every SET reads the row as it was, so each column's test sees
    /// the value as staged. Nil when there is nothing to do.
    func blankKeys(nulled: [Column], rejected: [(column: Column, reason: String)]) -> SQL? {
        guard !nulled.isEmpty || !rejected.isEmpty else { return nil }
        var sets = nulled.map { column -> SQL in
            let name = identifier(column.name)
            return "\(name) = CASE WHEN \(isBlank("s.\(name)")) THEN NULL ELSE s.\(name) END"
        }
        if !rejected.isEmpty {
            let cases = rejected.map { "WHEN \(isBlank("s.\(identifier($0.column.name))")) THEN \(bind: $0.reason)" as SQL }
            sets.append("_fkb_reject = CASE WHEN s._fkb_reject IS NOT NULL THEN s._fkb_reject \(cases.joined(separator: " ")) END")
        }
        let nullTests = nulled.map { isBlank("s.\(identifier($0.name))") }
        var tests = nullTests
        if !rejected.isEmpty {
            tests.append("(s._fkb_reject IS NULL AND (" + rejected.map { isBlank("s.\(identifier($0.column.name))") }.joined(separator: " OR ") + "))")
        }
        return "UPDATE \(Self.stage) s SET \(sets.joined(separator: ", ")) WHERE \(tests.joined(separator: " OR "))"
    }
}
