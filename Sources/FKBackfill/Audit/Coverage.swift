import PostgresClient

/// Decides, for every FK, whether a backfill can create the missing parent rows, and
/// if not, why. Works on the same `LoadPlan` a load would use, so the audit and the load
/// can never disagree about what the defaults and rules fill.
struct Coverage {
    let plan: LoadPlan
    let graph: DependencyGraph
    let rules: Rules
    let facts: TableFacts
    let session: Session
    /// Columns BEFORE INSERT triggers fill, and key sequences (issue 24).
    var columnFacts = ParentColumnFacts()
    /// What a covered FK's verdict leaves unchecked (a derived key cast between integers).
    var notes: [String] = []
    /// Whether the load adds rows to a parent (validate knows from the input; audit asks
    /// whether the input feeds it at all), and the target's FKs: for its own placeholder
    /// rows' keys of other parents (`PlaceholderKeys`).
    var addsRows: ((ParentPlan) -> Bool)?
    var targetForeignKeys: [ForeignKey] = []
    /// Reasons per parent index, memoised (parents of parents are asked repeatedly).
    private var reasonsByParent: [Int: [String]] = [:]
    /// For each parent, the parents its new rows produce keys for, with the FK they go through.
    private let feeds: [Int: [(parent: Int, foreignKey: ForeignKey)]]
    /// CHECK results already asked of the server, kept across the tables of one audit.
    var checkCache: CheckCache
    /// Validate's: the target's FKs whose keys the input all finds in their parent, as
    /// `presentKey(parent, columns, referenced)`. A new parent row whose FK column takes one of those input columns' values
    /// (the same parent: a new portfolio's plan, from the fact's plan code) needs no row
    /// there, whatever that parent's mode (differential 555 case 418).
    var presentThrough: Set<String> = []
    /// Validate's, checked in place: parents whose new rows number at most one (their
    /// keys all come from one missing key of the input, directly or through a new parent
    /// row's column taken from the same input column). Their placeholders cannot collide
    /// with each other; whether an existing row holds the same values is said in `once`.
    var atMostOneNewRow: Set<TableName> = []
    /// Read-only validate: a parent's partial and expression unique indexes are evaluated
    /// on its new rows' known values (Coverage+PartialUniques.swift); the staged path tries
    /// the parents' insert instead, and audit names them.
    var evaluatesPartialUniques = false
    /// Read-only validate: the keys a new parent row passes on from its own key columns to
    /// a grandparent are not looked up there (`reasons(for:)` notes what would stop them).
    var keyChainsNotLookedUp = false
    /// Placeholder collisions not counted for `atMostOneNewRow` parents, for notExact.
    var once: [String] = []

    init(plan: LoadPlan, graph: DependencyGraph, rules: Rules, facts: TableFacts, session: Session, checkCache: CheckCache = CheckCache()) {
        self.checkCache = checkCache
        self.plan = plan
        self.graph = graph
        self.rules = rules
        self.facts = facts
        self.session = session
        var feeds: [Int: [(parent: Int, foreignKey: ForeignKey)]] = [:]
        for parent in plan.parents {
            for source in parent.sources {
                if case .parent(let child) = source.origin, !(feeds[child]?.contains { $0.parent == parent.index } ?? false) {
                    feeds[child, default: []].append((parent.index, source.foreignKey))
                }
            }
        }
        self.feeds = feeds
    }

    mutating func result(for fk: ForeignKey) throws -> AuditReport.ForeignKeyResult {
        var result = AuditReport.ForeignKeyResult(
            name: fk.name, table: fk.table, referencedTable: fk.referencedTable, columns: fk.columns,
            referencedColumns: fk.referencedColumns, declared: fk.declared, status: .auto, reasons: [],
            declaredOn: fk.declaredOn, validated: fk.validated)
        if let skipped = skipReason(fk) {
            result.status = .skipped
            result.reasons = [skipped]
            return result
        }
        guard let parent = plan.parent(fk.referencedTable) else { return result }
        result.reasons = try reasons(for: parent.index, visiting: [])
        if !result.reasons.isEmpty {
            result.status = .uncovered
        } else if let rule = rules.table(parent.table.name), !rule.columns.isEmpty || !rule.marks.isEmpty || rule.mode != nil {
            result.status = .rule
        }
        return result
    }

    func skipReason(_ fk: ForeignKey) -> String? {
        if let rule = rules.foreignKey(fk) {
            if rule.skip { return "skip: true in \(rules.file)" }
            if let onMissing = rule.onMissing, onMissing != .backfill { return "on_missing: \(onMissing.rawValue) in \(rules.file)" }
        }
        if let mode = rules.table(fk.referencedTable)?.mode, mode == .skip || mode == .fail {
            return "\(fk.referencedTable.display) has mode: \(mode.rawValue) in \(rules.file)"
        }
        return nil
    }

    mutating func reasons(for index: Int, visiting: Set<Int>) throws -> [String] {
        if let known = reasonsByParent[index] { return known }
        let parent = plan.parents[index]
        let name = parent.table.name
        var found: [String] = []
        // A BEFORE INSERT trigger that sets the column fills it on the placeholder row too.
        for column in parent.uncoveredColumns where columnFacts.triggerFilled[name]?[column.name] == nil {
            found.append("\(name.display).\(quoteIdentifier(column.name, style: .whenNeeded)) is NOT NULL "
                + "with no default, no same-named input column and no rule")
        }
        // A NOT NULL column the rules leave NULL (`null: true`), as LoadRun.unfillable says
        // (read-only validate called such a parent's keys fixable; differential 777001/766).
        let inserted = Set(parent.insertedColumns.map(\.column.name))
        for planned in parent.columns where planned.column.notNull && !inserted.contains(planned.column.name)
            && planned.column.defaultExpression == nil && !planned.column.domainDefault && !planned.column.isDatabaseGenerated
            && planned.source != .uncovered {
            found.append("\(name.display).\(quoteIdentifier(planned.column.name, style: .whenNeeded)) is NOT NULL but its rule leaves it NULL")
        }
        found += try NullDefaults.parentNames(parent, on: session, cache: &checkCache.nullDefaults).map { NullDefaults.parentReason(name, $0) }
        // Code on INSERT that assigns the key or drops the row: the load reads the keys
        // back and stops when they are not the keys asked for.
        for key in parent.keyColumns {
            if let trigger = columnFacts.triggerFilled[name]?[key] {
                found.append("trigger \(trigger) on \(name.display) assigns its key column \(key) on INSERT: new keys may not be stored as asked")
            }
        }
        for dropper in columnFacts.rowDroppers[name] ?? [] {
            found.append("\(dropper) on \(name.display) may drop new rows on INSERT")
        }
        // BEFORE INSERT triggers run before CHECK: with triggers, the insert decides (the second sweep).
        if (facts.triggers[name] ?? []).isEmpty { found += try failingChecks(parent) }
        // A partial or expression unique index: one new row clashes with a row there, two
        // with each other (with one new row, the first is all there is to tell).
        let partial = try partialUniqueClashes(parent)
        found += partial.held
        if atMostOneNewRow.contains(name) {
            for reason in collidingUniques(parent) where !once.contains(reason) { once.append(reason) }
        } else {
            found += collidingUniques(parent) + partial.twice
        }
        if facts.canInsert[name] == false { found.append("the current role may not INSERT into \(name.display)") }
        let needsUpdate = parent.mode == .fillNullOnly || parent.columns.contains(where: \.deferredUntilCycleLoaded)
        if needsUpdate && facts.canUpdate[name] == false {
            found.append("the current role may not UPDATE \(name.display)")
        }
        if let cycle = parent.cycle, !graph.cycles[cycle].breakable {
            found.append("\(name.display) is in a cycle (" + graph.cycles[cycle].tables.map(\.display).joined(separator: ", ")
                + ") with no nullable or deferrable FK to break it")
        }
        // A table of the target's cycle when no order of the writes exists: a new row here
        // stops the load before its first write (`LoadRun.targetCycleBlocker`).
        if let targetCycle = plan.targetCycle, targetCycle.order == .none, !parent.isTarget, let index = parent.cycle,
           plan.parents.contains(where: { $0.isTarget && $0.cycle == index }), graph.cycles[index].breakable {
            found.append(targetCycle.noOrder(plan.target.name))
        }
        if let generated = PlaceholderKeys.generatedKey(parent) { found.append(generated) }
        // The target's placeholders: a known key of another parent the load does not add.
        if parent.isTarget {
            let keys = try PlaceholderKeys.check(parent, plan: plan, foreignKeys: targetForeignKeys, on: session) { parent in
                addsRows?(parent) ?? parent.sources.contains { if case .staged = $0.origin { true } else { false } }
            }
            found += keys.unheld
            notes += keys.unsure.filter { !notes.contains($0) }
        }
        // New rows here need new rows in their own parents.
        for (grandparentIndex, foreignKey) in feeds[index] ?? [] where !visiting.contains(grandparentIndex) && grandparentIndex != index {
            let grandparent = plan.parents[grandparentIndex]
            // A placeholder row that leaves the FK NULL, or gives it a constant the parent
            // already has, needs no new row there (issue 24, item 10).
            if try needsNoRows(parent, through: foreignKey, in: grandparent) { continue }
            if !grandparent.backfills {
                found.append("new rows of \(name.display) need rows in \(grandparent.table.name.display), whose mode is \(grandparent.mode.rawValue)")
                continue
            }
            // Read-only, the values a new row gives its FK are not computed: a blank key, or
            // one longer than the grandparent's key column, stops the load (`LoadRun.derivedKeyBlockers`).
            // Not where the value is one of an input column that is itself the target's FK
            // to the same key (a new portfolio's plan from the fact's plan code): those keys
            // are the target's, checked as such.
            let planned = foreignKey.columns.compactMap { column in parent.columns.first { $0.column.name == column } }
            let asTargetKey = planned.count == 1 && Self.valueOfOneRow(planned[0].source).map { input in
                plan.stagedKeys.contains { $0.referencedTable == grandparent.table.name && $0.columns == [input] && $0.referencedColumns == foreignKey.referencedColumns }
            } == true
            // A key column of the parent is the input's key: blank ones are the FK's own to
            // find; it may still be longer than the grandparent's key (review 21).
            let narrower = zip(planned, foreignKey.referencedColumns).contains { column, referenced in
                guard case .key = column.source, let key = grandparent.table.column(referenced), let length = TextStaging.maxLength(key) else { return false }
                return TextStaging.maxLength(column.column).map { $0 > length } ?? true
            }
            if addsRows?(parent) == true, !asTargetKey, narrower || planned.contains(where: { if case .key = $0.source { false } else { true } }) {
                let note = "keys of \(grandparent.table.name.display) that new rows of \(name.display) give it (\(foreignKey.columns.joined(separator: ", "))) "
                    + "are not checked: a blank one, or one longer than its key column\(foreignKey.match == .full && foreignKey.columns.count > 1 ? ", or one partly NULL (MATCH FULL)" : ""), stops the load"
                if !notes.contains(note) { notes.append(note) }
            }
            let inherited = try reasons(for: grandparent.index, visiting: visiting.union([index]))
            // Read-only, a grandparent reached through the parent's own key columns (Airflow's
            // xcom → task_instance → dag_run → dag, each taking dag_id from the input) needs
            // rows only for keys it lacks, which no lookup here finds: what would stop its
            // new rows is said as not exact rather than as a refusal (the sixth sweep: every
            // dag present, the load committed, read-only said would not load).
            if keyChainsNotLookedUp, !inherited.isEmpty, planned.count == foreignKey.columns.count,
               planned.allSatisfy({ if case .key = $0.source { true } else { false } }) {
                for reason in inherited {
                    let note = "new rows of \(name.display) need rows in \(grandparent.table.name.display) only for keys (\(foreignKey.columns.joined(separator: ", "))) "
                        + "it lacks, which read-only validate does not look up; where it lacks one: \(reason)"
                    if !notes.contains(note) { notes.append(note) }
                }
                continue
            }
            found += inherited.map { "new rows of \(name.display) need rows in \(grandparent.table.name.display): \($0)" }
        }
        reasonsByParent[index] = found
        return found
    }

    /// Whether new rows of `parent` leave `foreignKey` NULL (a nullable column with no
    /// source: MATCH SIMPLE checks nothing then), or give every row the same constant key
    /// (`value:` rules, marks) that `grandparent` already holds: one key lookup, the only
    /// table read the audit makes without data checks.
    mutating func needsNoRows(_ parent: ParentPlan, through foreignKey: ForeignKey, in grandparent: ParentPlan) throws -> Bool {
        let columns = foreignKey.columns.compactMap { name in parent.columns.first { $0.column.name == name } }
        guard columns.count == foreignKey.columns.count else { return false }
        if columns.contains(where: { $0.mark == nil && ($0.source == .null) }) { return true }
        // One column whose value is one of an input column's values (over whichever input
        // rows lead to the key: the most frequent, or a rule's pick of one row's value),
        // where that column is itself the target's FK to the same key, every one of whose
        // keys the parent holds (read-only, a self-reference's keys count present when the
        // input gives them too: a new portfolio's owner taken from the fact's parent id);
        // or is the target's own key, which every row loaded brings (a new team's lead
        // taken from the id of a person loaded; the load derives from the rows it keeps).
        if columns.count == 1, columns[0].mark == nil, let input = Self.valueOfOneRow(columns[0].source),
           let inputType = plan.stagedColumns.first(where: { $0.name == input })?.type {
            // Of the input's type or the key's: a cast to a narrower one could cut the key
            // into another; between integers it keeps the number or fails (named below).
            let derived = columns[0].column.type
            let keyType = grandparent.table.column(foreignKey.referencedColumns[0])?.type
            let integral = Self.integers.contains(derived) && Self.integers.contains(inputType)
            if [inputType, keyType].contains(derived) || integral {
                let given = presentThrough.contains(Self.presentKey(grandparent.table.name, [input], foreignKey.referencedColumns))
                    || (grandparent.table.name == plan.target.name && foreignKey.referencedColumns == [input])
                if given {
                    let note = "values of \(parent.table.name.display).\(columns[0].column.name) are cast from \(inputType) to \(derived): "
                        + "one out of its range is not looked for"
                    if derived != inputType, integral, !notes.contains(note) { notes.append(note) }
                    return true
                }
            }
        }
        var conditions: [SQL] = []
        for (column, referenced) in zip(columns, foreignKey.referencedColumns) {
            let constant: String? = if let mark = column.mark { mark } else if case .rule(let rule) = column.source,
                case .value(let value) = rule.source { value } else { nil }
            guard let constant, let target = grandparent.table.column(referenced) else { return false }
            conditions.append("\(ident: referenced) OPERATOR(pg_catalog.=) CAST(CAST(\(bind: constant) AS pg_catalog.text) AS \(target.pinnedType))")
        }
        let query: SQL = "SELECT EXISTS (SELECT 1 FROM \(grandparent.table.name) WHERE \(conditions.joined(separator: " AND "))) AS found"
        let rendered = query.rendered()
        let cacheKey = ([rendered.text] + rendered.parameters.map { $0 ?? "" }).joined(separator: "\u{0}")
        if let known = checkCache.passes[cacheKey] { return known }
        let found = (try? session.savepoint { try session.execute(query).rows[0].bool("found") }) ?? false
        checkCache.passes[cacheKey] = found
        return found
    }

    /// CHECK constraints whose columns all get known placeholder values, evaluated on them.
    mutating func failingChecks(_ parent: ParentPlan) throws -> [String] {
        var failing: [String] = []
        for check in facts.checks[parent.table.name] ?? [] {
            var values: [SQL] = []
            var known = true
            for name in check.columns {
                guard let column = parent.columns.first(where: { $0.column.name == name }),
                      let value = PlaceholderKeys.value(column) else { known = false; break }
                values.append("\(value) AS \(ident: name)")
            }
            guard known, !values.isEmpty else { continue }
            let query: SQL = "SELECT (\(check.sql)) IS NOT FALSE AS ok FROM (SELECT \(values.joined(separator: ", "))) AS t"
            let rendered = query.rendered()
            let cacheKey = ([parent.table.name.description, rendered.text] + rendered.parameters.map { $0.map { "v" + $0 } ?? "null" })
                .joined(separator: "\u{0}")
            let passes: Bool
            if let known = checkCache.passes[cacheKey] {
                passes = known
            } else {
                passes = (try? session.savepoint { try session.execute(query).rows[0].bool("ok") }) ?? false
                checkCache.passes[cacheKey] = passes
            }
            if !passes {
                failing.append("a placeholder row of \(parent.table.name.display) would fail CHECK \(check.name): \(check.definition)")
            }
        }
        return failing
    }
}

/// The outcome of each CHECK-on-placeholder query, by table and query text: a schema
/// audit asks the same parents' checks once per referencing table otherwise.
struct CheckCache {
    var passes: [String: Bool] = [:]
    /// Per table, its NOT NULL columns whose DEFAULT gives NULL (`NullDefaults`).
    var nullDefaults: [UInt32: Set<String>] = [:]
}
