import PostgresClient

/// The target's indexes that are not unique but have expressions or a predicate
/// (`TargetConstraints.expressionIndexes`): PostgreSQL evaluates them on every row it
/// inserts, and an expression that raises (`CAST(note AS int)` on "x", a predicate
/// dividing by a column) stops the load. Validate said "would load" (hostile review 29);
/// it now evaluates them over the staged rows, as the insert would, or tries the insert.
extension IndexExpressions {
    /// The aggregate that evaluates the predicate of every row in scope (`b`) and the
    /// expressions of those it holds, and returns nothing anyone reads: only whether it
    /// raises. The row of them is the aggregate's argument, which evaluates each: `ROW(…)
    /// IS NULL` was planned as `e1 IS NULL AND e2 IS NULL`, which stopped at the first
    /// non-NULL value, and a second expression's failure passed (hostile review 30).
    var evaluated: SQL {
        let values = keys.map { "(\(unsafeRaw: $0))" as SQL }.joined(separator: ", ")
        return "pg_catalog.count(ROW(\(values)))" + (predicate.map { " FILTER (WHERE (\(unsafeRaw: $0)))" } ?? "")
    }

    /// Whether evaluating it over the input's columns by name is what the insert does:
    /// every column it reads is in the input, and no BEFORE INSERT trigger may change it.
    func evaluable(given: Set<String>, _ constraints: TargetConstraints) -> Bool {
        !unreadable && reads.allSatisfy(given.contains) && constraints.unchangedByTriggers(reads)
    }

    /// Per index of `indexes`, the server's message where evaluating it raises, nil where
    /// it does not; `statement` selects the `evaluated` of a group of them over the rows.
    /// Those on built-in code go in one statement (one scan: one each cost a 200,000-row
    /// read-only validate with three such indexes 1.0 s of 3.3, hostile review 30), and
    /// only where it raises is each run alone, to name the one; an index calling user
    /// code runs alone, on the user's path, as the insert runs its code. In savepoints.
    static func raising(_ indexes: [IndexExpressions], on session: Session, _ statement: ([IndexExpressions]) -> SQL) throws -> [String?] {
        func raises(_ group: [IndexExpressions]) throws -> String? {
            do {
                _ = try session.savepoint {
                    group.contains(where: \.userCode)
                        ? try session.underUserCodePath { try session.execute(statement(group)) } : try session.execute(statement(group))
                }
                return nil
            } catch let error as PostgresError where error.kind == .server {
                return error.message
            }
        }
        var alone = Array(indexes.indices)
        let builtIn = alone.filter { !indexes[$0].userCode }
        if builtIn.count > 1, try raises(builtIn.map { indexes[$0] }) == nil { alone.removeAll { builtIn.contains($0) } }
        var failed = [String?](repeating: nil, count: indexes.count)
        for position in alone { failed[position] = try raises([indexes[position]]) }
        return failed
    }
}

extension Prediction {
    /// Each such index over the staged rows the load inserts: `blockers`, the load's
    /// failure where one raises; `trial`, why the fact insert is tried where an index
    /// reads what the stage does not hold as the insert will (a column the insert fills,
    /// one a BEFORE INSERT trigger may change, a whole-row reference).
    func indexExpressionOutcome() throws -> (blockers: [String], trial: [String]) {
        let staged = Set(run.plan.stagedColumns.map(\.name))
        let given = run.targetFirst ? run.plan.indexable(staged) : staged
        let indexes = run.constraints.expressionIndexes
        let evaluable = indexes.filter { $0.expressions.evaluable(given: given, run.constraints) }
        let trial = indexes.filter { !$0.expressions.evaluable(given: given, run.constraints) }.map {
            "index \($0.name) of \(run.target.name.display), whose expressions or predicate read what the input does not give"
        }
        // Typed and collated as the table's columns (the stage has the type's collation).
        let failed = try IndexExpressions.raising(evaluable.map(\.expressions), on: run.session) { group in
            "SELECT \(group.map(\.evaluated).joined(separator: ", ")) FROM \(run.indexedRows(group))"
        }
        let blockers = zip(evaluable, failed).compactMap { index, message in
            message.map { "index \(index.name) of \(run.target.name.display) raises on an input row at the insert: \($0)" }
        }
        return (blockers, trial)
    }
}

extension LoadPlan {
    /// Of `given`, the columns an index sees as the input gives them: not those a
    /// target-first cycle inserts NULL and sets by an UPDATE once its parents are in
    /// (`TargetCycle.nulledTargetColumns`), where the insert evaluates the index on NULL
    /// first (hostile review 30: `… WHERE c1 IS NULL` raised at the insert, read-only
    /// validate evaluated it on the input's c1 and said would load).
    func indexable(_ given: Set<String>) -> Set<String> {
        given.subtracting(targetCycle?.nulledTargetColumns ?? [])
    }
}
