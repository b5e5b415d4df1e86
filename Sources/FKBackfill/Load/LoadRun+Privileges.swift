import PostgresClient

/// The privileges a load needs, checked before it writes anything.
extension LoadRun {
    /// Before staging: what reading and the fact insert need, plus INSERT on every parent
    /// that may be backfilled if something is missing already, so every grant is
    /// reported at once.
    func checkPrivileges() throws {
        var privileges = Privileges()
        let parents = plan.parents.filter { !$0.sources.isEmpty && $0.backfills }
        // A parent's key is what the load reads of it (its keys, the new rows' RETURNING).
        for parent in parents { privileges.require("SELECT", on: parent.table, columns: parent.mode == .fillNullOnly ? [] : parent.keyColumns) }
        if options.loadTarget {
            privileges.require("SELECT", on: plan.target)
            privileges.require("INSERT", on: plan.target)
            if !options.replaceBy.isEmpty { privileges.require("DELETE", on: plan.target) }
        }
        // Schemas first: without USAGE nothing in them can be reached at all.
        var schemas = Set(plan.parents.filter { !$0.sources.isEmpty }.map(\.table.name.schema)).union([plan.target.name.schema])
        var creates: [String] = []
        if let table = options.rejectTable {
            let name = try TableResolver.qualify(table, on: session)
            rejectTable = name
            schemas.insert(name.schema)
            if let found = try? TableResolver.resolve(name.sql.description, on: session) {
                privileges.require("INSERT", on: Table(name: found.name, oid: found.oid, kind: .ordinary, columns: []))
            } else {
                creates.append(name.schema)
            }
        }
        let schemaGrants = try Privileges.missingSchemaGrants(usage: schemas.sorted(), create: creates, on: session)
        var tableGrants = try privileges.missingGrants(on: session)
        if options.loadTarget {
            tableGrants += try Privileges.missingCodeGrants(plan.target, given: plan.stagedColumns.map(\.name), on: session)
        }
        if !schemaGrants.isEmpty || !tableGrants.isEmpty {
            // Something is missing: name every grant at once, with INSERT on the parents a
            // backfill may write.
            var writes = Privileges()
            for parent in parents { writes.require("INSERT", on: parent.table, columns: parent.insertedColumns.map(\.column.name)) }
            let code = tableGrants.filter { $0.hasPrefix("GRANT USAGE ON SEQUENCE") || $0.hasPrefix("GRANT EXECUTE") }
            throw try Privileges.error(schemaGrants + Privileges(needs: privileges.needs + writes.needs).missingGrants(on: session) + code)
        }
    }

    /// After the keys are known: INSERT and UPDATE on the parents that really get rows.
    func checkWritePrivileges() throws {
        var privileges = Privileges()
        for parent in plan.parents where !parent.sources.isEmpty && parent.backfills {
            guard let count = parentStates[parent.index].counts else { continue }
            if count.candidates > count.present {
                privileges.require("INSERT", on: parent.table, columns: parent.insertedColumns.map(\.column.name))
                if parent.columns.contains(where: \.deferredUntilCycleLoaded) { privileges.require("UPDATE", on: parent.table) }
            }
            if parent.mode == .fillNullOnly && count.present > 0 { privileges.require("UPDATE", on: parent.table) }
        }
        // A target-first load sets its fact rows' cyclic columns by an UPDATE (TargetCycle).
        if targetFirst, plan.targetCycle?.nulledTargetColumns.isEmpty == false { privileges.require("UPDATE", on: target) }
        var grants = try privileges.missingGrants(on: session)
        // The sequences and functions the new rows' DEFAULTs and CHECKs use.
        for parent in plan.parents where !parent.sources.isEmpty && parent.backfills && !parent.isTarget {
            guard parentStates[parent.index].hasMissingKeys else { continue }
            grants += try Privileges.missingCodeGrants(parent.table, given: parent.insertedColumns.map(\.column.name), on: session)
        }
        if !grants.isEmpty { throw Privileges.error(grants) }
    }
}
