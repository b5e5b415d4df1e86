import PostgresClient

/// Rows that a unique key of the target would refuse, set aside like any other bad row
/// when rejects are allowed (and found by validate to predict the load):
/// - a row whose key the target already holds, unless `--replace-by` deletes that row
///   first;
/// - a row whose key an earlier row of the input has: the first row of a duplicated key
///   loads, the later ones are rejected, as inserting them one by one would go.
/// NULLs never clash (unless the index says `NULLS NOT DISTINCT`), as in the index.
extension LoadRun {
    func markUniqueRejects() throws {
        let staged = Set(plan.stagedColumns.map(\.name))
        let keys = constraints.uniqueKeys.filter { !$0.partialOrExpression && $0.columns.allSatisfy(staged.contains) }
        // With --replace-by, a row set aside deletes nothing: a key it freed is taken again,
        // and a row that has it now clashes (hostile review 6: the DELETE then deleted nothing
        // and the INSERT failed). So the steps run again until none sets another row aside.
        var changed = true
        while changed {
            changed = false
            for key in keys {
                let existing = try readable(target.name, oid: target.oid, columns: key.columns + options.replaceBy.filter { !key.columns.contains($0) })
                var marked = try updateStage(sql.reject(where: clash(key, in: existing), reason: clashReason(key)))
                if key.defaultOperatorClasses {
                    marked += try updateStage(duplicates(key))
                }
                changed = changed || (marked > 0 && !options.replaceBy.isEmpty)
            }
        }
    }

    func clashReason(_ key: TargetConstraints.UniqueKey) -> String {
        key.clashReason(target.name) + (options.replaceBy.isEmpty ? "" : ", not replaced by --replace-by")
    }

    func duplicateReason(_ key: TargetConstraints.UniqueKey) -> String {
        key.duplicateReason
    }

    /// Staged row `s` whose key an existing target row has, that `--replace-by` keeps.
    func clash(_ key: TargetConstraints.UniqueKey, in existing: TableName) -> SQL {
        var kept: SQL = ""
        if !options.replaceBy.isEmpty {
            // What deleteReplaced removes: rows matching any staged row not set aside.
            kept = " AND NOT EXISTS (SELECT 1 FROM \(LoadStatements.stage) r WHERE r._fkb_reject IS NULL AND "
                + sql.replaceMatch("t", "r") + ")"
        }
        // The target's own unique index covers its own rows only, never an inheritance
        // child's: read it ONLY, as the index does (a coordinator copy is read whole).
        let rows: SQL = existing == target.name ? KeyPredicates.rows(of: target) : existing.sql
        // The key as the table stores it (`stored`): a varchar(n) value staged as text with
        // spaces beyond n is the same key as its cut form (hostile review 7).
        return notNull(key, "s") + "EXISTS (SELECT 1 FROM \(rows) t WHERE " + key.match(stored: "t", incoming: "s", shape: stored) + kept + ")"
    }

    /// A staged column's `value` as the table will store it: a varchar(n)/char(n) cast to
    /// its length (a value longer than that, spaces aside, was set aside before), so a key
    /// staged as text compares as stored. In the expression itself, not a subquery per row
    /// (that doubled the reject steps' time).
    func stored(_ value: SQL, _ name: String) -> SQL {
        guard let column = plan.stagedColumns.first(where: { $0.name == name }), TextStaging.maxLength(column) != nil,
              column.domainBaseType == nil, !column.type.hasSuffix("]") else { return value }
        return "CAST(\(value) AS \(column.sqlType))"
    }

    /// Every row of a duplicated key but the first, in input order, among rows not yet set aside.
    func duplicates(_ key: TargetConstraints.UniqueKey) -> SQL {
        let columns = key.columns.enumerated().map { key.collated(stored("t.\(ident: $1)", $1), $0) }.joined(separator: ", ")
        return "UPDATE \(LoadStatements.stage) s SET _fkb_reject = \(bind: duplicateReason(key)) FROM (SELECT d._fkb_row FROM "
            + "(SELECT t._fkb_row, row_number() OVER (PARTITION BY \(columns) ORDER BY t._fkb_row) AS n FROM \(LoadStatements.stage) t "
            + "WHERE \(notNull(key, "t"))t._fkb_reject IS NULL) d WHERE d.n > 1) d WHERE s._fkb_row = d._fkb_row"
    }

    /// `alias.c IS NOT NULL AND …` for a key whose NULLs never clash; empty otherwise.
    func notNull(_ key: TargetConstraints.UniqueKey, _ alias: SQL) -> SQL {
        key.nullsNotDistinct ? "" : key.columns.map { "\(alias).\(ident: $0) IS NOT NULL AND " as SQL }.joined()
    }
}
