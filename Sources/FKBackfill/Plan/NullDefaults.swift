import PostgresClient

/// NOT NULL columns an insert leaves to a DEFAULT that gives NULL in this session.
///
/// An application schema stamps its rows from a setting (Odoo-like `create_uid NOT NULL
/// DEFAULT current_setting('app.uid', true)`): a session that has not set it gets NULL,
/// and PostgreSQL refuses every row the DEFAULT fills. The load found that at its insert
/// and validate, staged or read-only, said "would load" (hostile review 17). A DEFAULT
/// that takes no sequence value and calls nothing VOLATILE is evaluated once, here, the
/// way the insert would (built-ins as the catalog bound them, the user's code on the
/// user's path): NULL is then what the insert stores, before the row's BEFORE triggers.
/// A VOLATILE DEFAULT is not called (a sequence would advance); one that fails here is
/// left to the insert.
enum NullDefaults {
    /// The names of `columns` of `table` (NOT NULL, left out of the insert, with a
    /// DEFAULT) whose DEFAULT gives NULL now.
    static func names(_ columns: [Column], of table: Table, on session: Session) throws -> Set<String> {
        let candidates = columns.filter { $0.notNull && $0.hasNonNullDefault && !$0.isDatabaseGenerated && !neverNull($0.defaultExpression ?? "") }
        guard !candidates.isEmpty else { return [] }
        let volatile = try ColumnDefaults.volatileColumns(of: table, on: session)
        let evaluated = candidates.filter { !volatile.contains($0.name) }
        guard !evaluated.isEmpty else { return [] }
        let tests = evaluated.enumerated().map { index, column -> SQL in
            "(\(unsafeRaw: column.defaultExpression ?? "NULL")) IS NULL AS n\(int: index)"
        }
        let row: Row?
        do {
            row = try session.savepoint {
                try session.underUserCodePath { try session.execute("SELECT \(tests.joined(separator: ", "))").rows.first }
            }
        } catch let error as PostgresError where error.kind == .server {
            return []
        }
        guard let row else { return [] }
        return Set(evaluated.enumerated().filter { row.bool("n\($0.offset)") }.map(\.element.name))
    }

    /// A DEFAULT that is a constant or the clock (`0`, `'open'::text`, `now()`,
    /// `CURRENT_TIMESTAMP`), as the catalog deparses it: never NULL, not asked of the server
    /// (an audit of 1,400 tables would ask it of every stamped column).
    static func neverNull(_ expression: String) -> Bool {
        let cast = #"(::[a-z ]+(\([0-9, ]+\))?(\[\])?)?"#
        let patterns = [
            #"^'(?:[^']|'')*'"# + cast + "$",
            #"^\(?-?[0-9]+(\.[0-9]+)?\)?"# + cast + "$",
            "^(true|false)$",
            #"^(now\(\)|CURRENT_(TIMESTAMP|DATE|TIME|USER|ROLE)|LOCALTIMESTAMP|LOCALTIME|SESSION_USER|statement_timestamp\(\)|transaction_timestamp\(\))"# + cast + "$",
        ]
        return patterns.contains { expression.range(of: $0, options: .regularExpression) != nil }
    }

    /// `parent`'s columns its new rows leave to a DEFAULT that gives NULL now; none where
    /// a BEFORE INSERT trigger or a rule on INSERT may fill the column or take the row first.
    static func parentNames(_ parent: ParentPlan, on session: Session) throws -> [String] {
        let inserted = Set(parent.insertedColumns.map(\.column.name))
        let left = parent.table.columns.filter { $0.notNull && $0.hasNonNullDefault && !$0.isDatabaseGenerated && !inserted.contains($0.name) }
        let givingNull = try names(left, of: parent.table, on: session)
        guard !givingNull.isEmpty, try ParentHooks.read(parent.table, routing: false, on: session).isEmpty else { return [] }
        return givingNull.sorted()
    }

    /// What the load and validate say of a parent's such column.
    static func parentReason(_ table: TableName, _ column: String) -> String {
        "\(table.display).\(quoteIdentifier(column, style: .whenNeeded)) is NOT NULL and left to its DEFAULT, which gives NULL in this session"
    }
}
