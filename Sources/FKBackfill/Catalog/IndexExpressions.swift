import PostgresClient

/// What a partial or expression unique index holds of a row, as PostgreSQL's insert
/// evaluates it, read from the catalog: each key column's expression
/// (`pg_get_indexdef(index, k)`) and the predicate (`pg_get_expr(indpred, indrelid)`),
/// deparsed under the tool's pinned path, so names outside pg_catalog come out
/// schema-qualified. Read-only validate evaluates them over a batch's columns by name
/// (StreamedStatements+IndexExpressions.swift): the insert refuses a clash on such an
/// index with a unique violation, which the load does not set aside.
struct IndexExpressions {
    /// Per key column, its expression; a plain column's quoted name.
    var keys: [String]
    /// The partial index's predicate, nil for a whole-table index.
    var predicate: String?
    /// The table's columns the keys and predicate read (the index's pg_depend entries).
    var reads: [String]
    /// Per key column, its value's type (the index's own attribute).
    var types: [String]
    /// A function, operator or type the index uses lives outside pg_catalog (PostgreSQL
    /// records no dependency on its built-in objects): an IMMUTABLE function's body may
    /// still read names under the path, so it is evaluated under the user's, as the insert
    /// runs it.
    var userCode: Bool
    /// The catalog's text is not what evaluating by name needs: a whole-row reference
    /// (`f(fact.*)`, a `Var` of attribute 0 in the expression tree), whose row type a
    /// batch or the stage does not have and whose table's name is no relation there
    /// (hostile review 30: "missing FROM-clause entry" became the load's blocker), or
    /// no column read at all.
    var unreadable: Bool

    /// The `SELECT` items of `TargetConstraints.read`'s index query (`pg_index x`) this reads.
    static let columns: SQL = """
        CASE WHEN x.indexprs IS NULL AND x.indpred IS NULL THEN NULL ELSE
          CAST(ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, CAST(k.k AS pg_catalog.int4), false)
                     FROM pg_catalog.generate_series(1, CAST(x.indnkeyatts AS pg_catalog.int4)) AS k(k) ORDER BY k.k) AS pg_catalog.text) END AS x_keys,
        pg_catalog.pg_get_expr(x.indpred, x.indrelid) AS x_predicate,
        CAST(ARRAY(SELECT a.attname FROM pg_catalog.pg_depend d
                   JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
                   WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND d.objid OPERATOR(pg_catalog.=) x.indexrelid
                     AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                     AND d.refobjid OPERATOR(pg_catalog.=) x.indrelid AND d.refobjsubid OPERATOR(pg_catalog.>) 0
                   ORDER BY a.attnum) AS pg_catalog.text) AS x_reads,
        CAST(ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid OPERATOR(pg_catalog.=) x.indexrelid AND a.attnum OPERATOR(pg_catalog.<=) x.indnkeyatts
                   ORDER BY a.attnum) AS pg_catalog.text) AS x_types,
        coalesce(pg_catalog.strpos(CAST(x.indexprs AS pg_catalog.text), ':varattno 0 ') OPERATOR(pg_catalog.>) 0, false)
          OR coalesce(pg_catalog.strpos(CAST(x.indpred AS pg_catalog.text), ':varattno 0 ') OPERATOR(pg_catalog.>) 0, false) AS x_whole_row,
        EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass) AND d.objid OPERATOR(pg_catalog.=) x.indexrelid
                  AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[CAST('pg_catalog.pg_proc' AS pg_catalog.regclass),
                      CAST('pg_catalog.pg_operator' AS pg_catalog.regclass), CAST('pg_catalog.pg_type' AS pg_catalog.regclass)])) AS x_user_code
        """

    /// From a row of the index query; nil for a plain key.
    init?(_ row: Row) throws {
        guard row["x_keys"] != nil else { return nil }
        keys = row.array("x_keys").map { $0 ?? "" }
        predicate = row["x_predicate"]
        reads = row.array("x_reads").compactMap { $0 }
        types = row.array("x_types").map { $0 ?? "" }
        userCode = row.bool("x_user_code")
        unreadable = reads.isEmpty || keys.contains("") || types.count != keys.count || row.bool("x_whole_row")
    }
}
