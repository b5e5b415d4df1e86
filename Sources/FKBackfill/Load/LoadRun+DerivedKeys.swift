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
        let blank = expressions.indices.map { sql.isBlank("u.\(LoadStatements.keyColumn($0))") }.joined(separator: " OR ")
        let held: SQL = "EXISTS (SELECT 1 FROM \(KeyPredicates.rows(of: parent.table)) p WHERE \(sql.parentKeyMatch(parent, table: "p", keys: "u")))"
        // Longer than the key column's n characters, where the child's column may hold
        // more. The assignment cuts spaces beyond n: a char(n) key then compares equal,
        // a varchar(n) key does not ('EURO   ' stored as 'EURO': the child row's FK
        // refuses it, review 21), so for varchar every character counts.
        var long: [SQL] = []
        for (position, key) in parent.keyColumns.enumerated() {
            guard let column = parent.table.column(key), let length = TextStaging.maxLength(column),
                  let childColumn = child.table.column(columns[position]),
                  TextStaging.maxLength(childColumn).map({ $0 > length }) ?? true else { continue }
            let value: SQL = "CAST(u.\(LoadStatements.keyColumn(position)) AS pg_catalog.text)"
            let padded = (column.domainBaseType ?? column.type).hasPrefix("character(")
            long.append("pg_catalog.char_length(\(padded ? "pg_catalog.rtrim(\(value), ' ')" : value)) OPERATOR(pg_catalog.>) \(int: length)")
        }
        let tooLong: SQL = long.isEmpty ? "false" : long.joined(separator: " OR ")
        let shown = expressions.indices.map { "CAST(u.\(LoadStatements.keyColumn($0)) AS pg_catalog.text)" as SQL }.joined(separator: " || ', ' || ")
        // MATCH FULL: a key partly NULL is refused whatever the parent holds (review 21).
        let partly: SQL = fk.match == .full && expressions.count > 1
            ? "pg_catalog.count(*) FILTER (WHERE pg_catalog.num_nulls(\(expressions.indices.map { "u.\(LoadStatements.keyColumn($0))" as SQL }.joined(separator: ", "))) "
                + "BETWEEN 1 AND \(int: expressions.count - 1))"
            : "0"
        let set2 = expressions.indices.map { "u.\(LoadStatements.keyColumn($0)) IS NOT NULL" as SQL }.joined(separator: " AND ")
        let row = try session.execute(
            """
            SELECT pg_catalog.count(*) FILTER (WHERE \(set2) AND (\(blank)) AND NOT \(held)) AS blank,
                   pg_catalog.count(*) FILTER (WHERE \(set2) AND (\(tooLong))) AS long, \(partly) AS partly,
                   (pg_catalog.array_agg(\(shown) ORDER BY \(shown)) FILTER (WHERE \(set2) AND (\(tooLong))))[1:5] AS samples
            FROM (SELECT \(keys.joined(separator: ", ")) FROM \(LoadStatements.values(child.index)) v WHERE v._fkb_missing) u
            """).rows[0]
        let blanks = row.int("blank") ?? 0, longs = row.int("long") ?? 0, partial = row.int("partly") ?? 0
        guard blanks + longs + partial > 0 else { return nil }
        let names = "(\(columns.joined(separator: ", ")))"
        var parts: [String] = []
        if partial > 0 { parts.append("\(counted(partial, "new row")) \(partial == 1 ? "gives" : "give") a partly NULL key \(names), which MATCH FULL refuses") }
        if blanks > 0 { parts.append("\(counted(blanks, "new row")) \(blanks == 1 ? "gives" : "give") a blank key \(names), which is never backfilled") }
        if longs > 0 {
            let samples = row.array("samples").compactMap { $0 }
            let lengths = parent.keyColumns.compactMap { parent.table.column($0).flatMap(TextStaging.maxLength) }.map(String.init).joined(separator: ", ")
            parts.append("\(counted(longs, "new row")) \(longs == 1 ? "gives" : "give") a key \(names) longer than its \(lengths) characters (\(samples.joined(separator: "; ")))")
        }
        return "new rows of \(child.table.name.display) need keys \(parent.table.name.display) cannot hold: " + parts.joined(separator: "; ")
    }
}

/// The target's own placeholder rows (a self-reference's missing managers) take derived
/// values in FK columns to other tables: a template "X{name}", a pick of an input
/// column. A key the referenced table lacks, which no step of the load adds, fails their
/// insert (hostile review 20: validate said would load, the load failed on it); constants
/// are `PlaceholderKeys.check`'s.
extension LoadRun {
    func placeholderKeyBlockers() throws -> [String] {
        guard let own = plan.parents.first(where: \.isTarget), own.backfills, parentStates[own.index].available,
              parentStates[own.index].hasMissingKeys else { return [] }
        var blockers: [String] = []
        for fk in catalog.foreignKeys(of: target.name) where fk.referencedTable != target.name && !fk.declared {
            // A parent fed from these rows gets their keys; one the load adds rows to holds
            // its keys table's too (present or new) by the time the placeholders go in.
            let parent = plan.parent(fk.referencedTable)
            if let parent, parent.sources.contains(where: { $0.origin == .parent(index: own.index) }) { continue }
            let planned = fk.columns.compactMap { name in own.columns.first { $0.column.name == name } }
            guard planned.count == fk.columns.count, planned.contains(where: { PlaceholderKeys.value($0) == nil }) else { continue }
            var values: [SQL] = []
            for column in planned {
                guard let value = PlaceholderKeys.value(column) ?? sql.valueExpression(of: column.column.name, in: own) else { break }
                values.append(value)
            }
            guard values.count == fk.columns.count else { continue }
            let keys = values.enumerated().map { "\($1) AS \(LoadStatements.keyColumn($0))" as SQL }
            let child = values.indices.map { "u.\(LoadStatements.keyColumn($0))" as SQL }
            let set = child.map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ")
            let shown = child.map { "CAST(\($0) AS pg_catalog.text)" as SQL }.joined(separator: " || ', ' || ")
            var added: SQL = ""
            if let parent, parentStates[parent.index].available, !parent.keyColumns.isEmpty {
                let ordered = sql.keyPositions(parent, fk).map { child[$0] }
                added = " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.keys(parent.index)) kp WHERE \(sql.keyJoin(left: sql.kList("kp", parent), right: ordered, parent)))"
            }
            let row = try session.execute(
                """
                SELECT pg_catalog.count(*) AS n, (pg_catalog.array_agg(\(shown) ORDER BY \(shown)))[1:5] AS samples
                FROM (SELECT \(keys.joined(separator: ", ")) FROM \(LoadStatements.values(own.index)) v WHERE v._fkb_missing) u
                WHERE \(set) AND NOT \(KeyPredicates.parentHas(fk, child: child))\(added)
                """).rows[0]
            let unheld = row.int("n") ?? 0
            guard unheld > 0 else { continue }
            blockers.append("placeholder rows of \(target.name.display) would give \(fk.name) (\(fk.columns.joined(separator: ", "))) "
                + "keys \(fk.referencedTable.display) lacks, which no step of the load adds: \(counted(unheld, "row")) "
                + "(\(row.array("samples").compactMap { $0 }.joined(separator: "; ")))")
        }
        return blockers
    }
}
