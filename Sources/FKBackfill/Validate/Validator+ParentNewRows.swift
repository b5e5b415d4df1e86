import PostgresClient

/// What a new parent row's insert would refuse, found read-only from its key alone. The
/// load inserts a placeholder per new key; the staged path tries that insert in a
/// savepoint, read-only cannot, so where the key decides the outcome it is evaluated over
/// the new keys after the last batch (typed as the parent's columns, `b` by bare names):
///
/// - **routing**: where no partition's bounds take a new key (a CI table partitioned by
///   `partition_id` whose partition 102 does not exist yet, list partitions and no
///   default) PostgreSQL refuses the insert ("no partition of relation … found for row")
///   and the load stops, nothing written. Each leaf's partition constraint, as the server
///   deparses it (`PartitionRoutes.unroutable`, as the load's stage routes the target's
///   rows). A partitioned table's unique keys hold its partition key, so the new key
///   alone routes the row (the real-schema sweep's "trace metadata" case).
/// - **CHECKs** that read only the key's columns and columns the new row leaves NULL
///   (`CHECK (code ~ '^[A-Z]{3}$')` on currencies): the load's own pre-check
///   (`LoadRun.refuseBadNewRows`) stops it before the first write.
///
/// Only for a parent whose new keys all come from the target's FKs (a parent of a parent
/// gets keys not held here), whose row-level security does not apply to this role (a key
/// it hides counts missing here, though the load finds it: differential seed 7070 case
/// 87), and, for CHECKs, that has no BEFORE INSERT trigger (which runs first and may make
/// the row pass): otherwise notExact says it is not tried.
extension Validator {
    /// New keys held per FK at most for these queries (the tally keeps every missing key).
    static let routedKeys = 100_000

    /// Why `fk`'s new keys stop the load: new rows of `parent` that no partition accepts
    /// or that fail a CHECK. `keys` are the missing keys as `KeyTally.seen` holds them (the
    /// FK's columns joined by NUL, in the FK's order).
    func refusedNewRows(_ fk: ForeignKey, _ parent: ParentPlan, keys: [String], plan: LoadPlan, catalog: Catalog) throws -> [String] {
        let target = plan.target.name
        guard !keys.isEmpty, keys.count <= Self.routedKeys, directlyFed(parent, target: target),
              let rows = newRows(fk, parent, keys: keys) else { return [] }
        var tests: [(what: String, condition: SQL, userPath: Bool)] = []
        if parent.table.kind == .partitioned, let condition = try PartitionRoutes.unroutable(parent.table, given: Set(fk.referencedColumns), on: session) {
            tests.append(("no partition of \(parent.table.name.display) accepts", condition, false))
        }
        for check in try evaluatedChecks(parent, target: target) {
            tests.append(("CHECK \(check.name) of \(parent.table.name.display) refuses", "NOT (\(check.sql))", false))
        }
        // Rules and triggers that keep the new rows out (Validator+ParentDroppedRows.swift).
        tests += try droppedRowTests(parent)
        for (column, expression) in try generatedNullTests(parent) {
            tests.append(("generated column \(column) of \(parent.table.name.display) comes out NULL, which its NOT NULL refuses,", "NOT (pg_catalog.num_nulls(\(unsafeRaw: expression)) OPERATOR(pg_catalog.=) 0)", false))
        }
        // The new rows' own FKs at their DEFAULTs (Validator+ParentDefaultedKeys.swift).
        var reasons = try parentDefaultedKeyStops(parent, plan: plan, catalog: catalog).values.compactMap { $0 }.sorted()
        let shown = fk.referencedColumns.map { "CAST(new.\(ident: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ")
        for test in tests {
            let query: SQL = "SELECT pg_catalog.count(*) OVER () AS n, pg_catalog.concat_ws(', ', \(shown)) AS key FROM \(rows) "
                + "WHERE \(test.condition) ORDER BY 2 LIMIT 1"
            let found: Row?
            do {
                found = try session.savepoint {
                    try test.userPath ? session.underUserSearchPath { try session.execute(query).rows.first } : session.execute(query).rows.first
                }
            } catch let error as PostgresError where error.kind == .server {
                continue  // a key that does not cast to the parent's type: the batches named it
            }
            guard let row = found else { continue }
            let count = row.int("n") ?? 1
            let verb = test.condition.description.hasPrefix("NOT (") || test.what.hasPrefix("no partition") ? "would be refused" : "would not be stored"
            reasons.append("new rows of \(parent.table.name.display) \(verb): \(test.what) "
                + "\(count == 1 ? "key" : "\(count) keys, first") (\(fk.referencedColumns.joined(separator: ", "))) = (\(try row.string("key")))")
        }
        return reasons
    }

    /// The new rows as a relation `new` (as a rule's condition names them): the key's
    /// columns typed as the parent's, by bare name, and the columns the insert leaves NULL.
    func newRows(_ fk: ForeignKey, _ parent: ParentPlan, keys: [String]) -> SQL? {
        let columns = fk.referencedColumns.compactMap { parent.table.column($0) }
        guard columns.count == fk.referencedColumns.count else { return nil }
        var values = [[String]](repeating: [], count: columns.count)
        for key in keys {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == columns.count else { return nil }
            for (position, part) in parts.enumerated() { values[position].append(part) }
        }
        let arrays = values.map { "pg_catalog.unnest(CAST(\(bindArray: $0) AS pg_catalog.text[]))" as SQL }.joined(separator: ", ")
        let names = columns.indices.map { "k\($0)" }
        // Under each column's own collation, as the table compares (hostile review 16: an ICU key under a CHECK).
        func typed(_ value: SQL, _ column: Column) -> SQL {
            "\(column.collated("CAST(\(value) AS \(column.pinnedType))")) AS \(ident: column.name)"
        }
        let typed = columns.enumerated().map { position, column in typed("u.\(ident: names[position])", column) }
            + Self.leftNull(parent).map { typed("NULL", $0) }
        return "(SELECT \(typed.joined(separator: ", ")) FROM ROWS FROM (\(arrays)) AS u(\(names.map { SQL(ident: $0) }.joined(separator: ", ")))) AS new"
    }

    /// Columns of `parent`'s new rows the insert writes NULL: nothing derived, no DEFAULT
    /// (or a rule's `null` over it: `ParentPlan.insertedColumns` writes those NULL too).
    /// A domain's DEFAULT is not NULL (hostile review 16): such a column is not among them.
    static func leftNull(_ parent: ParentPlan) -> [Column] {
        parent.columns.filter { $0.source == .null && $0.mark == nil && (!$0.column.domainDefault || $0.column.defaultExpression != nil) }
            .map(\.column)
    }

    /// `parent`'s new keys all come from the target's FKs.
    func directlyFed(_ parent: ParentPlan, target: TableName) -> Bool {
        !parent.isTarget && parent.backfills && parent.sources.allSatisfy { $0.origin == .staged && $0.foreignKey.table == target }
    }

    /// The CHECKs of `parent` evaluated on its new keys: built-in code only, reading the
    /// key's columns and columns left NULL, on a parent with no BEFORE INSERT trigger.
    func evaluatedChecks(_ parent: ParentPlan, target: TableName) throws -> [TableFacts.Check] {
        guard directlyFed(parent, target: target) else { return [] }
        let known = Set(parent.keyColumns + Self.leftNull(parent).map(\.name))
        let checks = (try TableFacts.checks(of: [parent.table], on: session)[parent.table.name] ?? [])
            .filter { !$0.callsCode && !$0.columns.isEmpty && $0.columns.allSatisfy(known.contains) }
        guard !checks.isEmpty else { return [] }
        if try ParentHooks.read(parent.table, routing: false, on: session).contains(where: { $0.hasPrefix("trigger ") }) { return [] }
        return checks
    }

    /// Whether every new row of `parent` has its routing evaluated by `unroutedNewKeys`:
    /// its keys all come from the target's FKs (not from a parent of a parent, whose new
    /// keys are not held) and its partition key is among them.
    func routingEvaluated(_ parent: ParentPlan, target: TableName) throws -> Bool {
        guard parent.table.kind == .partitioned, directlyFed(parent, target: target) else { return false }
        return try PartitionRoutes.unroutable(parent.table, given: Set(parent.keyColumns), on: session) != nil
    }

    /// `parent`'s NOT NULL generated columns whose expression reads only the key and the
    /// columns the new rows leave NULL, with built-in code (hostile review 17: `slug …
    /// GENERATED ALWAYS AS (lower(name)) STORED NOT NULL`, name left NULL, refused at the
    /// load's insert): each as (column, expression). None under a BEFORE INSERT trigger,
    /// which runs first and may set what the expression reads.
    func generatedNullTests(_ parent: ParentPlan) throws -> [(column: String, expression: String)] {
        let generated = parent.table.columns.filter { $0.generatedExpression != nil && $0.refusesNull }
        guard !generated.isEmpty,
              try !ParentHooks.read(parent.table, routing: false, on: session).contains(where: { $0.hasPrefix("trigger ") }) else { return [] }
        let known = Set(parent.keyColumns + Self.leftNull(parent).map(\.name))
        let facts = try ColumnExpressions.facts(of: parent.table, on: session)
        return generated.compactMap { column in
            guard let read = facts[column.name], read.safe, read.reads.isSubset(of: known), let expression = column.generatedExpression else { return nil }
            return (column.name, expression)
        }
    }
}
