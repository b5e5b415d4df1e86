import PostgresClient

/// What, besides FKs, NOT NULL and CHECK, can refuse a row of the target: its unique keys
/// (primary key, unique constraints and indexes), exclusion constraints and row triggers.
/// A load with rejects sets duplicate rows aside by these keys, and validate predicts
/// the load's verdict from them; a trigger makes that prediction inexact.
struct TargetConstraints {
    /// A primary key, unique constraint or unique index of the target.
    struct UniqueKey {
        /// The constraint's name, or the index's for a bare unique index.
        var name: String
        var columns: [String]
        /// Per column, the equality operator of the index's operator family: what the
        /// index itself compares with, so a clash is found exactly as the index finds it.
        var equality: [SQLOperator]
        /// `NULLS NOT DISTINCT` (PostgreSQL 15): NULLs clash with each other.
        var nullsNotDistinct: Bool
        /// Every operator class is its type's default: grouping the input by these columns
        /// (which uses the default) then finds the duplicates the index would.
        var defaultOperatorClasses: Bool
        /// A partial index's predicate, or an expression index: the staged path leaves it to
        /// the insert; read-only validate evaluates it (`IndexExpressions`).
        var partialOrExpression: Bool
        /// Of a partial or expression index, what PostgreSQL's insert evaluates, read from
        /// the catalog (nil for a plain key).
        var expressions: IndexExpressions?
        /// Per column, the index's collation where it is not the database's default (a
        /// staged or streamed copy of the column has the default): grouping by it finds
        /// the repeats the index refuses, 'Alpha' and 'ALPHA' under a case-insensitive one.
        var collations: [(schema: String, name: String)?] = []
        /// Every collation of the index is deterministic: equal values have equal text.
        var deterministic = true

        /// `expression`, the value of column `position`, under the index's collation.
        func collated(_ expression: SQL, _ position: Int) -> SQL {
            guard collations.indices.contains(position), let collation = collations[position] else { return expression }
            return "\(expression) COLLATE \(ident: collation.schema).\(ident: collation.name)"
        }
    }

    var uniqueKeys: [UniqueKey] = []
    /// The target's indexes that are not unique but have expressions or a predicate:
    /// PostgreSQL evaluates them on each row it inserts, and one that raises stops the
    /// load (hostile review 29: `CAST(note AS int)` on "x"). Validate evaluates them over
    /// the input (`Prediction+IndexExpressions`, `Validator+StreamedIndexes`).
    var expressionIndexes: [(name: String, expressions: IndexExpressions)] = []
    /// Exclusion constraints: the tool does not evaluate them.
    var exclusions: [String] = []
    /// CHECKs, unique indexes and expression or partial indexes declared on a partition
    /// only: not evaluated either.
    var partitionOwn: [String] = []
    /// CHECKs that call code which may read other tables (`TableFacts.Check.callsCode`):
    /// evaluated by PostgreSQL at the insert, not on the staged rows.
    var codeChecks: [String] = []
    /// Enabled row-level BEFORE INSERT triggers on the target or its partitions: they
    /// may set any column, or skip the row.
    var beforeInsertTriggers: [String] = []
    /// Columns the BEFORE INSERT triggers, read from their source, leave as the input
    /// gives them (`Validator.triggerSafeColumns`, read-only validate only): a check over
    /// these alone sees what the insert sees. Empty (nothing vouched for) unless read.
    var untouchedByTriggers: Set<String> = []

    /// Whether the row the insert checks holds the input's values in `columns`: no BEFORE
    /// INSERT trigger, or none that may change them, skip the row or write elsewhere.
    func unchangedByTriggers(_ columns: [String]) -> Bool {
        beforeInsertTriggers.isEmpty || columns.allSatisfy(untouchedByTriggers.contains)
    }
    /// Columns no BEFORE INSERT trigger assigns, read from their source, where none may
    /// skip the row, whether or not one writes elsewhere (read-only validate only): what a
    /// CHECK or NOT NULL reads of the row (a write elsewhere changes no value of it; it
    /// may only free a unique key, which `untouchedByTriggers` is for). Empty unless read.
    var unassignedByTriggers: Set<String> = []

    /// Whether the row PostgreSQL's CHECKs and NOT NULL see holds the input's values in
    /// `columns`: no BEFORE INSERT trigger, or none that assigns them or may skip the row.
    func keptByTriggers(_ columns: [String]) -> Bool {
        beforeInsertTriggers.isEmpty || columns.allSatisfy(unassignedByTriggers.contains)
    }
    /// Columns no BEFORE INSERT trigger assigns, whether or not one may skip the row
    /// (`ParentColumnFacts.neverAssigned`; read-only validate only, empty unless read).
    var neverAssignedByTriggers: Set<String> = []

    /// Whether `--max-rejects` judges `columns` on the input's values, as the load's reject
    /// step does (`LoadRun.markValueRejects`): no BEFORE INSERT trigger, or none that may
    /// assign them. A NULL or a CHECK over a column one may assign is the insert's.
    func setAsideOnInput(_ columns: [String]) -> Bool {
        beforeInsertTriggers.isEmpty || columns.allSatisfy(neverAssignedByTriggers.contains)
    }
    /// Enabled AFTER INSERT row or statement triggers, and rules, on the target: they may
    /// write elsewhere, or raise.
    var otherHooks: [String] = []

    static func read(_ table: Table, on session: Session) throws -> TargetConstraints {
        var result = TargetConstraints()
        result.codeChecks = try (TableFacts.checks(of: [table], on: session)[table.name] ?? []).filter(\.callsCode).map(\.name)
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS oid)"
        let indexes = try session.execute(
            """
            SELECT coalesce(c.conname::text, i.relname::text) AS name,
                   x.indpred IS NOT NULL OR x.indexprs IS NOT NULL AS partial,
                   x.indnullsnotdistinct AS nulls_not_distinct,
                   CAST(ARRAY(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS text) AS columns,
                   CAST(ARRAY(SELECT am.amopopr
                              FROM unnest(CAST(x.indclass AS oid[])) WITH ORDINALITY AS u(c, k)
                              JOIN pg_opclass oc ON oc.oid = u.c
                              LEFT JOIN pg_amop am ON am.amopfamily = oc.opcfamily AND am.amopmethod = oc.opcmethod
                                   AND am.amopstrategy = 3 AND am.amoplefttype = oc.opcintype AND am.amoprighttype = oc.opcintype
                              WHERE u.k <= x.indnkeyatts ORDER BY u.k) AS text) AS operators,
                   (SELECT bool_and(oc.opcdefault) FROM unnest(CAST(x.indclass AS oid[])) AS u(c)
                    JOIN pg_opclass oc ON oc.oid = u.c) AS default_opclasses,
                   CAST(ARRAY(SELECT CASE WHEN co.oid IS NULL OR co.oid = 100 THEN NULL ELSE n.nspname END
                              FROM unnest(CAST(x.indcollation AS oid[])) WITH ORDINALITY AS u(c, k)
                              LEFT JOIN pg_collation co ON co.oid = u.c LEFT JOIN pg_namespace n ON n.oid = co.collnamespace
                              WHERE u.k <= x.indnkeyatts ORDER BY u.k) AS text) AS collation_schemas,
                   CAST(ARRAY(SELECT CASE WHEN co.oid IS NULL OR co.oid = 100 THEN NULL ELSE co.collname END
                              FROM unnest(CAST(x.indcollation AS oid[])) WITH ORDINALITY AS u(c, k)
                              LEFT JOIN pg_collation co ON co.oid = u.c
                              WHERE u.k <= x.indnkeyatts ORDER BY u.k) AS text) AS collation_names,
                   \(IndexExpressions.columns),
                   coalesce((SELECT bool_and(co.collisdeterministic) FROM unnest(CAST(x.indcollation AS oid[])) AS u(c)
                             JOIN pg_collation co ON co.oid = u.c), true) AS deterministic
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
            WHERE x.indrelid = \(oid) AND x.indisunique
            ORDER BY c.contype NULLS LAST, 1
            """).rows
        let known = try OperatorCatalog.read(indexes.flatMap { $0.array("operators").compactMap { $0 } }, on: session)
        for row in indexes {
            let columns = row.array("columns").compactMap { $0 }
            let operators = row.array("operators").map { oid -> SQLOperator in oid.flatMap { known[$0] } ?? .builtinEquality }
            let collations = zip(row.array("collation_schemas"), row.array("collation_names")).map { schema, name in
                schema.flatMap { schema in name.map { (schema: schema, name: $0) } }
            }
            // An expression index's operators are per key column, expressions included.
            let expressions = try IndexExpressions(row)
            result.uniqueKeys.append(UniqueKey(
                name: try row.string("name"), columns: columns,
                equality: operators.count == columns.count || expressions?.keys.count == operators.count ? operators : columns.map { _ in .builtinEquality },
                nullsNotDistinct: row.bool("nulls_not_distinct"), defaultOperatorClasses: row.bool("default_opclasses"),
                partialOrExpression: row.bool("partial") || columns.count != operators.count,
                expressions: expressions,
                collations: collations, deterministic: row.bool("deterministic")))
        }
        // CHECKs, unique indexes and generated columns a partition has of its own (not
        // from the partitioned table): the reject steps evaluate the target's only. So are
        // its other indexes on expressions or with a predicate: the insert routed there
        // evaluates them, validate reads the target's (`expressionIndexes`). A table
        // that is not partitioned has none, and the query's scan of pg_attribute cost 17 ms
        // of a one-row load.
        if table.kind == .partitioned { result.partitionOwn = try session.execute(
            """
            SELECT 'CHECK ' || c.conname || ' on ' || p.relname AS what FROM pg_partition_tree(\(oid)) t
            JOIN pg_class p ON p.oid = t.relid JOIN pg_constraint c ON c.conrelid = t.relid
            WHERE t.relid <> \(oid) AND c.contype = 'c' AND c.conislocal
            UNION ALL
            SELECT CASE WHEN x.indisunique THEN 'unique index ' ELSE 'index ' END || i.relname || ' on ' || p.relname FROM pg_partition_tree(\(oid)) t
            JOIN pg_class p ON p.oid = t.relid JOIN pg_index x ON x.indrelid = t.relid JOIN pg_class i ON i.oid = x.indexrelid
            WHERE t.relid <> \(oid) AND (x.indisunique OR x.indexprs IS NOT NULL OR x.indpred IS NOT NULL) AND NOT i.relispartition
            UNION ALL
            SELECT 'generated column ' || a.attname || ' on ' || p.relname FROM pg_partition_tree(\(oid)) t
            JOIN pg_class p ON p.oid = t.relid JOIN pg_attribute a ON a.attrelid = t.relid
            JOIN pg_attribute r ON r.attrelid = \(oid) AND r.attname = a.attname
            WHERE t.relid <> \(oid) AND a.attgenerated <> '' AND r.attgenerated = '' AND NOT a.attisdropped
            ORDER BY 1
            """).rows.map { try $0.string("what") } }
        result.expressionIndexes = try session.execute(
            """
            SELECT i.relname AS name, \(IndexExpressions.columns)
            FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) x.indexrelid
            WHERE x.indrelid OPERATOR(pg_catalog.=) \(oid) AND NOT x.indisunique AND (x.indexprs IS NOT NULL OR x.indpred IS NOT NULL)
            ORDER BY 1
            """).rows.compactMap { row in try IndexExpressions(row).map { (try row.string("name"), $0) } }
        result.exclusions = try session.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = \(oid) AND contype = 'x' ORDER BY conname"
        ).rows.map { try $0.string("conname") }
        // tgtype bits: 1 row, 2 before, 4 insert (see pg_trigger.h). A partitioned table's
        // trigger is cloned onto each partition (`tgparentid`): named once, by the table
        // it was declared on ("stamp, stamp (on fact_2024), stamp (on fact_def)" before).
        // A clone of a trigger outside the tree (the target is a partition), or of one
        // disabled where the clone is not, is listed as its own.
        for row in try session.execute(
            """
            SELECT t.tgname, c.relname, (t.tgtype & 1) <> 0 AND (t.tgtype & 2) <> 0 AND (t.tgtype & 4) <> 0 AS before_insert
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgrelid IN (SELECT \(oid) UNION SELECT pt.relid FROM pg_partition_tree(\(oid)) pt)
              AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 4) <> 0
              AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.oid = t.tgparentid AND g.tgenabled <> 'D'
                              AND g.tgrelid IN (SELECT \(oid) UNION SELECT pt.relid FROM pg_partition_tree(\(oid)) pt))
            ORDER BY t.tgname
            """).rows {
            let name = try row.string("relname") == table.name.name ? try row.string("tgname") : "\(try row.string("tgname")) (on \(try row.string("relname")))"
            if row.bool("before_insert") { result.beforeInsertTriggers.append(name) } else { result.otherHooks.append("trigger \(name)") }
        }
        result.otherHooks += try session.execute(
            """
            SELECT r.rulename FROM pg_rewrite r
            WHERE r.ev_class IN (SELECT \(oid) UNION SELECT pt.relid FROM pg_partition_tree(\(oid)) pt)
              AND r.rulename <> '_RETURN' AND r.ev_enabled <> 'D' AND r.ev_type = '3'
            ORDER BY r.rulename
            """).rows.map { "rule \(try $0.string("rulename"))" }
        return result
    }

    /// Why a verdict computed from these constraints cannot be exact; empty when it is.
    var inexactness: [String] { inexactness(evaluated: []) }

    /// The same, but for the partial or expression unique indexes named in `evaluated`
    /// (read-only validate's batches evaluated them: StreamedStatements+IndexExpressions).
    func inexactness(evaluated: Set<String>) -> [String] {
        var reasons: [String] = []
        if !beforeInsertTriggers.isEmpty {
            reasons.append("BEFORE INSERT trigger \(beforeInsertTriggers.joined(separator: ", ")) may change or skip rows")
        }
        if !otherHooks.isEmpty {
            reasons.append("\(otherHooks.joined(separator: ", ")) runs on insert and may refuse rows or write elsewhere")
        }
        for name in exclusions { reasons.append("exclusion constraint \(name) is not evaluated") }
        for what in partitionOwn { reasons.append("\(what) (a partition's own) is not evaluated") }
        for name in codeChecks {
            reasons.append("CHECK \(name) calls code that may read other tables, the session or the whole row: PostgreSQL evaluates it at the insert")
        }
        for key in uniqueKeys where key.partialOrExpression && !evaluated.contains(key.name) {
            reasons.append("unique index \(key.name) is partial or on expressions: not evaluated")
        }
        return reasons
    }
}
