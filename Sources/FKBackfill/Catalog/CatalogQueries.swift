/// The catalog queries, each in one place. Three round trips read any graph,
/// however many tables it has: the FK closure, the key columns, the tables.
enum CatalogQueries {
    /// Every FK of the target and, transitively, of the tables it references.
    ///
    /// `fk` keeps a constraint when it is declared (`conparentid = 0`) or inherited by a
    /// partition from its partitioned parent; it drops the copies PostgreSQL adds for
    /// each partition of a partitioned *referenced* table (their root references a
    /// different table). `owner` files an FK declared only on a partition under every
    /// partitioned ancestor too, so auditing the parent table finds it.
    /// `$1` is the target's oid.
    static let closure = """
        WITH RECURSIVE
        up(oid, root) AS (
            SELECT c.oid, c.oid FROM pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0
            UNION ALL
            SELECT c.oid, up.root FROM pg_constraint c JOIN up ON c.conparentid = up.oid
            WHERE c.contype = 'f'
        ),
        fk AS MATERIALIZED (
            SELECT c.oid, c.conrelid, c.confrelid, r.conrelid AS declared_on
            FROM up
            JOIN pg_constraint c ON c.oid = up.oid
            JOIN pg_constraint r ON r.oid = up.root
            WHERE c.confrelid = r.confrelid
        ),
        owner AS MATERIALIZED (
            SELECT fk.oid, fk.conrelid AS owner FROM fk
            UNION
            SELECT fk.oid, a.relid
            FROM fk
            JOIN pg_class rel ON rel.oid = fk.conrelid AND rel.relispartition
            CROSS JOIN LATERAL pg_partition_ancestors(fk.conrelid) AS a(relid)
            WHERE fk.declared_on = fk.conrelid AND a.relid <> fk.conrelid
        ),
        reach(relid) AS (
            SELECT $1::oid
            UNION
            SELECT fk.confrelid FROM reach
            JOIN owner o ON o.owner = reach.relid
            JOIN fk ON fk.oid = o.oid
        )
        SELECT o.owner AS owner_oid, c.oid AS constraint_oid, c.conname, c.conrelid, c.confrelid,
               fk.declared_on, c.confmatchtype, c.condeferrable, c.condeferred, c.convalidated,
               c.confdeltype, c.confupdtype,
               coalesce(k.contype::text, 'i') AS key_kind,
               coalesce(k.conname::text, i.relname::text) AS key_name
        FROM reach
        JOIN owner o ON o.owner = reach.relid
        JOIN fk ON fk.oid = o.oid
        JOIN pg_constraint c ON c.oid = fk.oid
        LEFT JOIN pg_class i ON i.oid = c.conindid
        LEFT JOIN pg_constraint k ON k.conrelid = c.confrelid AND k.conindid = c.conindid AND k.contype IN ('p', 'u')
        """

    /// Referencing and referenced column names of each FK, paired by position in
    /// `conkey`/`confkey`. `$1` is an oid array of constraints.
    static let keyColumns = """
        SELECT c.oid AS constraint_oid, k.position, ca.attname AS child, pa.attname AS parent
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(child_number, parent_number, position)
        JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.child_number
        JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.parent_number
        WHERE c.oid = ANY($1::oid[])
        ORDER BY c.oid, k.position
        """

    /// Names, kinds and columns of the tables. `$1` is an oid array of relations.
    static let tables = """
        SELECT c.oid, n.nspname, c.relname, c.relkind, pn.nspname AS parent_schema, pc.relname AS parent_name,
               a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid) AS default_expression, a.attidentity, a.attgenerated
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
        LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.oid = ANY($1::oid[])
        ORDER BY c.oid, a.attnum
        """
}
