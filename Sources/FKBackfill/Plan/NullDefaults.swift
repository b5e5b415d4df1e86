import PostgresClient

/// NOT NULL columns an insert leaves to a DEFAULT that gives NULL in this session.
///
/// An application schema stamps its rows from a setting (`create_uid NOT NULL DEFAULT
/// current_setting('app.uid', true)`): a session that has not set it gets NULL, and
/// PostgreSQL refuses every row the DEFAULT fills. The load found that at its insert and
/// validate, staged or read-only, said "would load" (hostile review 17). A DEFAULT of
/// built-in code only — no function of the user's (whose body would find its names on the
/// user's path, not the tool's: review 18), no sequence, nothing VOLATILE by the catalog's
/// word (`ColumnExpressions`; a `set_config` here repointed the tool's session, review 22) — is evaluated
/// once, here: its tree was bound when it was created, so its deparsed text means the same
/// under the tool's pinned path. NULL means the datum itself, as NOT NULL tests it (a row
/// of NULL fields, `'(,)'`, is not NULL there: `num_nulls`, not `IS NULL`). One that fails
/// here is left to the insert. A constant or the clock is never asked (`neverNull`).
enum NullDefaults {
    /// The names of `table`'s NOT NULL columns with a DEFAULT that gives NULL now.
    static func names(of table: Table, on session: Session) throws -> Set<String> {
        let candidates = table.columns.filter {
            $0.notNull && $0.hasNonNullDefault && !$0.isDatabaseGenerated && !neverNull($0.defaultExpression ?? "")
        }
        // A column with no DEFAULT of its own takes its domain's (review 21: a NOT NULL
        // domain `DEFAULT current_setting('app.x', true)`, treated as covered).
        var domains = table.columns.filter {
            $0.notNull && $0.defaultExpression == nil && !$0.isDatabaseGenerated
                && $0.domainDefaultExpression.map { !neverNull($0) } == true
        }
        if !domains.isEmpty {
            let safe = try ColumnExpressions.domainDefaultsSafe(of: table, on: session)
            domains = domains.filter { safe[$0.name]?.safe == true }
        }
        guard !candidates.isEmpty || !domains.isEmpty else { return [] }
        let facts = candidates.isEmpty ? [:] : try ColumnExpressions.facts(of: table, on: session)
        let evaluated = candidates.filter { facts[$0.name]?.safe == true }
            .map { ($0, $0.defaultExpression ?? "NULL") } + domains.map { ($0, $0.domainDefaultExpression ?? "NULL") }
        guard !evaluated.isEmpty else { return [] }
        let tests = evaluated.enumerated().map { index, pair -> SQL in
            "pg_catalog.num_nulls(\(unsafeRaw: pair.1)) OPERATOR(pg_catalog.=) 1 AS n\(int: index)"
        }
        let row: Row?
        do {
            row = try session.savepoint { try session.execute("SELECT \(tests.joined(separator: ", "))").rows.first }
        } catch let error as PostgresError where error.kind == .server {
            return []
        }
        guard let row else { return [] }
        return Set(evaluated.enumerated().filter { row.bool("n\($0.offset)") }.map(\.element.0.name))
    }

    /// `table`'s NOT NULL columns whose DEFAULT (its own, or its domain's) `names` does not
    /// compute because it calls code of the user's: `created_by NOT NULL DEFAULT
    /// app.current_user_id()`, whose body finds its names on the user's path. Whether it
    /// gives NULL only the insert tells, so validate tries it or names it (hostile review
    /// 22: it said would load, the load failed on the NULL). A sequence or a built-in
    /// VOLATILE call (`gen_random_uuid()`) gives a value and is not among them. With them,
    /// in the table's column order, any column whose DEFAULT or generation expression runs
    /// procedural code of the user's (`CodeDefaults`), NOT NULL or not: that code may raise
    /// or write where a check refuses the row.
    static func uncomputed(of table: Table, on session: Session) throws -> [String] {
        let own = table.columns.filter { $0.notNull && $0.hasNonNullDefault && !$0.isDatabaseGenerated && !$0.isSequenceFed }
        let domains = table.columns.filter { $0.notNull && $0.defaultExpression == nil && !$0.isDatabaseGenerated && $0.domainDefault }
        let facts = own.isEmpty ? [:] : try ColumnExpressions.facts(of: table, on: session)
        let domainFacts = domains.isEmpty ? [:] : try ColumnExpressions.domainDefaultsSafe(of: table, on: session)
        let notNull = Set(own.filter { facts[$0.name]?.userCode == true }.map(\.name) + domains.filter { domainFacts[$0.name]?.userCode == true }.map(\.name))
        let coded = try CodeDefaults.columns(of: table, on: session)
        return table.columns.map(\.name).filter { notNull.contains($0) || coded.contains($0) }
    }

    /// What validate says of such columns of `table` an insert leaves to their DEFAULT.
    static func uncomputedReason(_ table: TableName, _ columns: [String], rows: String) -> String {
        "columns of \(rows) of \(table.display) left to a DEFAULT that calls the user's code (\(columns.joined(separator: ", "))): "
            + "whether it gives NULL, refuses the row or writes where a check refuses it only the insert tells"
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
    /// a BEFORE INSERT trigger or a rule on INSERT may fill the column or take the row
    /// first. `cache`: per table, what `names` found (an audit asks of a hub table once).
    static func parentNames(_ parent: ParentPlan, on session: Session, cache: inout [UInt32: Set<String>]) throws -> [String] {
        let inserted = Set(parent.insertedColumns.map(\.column.name))
        let all: Set<String>
        if let known = cache[parent.table.oid] {
            all = known
        } else {
            all = try names(of: parent.table, on: session)
            cache[parent.table.oid] = all
        }
        let givingNull = all.subtracting(inserted)
        guard !givingNull.isEmpty, try ParentHooks.read(parent.table, routing: false, on: session).isEmpty else { return [] }
        return givingNull.sorted()
    }

    /// What the load and validate say of a parent's such column.
    static func parentReason(_ table: TableName, _ column: String) -> String {
        "\(table.display).\(quoteIdentifier(column, style: .whenNeeded)) is NOT NULL and left to its DEFAULT, which gives NULL in this session"
    }
}
