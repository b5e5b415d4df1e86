import PostgresClient

/// The catalog queries, each in one place. Three round trips read any graph,
/// however many tables it has: the FK closure, the key columns, the tables.
/// They run with JIT off: the recursive closure makes the planner's row estimates
/// huge, and compiling for those costs far more than the query itself.
enum CatalogQueries {
    /// The FKs a relation `R` must satisfy, as rows `(oid, confrelid)`: its own
    /// constraints, and for a partitioned table also those declared directly on one
    /// of its partitions.
    ///
    /// A constraint with `conparentid <> 0` is kept only when it is in `inherited`,
    /// i.e. a copy a partition got from its partitioned parent. The other copies,
    /// which PostgreSQL adds for each partition of a partitioned *referenced* table,
    /// are dropped, so an FK is reported once.
    private static func owned(by relation: SQL) -> SQL {
        """
        SELECT c.oid, c.confrelid FROM pg_constraint c
        WHERE c.conrelid = \(relation) AND c.contype = 'f'
          AND (c.conparentid = 0 OR c.oid IN (SELECT oid FROM inherited))
        UNION ALL
        SELECT c.oid, c.confrelid
        FROM pg_class p
        CROSS JOIN LATERAL pg_partition_tree(p.oid) AS t
        JOIN pg_constraint c ON c.conrelid = t.relid AND c.contype = 'f' AND c.conparentid = 0
        WHERE p.oid = \(relation) AND p.relkind = 'p' AND t.relid <> p.oid
        """
    }

    /// Every FK of the target and, transitively, of the tables it references, with
    /// the table it belongs to in the graph (`owner_oid`) and the table that holds
    /// its declaration (`declared_on`). `$1` is an oid array of targets (one for a load,
    /// every table of a schema for an audit).
    static func closure(_ roots: [String]) -> SQL {
    ///
    /// `chain` walks each partition copy up to the constraint it was cloned from; only
    /// those few rows are walked, so a catalog of plain tables costs nothing here.
        """
        WITH RECURSIVE
        chain(oid, ancestor) AS (
            SELECT c.oid, c.conparentid FROM pg_constraint c WHERE c.contype = 'f' AND c.conparentid <> 0
            UNION ALL
            SELECT chain.oid, p.conparentid FROM chain JOIN pg_constraint p ON p.oid = chain.ancestor
            WHERE p.conparentid <> 0
        ),
        inherited AS MATERIALIZED (
            SELECT c.oid, r.conrelid AS declared_on
            FROM chain
            JOIN pg_constraint r ON r.oid = chain.ancestor AND r.conparentid = 0
            JOIN pg_constraint c ON c.oid = chain.oid
            WHERE c.confrelid = r.confrelid
        ),
        reach(relid) AS (
            SELECT unnest(CAST(\(bindArray: roots) AS oid[]))
            UNION
            SELECT f.confrelid FROM reach CROSS JOIN LATERAL (\(owned(by: "reach.relid"))) AS f
        )
        SELECT reach.relid AS owner_oid, c.oid AS constraint_oid, c.conname, c.conrelid, c.confrelid,
               coalesce(i.declared_on, c.conrelid) AS declared_on, c.confmatchtype, c.condeferrable,
               c.condeferred, c.convalidated, c.confdeltype, c.confupdtype,
               coalesce(k.contype::text, 'i') AS key_kind,
               coalesce(k.conname::text, ix.relname::text) AS key_name
        FROM reach
        CROSS JOIN LATERAL (\(owned(by: "reach.relid"))) AS f
        JOIN pg_constraint c ON c.oid = f.oid
        LEFT JOIN inherited i ON i.oid = c.oid
        LEFT JOIN pg_class ix ON ix.oid = c.conindid
        LEFT JOIN pg_constraint k ON k.conrelid = c.confrelid AND k.conindid = c.conindid AND k.contype IN ('p', 'u')
        """
    }

    /// Referencing and referenced column names of each FK, paired by position in
    /// `conkey`/`confkey`, with the FK's equality operators for the pair (`conpfeqop`:
    /// referenced = referencing, `conffeqop`: referencing = referencing), as OIDs for `OperatorCatalog`.
    static func keyColumns(_ constraints: [String]) -> SQL {
        """
        SELECT c.oid AS constraint_oid, k.position, ca.attname AS child, pa.attname AS parent, k.pf_oid, k.ff_oid,
               -- The referenced column's collation where the referencing one's differs: the
               -- one the RI check compares under (`SQLOperator.collation`).
               pcn.nspname AS pk_collation_schema, pco.collname AS pk_collation_name
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey, c.confkey, c.conpfeqop, c.conffeqop)
            WITH ORDINALITY AS k(child_number, parent_number, pf_oid, ff_oid, position)
        JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.child_number
        JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.parent_number
        LEFT JOIN pg_collation pco ON pco.oid = pa.attcollation AND pa.attcollation <> ca.attcollation
        LEFT JOIN pg_namespace pcn ON pcn.oid = pco.collnamespace
        WHERE c.oid = ANY(CAST(\(bindArray: constraints) AS oid[]))
        ORDER BY c.oid, k.position
        """
    }

    /// Names, kinds and columns of the tables.
    static func tables(_ relations: [String]) -> SQL {
        """
        -- Every domain's chain down to its base type (the database's domains, a few rows:
        -- not a lookup per column): the base with the innermost typmod, whether any
        -- domain on the way is NOT NULL, and whether one has a DEFAULT (a column of it
        -- left out of an INSERT takes that, not NULL).
        WITH RECURSIVE chain AS (
            SELECT t.oid AS domain, t.typbasetype AS base, t.typtypmod AS typmod, t.typnotnull AS not_null,
                   t.typdefaultbin AS default_bin, 1 AS depth
            FROM pg_type t WHERE t.typtype = 'd'
            UNION ALL
            SELECT c2.domain, b.typbasetype, b.typtypmod, b.typnotnull, b.typdefaultbin, c2.depth + 1
            FROM chain c2 JOIN pg_type b ON b.oid = c2.base AND b.typtype = 'd'
        ),
        domains AS (
            SELECT DISTINCT ON (x.domain) x.domain, format_type(x.base, x.typmod) AS base,
                   bool_or(x.not_null) OVER (PARTITION BY x.domain) AS not_null,
                   bool_or(x.default_bin IS NOT NULL) OVER (PARTITION BY x.domain) AS has_default,
                   -- The DEFAULT a column of it takes: the outermost domain's that has one.
                   first_value(pg_get_expr(x.default_bin, 0)) OVER (PARTITION BY x.domain ORDER BY x.default_bin IS NULL, x.depth) AS default_expression
            FROM chain x ORDER BY x.domain, x.depth DESC
        )
        SELECT c.oid, n.nspname, c.relname, c.relkind, pn.nspname AS parent_schema, pc.relname AS parent_name,
               a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid) AS default_expression, a.attidentity, a.attgenerated,
               dom.base AS domain_base, coalesce(dom.not_null, false) AS domain_not_null,
               coalesce(dom.has_default, false) AS domain_default, dom.default_expression AS domain_default_expression,
               -- An array of a domain: the array of the type under it (its elements' casts).
               CASE WHEN ty.typcategory = 'A' THEN edom.base || '[]' END AS array_domain_base,
               -- A collation the column has and a copy of it in its (base) type would not.
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> bt.typcollation THEN cn.nspname END AS collation_schema,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> bt.typcollation THEN co.collname END AS collation_name
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
        LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN domains dom ON dom.domain = a.atttypid
        LEFT JOIN pg_type ty ON ty.oid = a.atttypid
        LEFT JOIN domains edom ON edom.domain = ty.typelem
        LEFT JOIN pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE c.oid = ANY(CAST(\(bindArray: relations) AS oid[]))
        ORDER BY c.oid, a.attnum
        """
    }
}
