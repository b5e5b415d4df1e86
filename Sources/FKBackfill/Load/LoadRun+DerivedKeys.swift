import PostgresClient

/// Keys that new parent rows give their own parents and that no backfill can supply: a
/// new store's region taken from an input column is `''` (a blank key is never
/// backfilled) or longer than the region's `varchar(4)` key (its new row would be refused).
/// The store row's insert fails on either, after the writes began; found here from the
/// derived values, before anything is written, so validate (which runs the same
/// `unfillable()`) says would not load where it said would load (hostile review 19). A
/// blank key a parent already holds passes PostgreSQL's check and is no problem.
extension LoadRun {
    func derivedKeyBlockers() throws -> [String] {
        var blockers: [String] = []
        for parent in plan.parents where parent.backfills {
            for source in parent.sources {
                guard case .parent(let index) = source.origin, index != parent.index else { continue }
                let child = plan.parents[index]
                guard child.mode != .fillNullOnly, parentStates[index].available,
                      let counts = parentStates[index].counts, counts.candidates > counts.present,
                      let problem = try derivedKeyProblem(child, feeding: parent, through: source.foreignKey) else { continue }
                blockers.append(problem)
            }
        }
        return blockers
    }

    /// One FK of `child`'s new rows into `parent`: how many give a blank key `parent`
    /// does not hold, and how many a key longer than `parent`'s key column takes.
    private func derivedKeyProblem(_ child: ParentPlan, feeding parent: ParentPlan, through fk: ForeignKey) throws -> String? {
        let columns = sql.keyPositions(parent, fk).map { fk.columns[$0] }
        var expressions: [SQL] = []
        for column in columns {
            guard let expression = sql.valueExpression(of: column, in: child) else { return nil }
            expressions.append(expression)
        }
        let keys = expressions.enumerated().map { position, expression -> SQL in "\(expression) AS \(LoadStatements.keyColumn(position))" }
        let set = expressions.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let blank = expressions.indices.map { sql.isBlank("u.\(LoadStatements.keyColumn($0))") }.joined(separator: " OR ")
        let held: SQL = "EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p WHERE \(sql.parentKeyMatch(parent, table: "p", keys: "u")))"
        // Longer than the key column's n characters (spaces beyond n are cut, as the
        // assignment cuts them), where the child's column may hold more.
        var long: [SQL] = []
        for (position, key) in parent.keyColumns.enumerated() {
            guard let column = parent.table.column(key), let length = TextStaging.maxLength(column),
                  let childColumn = child.table.column(columns[position]),
                  TextStaging.maxLength(childColumn).map({ $0 > length }) ?? true else { continue }
            long.append("pg_catalog.char_length(pg_catalog.rtrim(CAST(u.\(LoadStatements.keyColumn(position)) AS pg_catalog.text), ' ')) OPERATOR(pg_catalog.>) \(int: length)")
        }
        let tooLong: SQL = long.isEmpty ? "false" : long.joined(separator: " OR ")
        let shown = expressions.indices.map { "CAST(u.\(LoadStatements.keyColumn($0)) AS pg_catalog.text)" as SQL }.joined(separator: " || ', ' || ")
        let row = try session.execute(
            """
            SELECT pg_catalog.count(*) FILTER (WHERE (\(blank)) AND NOT \(held)) AS blank,
                   pg_catalog.count(*) FILTER (WHERE \(tooLong)) AS long,
                   (pg_catalog.array_agg(\(shown) ORDER BY \(shown)) FILTER (WHERE \(tooLong)))[1:5] AS samples
            FROM (SELECT \(keys.joined(separator: ", ")) FROM \(LoadStatements.values(child.index)) v WHERE v._fkb_missing AND \(set)) u
            """).rows[0]
        let blanks = row.int("blank") ?? 0, longs = row.int("long") ?? 0
        guard blanks + longs > 0 else { return nil }
        let names = "(\(columns.joined(separator: ", ")))"
        var parts: [String] = []
        if blanks > 0 { parts.append("\(counted(blanks, "new row")) \(blanks == 1 ? "gives" : "give") a blank key \(names), which is never backfilled") }
        if longs > 0 {
            let samples = row.array("samples").compactMap { $0 }
            let lengths = parent.keyColumns.compactMap { parent.table.column($0).flatMap(TextStaging.maxLength) }.map(String.init).joined(separator: ", ")
            parts.append("\(counted(longs, "new row")) \(longs == 1 ? "gives" : "give") a key \(names) longer than its \(lengths) characters (\(samples.joined(separator: "; ")))")
        }
        return "new rows of \(child.table.name.display) need keys \(parent.table.name.display) cannot hold: " + parts.joined(separator: "; ")
    }
}
