import PostgresClient

/// Explicit keys in a column whose values a sequence hands out (serial, identity): the
/// sequence is advanced past the largest key, as pg_dump and pgloader do, so the
/// application's next ordinary insert does not collide with a key this load wrote.
/// Never moved backwards.
extension LoadRun {
    /// For each of `columns` of `table` fed by a sequence (its DEFAULT calls nextval, or
    /// it is an identity column), `setval` to the column's maximum when that is past the
    /// sequence's last value. Each sequence moved is reported.
    func advanceSequences(of table: Table, columns: [String]) throws {
        let fed = columns.filter { name in
            table.column(name)?.isSequenceFed == true
        }
        for name in fed {
            let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
            let sequences = try session.execute(
                """
                SELECT CAST(CAST(s.oid AS pg_catalog.regclass) AS pg_catalog.text) AS name, s.oid,
                       pg_catalog.has_sequence_privilege(s.oid, 'UPDATE') AS may
                FROM pg_catalog.pg_class s WHERE s.relkind = 'S' AND s.oid IN (
                    SELECT d.refobjid FROM pg_catalog.pg_depend d
                    JOIN pg_catalog.pg_attrdef ad ON d.classid = CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) AND d.objid = ad.oid
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                    WHERE ad.adrelid = \(oid) AND a.attname = \(bind: name) AND d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                    UNION
                    SELECT d.objid FROM pg_catalog.pg_depend d
                    JOIN pg_catalog.pg_attribute a ON d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
                    WHERE d.classid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND d.refclassid = CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.deptype = 'i' AND a.attrelid = \(oid) AND a.attname = \(bind: name))
                """).rows
            for sequence in sequences {
                guard sequence.bool("may") else {
                    report.notes.append("sequence \(try sequence.string("name")) was not advanced past the keys written to "
                        + "\(table.name.display).\(name): the role lacks UPDATE on it")
                    continue
                }
                let moved = try session.execute(
                    """
                    SELECT pg_catalog.setval(CAST(\(bind: try sequence.string("oid")) AS pg_catalog.oid), m.v) AS v
                    FROM (SELECT CAST(pg_catalog.max(t.\(ident: name)) AS pg_catalog.int8) AS v FROM \(KeyPredicates.rows(of: table)) t) m,
                         pg_catalog.pg_sequence q
                    WHERE q.seqrelid = CAST(\(bind: try sequence.string("oid")) AS pg_catalog.oid) AND m.v IS NOT NULL
                      AND m.v OPERATOR(pg_catalog.>) coalesce(pg_catalog.pg_sequence_last_value(q.seqrelid), q.seqstart OPERATOR(pg_catalog.-) 1)
                    """).rows.first?.int("v")
                if let moved { report.advancedSequences.append(.init(sequence: try sequence.string("name"), value: moved)) }
            }
        }
    }

    /// After the parents and the facts are in: every parent that got rows with explicit
    /// keys, and the target's columns the input set.
    func advanceSequences() throws {
        for parent in plan.parents where parentStates[parent.index].inserted > 0 && !parent.isTarget {
            try advanceSequences(of: parent.table, columns: parent.insertedColumns.map(\.column.name))
        }
        if options.loadTarget && report.inserted > 0 {
            try advanceSequences(of: target, columns: plan.stagedColumns.map(\.name))
        }
    }
}
