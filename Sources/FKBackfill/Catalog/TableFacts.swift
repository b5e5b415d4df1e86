import Foundation
import PostgresClient

/// What the audit needs to know about tables beyond their columns: CHECK constraints,
/// unique indexes, indexes by leading columns, privileges, triggers. One query each,
/// for all tables at once.
struct TableFacts {
    struct Check {
        var name: String
        var definition: String
        var expression: String
        var columns: [String]
        /// The expression calls code that may read other tables (or reads the session, as
        /// `current_user` does, or the whole row, which a staged row does not stand for): a function in a
        /// procedural language (SQL, PL/pgSQL…), directly or behind an operator, or one
        /// that is not IMMUTABLE. What it says of a row may change once the parents are
        /// backfilled, so only PostgreSQL, at the insert, can evaluate it.
        var callsCode = false

        /// The expression as SQL. Safe as raw text: `pg_get_expr` deparsed it from the
        /// server's stored tree under the pinned search path, so it is qualified wherever
        /// it names anything outside `pg_catalog`.
        var sql: SQL { SQL(unsafeRaw: expression) }
    }

    struct Index {
        var name: String
        var columns: [String]
        var unique: Bool
        /// `NULLS NOT DISTINCT`: NULLs clash with each other.
        var nullsNotDistinct = false
        /// A unique index with a predicate or an expression (`unique` is false for it):
        /// which rows clash only PostgreSQL's insert can tell.
        var partialUnique = false
    }

    var checks: [TableName: [Check]] = [:]
    var indexes: [TableName: [Index]] = [:]
    var canInsert: [TableName: Bool] = [:]
    var canUpdate: [TableName: Bool] = [:]
    /// Enabled user triggers that fire on INSERT, by table (a partitioned one's partitions' too).
    var triggers: [TableName: [String]] = [:]
    /// Enabled rules ON INSERT (a view's `_RETURN` aside): they may rewrite or drop new rows.
    var insertRules: [TableName: [String]] = [:]
    /// Columns whose DEFAULT (its own, or its domain's) gives each row a value of its own:
    /// one that calls a VOLATILE function (`gen_random_uuid()`, a user's function), so two
    /// new rows do not get it alike (`Coverage.alike`).
    var varyingDefaults: [TableName: Set<String>] = [:]

    static func read(_ tables: [Table], on session: Session) throws -> TableFacts {
        var facts = TableFacts()
        let byOID = Dictionary(tables.map { (String($0.oid), $0.name) }, uniquingKeysWith: { first, _ in first })
        let oids: SQL = "CAST(\(bindArray: byOID.keys.sorted()) AS oid[])"
        facts.checks = try checks(of: tables, on: session)
        for row in try session.execute(
            """
            SELECT x.indrelid, i.relname, x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL AS unique_key, x.indnullsnotdistinct,
                   x.indisunique AND (x.indpred IS NOT NULL OR x.indexprs IS NOT NULL) AS partial_unique,
                   CAST(ARRAY(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS text) AS columns
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ANY(\(oids)) ORDER BY i.relname
            """).rows {
            guard let table = byOID[try row.string("indrelid")] else { continue }
            facts.indexes[table, default: []].append(Index(
                name: try row.string("relname"), columns: row.array("columns").compactMap { $0 }, unique: row.bool("unique_key"),
                nullsNotDistinct: row.bool("indnullsnotdistinct"), partialUnique: row.bool("partial_unique")))
        }
        for row in try session.execute(
            """
            SELECT c.oid, pg_catalog.has_table_privilege(c.oid, 'INSERT') AS can_insert, pg_catalog.has_table_privilege(c.oid, 'UPDATE') AS can_update
            FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY(\(oids))
            """).rows {
            guard let table = byOID[try row.string("oid")] else { continue }
            facts.canInsert[table] = row.bool("can_insert")
            facts.canUpdate[table] = row.bool("can_update")
        }
        for row in try session.execute(
            // A partition's own triggers are its partitioned parent's too (review 13). Those
            // that fire on INSERT only (tgtype bit 4, pg_trigger.h): Hasura's BEFORE UPDATE
            // set_current_timestamp_updated_at() was named as running on new rows, and made
            // a parent's CHECKs on constant values go unevaluated (RealSchemaSweep6Tests).
            "SELECT DISTINCT r.oid AS tgrelid, t.tgname FROM pg_catalog.pg_class r "
                + "CROSS JOIN LATERAL (SELECT r.oid AS relid UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(r.oid) pt) x "
                + "JOIN pg_catalog.pg_trigger t ON t.tgrelid OPERATOR(pg_catalog.=) x.relid "
                + "WHERE r.oid OPERATOR(pg_catalog.=) ANY(\(oids)) AND NOT t.tgisinternal AND t.tgenabled OPERATOR(pg_catalog.<>) 'D' "
                + "AND (CAST(t.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 4) OPERATOR(pg_catalog.<>) 0 ORDER BY t.tgname"
        ).rows {
            guard let table = byOID[try row.string("tgrelid")] else { continue }
            facts.triggers[table, default: []].append(try row.string("tgname"))
        }
        for row in try session.execute(
            "SELECT ev_class, rulename FROM pg_rewrite WHERE ev_class = ANY(\(oids)) AND rulename <> '_RETURN' AND ev_enabled <> 'D' AND ev_type = '3' ORDER BY rulename"
        ).rows {
            guard let table = byOID[try row.string("ev_class")] else { continue }
            facts.insertRules[table, default: []].append(try row.string("rulename"))
        }
        for row in try session.execute(
            """
            WITH RECURSIVE chain AS (
                SELECT t.oid AS domain, t.typbasetype AS base, t.typdefaultbin AS bin, 1 AS depth
                FROM pg_catalog.pg_type t WHERE t.typtype OPERATOR(pg_catalog.=) 'd'
                UNION ALL
                SELECT c.domain, b.typbasetype, b.typdefaultbin, c.depth OPERATOR(pg_catalog.+) 1
                FROM chain c JOIN pg_catalog.pg_type b ON b.oid OPERATOR(pg_catalog.=) c.base AND b.typtype OPERATOR(pg_catalog.=) 'd'
            ), domains AS (
                SELECT DISTINCT ON (c.domain) c.domain, c.bin FROM chain c WHERE c.bin IS NOT NULL ORDER BY c.domain, c.depth
            )
            SELECT a.attrelid, a.attname FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
            LEFT JOIN domains d ON d.domain OPERATOR(pg_catalog.=) a.atttypid
            WHERE a.attrelid OPERATOR(pg_catalog.=) ANY(\(oids)) AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
              AND coalesce(ad.adbin, d.bin) IS NOT NULL AND NOT \(ColumnExpressions.noVolatileCall("coalesce(ad.adbin, d.bin)"))
            """).rows {
            guard let table = byOID[try row.string("attrelid")] else { continue }
            facts.varyingDefaults[table, default: []].insert(try row.string("attname"))
        }
        return facts
    }

    /// The CHECK constraints of `tables` (a load needs only these, not the rest of the facts).
    static func checks(of tables: [Table], on session: Session) throws -> [TableName: [Check]] {
        var checks: [TableName: [Check]] = [:]
        let byOID = Dictionary(tables.map { (String($0.oid), $0.name) }, uniquingKeysWith: { first, _ in first })
        for row in try session.execute(
            """
            SELECT c.conrelid, c.conname, pg_get_constraintdef(c.oid) AS definition, pg_get_expr(c.conbin, c.conrelid) AS expression,
                   CAST(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)) AS text) AS columns,
                   EXISTS (SELECT 1 FROM pg_catalog.regexp_matches(CAST(c.conbin AS pg_catalog.text), ':(?:func|opfunc)id ([0-9]+)', 'g') AS m(v)
                           JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) CAST(m.v[1] AS pg_catalog.oid)
                           JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
                           WHERE p.provolatile <> 'i' OR l.lanname NOT IN ('internal', 'c'))
                       -- current_user, current_date and the like (no funcid: a SQLValueFunction),
                       -- and a whole-row reference (varattno 0): what the staged row cannot stand for.
                       OR CAST(c.conbin AS pg_catalog.text) OPERATOR(pg_catalog.~) '\\{SQLVALUEFUNCTION|:varattno 0 ' AS calls_code
            FROM pg_constraint c WHERE c.contype = 'c' AND c.conrelid = ANY(CAST(\(bindArray: byOID.keys.sorted()) AS oid[])) ORDER BY c.conname
            """).rows {
            guard let table = byOID[try row.string("conrelid")] else { continue }
            checks[table, default: []].append(Check(
                name: try row.string("conname"), definition: try row.string("definition"), expression: try row.string("expression"),
                columns: row.array("columns").compactMap { $0 }, callsCode: row.bool("calls_code")))
        }
        return checks
    }
}
