import PostgresClient

/// The user's code the fact insert runs itself, under the set-based check's replica mode:
/// whatever a DEFAULT, a generated column, a CHECK, a domain's DEFAULT or CHECK, an
/// index or the partition key calls.
/// Replica mode skips the FK triggers (and every ordinary trigger) of any table such
/// code writes, so where it could write, the set-based check is not exact.
///
/// Not a list of what is safe but a walk of what PostgreSQL recorded: from the target's
/// (and its partitions') column types, defaults and checks through `pg_depend`, into
/// every type a value is made of (a domain's base, an array's element, a range's
/// subtype, a composite's fields), a domain's constraints, and an operator's function
/// (an expression's `OpExpr` depends on the operator, not on the function behind it),
/// and from its indexes and partition key (their expressions, predicates, and operator
/// classes' support functions: hostile review 29) as well.
/// A function reached is code that could write unless it is IMMUTABLE **and** in C or
/// internal: a PL/pgSQL or SQL function declared IMMUTABLE may still call a VOLATILE one
/// that inserts (PostgreSQL checks only the statements of the function itself), so its
/// label is no proof. (Built-in objects are pinned and have no `pg_depend` rows; a type's
/// I/O functions convert values and write nothing.)
extension FKCheck {
    /// Whether the walk below has anywhere to start: a DEFAULT or generated column, a
    /// CHECK or exclusion constraint, an index or partition key with an expression, a
    /// predicate or an operator class of the user's, or a column whose type is not one of
    /// PostgreSQL's hand-numbered built-ins
    /// (OIDs below 10,000, `FirstGenbkiObjectId`: pinned, so with no `pg_depend` rows, no
    /// domain constraints, and made only of other such types). An operator class counts
    /// as the user's from `FirstNormalObjectId` (16,384): 164 built-in ones (`varchar_ops`,
    /// `jsonb_ops`) are numbered by genbki above 10,000, and all below it are pinned, with
    /// no `pg_depend` row the walk could follow. Without one the walk
    /// reaches nothing, and is not run: planning it touches catalogs nothing else reads
    /// (`pg_depend`, `pg_range`, `pg_language`), ~10 ms of a small load's ~65 ms of server
    /// time (issue #25, fixed costs).
    static func walkSeeds(_ tree: SQL) -> SQL {
        """
        (EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid IN \(tree))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid IN \(tree) AND c.contype OPERATOR(pg_catalog.=) ANY (ARRAY['c', 'x']))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_index x WHERE x.indrelid IN \(tree) AND (x.indexprs IS NOT NULL OR x.indpred IS NOT NULL
                           OR CAST(16384 AS pg_catalog.oid) OPERATOR(pg_catalog.<=) ANY (CAST(x.indclass AS pg_catalog.oid[]))))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table pt WHERE pt.partrelid IN \(tree) AND (pt.partexprs IS NOT NULL
                           OR CAST(16384 AS pg_catalog.oid) OPERATOR(pg_catalog.<=) ANY (CAST(pt.partclass AS pg_catalog.oid[]))))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid IN \(tree) AND a.attnum OPERATOR(pg_catalog.>) 0
                           AND NOT a.attisdropped AND a.atttypid OPERATOR(pg_catalog.>=) CAST(10000 AS pg_catalog.oid)))
        """
    }

    /// The user functions the insert could run in replica mode, by signature; nil when none.
    /// `tree` is the set of the target's relation OIDs (the table and its partitions).
    func replicaModeCalls(on session: Session, tree: SQL) throws -> String? {
        try session.execute(
            """
            WITH RECURSIVE rel (relid) AS MATERIALIZED \(tree),
            -- Each lookup by its catalog's index (LATERAL ... OFFSET 0): with IN lists the planner
            -- scanned the whole of pg_attribute and pg_depend on a large catalog.
            walk (classid, objid) AS (
                SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), a.atttypid FROM rel CROSS JOIN LATERAL (
                    SELECT a.atttypid FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid OPERATOR(pg_catalog.=) rel.relid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped OFFSET 0) a
                UNION
                SELECT CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass), ad.oid FROM rel CROSS JOIN LATERAL (
                    SELECT ad.oid FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid OPERATOR(pg_catalog.=) rel.relid OFFSET 0) ad
                UNION
                SELECT CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid FROM rel CROSS JOIN LATERAL (
                    SELECT c.oid FROM pg_catalog.pg_constraint c
                    WHERE c.conrelid OPERATOR(pg_catalog.=) rel.relid AND c.contype OPERATOR(pg_catalog.=) ANY (ARRAY['c', 'x']) OFFSET 0) c
                UNION
                -- The table itself (its partition key's expressions and operator classes) and
                -- its indexes (their expressions, predicates and operator classes).
                SELECT CAST('pg_catalog.pg_class' AS pg_catalog.regclass), rel.relid FROM rel
                UNION
                SELECT CAST('pg_catalog.pg_class' AS pg_catalog.regclass), x.indexrelid FROM rel CROSS JOIN LATERAL (
                    SELECT x.indexrelid FROM pg_catalog.pg_index x WHERE x.indrelid OPERATOR(pg_catalog.=) rel.relid OFFSET 0) x
                UNION
                SELECT n.classid, n.objid FROM walk w CROSS JOIN LATERAL (
                    -- A type: a domain's base type, an array's element type.
                    SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass) AS classid, s.oid AS objid FROM pg_catalog.pg_type t
                    CROSS JOIN LATERAL (VALUES (t.typbasetype), (t.typelem)) s (oid)
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
                      AND t.oid OPERATOR(pg_catalog.=) w.objid AND s.oid OPERATOR(pg_catalog.<>) 0
                    UNION ALL
                    -- A composite type's fields.
                    SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), a.atttypid FROM pg_catalog.pg_type t
                    JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) t.typrelid
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
                      AND t.oid OPERATOR(pg_catalog.=) w.objid AND t.typtype OPERATOR(pg_catalog.=) 'c' AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                    UNION ALL
                    -- A range's subtype, a multirange's range.
                    SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), r.rngsubtype FROM pg_catalog.pg_range r
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
                      AND r.rngtypid OPERATOR(pg_catalog.=) w.objid
                    UNION ALL
                    SELECT CAST('pg_catalog.pg_type' AS pg_catalog.regclass), r.rngtypid FROM pg_catalog.pg_range r
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
                      AND r.rngmultitypid OPERATOR(pg_catalog.=) w.objid
                    UNION ALL
                    -- A domain's constraints.
                    SELECT CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass), c.oid FROM pg_catalog.pg_constraint c
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass)
                      AND c.contypid OPERATOR(pg_catalog.=) w.objid
                    UNION ALL
                    -- An operator's function.
                    SELECT CAST('pg_catalog.pg_proc' AS pg_catalog.regclass), CAST(o.oprcode AS pg_catalog.oid) FROM pg_catalog.pg_operator o
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_operator' AS pg_catalog.regclass)
                      AND o.oid OPERATOR(pg_catalog.=) w.objid
                    UNION ALL
                    -- An operator class's support functions for its own type: the comparison a
                    -- unique index calls, the hash or comparison partition routing calls.
                    SELECT CAST('pg_catalog.pg_proc' AS pg_catalog.regclass), CAST(ap.amproc AS pg_catalog.oid) FROM pg_catalog.pg_opclass oc
                    JOIN pg_catalog.pg_amproc ap ON ap.amprocfamily OPERATOR(pg_catalog.=) oc.opcfamily
                     AND ap.amproclefttype OPERATOR(pg_catalog.=) oc.opcintype AND ap.amprocrighttype OPERATOR(pg_catalog.=) oc.opcintype
                    WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_opclass' AS pg_catalog.regclass)
                      AND oc.oid OPERATOR(pg_catalog.=) w.objid
                    UNION ALL
                    -- What an expression (a DEFAULT, a CHECK, a domain's DEFAULT, an index's
                    -- expression or predicate, a partition key) calls or coerces to; the
                    -- operator classes of an index or a partition key.
                    SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
                    WHERE w.classid OPERATOR(pg_catalog.<>) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
                      AND d.classid OPERATOR(pg_catalog.=) w.classid AND d.objid OPERATOR(pg_catalog.=) w.objid
                      AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[CAST('pg_catalog.pg_proc' AS pg_catalog.regclass),
                          CAST('pg_catalog.pg_operator' AS pg_catalog.regclass), CAST('pg_catalog.pg_type' AS pg_catalog.regclass),
                          CAST('pg_catalog.pg_opclass' AS pg_catalog.regclass)])
                ) n
            )
            SELECT pg_catalog.string_agg(DISTINCT CAST(CAST(p.oid AS pg_catalog.regprocedure) AS pg_catalog.text), ', ') AS names
            FROM walk w JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) w.objid
            WHERE w.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
              AND (p.provolatile OPERATOR(pg_catalog.<>) 'i' OR NOT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_language l
                  WHERE l.oid OPERATOR(pg_catalog.=) p.prolang AND l.lanname OPERATOR(pg_catalog.=) ANY (ARRAY['internal', 'c'])))
              -- A domain depends on its base type's I/O functions (citext's citextsend):
              -- they convert values, they write nothing.
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
                  CAST(t.typinput AS pg_catalog.oid), CAST(t.typoutput AS pg_catalog.oid), CAST(t.typreceive AS pg_catalog.oid),
                  CAST(t.typsend AS pg_catalog.oid), CAST(t.typmodin AS pg_catalog.oid), CAST(t.typmodout AS pg_catalog.oid)]))
            """).rows.first?["names"]
    }
}
