import PostgresClient

/// How a streamed validation words its column problems as the staged path does: their
/// order, and which server errors are a value's refusal ("does not convert").
extension Validator {
    /// The column problems in the staged path's order: values that do not convert, column
    /// by column; then per column too long, NULL.
    static func staged(
        order problems: [(check: StreamedStatements.ColumnCheck, rows: Int, lines: [Int])], columns: [Column]
    ) -> [(check: StreamedStatements.ColumnCheck, rows: Int, lines: [Int])] {
        let rank: [ValidationReport.ColumnProblem.Problem: Int] = [.conversion: 0, .tooLong: 1, .notNull: 2]
        let position = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return problems.sorted { a, b in
            let (ra, rb) = (rank[a.check.problem] ?? 3, rank[b.check.problem] ?? 3)
            let (pa, pb) = (position[a.check.column] ?? 0, position[b.check.column] ?? 0)
            if (ra == 0) != (rb == 0) { return ra == 0 }
            if pa != pb { return pa < pb }
            return ra < rb
        }
    }

    /// A cast's refusal of a value: a data exception (22…) or a domain's CHECK or NOT
    /// NULL (23…), what the staged path's cast checks report as "does not convert".
    static func isValueRefusal(_ error: PostgresError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }
}
