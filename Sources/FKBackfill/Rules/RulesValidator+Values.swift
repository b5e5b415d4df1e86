import PostgresClient

/// The checks of a rule's values that stop a load at its first write otherwise: a
/// `CHANGE_ME` a starter file left in, and a `from:` whose input column's type the
/// parent column cannot take. Both are problems at the rule's FILE:LINE:COL (exit 2),
/// before anything runs, where the load's INSERT would fail with a database error.
extension RulesValidator {
    /// The placeholder `fkbackfill init` writes where only a person knows the value.
    static let placeholder = "CHANGE_ME"

    /// True (and a problem) when `text`, a value of the rule at `location`, still holds
    /// the placeholder.
    func leftPlaceholder(_ text: String, at location: SourceLocation, column: String) -> Bool {
        guard text.contains(Self.placeholder) else { return false }
        problem(location, "\(Self.placeholder) is still in the rule for \(column)",
                hint: "replace it with the value new rows should get, or delete the rule")
        return true
    }

    /// The type a `from:` rule's aggregate gives, from the input column's type.
    static func pickedType(_ pick: Pick, of source: String) -> String {
        switch pick {
        case .concatDistinct: "text"
        case .countDistinct: "bigint"
        default: source
        }
    }

    /// A `from:` rule reads an input column (typed as the target's column of that name,
    /// or as an extra input column is staged);
    /// the parent's INSERT assigns it to the rule's column. PostgreSQL assigns a value
    /// when the (base) types are the same, when an implicit or assignment cast exists,
    /// or when the column is of a string type (I/O conversion): the same rules, asked of
    /// the catalog instead of learnt from a failed INSERT.
    func checkAssignable(_ rule: ColumnRule, to column: Column) {
        guard case .from(let source, let pick) = rule.source,
              let input = inputColumn(source) else { return }
        let type = Self.pickedType(pick, of: input.type)
        guard assignable(type, to: column) == false else { return }
        let what = type == input.type ? "input column \(source) is \(type)" : "\(pick.name) of input column \(source) is \(type)"
        problem(rule.location, "from: \(what), which PostgreSQL does not assign to \(column.name) (\(column.type))",
                hint: "take an input column of a compatible type, or use value:, template: or sql: with a cast")
    }

    /// A `sql:` rule's value goes into a temporary table with its own type, and from there
    /// into the parent column by assignment: `(expression)` of type `type`, as the server
    /// compiled it, must be assignable (text is not to a bigint; the load stopped at the
    /// parent's insert, validate said "would load").
    func checkAssignable(sqlValueOf type: String, _ rule: ColumnRule, to column: Column) {
        guard !rule.jsonAppend, assignable(type, to: column) == false else { return }
        problem(rule.location, "sql: the expression gives \(type), which PostgreSQL does not assign to \(column.name) (\(column.type)) (rule for \(column.name))",
                hint: "cast it in the expression, e.g. CAST(… AS \(column.type))")
    }

    /// Whether PostgreSQL assigns a value of `type` to `column`; nil when a type name
    /// cannot be read.
    func assignable(_ type: String, to column: Column) -> Bool? {
        // The same type name is the same type: assignable, with no round trip (a month's
        // rules asked the server 19 times, each in a savepoint, mostly varchar to itself).
        if type == column.type { return true }
        // In a savepoint: a type name regtype cannot read must not abort the caller's
        // transaction; the load then reports whatever PostgreSQL says.
        let row = try? session.savepoint { try session.execute("""
            SELECT s.oid = d.oid OR d.typcategory = 'S'
                OR EXISTS (SELECT FROM pg_catalog.pg_cast c
                           WHERE c.castsource = s.oid AND c.casttarget = d.oid AND c.castcontext <> 'e') AS assignable
            FROM pg_catalog.pg_type s0, pg_catalog.pg_type d0, pg_catalog.pg_type s, pg_catalog.pg_type d
            WHERE s0.oid = CAST(CAST(\(bind: type) AS text) AS pg_catalog.regtype)
              AND d0.oid = CAST(CAST(\(bind: column.type) AS text) AS pg_catalog.regtype)
              AND s.oid = CASE WHEN s0.typtype = 'd' THEN s0.typbasetype ELSE s0.oid END
              AND d.oid = CASE WHEN d0.typtype = 'd' THEN d0.typbasetype ELSE d0.oid END
            """) }.rows.first
        return row?.bool("assignable")
    }
}
