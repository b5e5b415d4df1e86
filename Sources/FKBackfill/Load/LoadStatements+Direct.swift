import PostgresClient

/// A parent's values aggregated straight from the stage, without a refs table.
///
/// A refs table (`fkb_ref_N`) wrote the row number and `ctid` of every staged row behind
/// a key needing work, and the values statement fetched those rows back by `ctid`. At
/// 100% new keys both were a full copy of the stage, a plan fed directly and through its
/// new portfolios sorted twice the staged rows to remove duplicates, and the TID scan,
/// estimated at 10 rows, turned the join to the keys into a nested loop at 5% (200 ms
/// for 10 new organisations among 200,000 rows). Issue #25.
///
/// Here the rows behind a parent's keys are one `UNION ALL` of its sources, each a scan
/// of the stage joined to the keys needing work: a staged FK's columns, or the derived
/// key of a new row of a parent it is fed by (joined by that parent's staged key). A row
/// reaching the same key by two sources counts once: a later source leaves out the rows
/// an earlier staged source already gives that key (what the refs table's `UNION` did).
extension LoadStatements {
    /// The parent's sources in the order their rows are read, or nil when the parent
    /// needs a refs table: in a cycle (its tables feed each other round after round), or
    /// fed by more than one parent, or by a parent that is not read straight from one
    /// staged FK (a row would then lead to several keys of that source).
    func directSources(_ parent: ParentPlan) -> [KeySource]? {
        guard parent.cycle == nil, needsRefs(parent), !parent.keyColumns.isEmpty else { return nil }
        let staged = parent.sources.filter { $0.origin == .staged }
        let fed = parent.sources.filter { $0.origin != .staged }
        guard fed.count <= 1 else { return nil }
        if let source = fed.first, case .parent(let index) = source.origin {
            let child = plan.parents[index]
            guard index != parent.index, child.cycle == nil, child.sources.count == 1, child.sources[0].origin == .staged,
                  directSources(child) != nil else { return nil }
        }
        return staged + fed
    }

    func readsStageDirectly(_ parent: ParentPlan) -> Bool {
        directSources(parent) != nil
    }

    /// The staged columns whose value every staged row of a new row of `child` shares
    /// when `_fkb_same` is true in its values table: those of a staged FK of `parent`
    /// (with no partition route) from which the child derives its key for `parent` by any
    /// pick that returns the one value all rows share. A new portfolio whose rows all
    /// carry the plan its key column takes gives the plan no row the plan's own staged FK
    /// did not give it already, so the branch reading rows through new portfolios skips
    /// those portfolios — at 100% new keys every one, and the branch's scan of the stage
    /// with them (a hash join with nothing to hash reads nothing). Nil when no such FK,
    /// and for a child in fill mode, whose key for `parent` is its existing row's value
    /// where it has one, not what its staged rows carry.
    func sharedKeyColumns(_ parent: ParentPlan, fedBy child: ParentPlan) -> [String]? {
        guard child.mode != .fillNullOnly, let fed = parent.sources.first(where: { $0.origin == .parent(index: child.index) }) else { return nil }
        let fedColumns = keyPositions(parent, fed.foreignKey).map { fed.foreignKey.columns[$0] }
        var derivedFrom: [String] = []
        for column in fedColumns {
            guard let planned = child.derivedColumns.first(where: { $0.column.name == column }), !planned.deferredUntilCycleLoaded
            else { return nil }
            switch planned.source {
            case .staged(let source, _): derivedFrom.append(source)
            case .rule(let rule):
                guard case .from(let source, let pick) = rule.source else { return nil }
                switch pick {
                case .first, .last, .min, .max, .mostFrequent, .maxBy, .minBy: derivedFrom.append(source)
                default: return nil
                }
            default: return nil
            }
        }
        // min() and max() must exist for the column's type (uuid and json have none).
        let comparable = ["text", "character varying", "character", "bpchar", "integer", "bigint", "smallint", "numeric", "date"]
        for source in parent.sources where source.origin == .staged && plan.routeCondition(of: source.foreignKey) == nil {
            let staged = keyPositions(parent, source.foreignKey).map { source.foreignKey.columns[$0] }
            guard staged == derivedFrom else { continue }
            let columns = staged.map { name in plan.stagedColumns.first { $0.name == name } }
            guard columns.allSatisfy({ $0?.typeIs(oneOf: comparable) == true }) else { return nil }
            return staged
        }
        return nil
    }

    /// The shared columns of the first direct parent `child` feeds that has some (see
    /// `sharedKeyColumns`): what its values table's `_fkb_same` tests. A child feeding two
    /// such parents (a portfolio's plan and organisation) shortcuts the first only.
    func sharedKeyColumns(of child: ParentPlan) -> [String]? {
        for parent in plan.parents where parent.index != child.index && readsStageDirectly(parent) {
            if let columns = sharedKeyColumns(parent, fedBy: child) { return columns }
        }
        return nil
    }

    /// The staged columns the parent's derivations read, as `s.<column>` (with
    /// `_fkb_row`), or `s.*` when a `sql:` rule may read any. Every column a branch of
    /// the `UNION ALL` returns is carried into the sort by key: with `s.*` that sort held
    /// whole staged rows (20 MB for 200,000 rows) and took three times as long.
    func directColumns(_ parent: ParentPlan) -> SQL {
        var names: [String] = []
        for column in parent.derivedColumns {
            switch column.source {
            case .staged(let source, _): names.append(source)
            case .rule(let rule):
                switch rule.source {
                case .from(let source, let pick):
                    names.append(source)
                    if case .maxBy(let order) = pick { names.append(order) }
                    if case .minBy(let order) = pick { names.append(order) }
                case .template(let template):
                    names += TemplateParts.parse(template).compactMap { if case .placeholder(let name) = $0 { name } else { nil } }
                case .sql: return "s.*"
                default: break
                }
            default: break
            }
        }
        names += sharedKeyColumns(of: parent) ?? []
        var seen = Set<String>()
        let kept = names.filter { seen.insert($0).inserted && $0 != "_fkb_row" }
        return (["s._fkb_row"] + kept.map { "s.\(identifier($0))" as SQL }).joined(separator: ", ")
    }

    /// The staged rows behind the parent's keys needing work, as `(_fkb_row, _fkb_tid,
    /// k1…)`, for a join to its values table: its refs table, or the rows read directly.
    func refRows(of parent: ParentPlan, previous: Bool = false) -> SQL {
        guard readsStageDirectly(parent) else { return Self.refs(parent.index, previous: previous) }
        let keys = parent.keyColumns.indices.map { "s.\(Self.directKey($0)) AS \(Self.keyColumn($0))" as SQL }
        return "(SELECT s._fkb_row, s._fkb_tid, \(keys.joined(separator: ", ")) FROM \(directRows(parent)) s)"
    }

    static func directKey(_ position: Int) -> SQL { "_fkb_k\(int: position + 1)" }

    /// `(… UNION ALL …)`: every staged row (all its columns, `_fkb_tid` its `ctid`) with
    /// the key needing work it leads to (`_fkb_k1…`) and whether that key is present
    /// (`_fkb_present`), once per row and key.
    func directRows(_ parent: ParentPlan) -> SQL {
        guard let sources = directSources(parent) else { preconditionFailure("no direct rows for \(parent.table.name.display)") }
        let filter: SQL = parent.mode == .fillNullOnly ? "" : " AND NOT k.present"
        var earlier: [SQL] = []
        var branches: [SQL] = []
        for source in sources {
            let childColumns = keyPositions(parent, source.foreignKey).map { source.foreignKey.columns[$0] }
            let routed: SQL = plan.routeCondition(of: source.foreignKey).map { " AND \($0)" } ?? ""
            var from: SQL = "\(Self.stage) s"
            var conditions: SQL = "s._fkb_reject IS NULL" + routed
            let values: [SQL]
            switch source.origin {
            case .staged:
                values = childColumns.map { "s.\(identifier($0))" }
            case .parent(let index):
                let child = plan.parents[index]
                let childFK = child.sources[0].foreignKey
                let childStaged = keyPositions(child, childFK).map { "s.\(identifier(childFK.columns[$0]))" as SQL }
                var expressions: [SQL] = []
                for column in childColumns {
                    guard let expression = valueExpression(of: column, in: child) else { preconditionFailure("no value for \(column)") }
                    expressions.append(child.mode == .fillNullOnly ? "coalesce(c.\(identifier(column)), \(expression))" : expression)
                }
                from += " JOIN \(Self.values(index)) v ON " + keyJoin(left: kList("v", child), right: childStaged, child)
                // `_fkb_same` speaks of the columns of one parent only: the first the child feeds.
                if let shared = sharedKeyColumns(parent, fedBy: child), sharedKeyColumns(of: child) == shared {
                    conditions += " AND NOT v._fkb_same"
                }
                if child.mode == .fillNullOnly { from += " LEFT JOIN \(child.table.name.sql) c ON " + childKeyMatch(child) }
                let childRouted: SQL = plan.routeCondition(of: childFK).map { " AND \($0)" } ?? ""
                conditions += childRouted + " AND " + expressions.map { "\($0) IS NOT NULL AND NOT \(isBlank($0))" as SQL }.joined(separator: " AND ")
                values = expressions
            }
            let match = keyJoin(left: kList("k", parent), right: values, parent)
            let unseen = earlier.map { " AND NOT coalesce(\($0), false)" as SQL }.joined()
            let keys = values.enumerated().map { "\($1) AS \(Self.directKey($0))" as SQL }
            branches.append("SELECT \(directColumns(parent)), s.ctid AS _fkb_tid, \(keys.joined(separator: ", ")), k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM \(from) "
                + "JOIN \(Self.keys(parent.index)) k ON \(match) WHERE \(conditions)\(filter)\(unseen)")
            if source.origin == .staged { earlier.append("(\(match)\(routed))") }
        }
        return "(\(branches.joined(separator: " UNION ALL ")))"
    }

    /// One row per key needing work with its derived values, from the rows read directly.
    func createDirectValues(_ parent: ParentPlan, empty: Bool) -> SQL {
        var derived = parent.derivedColumns.enumerated().map { position, column -> SQL in "\(derivation(column)) AS \(Self.derivedColumn(position))" }
        if let shared = sharedKeyColumns(of: parent) {
            let tests = shared.map { name -> SQL in "count(s.\(identifier(name))) \(SQLOperator.builtinEquality) count(*) AND min(s.\(identifier(name))) \(SQLOperator.builtinEquality) max(s.\(identifier(name)))" }
            derived.append("(\(tests.joined(separator: " AND "))) AS _fkb_same")
        }
        // Grouped by the keys table's row number, not by the key: the sort of every row
        // behind a new key then compares integers, not text in the column's collation; the
        // key and `present` come from the keys table, one row per group.
        let aggregates = derived.isEmpty ? "" : ", " + derived.joined(separator: ", ")
        let columns = parent.derivedColumns.indices.map { "a.\(Self.derivedColumn($0))" as SQL } + (derived.count > parent.derivedColumns.count ? ["a._fkb_same"] : [])
        return "CREATE TEMP TABLE \(Self.values(parent.index)) ON COMMIT DROP AS SELECT "
            + (kList("k", parent) + ["NOT k.present AS _fkb_missing"] + columns).joined(separator: ", ")
            + " FROM (SELECT s._fkb_kt\(aggregates) FROM \(directRows(parent)) s GROUP BY s._fkb_kt) a JOIN \(Self.keys(parent.index)) k ON "
            + "k._fkb_id \(SQLOperator.builtinEquality) a._fkb_kt" + (empty ? " WITH NO DATA" : "")
    }
}
