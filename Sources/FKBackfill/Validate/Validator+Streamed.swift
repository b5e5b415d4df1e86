import Foundation
import PostgresClient

/// A CSV validated on a session that cannot write (a hot standby, read-only credentials):
/// the file is split as COPY splits it (`CSVRecordParser`), sent in batches as bound
/// arrays and checked by one statement per batch (`StreamedStatements`); what each batch
/// found is merged here, exactly: a key missing in two batches counts once, with its
/// first lines. Nothing is written, not even a temporary table.
extension Validator {
    /// Records per batch: a few MB of text, so the client stays far under 64 MiB.
    static let streamBatch = 20_000
    /// And text per batch: 20,000 records of 4 KB were 80 MB held, twice over in the array
    /// literals, and peaked at 484 MB (hostile review 4). A batch ends at whichever comes first.
    /// (4 MiB held a batch of the real month's 28 columns, 37,000 rows, at 67 MB: its
    /// text is copied into literals, binds and libpq's buffer; 2 MiB, 49 MB. 1 MiB: a
    /// self-referencing file of 500-byte keys 63 → 54 MB (hostile review 7), and the bench's
    /// million rows 42 → 37 MB and faster, 6.5 → 5.3 s.)
    static let streamBatchBytes = 1 << 20

    /// Reads the CSV batch by batch and checks each; fills the report's rows and column
    /// problems, and returns what each FK of `checked` found. A `--query` or a cast
    /// `--source` comes as text through a cursor instead (Validator+StreamedCursor.swift).
    func checkStreamed(
        _ opened: OpenedInput, _ sql: StreamedStatements, _ checked: [ForeignKey],
        _ report: inout ValidationReport, _ options: ValidateOptions, constraints: TargetConstraints, catalog: Catalog
    ) throws -> [Findings] {
        guard opened.csv != nil || Self.cursorSelect(opened, sql.columns) != nil else { return [] }
        var sql = sql
        sql.rejects = options.maxRejects > 0
        try session.execute("SET LOCAL jit = off")
        let floatsPinned = try printFloatKeysWhole(sql, checked)
        let columns = sql.columns
        let matchFull = checked.filter { $0.match == .full && $0.columns.count > 1 }
        var tallies = checked.map { fk in
            var tally = KeyTally()
            tally.byEquality = Self.mergesByEquality(fk, columns)
            tally.valued = Self.nullableDerivations(of: fk, plan: sql.plan).map { _ in CompactKeySet() }
            return tally
        }
        // Column problems by (column, problem), in the order first met.
        var problems: [(check: StreamedStatements.ColumnCheck, rows: Int, lines: [Int])] = []
        var values = [[String?]](repeating: [], count: columns.count)
        var lines: [Int] = []
        // Values found not to convert, per column: a later batch that has them again
        // (a "N/A" in every batch) is not searched for them.
        var knownBad = [Set<String>](repeating: [], count: columns.count)
        // The target's own refusals: its CHECKs, routing, unique keys (Validator+StreamedTargetRows.swift).
        let target = sql.plan.target
        let targetChecks = sql.targetRowChecks(checks: (try TableFacts.checks(of: [target], on: session)[target.name] ?? [])
                                                   + (try partitionBoundsCheck(target).map { [$0] } ?? []), constraints: constraints)
        var targetFound = targetChecks.map { _ in (rows: 0, lines: [Int]()) }
        var repeats = uniqueTallies(sql, constraints, batchRows: options.streamBatchRows)
        repeats += try selfKeyTrackers(checked, sql, constraints, tallied: repeats, notExact: &report.notExact)
        // Partial and expression unique indexes: a clash stops the load (Validator+StreamedIndexes.swift).
        var indexes = indexTallies(sql, constraints, batchRows: options.streamBatchRows), expressionIndexes = expressionIndexTallies(sql, constraints)
        // An FK of the target to itself: keys the input gives in another batch (Validator+StreamedSelf.swift).
        let selfKeys = try selfReferences(checked, sql, repeats: repeats, options,
                                          singleBatch: opened.csv?.size.map { $0 <= options.streamBatchRows && $0 <= Self.streamBatchBytes } ?? false)
        // FK columns the target's triggers assign: their values, for after the last batch (Validator+TargetKeyTriggers.swift).
        var keyTriggers = try targetKeyTriggers(checked, sql, constraints)
        for (index, _) in selfKeys { tallies[index].pending = [:] }
        // With --replace-by, the table's keys of those FKs wait for the last batch too.
        sql.selfTableLater = !selfKeys.isEmpty && !sql.plan.replaceBy.isEmpty
        if !sql.plan.replaceBy.isEmpty { sql.ownForeignKeys = Self.ownForeignKeys(catalog.foreignKeys(of: target.name), of: target.name) }
        // --replace-by: clashes with rows it may delete, resolved after the last batch.
        var replace = sql.plan.replaceBy.isEmpty ? nil : ReplaceTally(
            keys: StreamedStatements.checkedUniqueKeys(constraints, given: Set(columns.map(\.name)), rejects: sql.rejects), columns: sql.plan.replaceBy.count)
        // --max-rejects: rows the load would set aside, counted and left out of the key checks.
        let setAside = options.maxRejects > 0 ? Self.setAside(sql) : nil
        var rejected = 0
        // Keys a parent's narrower type cannot hold: the load sets their rows aside (StreamedStatements+KeyFit).
        let fits = sql.plan.narrowerKeys(catalog)
        var unfit = fits.map { _ in (rows: 0, lines: [Int]()) }
        // Per FK, the input columns whose NULLs a new parent row's NOT NULL column follows: the same every batch.
        let nullable = checked.map { Self.nullableDerivations(of: $0, plan: sql.plan).map(\.input) }

        func flush() throws {
            guard !lines.isEmpty else { return }
            try Self.collect(&keyTriggers, values: values)
            var unconvertible = [[String]](repeating: [], count: columns.count)
            var nullRefused = [Bool](repeating: false, count: columns.count)
            // Casts that must run under the user's path, before the batch's statement (Validator+StreamedUserCasts).
            for (index, column) in columns.enumerated() where sql.userCast(column) || sql.translated(column) {
                try findUnconvertible(index, column, sql, values: values, &unconvertible, &nullRefused, &knownBad)
                if sql.translated(column) { values[index] = try translate(column, values[index], skipping: unconvertible[index], sql) }
            }
            let arrays = values.map(StreamedStatements.arrayLiteral) + ["{" + lines.map(String.init).joined(separator: ",") + "}"]
            func run() throws -> Row {
                let checks = sql.columnChecks(unconvertible: unconvertible, nullRefused: nullRefused)
                let unfitNow = fits.isEmpty ? [] : try unfitLines(fits, sql, relations: sql.relations(
                    arrays: arrays, unconvertible: unconvertible, nullRefused: nullRefused))
                var aside = setAside
                let unfitting = Array(Set(unfitNow.joined())).sorted()
                if !unfitting.isEmpty {
                    aside?.conditions.append("s.\(sql.line) OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: unfitting.map(String.init)) AS pg_catalog.int8[]))")
                }
                let row = try session.execute(sql.check(
                    arrays: arrays, unconvertible: unconvertible, nullRefused: nullRefused, checks: checks, matchFull: matchFull,
                    foreignKeys: checked, known: tallies.map(\.order), samples: options.samples,
                    target: targetChecks, repeats: repeats.map { ($0.key, $0.byText) },
                    nullable: nullable, replacing: replace?.keys, setAside: aside, trackers: Set(repeats.indices.filter { repeats[$0].tracksOnly }))).rows[0]
                for (index, lines) in unfitNow.enumerated() where !lines.isEmpty {
                    unfit[index].rows += lines.count
                    unfit[index].lines = Array((unfit[index].lines + lines).sorted().prefix(options.samples))
                }
                for (index, check) in checks.enumerated() {
                    let count = row.int("n\(index)") ?? 0
                    guard count > 0 else { continue }
                    let found = Self.integers(row, "s\(index)")
                    if let at = problems.firstIndex(where: {
                        $0.check.column == check.column && $0.check.problem == check.problem && $0.check.detail == check.detail
                    }) {
                        problems[at].rows += count
                        problems[at].lines = Array((problems[at].lines + found).prefix(options.samples))
                    } else {
                        problems.append((check, count, found))
                    }
                }
                for index in targetChecks.indices {
                    let count = row.int("x\(index)") ?? 0
                    guard count > 0 else { continue }
                    targetFound[index].rows += count
                    targetFound[index].lines = Array((targetFound[index].lines + Self.integers(row, "xs\(index)")).prefix(options.samples))
                }
                try replace?.add(row, names: sql.plan.replaceBy, budget: Self.repeatBudget)
                if setAside != nil { rejected += row.int("rj_n") ?? 0 }
                for index in repeats.indices {
                    try repeats[index].add(KeyArrays(row, "u\(index)", canonical: sql.canonicalColumns(repeats[index].key.columns)), samples: options.samples)
                    repeats[index].wide += row.int("u\(index)_w") ?? 0
                }
                // One budget for every unique key's texts (hostile review 5: two keys and an
                // FK over a million new rows peaked at 88 MiB with a budget each).
                // The missing keys count first: they are kept whatever their number.
                // Over it, the unique keys' texts are let go (the missing keys may keep growing).
                if repeats.reduce(0, { $0 + $1.held }) + indexes.reduce(0, { $0 + $1.repeats.held }) + tallies.reduce(0, { $0 + $1.held })
                    + (replace?.held ?? 0) > Self.repeatBudget {
                    for index in repeats.indices where !repeats[index].full || repeats[index].seen.count > 0 {
                        repeats[index].full = true
                        repeats[index].seen = CompactKeySet()
                    }
                    for index in indexes.indices where !indexes[index].repeats.full || indexes[index].repeats.seen.count > 0 {
                        indexes[index].repeats.full = true
                        indexes[index].repeats.seen = CompactKeySet()
                    }
                }
                return row
            }
            let row: Row
            do {
                row = try session.savepoint { try run() }
            } catch let error as PostgresError where error.kind == .server && Self.isValueRefusal(error) {
                // A value does not convert: find which, column by column, and check the
                // batch again with those values NULL, as the staged path's checked cast does.
                for (index, column) in columns.enumerated() where !sql.userCast(column) && !sql.translated(column) {
                    try findUnconvertible(index, column, sql, values: values, &unconvertible, &nullRefused, &knownBad)
                }
                guard unconvertible.contains(where: { !$0.isEmpty }) || nullRefused.contains(true) else { throw error }
                row = try run()
            }
            report.rows += row.int("rows") ?? 0
            let relations = sql.relations(arrays: arrays, unconvertible: unconvertible, nullRefused: nullRefused)
            if !indexes.isEmpty { try evaluateIndexes(&indexes, sql, relations: relations, samples: options.samples) }
            try evaluateExpressionIndexes(&expressionIndexes, sql, relations: relations)
            // Waiting self keys share the budget the other keys held leave.
            let others = repeats.reduce(0) { $0 + $1.held } + (replace?.held ?? 0)
            for index in tallies.indices where tallies[index].pending != nil {
                // At most a quarter of the budget: each waiting key is held three times over (its
                // text, its values, the dictionary's key); a 64 MiB peak at 16 (hostile review 7).
                tallies[index].pendingBudget = min(Self.repeatBudget / 4,
                                                   max(0, Self.repeatBudget - others - tallies.reduce(0) { $0 + $1.held } + tallies[index].pendingBytes))
            }
            for (index, fk) in checked.enumerated() {
                if let at = matchFull.firstIndex(where: { $0.name == fk.name && $0.table == fk.table }) {
                    tallies[index].partlyNull += row.int("f\(at)") ?? 0
                }
                let found = try KeyArrays(row, "fk\(index)", canonical: sql.canonicalColumns(fk.columns))
                let (blank, known) = (found.flags("b"), found.integers("x"))
                let valued = tallies[index].valued.indices.map { found.flags("v\($0)") }
                let stored = sql.selfTableLater && selfKeys.contains { $0.fk == index } ? found.flags("s") : []
                for at in found.keys.indices {
                    try tallies[index].add(
                        found.keys[at], merge: found.merge[at], rows: found.rows[at], lines: found.lines[at], blank: blank[at],
                        known: known[at], samples: options.samples, valued: valued.map { $0.indices.contains(at) && $0[at] },
                        stored: stored.indices.contains(at) && stored[at])
                }
            }
            dropGivenSelfKeys(selfKeys, checked, &tallies, repeats: repeats)
            values = [[String?]](repeating: [], count: columns.count)
            lines = []
        }

        var bytes = 0
        func take(_ fields: [String?], _ line: Int) throws {
            for index in fields.indices {
                values[index].append(fields[index])
                bytes += fields[index]?.utf8.count ?? 0
            }
            lines.append(line)
            if lines.count >= options.streamBatchRows || bytes >= Self.streamBatchBytes {
                try flush()
                bytes = 0
            }
        }
        if let csv = opened.csv {
            var parser = CSVRecordParser(options: opened.csvOptions, columns: columns.map(\.name), firstLine: csv.headerLines + 1)
            do {
                try csv.chunks { bytes in try parser.feed(bytes, take) }
                try parser.finish(take)
            } catch let failure as CSVRecordParser.Failure {
                let line = failure.line
                throw FKBackfillError(
                    "\(opened.source.label):\(line): \(failure.message)", hint: FKBackfillError.copyHint(sqlState: failure.sqlState),
                    kind: .badInput(line: line))
            }
        } else {
            report.notExact += try streamCursor(opened, columns, byOutput: sql.plan.printedByOutput, pinned: floatsPinned, take) ?? []
        }
        try flush()
        if let csv = opened.csv, csv.headerLines > 0, report.rows == 0 {
            // What the load says of it (LoadRun.stageInput), and validate staged as its blocker.
            throw FKBackfillError("\(opened.source.label): the file has a header but no rows, nothing to load",
                                  hint: "check that the export wrote its rows", kind: .badInput(line: nil))
        }

        for problem in Self.staged(order: problems, columns: columns) {
            report.columns.append(.init(
                column: problem.check.column, problem: problem.check.problem, detail: problem.check.detail,
                rows: problem.rows, sampleLines: problem.lines))
        }
        for (fit, found) in zip(fits, unfit) where found.rows > 0 {
            report.columns.append(.init(column: fit.child, problem: .keyCannotExist, detail: fit.reason, rows: found.rows, sampleLines: found.lines))
        }
        for (check, found) in zip(targetChecks, targetFound) where found.rows > 0 {
            report.columns.append(.init(column: check.column, problem: check.problem, detail: check.detail, rows: found.rows, sampleLines: found.lines))
        }
        for (name, stop) in try targetKeyTriggerStops(keyTriggers, checked, tallies, sql) { report.stops[name, default: []].append(stop) }
        // FKs the input lacks, every row at the same DEFAULT key (Validator+StreamedDefaultedKeys.swift).
        for (name, stop) in try defaultedKeyStops(plan: sql.plan, catalog: catalog, constraints: constraints) {
            report.evaluatedDefaults.insert(name)
            if let stop { report.stops[name, default: []].append(stop) }
        }
        report.notExact += try resolveSelfReferences(
            selfKeys, checked, &tallies, repeats: repeats, samples: options.samples, replace: replace, sql: sql, stops: &report.stops)
        let clashes = report.columns.count
        if let replace {
            // What the DELETE does to the rows of a target that references itself (Validator+StreamedSelfReplace.swift).
            report.notExact += try selfReplaceEffects(sql, held: replace.values, samples: options.samples, stops: &report.stops)
            // Other tables' FKs that refuse the DELETE (Validator+StreamedReplaceChildren.swift).
            if !replace.full {
                let children = try replaceChildEffects(sql, held: replace.values, samples: options.samples)
                report.replaceRefusals = children.results
                report.evaluatedReplaceChildren = children.evaluated
            }
            // Repeats of a key that clashes clash instead (the load sets clashes aside first).
            let clashing = try resolveReplaced(replace, sql, samples: options.samples, afterCascade: options.maxRejects == 0, &report)
            for (index, key) in replace.keys.enumerated() {
                guard let at = repeats.firstIndex(where: { $0.key.name == key.name }), clashing.indices.contains(index) else { continue }
                repeats[at].rows = max(0, repeats[at].rows - clashing[index])
            }
        }
        report.columns += duplicateProblems(repeats)
        if setAside != nil {
            let resolved = report.columns[clashes...].filter { $0.problem == .keyExists }.reduce(0) { $0 + $1.rows }
            report.setAside(rows: rejected + resolved + repeats.reduce(0) { $0 + $1.rows }, maxRejects: options.maxRejects)
            let clashed = report.columns.filter { $0.problem == .keyExists }.reduce(0) { $0 + $1.rows } - resolved
            report.notExact += Self.setAsideNotExact(sql.plan, repeats: repeats, resolvedClashes: resolved, clashes: clashed,
                                                     uniqueKeys: StreamedStatements.checkedUniqueKeys(constraints, given: Set(columns.map(\.name)), rejects: true).count)
        }
        report.notExact += repeats.compactMap(\.notExact) + repeats.compactMap(\.wideNote)
        report.notExact += undecidedStoredClashes(&indexes, catalog.foreignKeys(of: target.name), target: target.name,
                                                  replaceBy: !sql.plan.replaceBy.isEmpty)
        report.columns += indexProblems(indexes, target: target.name)
        report.notExact += indexNotExact(indexes, setAside: setAside == nil ? 0 : report.rejected ?? 0, replaceBy: !sql.plan.replaceBy.isEmpty)
            + Self.expressionIndexNotExact(constraints, target: target.name, given: sql.plan.indexable(Set(columns.map(\.name))),
                                            evaluated: expressionIndexes)
        return try newKeyFindings(checked, tallies, sql, catalog: catalog)
    }
}
