import PostgresClient

/// The target's indexes that are not unique but have expressions or a predicate
/// (`TargetConstraints.expressionIndexes`): PostgreSQL evaluates them on every row it
/// inserts, and an expression that raises (`CAST(note AS int)` on "x", a predicate
/// dividing by a column) stops the load. Validate said "would load" (hostile review 29);
/// it now evaluates them over the staged rows, as the insert would, or tries the insert.
extension IndexExpressions {
    /// A statement that evaluates the predicate of every row of `rows` (`b` in scope)
    /// and the expressions of those it holds, and returns nothing anyone reads: only
    /// whether it raises. The row of them is an aggregate's argument, which evaluates
    /// each: `ROW(…) IS NULL` was planned as `e1 IS NULL AND e2 IS NULL`, which stopped at
    /// the first non-NULL value, and a second expression's failure passed (hostile review 30).
    func evaluation(over rows: SQL) -> SQL {
        let values = keys.map { "(\(unsafeRaw: $0))" as SQL }.joined(separator: ", ")
        return "SELECT pg_catalog.count(ROW(\(values))) AS n FROM \(rows)"
            + (predicate.map { " WHERE (\(unsafeRaw: $0))" } ?? "")
    }

    /// Whether evaluating it over the input's columns by name is what the insert does:
    /// every column it reads is in the input, and no BEFORE INSERT trigger may change it.
    func evaluable(given: Set<String>, _ constraints: TargetConstraints) -> Bool {
        !unreadable && reads.allSatisfy(given.contains) && constraints.unchangedByTriggers(reads)
    }

    /// Runs `statement` (an `evaluation`) as the insert would run the index's code: in a
    /// savepoint, on the user's path where it calls user code. The server's message where
    /// it raises; nil where it does not.
    func raises(_ statement: SQL, on session: Session) throws -> String? {
        do {
            _ = try session.savepoint {
                userCode ? try session.underUserCodePath { try session.execute(statement) } : try session.execute(statement)
            }
            return nil
        } catch let error as PostgresError where error.kind == .server {
            return error.message
        }
    }
}

extension Prediction {
    /// Each such index over the staged rows the load inserts: `blockers`, the load's
    /// failure where one raises; `trial`, why the fact insert is tried where an index
    /// reads what the stage does not hold as the insert will (a column the insert fills,
    /// one a BEFORE INSERT trigger may change, a whole-row reference).
    func indexExpressionOutcome() throws -> (blockers: [String], trial: [String]) {
        var blockers: [String] = [], trial: [String] = []
        let staged = Set(run.plan.stagedColumns.map(\.name))
        let given = run.targetFirst ? run.plan.indexable(staged) : staged
        for (name, index) in run.constraints.expressionIndexes {
            guard index.evaluable(given: given, run.constraints) else {
                trial.append("index \(name) of \(run.target.name.display), whose expressions or predicate read what the input does not give")
                continue
            }
            // Typed and collated as the table's columns (the stage has the type's collation).
            let statement = index.evaluation(over: run.indexedRows(index))
            if let message = try index.raises(statement, on: run.session) {
                blockers.append("index \(name) of \(run.target.name.display) raises on an input row at the insert: \(message)")
            }
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
