import PostgresClient

/// The target's partial and expression unique indexes in a streamed validation
/// (StreamedStatements+IndexExpressions.swift): per batch one statement per index, its
/// keys merged across batches as the plain unique keys' are (`UniqueTally`, the same
/// budget). A clash is a unique violation at the insert, which the load does not set
/// aside: it stops the load whatever `--max-rejects` allows (`ColumnProblem.uniqueViolation`).
extension Validator {
    /// What the batches found of one index.
    struct IndexTally {
        var key: TargetConstraints.UniqueKey
        /// Repeats inside the input; its key's `columns` are the index's expressions, for the words.
        var repeats: UniqueTally
        /// Rows whose key a row of the table holds, that the load keeps.
        var stored = 0
        var storedLines: [Int] = []
        /// Why evaluation stopped (the expression raised): the insert's to tell.
        var failed: String?

        var columns: String { repeats.key.columns.joined(separator: ", ") }
    }

    /// A tally per index the batches evaluate.
    func indexTallies(_ sql: StreamedStatements, _ constraints: TargetConstraints, batchRows: Int) -> [IndexTally] {
        StreamedStatements.evaluatedIndexes(constraints, given: Set(sql.columns.map(\.name))).map { key in
            var shown = key
            shown.columns = key.expressions?.keys ?? key.columns
            let byText = key.deterministic && (key.expressions?.types ?? []).allSatisfy(Self.oneText)
            return IndexTally(key: key, repeats: UniqueTally(key: shown, byText: byText, batchRows: batchRows))
        }
    }

    /// One batch's evaluation of every index, over the batch's `relations`.
    func evaluateIndexes(_ tallies: inout [IndexTally], _ sql: StreamedStatements, relations: SQL, samples: Int) throws {
        for index in tallies.indices where tallies[index].failed == nil {
            let key = tallies[index].key
            let statement = sql.indexEvaluation(key, relations: relations, all: tallies[index].repeats.byText, samples: samples, as: "i")
            let row: Row
            do {
                // An index calling the user's code runs it as the insert would: its bodies on the user's
                // path, the deparsed expression's bare built-ins still pg_catalog's (Session.underUserCodePath).
                row = try session.savepoint {
                    key.expressions?.userCode == true
                        ? try session.underUserCodePath { try session.execute(statement).rows[0] }
                        : try session.execute(statement).rows[0]
                }
            } catch let error as PostgresError where error.kind == .server {
                tallies[index].failed = error.message
                continue
            }
            let canonical = (key.expressions?.types ?? []).map(StreamedStatements.isNumeric)
            try tallies[index].repeats.add(KeyArrays(row, "i", canonical: canonical), samples: samples)
            tallies[index].repeats.wide += row.int("i_w") ?? 0
            tallies[index].stored += row.int("c_n") ?? 0
            tallies[index].storedLines = Array((tallies[index].storedLines + Self.integers(row, "c_l")).sorted().prefix(samples))
        }
    }

    /// With `--replace-by`, the DELETE's own cascades on the target (an FK of it to itself
    /// ON DELETE CASCADE, SET NULL or SET DEFAULT) remove or change table rows the batches
    /// counted as kept, which may leave an index's predicate or key: clashes with table
    /// rows are then the insert's to tell, not a finding (a hostile probe: a row the
    /// cascade deleted counted as a clash, "would not load" where the load loaded).
    func undecidedStoredClashes(_ tallies: inout [IndexTally], _ foreignKeys: [ForeignKey], target: TableName, replaceBy: Bool) -> [String] {
        let cascading = foreignKeys.filter { $0.referencedTable == target && [.cascade, .setNull, .setDefault].contains($0.onDelete) }
        guard replaceBy, !cascading.isEmpty else { return [] }
        let through = cascading.map { "\($0.name) (ON DELETE \($0.onDelete.rawValue))" }.joined(separator: ", ")
        var reasons: [String] = []
        for index in tallies.indices where tallies[index].stored > 0 {
            reasons.append("unique index \(tallies[index].key.name) (\(tallies[index].columns)): \(tallies[index].stored) input "
                + "\(tallies[index].stored == 1 ? "row's key is" : "rows' keys are") held by table rows, which --replace-by's DELETE may remove or "
                + "change through \(through): whether they still clash only the insert can tell")
            tallies[index].stored = 0
            tallies[index].storedLines = []
        }
        return reasons
    }

    /// The clashes found, as the report's column problems: each stops the load.
    func indexProblems(_ tallies: [IndexTally], target: TableName) -> [ValidationReport.ColumnProblem] {
        tallies.flatMap { tally -> [ValidationReport.ColumnProblem] in
            var found: [ValidationReport.ColumnProblem] = []
            if tally.stored > 0 {
                found.append(.init(column: tally.columns, problem: .uniqueViolation,
                                   detail: "key (\(tally.columns)) already in \(target.display) (\(tally.key.name)): the insert fails",
                                   rows: tally.stored, sampleLines: tally.storedLines))
            }
            if tally.repeats.rows > 0 {
                found.append(.init(column: tally.columns, problem: .uniqueViolation,
                                   detail: "duplicate key (\(tally.columns)) of an earlier input row (\(tally.key.name)): the insert fails",
                                   rows: tally.repeats.rows, sampleLines: tally.repeats.lines))
            }
            return found
        }
    }

    /// Why an index's verdict may not be exact: its evaluation raised, repeats across
    /// batches past the budget, keys too wide; rows the load sets aside for other reasons
    /// (`setAside`) or that `--replace-by` deletes for another batch's rows (`batches` > 1)
    /// are not left out of the clashes found.
    func indexNotExact(_ tallies: [IndexTally], setAside: Int, replaceBy: Bool) -> [String] {
        tallies.flatMap { tally -> [String] in
            let which = "unique index \(tally.key.name) (\(tally.columns))"
            if let failed = tally.failed { return ["\(which): evaluating it raised (\(failed)): the insert's to tell"] }
            var reasons = [tally.repeats.notExact, tally.repeats.wideNote].compactMap { $0 }
            let clashes = tally.stored + tally.repeats.rows
            if clashes > 0 && setAside > 0 {
                reasons.append("\(which): its clashes count rows the load sets aside for other reasons (\(setAside))")
            }
            if tally.stored > 0 && replaceBy && tally.repeats.batches > 1 {
                reasons.append("\(which): a table row --replace-by deletes for a row of another batch still counts as a clash")
            }
            return reasons
        }
    }
}
