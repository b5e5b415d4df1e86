import PostgresClient

/// What read-only validate does not evaluate of the new parent rows' insert, per parent
/// that gets rows (`notEvaluatedReadOnly`): their CHECKs, derived NOT NULL values,
/// triggers, generated columns, rules, unique and exclusion constraints and routing —
/// but what the new keys alone decide (Validator+ParentNewRows.swift).
extension Validator {
    func parentsNotEvaluated(plan: LoadPlan, catalog: Catalog, facts: TableFacts, streamed: Bool) throws -> [String] {
        var reasons: [String] = []
        for parent in plan.parents where !parent.isTarget && parent.backfills {
            let name = parent.table.name.display
            // Streamed, those over the key alone are evaluated (Validator+ParentNewRows.swift).
            let evaluatedChecks = streamed ? Set(try self.evaluatedChecks(parent, target: plan.target.name).map(\.name)) : []
            // A partition's own CHECKs (hostile review 16: silent, and the load failed on one).
            if parent.table.kind == .partitioned {
                let own = try session.execute(
                    """
                    SELECT c.conname FROM pg_catalog.pg_partition_tree(CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)) t
                    JOIN pg_catalog.pg_constraint c ON c.conrelid OPERATOR(pg_catalog.=) t.relid
                    WHERE t.relid OPERATOR(pg_catalog.<>) CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)
                      AND c.contype OPERATOR(pg_catalog.=) 'c' AND c.coninhcount OPERATOR(pg_catalog.=) 0 ORDER BY 1
                    """).rows.map { try $0.string("conname") }
                if !own.isEmpty {
                    reasons.append("CHECK constraints of partitions of \(name) (\(own.joined(separator: ", "))) are not evaluated on its new rows")
                }
            }
            // Those over columns every new row gets a known value in (a constant DEFAULT, a
            // mark, a `value:` rule) are evaluated on those values (`Coverage.failingChecks`:
            // one that fails is a reason), with no trigger to change the row first.
            let untriggered = (facts.triggers[parent.table.name] ?? []).isEmpty
            let constant = { (check: TableFacts.Check) in
                untriggered && !check.columns.isEmpty && check.columns.allSatisfy { name in
                    parent.columns.first { $0.column.name == name }.flatMap(PlaceholderKeys.value) != nil
                }
            }
            if let checks = facts.checks[parent.table.name]?.filter({ !evaluatedChecks.contains($0.name) && !constant($0) }), !checks.isEmpty {
                reasons.append("CHECK constraints of new rows of \(name) (\(checks.map(\.name).joined(separator: ", "))) are not evaluated")
            }
            // Those the batches follow exactly are not named (Validator+StreamedDerivations).
            let followed = !streamed ? [] : Set(catalog.foreignKeys(of: plan.target.name).filter { Self.derivedParent(of: $0, plan: plan)?.index == parent.index }
                .flatMap { Self.nullableDerivations(of: $0, plan: plan).map(\.column) })
            let derived = parent.derivedColumns.filter { $0.column.notNull && !Self.neverNull($0, plan: plan) && !followed.contains($0.column.name) }
                .map(\.column.name)
            if !derived.isEmpty {
                reasons.append("values derived for new rows of \(name) (\(derived.joined(separator: ", "))): one that comes out NULL in a NOT NULL column is not found")
            }
            // A derived value is cast to its column's type by the insert: text that is no
            // date, a label no enum has, a domain's CHECK (hostile review 17).
            let cast = parent.derivedColumns.filter { Self.castByInsert($0, plan: plan) }.map(\.column.name)
            if !cast.isEmpty {
                reasons.append("values derived for new rows of \(name) (\(cast.joined(separator: ", "))) are cast to their column's type by the insert: one it cannot take is not found")
            }
            // A new row's FK column left to its DEFAULT: that key is its parent's to hold (review 17).
            let inserted = Set(parent.insertedColumns.map(\.column.name))
            let uncomputed = try NullDefaults.uncomputed(of: parent.table, on: session).filter { !inserted.contains($0) }
            if !uncomputed.isEmpty { reasons.append(NullDefaults.uncomputedReason(parent.table.name, uncomputed, rows: "new rows")) }
            // Evaluated where its new keys are (Validator+ParentDefaultedKeys.swift).
            let judged = try streamed && directlyFed(parent, target: plan.target.name) && rowSecurityActive([parent.table]).isEmpty
                ? Set(parentDefaultedKeyStops(parent, plan: plan, catalog: catalog).keys) : []
            for fk in catalog.foreignKeys(of: parent.table.name) where !fk.declared && !fk.columns.allSatisfy(inserted.contains) && !judged.contains(fk.name) {
                let defaulted = fk.columns.filter { !inserted.contains($0) && parent.table.column($0)?.hasNonNullDefault == true }
                if !defaulted.isEmpty {
                    reasons.append("new rows of \(name) take the DEFAULT of \(defaulted.joined(separator: ", ")) for \(fk.name), whose key in \(fk.referencedTable.display) is not checked")
                }
            }
            if let triggers = facts.triggers[parent.table.name], !triggers.isEmpty {
                reasons.append("triggers on \(name) (\(triggers.joined(separator: ", "))) run on its new rows and are not tried")
            }
            // Named even where one that comes out NULL is found from the keys
            // (Validator+ParentNewRows): the expression may also fail (review 18).
            let generated = parent.table.columns.filter { $0.generatedExpression != nil }.map(\.name)
            if !generated.isEmpty {
                reasons.append("generated columns of new rows of \(name) (\(generated.joined(separator: ", "))) are computed by their insert, not evaluated")
            }
            if let rules = facts.insertRules[parent.table.name], !rules.isEmpty {
                reasons.append("rules on \(name) (\(rules.joined(separator: ", "))) run on INSERT of its new rows and are not tried")
            }
            // A unique column the new rows take from a sequence behind the stored values (a
            // dimension's surrogate key seeded with explicit ids): their insert clashes
            // (hostile review 19). The staged path tries the insert.
            for index in facts.indexes[parent.table.name] ?? [] where index.unique && index.columns.count == 1 && !inserted.contains(index.columns[0]) {
                guard let column = parent.table.column(index.columns[0]), column.isSequenceFed, try !sequenceIsAhead(column, of: parent.table) else { continue }
                reasons.append("new rows of \(name) take \(column.name) from a sequence not known to be ahead of the values there: their insert may clash on \(index.name)")
            }
            // A unique index over part of the key and values every new row gets alike (a
            // tenant's accounts, `UNIQUE (tenant_id, name)` with name DEFAULT ''): two new rows
            // of one tenant clash, or one with a row there (hostile review 19). The staged path tries it.
            for index in facts.indexes[parent.table.name] ?? [] where index.unique && !index.partialUnique
                && index.columns.contains(where: parent.keyColumns.contains) && !index.columns.allSatisfy(parent.keyColumns.contains)
                && index.columns.filter({ !parent.keyColumns.contains($0) }).allSatisfy({ name in
                    Coverage.alike(parent.columns.first { $0.column.name == name }, nullsNotDistinct: index.nullsNotDistinct,
                                   varying: facts.varyingDefaults[parent.table.name] ?? []) }) {
                let part = index.columns.filter(parent.keyColumns.contains).joined(separator: ", ")
                reasons.append("unique index \(index.name) of \(name) over (\(part)) of the key and values its new rows all get alike: "
                    + "two new rows with the same (\(part)), or one like a row there, clash, which is not looked for")
            }
            // A unique index over values derived for the new rows: two new rows may get the
            // same (differential 1357 case 99); the derived values are not computed here.
            let derivedNames = Set(parent.derivedColumns.map(\.column.name))
            for index in facts.indexes[parent.table.name] ?? [] where index.unique
                && !index.columns.allSatisfy(parent.keyColumns.contains) && index.columns.contains(where: derivedNames.contains) {
                reasons.append("unique index \(index.name) of \(name) over values derived for its new rows: two new rows alike, or one like an existing row, are not looked for")
            }
            // A partial or expression unique index: whether new rows clash, with each other
            // (a rule's constant path under lower(path)) or with rows there, only the insert
            // tells (the real-schema sweep: "would load" with nothing named, the load failed).
            // Those whose columns all get known values are evaluated on them (Coverage+PartialUniques.swift).
            let evaluated = facts.indexes[parent.table.name]?.contains(where: \.partialUnique) == true
                ? Set(try Coverage.partialUniqueOutcomes(parent, on: session).map(\.name)) : []
            for index in facts.indexes[parent.table.name] ?? [] where index.partialUnique && !evaluated.contains(index.name) {
                reasons.append("unique index \(index.name) of \(name) has a predicate or an expression: whether its new rows clash is not tried")
            }
            // What the staged prediction tries by inserting (Prediction.parentTrialReasons):
            // a new row's clash under an exclusion constraint, its partition.
            for what in try ParentHooks.unevaluated(parent.table, key: parent.keyColumns, on: session) where what.hasPrefix("exclusion constraint") {
                reasons.append("\(what) of \(name): not evaluated on its new rows")
            }
            // Streamed, the new keys' routing is evaluated where they alone route (Validator+ParentRouting.swift).
            if try ParentHooks.read(parent.table, on: session).contains("no default partition"),
               try !(streamed && routingEvaluated(parent, target: plan.target.name)) {
                reasons.append("\(name) has no default partition: whether one takes each new row is not tried")
            }
        }
        // The target's own placeholder rows take derived values too (review 20: a template
        // longer than the name's varchar(12)).
        if let own = plan.parents.first(where: \.isTarget), own.backfills {
            let cast = own.derivedColumns.filter { Self.castByInsert($0, plan: plan) }.map(\.column.name)
            if !cast.isEmpty {
                reasons.append("values derived for placeholder rows of \(own.table.name.display) (\(cast.joined(separator: ", "))) are cast to their column's type by the insert: one it cannot take is not found")
            }
            // Their FK columns to other tables, derived: a key the table lacks fails their
            // insert (`LoadRun.placeholderKeyBlockers`); constants are looked up (`PlaceholderKeys`).
            for fk in catalog.foreignKeys(of: own.table.name) where fk.referencedTable != own.table.name && !fk.declared {
                let planned = fk.columns.compactMap { name in own.columns.first { $0.column.name == name } }
                guard planned.count == fk.columns.count, planned.contains(where: { column in
                    guard column.mark == nil, PlaceholderKeys.value(column) == nil else { return false }
                    switch column.source { case .rule, .staged: return true; default: return false }
                }) else { continue }
                reasons.append("keys of \(fk.referencedTable.display) that placeholder rows of \(own.table.name.display) give \(fk.name) "
                    + "(\(fk.columns.joined(separator: ", "))) are derived and not checked: one it lacks stops the load")
            }
        }
        return reasons
    }

    /// What may refuse fill_null_only's UPDATE of `parent`'s existing rows: its CHECK
    /// constraints, unique indexes over other columns than the key, domains, triggers and
    /// rules on UPDATE (hostile review 17: the load stopped
    /// on a CHECK of a filled column, the standby said would load); nil when none.
    static func fillRefusers(_ parent: ParentPlan, plan: LoadPlan, facts: TableFacts, on session: Session) throws -> String? {
        var found = (facts.checks[parent.table.name] ?? []).map { "CHECK \($0.name)" }
        // A value cast to the column's type: too long for a varchar(5), no date (review 20).
        found += parent.derivedColumns.filter { castByInsert($0, plan: plan) }.map { "the type of \($0.column.name)" }
        // A unique index over a filled column, a domain's CHECK (review 18).
        let keyColumns = Set(parent.keyColumns)
        found += (facts.indexes[parent.table.name] ?? []).filter { ($0.unique || $0.partialUnique) && !$0.columns.allSatisfy(keyColumns.contains) }.map { "unique index \($0.name)" }
        found += parent.columns.filter { $0.column.domainBaseType != nil && !keyColumns.contains($0.column.name) }.map { "the domain of \($0.column.name)" }
        found += try session.execute(
            """
            SELECT pg_catalog.concat('trigger ', t.tgname) AS what FROM pg_catalog.pg_trigger t
            WHERE t.tgrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid) AND NOT t.tgisinternal
              AND t.tgenabled OPERATOR(pg_catalog.<>) 'D' AND (t.tgtype OPERATOR(pg_catalog.&) 16) OPERATOR(pg_catalog.<>) 0
            UNION ALL
            SELECT pg_catalog.concat('rule ', r.rulename) FROM pg_catalog.pg_rewrite r
            WHERE r.ev_class OPERATOR(pg_catalog.=) CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)
              AND r.ev_type OPERATOR(pg_catalog.=) '2' AND r.ev_enabled OPERATOR(pg_catalog.<>) 'D'
            ORDER BY 1
            """).rows.map { try $0.string("what") }
        return found.isEmpty ? nil : found.joined(separator: ", ")
    }

    /// Whether the insert casts `planned`'s value (an input column's, picked) to a type
    /// the value may not fit (`AssignmentFit`: not a widening such as varchar(20) into
    /// varchar(50)), or to a domain, whose CHECK may refuse it.
    static func castByInsert(_ planned: ColumnPlan, plan: LoadPlan) -> Bool {
        let source: String
        switch planned.source {
        case .staged(let column, _): source = column
        case .rule(let rule):
            // A template's text is cut by nothing: longer than a varchar(n), the insert
            // refuses it; into a date, json or number it must parse (hostile review 20).
            if case .template = rule.source { return !Self.unboundedText(planned.column) }
            guard case .from(let column, let pick) = rule.source else { return false }
            switch pick {
            case .first, .last, .min, .max, .mostFrequent, .maxBy, .minBy: source = column
            // Text of any length (review 20: "x+hello+world" into a varchar(8)).
            case .concatDistinct: return !Self.unboundedText(planned.column)
            // A sum is of a wider type (bigint of ints, numeric of bigints): the column's
            // may not hold it (review 20: two 2e9 into an int). A count, into a smallint.
            case .sum:
                guard let staged = plan.stagedColumns.first(where: { $0.name == column }) else { return true }
                return planned.column.domainBaseType != nil || !AssignmentFit.alwaysFits(from: Self.sumType(of: staged.type), to: planned.column.type)
            case .countDistinct: return planned.column.domainBaseType != nil || planned.column.type == "smallint"
            }
        default: return false
        }
        guard let staged = plan.stagedColumns.first(where: { $0.name == source }) else { return false }
        return planned.column.domainBaseType != nil || !AssignmentFit.alwaysFits(from: staged.type, to: planned.column.type)
    }

    /// Text any value fits: `text`, `varchar` without a length, no domain.
    static func unboundedText(_ column: Column) -> Bool {
        column.domainBaseType == nil && ["text", "character varying"].contains(column.type)
    }

    /// The type PostgreSQL's `sum` gives over `type`.
    static func sumType(of type: String) -> String {
        switch type {
        case "smallint", "integer": "bigint"
        case "bigint": "numeric"
        case "real", "double precision", "money", "interval": type
        default: type.hasPrefix("numeric") ? "numeric" : type
        }
    }
}
