import PostgresClient

/// Read-only, the target's indexes that are not unique but have expressions or a
/// predicate (`TargetConstraints.expressionIndexes`, Prediction+IndexExpressions.swift):
/// each batch evaluates them over its columns by name, as the insert would; one that
/// raises, or that reads what the input does not give, is named in notExact.
extension Validator {
    /// One such index the batches evaluate, and what stopped it.
    struct ExpressionIndexTally {
        var name: String
        var index: IndexExpressions
        /// The server's message where evaluating it raised: the insert's to tell.
        var failed: String?
    }

    /// A tally per index the batches can evaluate.
    func expressionIndexTallies(_ sql: StreamedStatements, _ constraints: TargetConstraints) -> [ExpressionIndexTally] {
        let given = sql.plan.indexable(Set(sql.columns.map(\.name)))
        return constraints.expressionIndexes.filter { $0.expressions.evaluable(given: given, constraints) }
            .map { ExpressionIndexTally(name: $0.name, index: $0.expressions) }
    }

    /// One batch's evaluation of each index not yet stopped, over the batch's `relations`
    /// (`IndexExpressions.raising`: built-in code together, user code alone).
    func evaluateExpressionIndexes(_ tallies: inout [ExpressionIndexTally], _ sql: StreamedStatements, relations: SQL) throws {
        let pending = tallies.indices.filter { tallies[$0].failed == nil }
        let failed = try IndexExpressions.raising(pending.map { tallies[$0].index }, on: session) { group in
            relations + " SELECT \(group.map(\.evaluated).joined(separator: ", ")) FROM \(sql.collatedBatch) b"
        }
        for (position, message) in zip(pending, failed) { tallies[position].failed = message }
    }

    /// notExact: the indexes the batches stopped at, and those no batch can evaluate
    /// (`evaluated` nil: the input is not streamed, as a `--source` checked in place).
    static func expressionIndexNotExact(_ constraints: TargetConstraints, target: TableName, given: Set<String>,
                                        evaluated: [ExpressionIndexTally]?) -> [String] {
        constraints.expressionIndexes.compactMap { name, index in
            let which = "index \(name) of \(target.display)"
            guard let evaluated, index.evaluable(given: given, constraints) else {
                return "\(which): its expressions or predicate are evaluated by the insert, not here"
            }
            return evaluated.first { $0.name == name }?.failed.map { "\(which): evaluating it raised (\($0)): the insert's to tell" }
        }
    }
}
