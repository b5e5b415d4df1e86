import PostgresClient

/// Every statement of a load, each built in one place.
///
/// The data never leaves PostgreSQL: the input is staged into `pg_temp.fkb_stage`, its
/// distinct keys are read once into `pg_temp.fkb_seen`, and for each parent up to three
/// temporary tables carry the work, all dropped at COMMIT:
/// - `fkb_keys_N (k1…, present)`: the distinct keys the load references, and whether
///   the parent (or, for a self-reference, the load itself) already has them;
/// - `fkb_ref_N (_fkb_row, _fkb_tid, k1…)`: which staged rows (number and `ctid`)
///   reference which key needing work; only for a parent with derived columns or parents
///   of its own, since only those look at the rows behind a key;
/// - `fkb_val_N (k1…, _fkb_missing, d1…)`: one row per such key, with derived values.
/// Identifiers go through `quoteIdentifier`; the few literals (COPY options, which the
/// protocol cannot bind) through `quoteLiteral`.
public struct LoadStatements: Sendable {
    public let plan: LoadPlan
    /// Every constant of the rules file (values, template text, separators, marks, blank
    /// markers), bound once into `pg_temp.fkb_const` and referenced by id, so statements
    /// never carry a value in their text.
    public let constants: [String]

    public init(plan: LoadPlan) {
        self.plan = plan
        var pool: [String] = plan.blank.markers
        for parent in plan.parents {
            for column in parent.columns {
                if let mark = column.mark { pool.append(mark) }
                guard case .rule(let rule) = column.source else { continue }
                switch rule.source {
                case .value(let value): pool.append(value)
                case .template(let template): pool += TemplateParts.parse(template).compactMap { if case .text(let t) = $0 { t } else { nil } }
                case .from(_, .concatDistinct(let separator, _)): pool.append(separator)
                default: break
                }
            }
        }
        var seen = Set<String>()
        constants = pool.filter { seen.insert($0).inserted }
        // One set per group of columns, whatever their order: GROUPING cannot tell (a, b) from (b, a).
        keySets = plan.stagedKeys.map(\.columns).reduce(into: []) { sets, columns in
            if !sets.contains(where: { Set($0) == Set(columns) }) { sets.append(columns) }
        }
    }

    /// The column lists of the target's FKs the input sets, each group of columns once:
    /// the sets of `fkb_seen`, numbered from 1 in this order.
    public let keySets: [[String]]

    static let constantsTable = "pg_temp.fkb_const"

    /// A constant as SQL: a lookup of its bound value.
    func constant(_ value: String) -> String {
        let id = (constants.firstIndex(of: value) ?? 0) + 1
        return "(SELECT value FROM \(Self.constantsTable) WHERE id = \(id))"
    }

    /// Nil when the rules have no constants: no statement refers to the table then.
    public func createConstants() -> String? {
        guard !constants.isEmpty else { return nil }
        return "CREATE TEMP TABLE fkb_const (id int PRIMARY KEY, value text NOT NULL) ON COMMIT DROP"
    }

    /// `INSERT … VALUES ($1, $2), …` with the constants as parameters.
    public func insertConstants() -> (sql: String, parameters: [String?])? {
        guard !constants.isEmpty else { return nil }
        let rows = constants.indices.map { "(\($0 + 1), $\($0 + 1))" }.joined(separator: ", ")
        return ("INSERT INTO \(Self.constantsTable) (id, value) VALUES \(rows)", constants)
    }

    static let stage = "pg_temp.fkb_stage"
    static let seen = "pg_temp.fkb_seen"
    static func keys(_ i: Int) -> String { "pg_temp.fkb_keys_\(i)" }
    static func refs(_ i: Int) -> String { "pg_temp.fkb_ref_\(i)" }
    static func values(_ i: Int) -> String { "pg_temp.fkb_val_\(i)" }

    static func k(_ position: Int) -> String { "k\(position + 1)" }
    static func d(_ position: Int) -> String { "d\(position + 1)" }

    func q(_ name: String) -> String { quoteIdentifier(name) }

    // MARK: Staging

    /// `_fkb_row` numbers the input rows; its temporary sequence hands out numbers in
    /// blocks (CACHE) so that numbering a million rows costs no sequence access per row.
    public func createStage() -> String {
        let columns = plan.stagedColumns.map { "\(q($0.name)) \($0.type)" }
        return "CREATE TEMP TABLE fkb_stage (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), _fkb_reject text"
            + columns.map { ", " + $0 }.joined() + ") ON COMMIT DROP"
    }

    public func copyStage(_ csv: CSVOptions) -> String {
        "COPY \(Self.stage) (\(stagedList)) FROM STDIN WITH (FORMAT csv, DELIMITER \(quoteLiteral(String(csv.delimiter))), "
            + "QUOTE \(quoteLiteral(String(csv.quote))), NULL \(quoteLiteral(csv.null)), ENCODING 'UTF8')"
    }

    /// Stages the result of a query or table; values cast to the target's column types
    /// explicitly, so a staging table of text columns loads like a CSV would.
    public func insertStage(from query: String) -> String {
        "INSERT INTO \(Self.stage) (\(stagedList)) SELECT "
            + plan.stagedColumns.map { "CAST(q.\(q($0.name)) AS \($0.type))" }.joined(separator: ", ")
            + " FROM (\(query)) AS q"
    }

    var stagedList: String { plan.stagedColumns.map { q($0.name) }.joined(separator: ", ") }

    // MARK: Violations the load cannot fix

    /// Staged rows whose key is partly NULL under MATCH FULL.
    public func matchFullViolations(_ fk: ForeignKey) -> String {
        let columns = fk.columns.map { "g.\(q($0))" }.joined(separator: ", ")
        return "SELECT coalesce(sum(g._fkb_n), 0) AS violations FROM \(seenKeys(fk.columns)) "
            + "AND num_nulls(\(columns)) BETWEEN 1 AND \(fk.columns.count - 1)"
    }

    // MARK: Staged keys, in one pass

    /// Every distinct staged key of every FK, with how many rows carry it, from one scan of
    /// the stage (hashed `GROUPING SETS`). Finding missing keys, locking the referenced
    /// rows and verifying the FKs then read this small table instead of a million staged
    /// rows each. Built after the last change to the stage (blanks, rejects), so it holds
    /// exactly the keys the fact insert will write.
    public func createSeen() -> String? {
        guard !keySets.isEmpty else { return nil }
        var columns: [String] = []
        for set in keySets { for column in set where !columns.contains(column) { columns.append(column) } }
        let rows = " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL"
        func list(_ names: [String]) -> String { names.map { "s.\(q($0))" }.joined(separator: ", ") }
        let select: String
        if columns.count <= 31 {
            // GROUPING(...) has a 1 bit for each column not grouped in a row's set, first column highest.
            let masks = keySets.map { set in
                columns.enumerated().reduce(0) { $0 | (set.contains($1.element) ? 0 : 1 << (columns.count - 1 - $1.offset)) }
            }
            select = "SELECT CASE GROUPING(\(list(columns))) " + masks.enumerated().map { "WHEN \($1) THEN \($0 + 1)" }.joined(separator: " ")
                + " END AS _fkb_set, \(list(columns)), count(*) AS _fkb_n" + rows
                + " GROUP BY GROUPING SETS (" + keySets.map { "(\(list($0)))" }.joined(separator: ", ") + ")"
        } else {
            // GROUPING takes at most 31 arguments: one scan per set then.
            select = keySets.enumerated().map { index, set in
                let values = columns.map { name in
                    set.contains(name) ? "s.\(q(name))"
                        : "CAST(NULL AS \(plan.stagedColumns.first { $0.name == name }?.type ?? "text")) AS \(q(name))"
                }
                return "SELECT \(index + 1) AS _fkb_set, \(values.joined(separator: ", ")), count(*) AS _fkb_n" + rows
                    + " GROUP BY \(list(set))"
            }.joined(separator: " UNION ALL ")
        }
        return "CREATE TEMP TABLE fkb_seen ON COMMIT DROP AS " + select
    }

    /// `fkb_seen g WHERE …`: the distinct staged values of `columns` (one of `keySets`),
    /// as `g.<column>`, each with `g._fkb_n` rows. Callers append `AND …`.
    /// A set that is not there would read no keys and let the verify pass on nothing, so
    /// asking for one is a programming error, not an empty answer.
    public func seenKeys(_ columns: [String]) -> String {
        guard let index = keySets.firstIndex(where: { Set($0) == Set(columns) }) else {
            preconditionFailure("no staged key set for (\(columns.joined(separator: ", "))) in \(keySets)")
        }
        return "\(Self.seen) g WHERE g._fkb_set = \(index + 1)"
    }

    // MARK: Blank keys and guarded FKs

    /// True when `expression` is a blank key: `''`, whitespace only, or a listed marker.
    func isBlank(_ expression: String) -> String {
        let text = "CAST(\(expression) AS text)"
        var test = "btrim(\(text)) = ''"
        if !plan.blank.markers.isEmpty {
            let ids = plan.blank.markers.map { String((constants.firstIndex(of: $0) ?? 0) + 1) }.joined(separator: ", ")
            test += " OR \(text) IN (SELECT value FROM \(Self.constantsTable) WHERE id IN (\(ids)))"
        }
        return "(\(test))"
    }

    /// `on_blank: null`: blank keys become NULL in the staged rows.
    public func nullBlank(_ column: Column) -> String {
        "UPDATE \(Self.stage) s SET \(q(column.name)) = NULL WHERE \(isBlank("s.\(q(column.name))"))"
    }

    /// Marks rows as rejected with reason `$1` where `condition` holds.
    public func reject(where condition: String) -> String {
        "UPDATE \(Self.stage) s SET _fkb_reject = $1 WHERE s._fkb_reject IS NULL AND \(condition)"
    }

    public func blankCondition(_ column: Column) -> String {
        isBlank("s.\(q(column.name))")
    }

    /// Staged rows whose key (non-NULL, not blank) the parent lacks, for a guarded FK.
    public func missingKeyCondition(_ fk: ForeignKey) -> String {
        let match = zip(fk.columns, fk.referencedColumns).map { "p.\(q($1)) = s.\(q($0))" }.joined(separator: " AND ")
        return fk.columns.map { "s.\(q($0)) IS NOT NULL AND NOT \(isBlank("s.\(q($0))"))" }.joined(separator: " AND ")
            + " AND NOT EXISTS (SELECT 1 FROM \(fk.referencedTable.sql) p WHERE \(match))"
    }

    public func countWhere(_ condition: String) -> String {
        "SELECT count(*) AS n FROM \(Self.stage) s WHERE s._fkb_reject IS NULL AND \(condition)"
    }

    /// Rejected rows by reason, with up to `$1` input row numbers each.
    public func rejections() -> String {
        "SELECT _fkb_reject AS reason, count(*) AS n, (array_agg(_fkb_row ORDER BY _fkb_row))[1:$1]::text AS sample "
            + "FROM \(Self.stage) WHERE _fkb_reject IS NOT NULL GROUP BY _fkb_reject ORDER BY min(_fkb_row)"
    }

    // MARK: Candidate keys

    /// The keys one source asks the parent for (`rows` false: `SELECT k1…`), or the staged
    /// rows behind them (`rows` true: `SELECT _fkb_row, _fkb_tid, k1…`, NULL and blank
    /// keys left for the join to the keys table to drop). Nil when the key values are not
    /// known before insert (they come from a default).
    func sourceSelect(_ source: KeySource, for parent: ParentPlan, rows: Bool) -> String? {
        let fk = source.foreignKey
        // Key position m of the parent is referenced by fk.columns[p] where referencedColumns[p] == key m.
        let childColumns = parent.keyColumns.map { key in fk.columns[fk.referencedColumns.firstIndex(of: key)!] }
        switch source.origin {
        case .staged where rows:
            let select = childColumns.enumerated().map { "s.\(q($1)) AS \(Self.k($0))" }
            return "SELECT s._fkb_row, s.ctid AS _fkb_tid, \(select.joined(separator: ", ")) FROM \(Self.stage) s WHERE s._fkb_reject IS NULL"
        case .staged:
            let select = childColumns.enumerated().map { "g.\(q($1)) AS \(Self.k($0))" }
            let usable = childColumns.map { "g.\(q($0)) IS NOT NULL AND NOT \(isBlank("g.\(q($0))"))" }
            return "SELECT \(select.joined(separator: ", ")) FROM \(seenKeys(fk.columns)) AND " + usable.joined(separator: " AND ")
        case .parent(let index):
            let child = plan.parents[index]
            var expressions: [String] = []
            for column in childColumns {
                guard let expression = valueExpression(of: column, in: child) else { return nil }
                expressions.append(child.mode == .fillNullOnly ? "coalesce(c.\(q(column)), \(expression))" : expression)
            }
            let existing = child.mode == .fillNullOnly
                ? " LEFT JOIN \(child.table.name.sql) c ON " + child.keyColumns.enumerated().map { "c.\(q($1)) = v.\(Self.k($0))" }
                    .joined(separator: " AND ")
                : ""
            return "SELECT r._fkb_row, r._fkb_tid, " + expressions.enumerated().map { "\($1) AS \(Self.k($0))" }.joined(separator: ", ")
                + " FROM \(Self.refs(index)) r JOIN \(Self.values(index)) v ON " + keyJoin("v", "r", child)
                + existing + " WHERE " + expressions.map { "\($0) IS NOT NULL AND NOT \(isBlank($0))" }.joined(separator: " AND ")
        }
    }

    /// Where a column of a new row of `parent` can be read in its `fkb_val` table.
    func valueExpression(of column: String, in parent: ParentPlan) -> String? {
        if let position = parent.keyColumns.firstIndex(of: column) { return "v.\(Self.k(position))" }
        if let position = parent.derivedColumns.firstIndex(where: { $0.column.name == column }) { return "v.\(Self.d(position))" }
        return nil
    }

    func keyJoin(_ left: String, _ right: String, _ parent: ParentPlan) -> String {
        parent.keyColumns.indices.map { "\(left).\(Self.k($0)) = \(right).\(Self.k($0))" }.joined(separator: " AND ")
    }

    /// The parent's key columns equal to `k1…` of `alias`.
    func parentKeyMatch(_ parent: ParentPlan, table alias: String, keys other: String) -> String {
        parent.keyColumns.enumerated().map { "\(alias).\(q($1)) = \(other).\(Self.k($0))" }.joined(separator: " AND ")
    }

    /// The sources whose tables exist by now (in a cycle's first round, some do not yet).
    func sourceSelects(for parent: ParentPlan, available: Set<Int>, rows: Bool) -> [String] {
        parent.sources.compactMap { source in
            if case .parent(let index) = source.origin, !available.contains(index) { return nil }
            return sourceSelect(source, for: parent, rows: rows)
        }
    }

    /// Whether anything looks at the staged rows behind the parent's keys: its derived
    /// columns, or a parent of its own whose keys come from its new rows.
    public func needsRefs(_ parent: ParentPlan) -> Bool {
        !parent.derivedColumns.isEmpty
            || plan.parents.contains { $0.sources.contains { $0.origin == .parent(index: parent.index) } }
    }

    public func dropWork(_ parent: ParentPlan) -> String {
        "DROP TABLE IF EXISTS \(Self.keys(parent.index)), \(Self.refs(parent.index)), \(Self.values(parent.index))"
    }

    /// Distinct referenced keys, each marked present or not.
    public func createKeys(_ parent: ParentPlan, sources: [String]) -> String {
        let keyList = parent.keyColumns.indices.map { Self.k($0) }
        let union = sources.map { "SELECT DISTINCT " + keyList.map { "src.\($0)" }.joined(separator: ", ") + " FROM (\($0)) src" }
            .joined(separator: " UNION ")
        var present = "EXISTS (SELECT 1 FROM \(parent.table.name.sql) p WHERE \(parentKeyMatch(parent, table: "p", keys: "u")))"
        if parent.isTarget, parent.keyColumns.allSatisfy({ key in plan.stagedColumns.contains { $0.name == key } }) {
            present += " OR EXISTS (SELECT 1 FROM \(Self.stage) s WHERE \(parentKeyMatch(parent, table: "s", keys: "u")))"
        }
        return "CREATE TEMP TABLE fkb_keys_\(parent.index) ON COMMIT DROP AS SELECT "
            + keyList.map { "u.\($0)" }.joined(separator: ", ") + ", (\(present)) AS present FROM (\(union)) u"
    }

    /// Which staged rows lead to which key that needs work (missing, or in fill mode any).
    /// With `empty` (no key needs work) only the table is created: the stage is not scanned.
    public func createRefs(_ parent: ParentPlan, sources: [String], empty: Bool = false) -> String {
        let keyList = parent.keyColumns.indices.map { Self.k($0) }
        let filter = parent.mode == .fillNullOnly ? "" : " WHERE NOT k.present"
        let selects = sources.map { source in
            "SELECT src._fkb_row, src._fkb_tid, " + keyList.map { "src.\($0)" }.joined(separator: ", ")
                + " FROM (\(source)) src JOIN \(Self.keys(parent.index)) k ON " + keyJoin("k", "src", parent) + filter
        }
        return "CREATE TEMP TABLE fkb_ref_\(parent.index) ON COMMIT DROP AS " + selects.joined(separator: " UNION ALL ")
            + (empty ? " WITH NO DATA" : "")
    }

    /// One row per key needing work, with each derived column's most frequent staged
    /// value (ties to the smallest: `mode()` takes the first in its ORDER BY), aggregated
    /// over the staged rows of `fkb_ref_N`. Those few rows are fetched by `ctid` (a TID
    /// scan), not found by scanning the stage again; in fill mode, where refs hold every
    /// row, by joining the stage. Without refs, just the keys. With `empty`, only the
    /// table is created.
    public func createValues(_ parent: ParentPlan, empty: Bool = false) -> String {
        let create = "CREATE TEMP TABLE fkb_val_\(parent.index) ON COMMIT DROP AS SELECT "
        let noData = empty ? " WITH NO DATA" : ""
        guard needsRefs(parent) else {
            let keyList = parent.keyColumns.indices.map { "k.\(Self.k($0))" }
            return create + (keyList + ["NOT k.present AS _fkb_missing"]).joined(separator: ", ")
                + " FROM \(Self.keys(parent.index)) k" + (parent.mode == .fillNullOnly ? "" : " WHERE NOT k.present") + noData
        }
        let keyList = parent.keyColumns.indices.map { "r.\(Self.k($0))" }
        let derived = parent.derivedColumns.enumerated().map { position, plan -> String in
            "\(derivation(plan)) AS \(Self.d(position))"
        }
        return create + (keyList + ["NOT k.present AS _fkb_missing"] + derived).joined(separator: ", ")
            + " FROM \(Self.refs(parent.index)) r JOIN \(Self.keys(parent.index)) k ON " + keyJoin("k", "r", parent)
            + (derived.isEmpty ? "" : stagedRows(parent)) + " GROUP BY "
            + (keyList + ["k.present"]).joined(separator: ", ") + noData
    }

    /// Joins the staged rows behind `fkb_ref_N r` as `s`.
    func stagedRows(_ parent: ParentPlan) -> String {
        if parent.mode == .fillNullOnly { return " JOIN \(Self.stage) s ON s._fkb_row = r._fkb_row" }
        return " JOIN (SELECT s.ctid AS _fkb_tid, s.* FROM \(Self.stage) s WHERE s.ctid = ANY (ARRAY(SELECT _fkb_tid FROM "
            + "\(Self.refs(parent.index))))) s ON s._fkb_tid = r._fkb_tid"
    }

    /// The aggregate over the staged rows `s` of one key that gives a column's value.
    func derivation(_ column: ColumnPlan) -> String {
        switch column.source {
        case .staged(let source, _):
            return "mode() WITHIN GROUP (ORDER BY s.\(q(source)))"
        case .rule(let rule):
            switch rule.source {
            case .from(let source, let pick): return aggregate(pick, of: "s.\(q(source))")
            case .value(let value): return "CAST(\(constant(value)) AS \(column.column.type))"
            case .template(let template):
                let parts = TemplateParts.parse(template).map { part -> String in
                    switch part {
                    case .text(let text): constant(text)
                    case .placeholder(let name): "CAST(\(aggregate(.first, of: "s.\(q(name))")) AS text)"
                    }
                }
                return "CAST(concat(\(parts.joined(separator: ", "))) AS \(column.column.type))"
            case .sql(let expression): return "(\(expression))"
            case .databaseDefault, .null: return "NULL"
            }
        default:
            return "NULL"
        }
    }

    /// One `pick:` as an aggregate. `first`/`last` follow input order and skip NULLs;
    /// `max_by`/`min_by` skip NULL and blank picked values.
    func aggregate(_ pick: Pick, of value: String) -> String {
        switch pick {
        case .first: return "(array_agg(\(value) ORDER BY s._fkb_row) FILTER (WHERE \(value) IS NOT NULL))[1]"
        case .last: return "(array_agg(\(value) ORDER BY s._fkb_row DESC) FILTER (WHERE \(value) IS NOT NULL))[1]"
        case .min: return "min(\(value))"
        case .max: return "max(\(value))"
        case .mostFrequent: return "mode() WITHIN GROUP (ORDER BY \(value))"
        case .maxBy(let order), .minBy(let order):
            let direction = if case .maxBy = pick { "DESC" } else { "ASC" }
            return "(array_agg(\(value) ORDER BY s.\(q(order)) \(direction) NULLS LAST, s._fkb_row) "
                + "FILTER (WHERE \(value) IS NOT NULL AND NOT \(isBlank(value))))[1]"
        case .concatDistinct(let separator, let sorted):
            let text = "CAST(\(value) AS text)"
            if sorted {
                return "string_agg(DISTINCT \(text), \(constant(separator)) ORDER BY \(text))"
            }
            // First appearance order: distinct values by their first input row.
            return "(SELECT string_agg(u.v, \(constant(separator)) ORDER BY u.first_row) FROM (SELECT x.v, min(x.r) AS first_row "
                + "FROM unnest(array_agg(\(text)), array_agg(s._fkb_row)) AS x(v, r) WHERE x.v IS NOT NULL GROUP BY x.v) u)"
        case .countDistinct: return "count(DISTINCT \(value))"
        case .sum: return "sum(\(value))"
        }
    }

    /// Set union of two JSON arrays, keeping first-appearance order; a non-array value
    /// counts as a one-element array.
    func jsonUnion(_ existing: String, _ added: String) -> String {
        func array(_ value: String) -> String {
            "(CASE WHEN \(value) IS NULL THEN '[]'::jsonb WHEN jsonb_typeof(CAST(\(value) AS jsonb)) = 'array' "
                + "THEN CAST(\(value) AS jsonb) ELSE jsonb_build_array(CAST(\(value) AS jsonb)) END)"
        }
        return "(SELECT coalesce(jsonb_agg(u.e ORDER BY u.o), '[]'::jsonb) FROM (SELECT DISTINCT ON (x.e) x.e, x.o "
            + "FROM jsonb_array_elements(\(array(existing)) || \(array(added))) WITH ORDINALITY AS x(e, o) ORDER BY x.e, x.o) u)"
    }

    public func counts(_ parent: ParentPlan) -> String {
        "SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM \(Self.keys(parent.index))"
    }

    /// For each NOT NULL derived column, how many new rows would get NULL.
    public func nullDerivations(_ parent: ParentPlan) -> String? {
        let checks = parent.derivedColumns.enumerated().filter { $1.column.notNull }
        guard !checks.isEmpty else { return nil }
        return "SELECT " + checks.map { "count(*) FILTER (WHERE \(Self.d($0.offset)) IS NULL) AS \(Self.d($0.offset))" }
            .joined(separator: ", ") + " FROM \(Self.values(parent.index)) WHERE _fkb_missing"
    }

    public func sampleKeys(_ parent: ParentPlan) -> String {
        let keyList = parent.keyColumns.indices.map { "v.\(Self.k($0))" }
        return "SELECT " + keyList.map { "\($0)::text" }.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing ORDER BY "
            + keyList.joined(separator: ", ") + " LIMIT $1"
    }

    // MARK: Writes

    /// New parent rows in key order (so concurrent loads lock in the same order), skipping
    /// keys a concurrent load inserted first.
    public func insertParent(_ parent: ParentPlan) -> String {
        let columns = parent.insertedColumns
        let values = columns.map { column -> String in
            if let mark = column.mark { return "CAST(\(constant(mark)) AS \(column.column.type))" }
            if column.deferredUntilCycleLoaded { return "NULL" }
            let value = valueExpression(of: column.column.name, in: parent) ?? "NULL"
            if case .rule(let rule) = column.source, rule.jsonAppend {
                // Appending to a new row: to its default array, if it has one.
                let initial = column.column.defaultExpression.map { "(\($0))" } ?? "NULL"
                return "CAST(\(jsonUnion(initial, value)) AS \(column.column.type))"
            }
            return value
        }
        let keyList = parent.keyColumns.indices.map { "v.\(Self.k($0))" }
        return "INSERT INTO \(parent.table.name.sql) (" + columns.map { q($0.column.name) }.joined(separator: ", ") + ")"
            + (parent.keyIsIdentity ? " OVERRIDING SYSTEM VALUE" : "")
            + " SELECT " + values.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing ORDER BY " + keyList.joined(separator: ", ")
            + " ON CONFLICT (" + parent.keyColumns.map(q).joined(separator: ", ") + ") DO NOTHING"
    }

    /// Sets the FK columns a cycle was broken at, once every parent row exists.
    public func restoreDeferredColumns(_ parent: ParentPlan) -> String? {
        let columns = parent.derivedColumns.enumerated().filter { $1.deferredUntilCycleLoaded }
        guard !columns.isEmpty else { return nil }
        return "UPDATE \(parent.table.name.sql) AS p SET "
            + columns.map { "\(q($1.column.name)) = v.\(Self.d($0))" }.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v")
            + " AND (" + columns.map { "p.\(q($1.column.name)) IS NULL" }.joined(separator: " OR ") + ")"
    }

    /// `fill-null-only`: NULL columns of existing referenced rows take derived values.
    public func fillNulls(_ parent: ParentPlan) -> String? {
        let columns = parent.derivedColumns.enumerated().map { ($0.offset, $0.element) }
        guard !columns.isEmpty else { return nil }
        func appends(_ column: ColumnPlan) -> Bool {
            if case .rule(let rule) = column.source { rule.jsonAppend } else { false }
        }
        let sets = columns.map { position, column -> String in
            let name = q(column.column.name)
            if appends(column) {
                return "\(name) = CAST(\(jsonUnion("p.\(name)", "v.\(Self.d(position))")) AS \(column.column.type))"
            }
            return "\(name) = coalesce(p.\(name), v.\(Self.d(position)))"
        }
        let changes = columns.map { position, column -> String in
            let name = q(column.column.name), value = "v.\(Self.d(position))"
            if appends(column) {
                return "(\(value) IS NOT NULL AND NOT coalesce(CAST(p.\(name) AS jsonb), '[]'::jsonb) @> \(jsonUnion("NULL", value)))"
            }
            return "(p.\(name) IS NULL AND \(value) IS NOT NULL)"
        }
        return "UPDATE \(parent.table.name.sql) AS p SET " + sets.joined(separator: ", ")
            + " FROM \(Self.values(parent.index)) v WHERE NOT v._fkb_missing AND " + parentKeyMatch(parent, table: "p", keys: "v")
            + " AND (" + changes.joined(separator: " OR ") + ")"
    }

    public func setConstraintsDeferred() -> String? {
        guard !plan.deferredConstraints.isEmpty else { return nil }
        return "SET CONSTRAINTS " + plan.deferredConstraints.map { quoteQualified(schema: $0.table.schema, name: $0.name) }
            .joined(separator: ", ") + " DEFERRED"
    }

    /// `--replace-by`: target rows matching any staged row on these columns (NULL matches NULL).
    public func deleteReplaced(_ columns: [String]) -> String {
        "DELETE FROM \(plan.target.name.sql) AS t USING (SELECT DISTINCT "
            + columns.map { "s.\(q($0))" }.joined(separator: ", ") + " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL) AS s WHERE "
            + columns.map { "t.\(q($0)) IS NOT DISTINCT FROM s.\(q($0))" }.joined(separator: " AND ")
    }

    /// The fact rows in input order. A stage no UPDATE has touched is stored in input
    /// order and a temporary table's sequential scan reads it in that order (no
    /// synchronized scans for local buffers), so `ordered` false spares a sort of every
    /// staged row; after an UPDATE moved rows, the ORDER BY puts them back.
    public func insertTarget(ordered: Bool = true) -> String {
        "INSERT INTO \(plan.target.name.sql) (\(stagedList)) SELECT "
            + plan.stagedColumns.map { "s.\(q($0.name))" }.joined(separator: ", ")
            + " FROM \(Self.stage) s WHERE s._fkb_reject IS NULL" + (ordered ? " ORDER BY s._fkb_row" : "")
    }
}
