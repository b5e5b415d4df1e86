/// Turns the catalog, its graph and the staged columns into a `LoadPlan`.
///
/// This is where "no configuration" is decided: which staged column fills which
/// parent column, by the rules in docs/backfill.md.
enum LoadPlanner {
    static func plan(
        catalog: Catalog, graph: DependencyGraph, stagedColumns: [String],
        rules: Rules = .none, mode: BackfillMode = .insertMissing, extraColumns: [Column] = []
    ) throws(FKBackfillError) -> LoadPlan {
        guard let target = catalog.table(catalog.root) else {
            throw FKBackfillError("target \(catalog.root.display) is missing from the catalog", kind: .catalogChanged)
        }
        let staged = try stagedColumns.map { name throws(FKBackfillError) -> Column in
            // An extra column (not the target's) is staged for the backfill to read.
            guard let column = target.column(name) ?? extraColumns.first(where: { $0.name == name }) else {
                throw FKBackfillError("input column \(name) is not a column of \(target.name.display)", kind: .badInput(line: 1))
            }
            return column
        }
        let stagedNames = Set(stagedColumns)
        let cycleOf = Dictionary(
            graph.cycles.enumerated().flatMap { index, cycle in cycle.tables.map { ($0, index) } },
            uniquingKeysWith: { first, _ in first })

        // Parents: every table but the target, and the target too when it is in a cycle.
        let parentNames = graph.order.filter { $0 != target.name || cycleOf[$0] != nil }
        let indexOf = Dictionary(uniqueKeysWithValues: parentNames.enumerated().map { ($1, $0) })
        let broken = Set(graph.cycles.flatMap { $0.breakAt }.filter { $0.breakableBy == .nullable }.map { EdgeID($0) })
        let targetCycle = TargetCycle.plan(catalog: catalog, graph: graph, target: target, stagedColumns: stagedNames)
        let live = liveParentKeys(catalog: catalog, target: target.name, parentNames: parentNames, stagedNames: stagedNames, rules: rules, mode: mode)

        var parents: [ParentPlan] = []
        for (index, name) in parentNames.enumerated() {
            guard let table = catalog.table(name) else { continue }
            let tableRule = rules.table(name)
            let tableMode = tableRule?.mode ?? (mode == .fillNullOnly ? .fillNullOnly : .insertMissing)
            let incoming = catalog.foreignKeys(referencing: name)
            var found = incoming.compactMap { fk -> KeySource? in
                let fkRule = rules.foreignKey(fk)
                if fkRule?.skip == true { return nil }
                if fk.table == target.name {
                    // A target FK is read from the staged rows; all its columns must be staged.
                    guard fk.columns.allSatisfy(stagedNames.contains) else { return nil }
                    // Guarded keys are checked, not backfilled.
                    if fkRule?.onMissing == .reject || fkRule?.onMissing == .fail { return nil }
                    if tableMode == .skip || tableMode == .fail { return nil }
                    return KeySource(foreignKey: fk, origin: .staged)
                }
                // An FK no new row of its table has values for carries no key (LoadPlanner+LiveKeys.swift).
                guard live.contains(EdgeID(fk)) else { return nil }
                return indexOf[fk.table].map { KeySource(foreignKey: fk, origin: .parent(index: $0)) }
            }
            // A parent that references itself (a tree: parent_id → id) through another key
            // than its children reference it by (a Django category the products reference by
            // its slug) is made for the children's key when its new rows' own reference is
            // NULL (nothing fills it): PostgreSQL's check then asks nothing of them. One a
            // rule or an input column fills still needs rows by both keys (refused below).
            // MATCH SIMPLE asks nothing of a key with any NULL column: a multi-tenant tree's
            // (site_id, parent_id) → (site_id, id), site_id part of the children's key
            // (site_id, slug), was refused, and PostgreSQL took the rows (hostile review 25).
            let outside = found.filter { $0.foreignKey.table != name }.map(\.foreignKey.referencedColumns)
            if let key = outside.first, outside.allSatisfy({ Set($0) == Set(key) }) {
                found.removeAll { source in
                    let unfilled = { (column: String) -> Bool in
                        table.column(column).map {
                            Self.source(for: $0, keyColumns: key, table: table, isTarget: name == target.name, stagedNames: stagedNames,
                                        catalog: catalog, rule: tableRule?.column(column)) == .null
                        } == true
                    }
                    let columns = source.foreignKey.columns
                    // Not the target's own self-reference: the input fills it, though its
                    // columns read as NULL here (a target's placeholders have no staged
                    // source); dropped, the staged validate called rows referencing rows of the
                    // same input missing, where the load took them (hostile review 25).
                    return source.foreignKey.table == name && source.origin != .staged && Set(source.foreignKey.referencedColumns) != Set(key)
                        && (source.foreignKey.match == .full ? columns.allSatisfy(unfilled) : columns.contains(where: unfilled))
                }
            }
            let sources = Self.keyTypedFirst(found, referenced: table, catalog: catalog)
            let keySets = Set(sources.map { Set($0.foreignKey.referencedColumns) })
            if keySets.count > 1 {
                let keys = keySets.map { "(" + $0.sorted().joined(separator: ", ") + ")" }.sorted()
                throw FKBackfillError(
                    "\(name.display) is referenced through different keys \(keys.joined(separator: " and ")); "
                        + "a new row would need values for all of them",
                    hint: "backfill this table by hand or load it before the facts", kind: .blocked)
            }
            let keyColumns = sources.first?.foreignKey.referencedColumns ?? []
            let isTarget = name == target.name
            let columns = table.columns.map { column in
                ColumnPlan(
                    column: column,
                    source: source(
                        for: column, keyColumns: keyColumns, table: table, isTarget: isTarget,
                        stagedNames: stagedNames, catalog: catalog, rule: tableRule?.column(column.name)),
                    mark: tableRule?.marks.last { $0.column == column.name }?.value,
                    deferredUntilCycleLoaded: catalog.foreignKeys(of: name).contains {
                        (broken.contains(EdgeID($0)) || targetCycle?.setAfterTarget($0) == true)
                            && $0.columns.contains(column.name) && !column.notNull
                    },
                    setAfterTarget: !column.notNull && catalog.foreignKeys(of: name).contains {
                        targetCycle?.setAfterTarget($0) == true && $0.columns.contains(column.name)
                    })
            }
            let operators = Self.keyColumnOperators(sources, keyColumns: keyColumns, referenced: table, catalog: catalog)
            parents.append(ParentPlan(
                index: index, table: table, keyColumns: keyColumns, sources: sources,
                keyOperatorSources: operators.sources, keyCastColumns: operators.casts,
                columns: columns, isTarget: isTarget, cycle: cycleOf[name], mode: tableMode))
        }

        // Children first; the tables of one cycle together.
        var groups: [[Int]] = []
        var seenCycles = Set<Int>()
        for parent in parents.reversed() {
            if let cycle = parent.cycle {
                if seenCycles.insert(cycle).inserted {
                    groups.append(parents.reversed().filter { $0.cycle == cycle }.map(\.index))
                }
            } else {
                groups.append([parent.index])
            }
        }
        var deferred = graph.cycles.flatMap(\.breakAt).filter { $0.breakableBy == .deferrable }.compactMap { edge in
            catalog.foreignKeys(of: edge.from).first { $0.name == edge.constraint }
        }
        for fk in targetCycle?.deferred ?? [] where !deferred.contains(where: { EdgeID($0) == EdgeID(fk) }) { deferred.append(fk) }
        return LoadPlan(
            target: target, stagedColumns: staged, parents: parents, computeGroups: groups,
            deferredConstraints: deferred, targetCycle: targetCycle,
            stagedKeys: catalog.foreignKeys(of: target.name).filter { $0.columns.allSatisfy(stagedNames.contains) },
            matchFullKeys: catalog.foreignKeys(of: target.name).filter {
                $0.match == .full && $0.columns.allSatisfy(stagedNames.contains)
            },
            unbreakableCycles: graph.cycles.filter { !$0.breakable },
            guardedKeys: guardedKeys(catalog: catalog, target: target.name, stagedNames: stagedNames, rules: rules),
            blankColumns: catalog.foreignKeys(of: target.name).flatMap(\.columns).reduce(into: [Column]()) { columns, name in
                if stagedNames.contains(name), !columns.contains(where: { $0.name == name }), let column = target.column(name) {
                    columns.append(column)
                }
            },
            blank: rules.blank, nearDuplicates: rules.nearDuplicates)
    }

    /// Target FKs whose missing keys are rejected or stop the load instead of being backfilled.
    static func guardedKeys(catalog: Catalog, target: TableName, stagedNames: Set<String>, rules: Rules) -> [LoadPlan.GuardedKey] {
        catalog.foreignKeys(of: target).compactMap { fk in
            guard fk.columns.allSatisfy(stagedNames.contains) else { return nil }
            let rule = rules.foreignKey(fk)
            if rule?.skip == true { return nil }
            switch rule?.onMissing {
            case .reject: return .init(foreignKey: fk, reject: true)
            case .fail: return .init(foreignKey: fk, reject: false)
            // `backfill` asks for the default; a parent that may not take rows
            // (`mode: skip|fail`) still guards its keys, or they would reach the FK check.
            case .backfill, nil:
                switch rules.table(fk.referencedTable)?.mode {
                case .skip: return .init(foreignKey: fk, reject: true)
                case .fail: return .init(foreignKey: fk, reject: false)
                default: return nil
                }
            }
        }
    }

    /// The rules, in order: key; identity/generated; the rules file (an `optional` rule
    /// only when the input has every column it reads); DEFAULT; a staged column of
    /// the same name (unless both are FK columns to different tables: `keyOfAnotherTable`);
    /// for an FK column, the staged column through which the target references the same
    /// parent column; NULL if nullable; otherwise uncovered.
    static func source(
        for column: Column, keyColumns: [String], table: Table, isTarget: Bool,
        stagedNames: Set<String>, catalog: Catalog, rule: ColumnRule?
    ) -> ColumnSource {
        if let position = keyColumns.firstIndex(of: column.name) { return .key(position: position) }
        if column.isDatabaseGenerated { return .generatedByDatabase }
        if let rule, !rule.optional || rule.inputColumns.allSatisfy(stagedNames.contains) {
            switch rule.source {
            case .databaseDefault: return .databaseDefault
            case .null: return .null
            default: return .rule(rule)
            }
        }
        if column.defaultExpression != nil { return .databaseDefault }
        // For the target's own placeholders, the staged rows that reference a key are its
        // children: their values say nothing about the referenced row.
        if !isTarget {
            if stagedNames.contains(column.name), !keyOfAnotherTable(column.name, of: table, catalog: catalog) {
                return .staged(column: column.name, reason: .sameName)
            }
            if let sibling = sameParentColumn(for: column, of: table, stagedNames: stagedNames, catalog: catalog) {
                return .staged(column: sibling, reason: .sameParent)
            }
        }
        // A NOT NULL column of a domain with a DEFAULT, left out of the INSERT, takes the
        // domain's: it was "uncovered", and the load refused rows PostgreSQL takes.
        return column.notNull ? (column.domainDefault ? .databaseDefault : .uncovered) : .null
    }

    /// Whether the parent's column `name` is an FK column to one table and the target's
    /// column of that name an FK column to another: Odoo's `res_company.parent_id` (a
    /// company) and `res_partner.parent_id` (a partner). Taken by its name, a partner's
    /// key became a company's parent, and a new company was backfilled for it
    /// (RealSchemaSweep3Tests). Such a column is no value for the parent's: the next rules
    /// apply (the same parent through another column, NULL, uncovered).
    static func keyOfAnotherTable(_ name: String, of table: Table, catalog: Catalog) -> Bool {
        func references(_ fks: [ForeignKey]) -> Set<String> {
            Set(fks.compactMap { fk in fk.columns.firstIndex(of: name).map { "\(fk.referencedTable.display)(\(fk.referencedColumns[$0]))" } })
        }
        let parents = references(catalog.foreignKeys(of: table.name)), targets = references(catalog.foreignKeys(of: catalog.root))
        return !parents.isEmpty && !targets.isEmpty && parents.isDisjoint(with: targets)
    }

    /// For `column`, part of an FK of `table` to Q(q), the staged column through which
    /// the target's own FK references Q(q) too. Nil when there is none or more than one.
    static func sameParentColumn(for column: Column, of table: Table, stagedNames: Set<String>, catalog: Catalog) -> String? {
        var found = Set<String>()
        for fk in catalog.foreignKeys(of: table.name) where fk.referencedTable != table.name {
            guard let position = fk.columns.firstIndex(of: column.name) else { continue }
            let referenced = fk.referencedColumns[position]
            for targetKey in catalog.foreignKeys(of: catalog.root) where targetKey.referencedTable == fk.referencedTable {
                if let p = targetKey.referencedColumns.firstIndex(of: referenced), stagedNames.contains(targetKey.columns[p]) {
                    found.insert(targetKey.columns[p])
                }
            }
        }
        return found.count == 1 ? found.first : nil
    }
}

/// Identifies an FK edge across the graph and the catalog.
struct EdgeID: Hashable {
    var table: TableName
    var constraint: String

    init(_ edge: DependencyGraph.Edge) { table = edge.from; constraint = edge.constraint }
    init(_ fk: ForeignKey) { table = fk.table; constraint = fk.name }
}
