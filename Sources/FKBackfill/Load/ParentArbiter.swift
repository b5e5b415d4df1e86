import PostgresClient

/// How a parent's new rows skip a key a concurrent load inserted first: `ON CONFLICT`
/// on the key's columns, which PostgreSQL resolves to every unique index on exactly those
/// columns. Where one of them is DEFERRABLE (a primary key made deferrable for swaps, with
/// a plain UNIQUE beside it for the FKs to reference, since an FK cannot reference a
/// deferrable key), PostgreSQL refuses the whole statement ("ON CONFLICT does not support
/// deferrable unique constraints/exclusion constraints as arbiters", 55000): the load
/// stopped (exit 3) where a plain INSERT of the same rows succeeds and both validates said
/// it would load (hostile review 27). Then the arbiter is named: the constraint the FKs
/// reference (`ON CONSTRAINT`), which covers the same columns; a bare unique index cannot
/// be named, and the rows go in by a plain INSERT, as under a rule (a concurrent load
/// inserting the same key then fails on the unique key instead of skipping it).
enum ParentArbiter: Equatable {
    /// `ON CONFLICT (key columns)`.
    case columns
    /// `ON CONFLICT ON CONSTRAINT name`.
    case constraint(String)
    /// No `ON CONFLICT`: a plain INSERT.
    case none

    static func read(_ parent: ParentPlan, on session: Session) throws -> ParentArbiter {
        // The unique indexes inference would pick: no predicate, no expression, key columns
        // exactly the parent's key (INCLUDE columns are not key columns).
        let deferrable = try session.execute(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_index x
                WHERE x.indrelid OPERATOR(pg_catalog.=) CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)
                  AND x.indisunique AND NOT x.indimmediate AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND x.indnkeyatts OPERATOR(pg_catalog.=) \(int: parent.keyColumns.count)
                  AND ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a
                            WHERE a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                              AND a.attnum OPERATOR(pg_catalog.=) ANY (x.indkey[0:x.indnkeyatts - 1]))
                      OPERATOR(pg_catalog.@>) CAST(\(bindArray: parent.keyColumns) AS pg_catalog.name[])
            ) AS deferrable
            """).rows[0].bool("deferrable")
        guard deferrable else { return .columns }
        // The key an FK of the parent's sources references on these columns, when a
        // constraint owns it (it is never deferrable: PostgreSQL refuses such an FK).
        let keys = Set(parent.keyColumns)
        let named = parent.sources.map(\.foreignKey)
            .first { Set($0.referencedColumns) == keys && $0.referencedKey.kind != .uniqueIndex && !$0.referencedKey.name.isEmpty }
        return named.map { .constraint($0.referencedKey.name) } ?? .none
    }
}
