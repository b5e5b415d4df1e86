import Foundation
import PostgresClient

/// A `sql:` rule checked on a session that cannot write (validate on a hot standby or as a
/// read-only role), where the temporary view `problem` compiles cannot be created.
///
/// The expression is compiled by `PREPARE` (parse analysis only; nothing is planned or
/// run, and a prepared statement is no catalog write), its value's type read from
/// executing it with `LIMIT 0` (the aggregate above it is never pulled), and what it
/// calls read from its generic plan (`EXPLAIN (VERBOSE)` with the input's columns as
/// parameters, so nothing of theirs is folded away) and from the schema-qualified names
/// it writes: a SQL function the planner inlined leaves its body in the plan, not its
/// name, but under the pinned search path a function outside `pg_catalog` can only be
/// named with its schema. The functions, operators, domains, views and foreign tables so
/// found are judged as `problem` judges the view's tree (`judge`).
extension SQLExpressionCheck {
    static let prepared: SQL = "fkb_rule_check"

    /// `problem` on a read-only session, and the input columns the expression reads
    /// (`columnsRead`'s answer, from the parameters its plan uses).
    static func readOnlyProblem(in expression: String, columns: [Column], on session: Session) throws
        -> (problem: (message: String, hint: String?)?, reads: [String], type: String?) {
        let shape = columns.isEmpty ? ["NULL AS _fkb_none"] : columns.enumerated().map { index, column -> SQL in
            "CAST($\(int: index + 1) AS \(column.sqlType)) AS \(ident: column.name)"
        }
        let types = columns.map(\.sqlType)
        do {
            // Safe as raw text: the rules file's own expression, only compiled here (a
            // statement is prepared and deallocated; its plan is explained, never run but
            // with LIMIT 0), then refused below unless it calls nothing that changes anything.
            try session.savepoint {
                try session.execute("PREPARE \(prepared)" + (types.isEmpty ? "" : "(\(types.joined(separator: ", ")))")
                    + " AS SELECT (\(unsafeRaw: expression)) AS value FROM (SELECT \(shape.joined(separator: ", "))) AS s GROUP BY () LIMIT 0")
            }
        } catch let error as PostgresError where error.kind == .server {
            var hint = error.hint.map { $0.replacingOccurrences(of: "\"s.", with: "\"") }
            if error.sqlState == SQLState.undefinedFunction {
                hint = "fkbackfill runs with search_path = pg_catalog, pg_temp: write your own functions with their schema, "
                    + "e.g. myschema.my_function(…)" + (hint.map { "; \($0)" } ?? "")
            }
            return (("sql: \(error.message.replacingOccurrences(of: "\"s.", with: "\""))", hint), [], nil)
        }
        defer { _ = try? session.execute("DEALLOCATE \(prepared)") }
        // What the text names first: a function the role may not execute is refused by
        // EXPLAIN itself (its executor start checks the privilege).
        let written = try called(SQLNames.scan(expression), on: session)
        if let found = try judge(functions: written.functions, relations: written.relations) { return (found, [], nil) }
        let nulls = columns.isEmpty ? "" : "(" + columns.map { _ in "NULL" }.joined(separator: ", ") + ")"
        let plan: String
        let type: UInt32
        do {
            (plan, type) = try session.savepoint {
                let plan = try session.withLocalSetting("plan_cache_mode", "force_generic_plan") {
                    try session.execute("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE \(prepared)\(unsafeRaw: nulls)").rows.map { try $0.string("QUERY PLAN") }.joined()
                }
                return (plan, try session.execute("EXECUTE \(prepared)\(unsafeRaw: nulls)").columnTypes.first?.oid ?? 0)
            }
        } catch let error as PostgresError where error.kind == .server {
            return (("sql: \(error.message.replacingOccurrences(of: "\"s.", with: "\""))", error.hint), [], nil)
        }
        if plan.contains("\"ProjectSet\"") {
            return (("sql: the expression returns a set of rows; it must give one value per new row", "aggregate the rows, e.g. string_agg(…) or min(…)"), [], nil)
        }
        let shapeRow = try session.execute(
            "SELECT t.typtype, pg_catalog.format_type(t.oid, NULL) AS type FROM pg_catalog.pg_type t "
                + "WHERE t.oid OPERATOR(pg_catalog.=) CAST(\(bind: String(type)) AS pg_catalog.oid)").rows.first
        if let shapeRow, try shapeRow.string("typtype") == "p" {
            // What CREATE VIEW says of it on a session that may write.
            return (("sql: column \"value\" has pseudo-type \(try shapeRow.string("type"))", nil), [], nil)
        }
        if let shapeRow, try shapeRow.string("typtype") == "c" {
            return (("sql: the expression gives a \(try shapeRow.string("type")), not one scalar value", nil), [], nil)
        }
        let planned = try called(SQLNames.scan(plan), on: session)
        let reads = Set(plan.matches(of: /\$([0-9]+)/).compactMap { Int($0.output.1) }).compactMap { $0 <= columns.count ? columns[$0 - 1].name : nil }
        return (try judge(functions: planned.functions, relations: planned.relations), reads.sorted(), shapeRow?["type"])
    }

    /// The functions `names` call (a function by its name, every overload; an operator's
    /// code; a domain's CHECKs and default; an aggregate's support functions) as rows of
    /// `functionFacts`, and the views, materialized views and foreign tables they name.
    static func called(_ names: [SQLNames.Name], on session: Session) throws -> (functions: [Row], relations: String?) {
        func pairs(_ kind: SQLNames.Name.Kind) -> (schemas: [String], names: [String]) {
            let found = Set(names.filter { $0.kind == kind }.map { "\($0.schema ?? "pg_catalog")\u{0}\($0.name)" }).sorted()
            return (found.map { String($0.split(separator: "\u{0}", omittingEmptySubsequences: false)[0]) },
                    found.map { String($0.split(separator: "\u{0}", omittingEmptySubsequences: false)[1]) })
        }
        let (fs, fn) = pairs(.function), (os, on) = pairs(.operator), (rs, rn) = pairs(.relation)
        let functions = try session.execute(
            """
            WITH named AS (
                SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
                JOIN ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: fs) AS pg_catalog.text[])), pg_catalog.unnest(CAST(\(bindArray: fn) AS pg_catalog.text[]))) AS u(s, f)
                  ON n.nspname OPERATOR(pg_catalog.=) u.s AND p.proname OPERATOR(pg_catalog.=) u.f
            ), operators AS (
                SELECT CAST(o.oprcode AS pg_catalog.oid) AS oid FROM pg_catalog.pg_operator o
                JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
                JOIN ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: os) AS pg_catalog.text[])), pg_catalog.unnest(CAST(\(bindArray: on) AS pg_catalog.text[]))) AS u(s, o)
                  ON n.nspname OPERATOR(pg_catalog.=) u.s AND o.oprname OPERATOR(pg_catalog.=) u.o
            ), domains AS (
                SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
                JOIN ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: rs) AS pg_catalog.text[])), pg_catalog.unnest(CAST(\(bindArray: rn) AS pg_catalog.text[]))) AS u(s, r)
                  ON n.nspname OPERATOR(pg_catalog.=) u.s AND t.typname OPERATOR(pg_catalog.=) u.r
                WHERE t.typtype OPERATOR(pg_catalog.=) 'd'
            ), called AS (
                SELECT named.oid AS id FROM named UNION SELECT operators.oid FROM operators
                UNION SELECT CAST(f.fn AS pg_catalog.oid) FROM named JOIN pg_catalog.pg_aggregate a ON a.aggfnoid OPERATOR(pg_catalog.=) named.oid
                    CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn), (a.aggserialfn), (a.aggdeserialfn),
                                               (a.aggmtransfn), (a.aggminvtransfn), (a.aggmfinalfn)) AS f(fn)
                UNION SELECT d.refobjid FROM pg_catalog.pg_depend d
                    WHERE d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass) AND (
                        (d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_type' AS pg_catalog.regclass) AND d.objid IN (SELECT domains.oid FROM domains))
                        OR (d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_constraint' AS pg_catalog.regclass)
                            AND d.objid IN (SELECT c.oid FROM pg_catalog.pg_constraint c WHERE c.contypid IN (SELECT domains.oid FROM domains))))
            )
            SELECT DISTINCT \(functionFacts)
            FROM called c JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) c.id
            JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
            ORDER BY n.nspname, p.proname
            """).rows
        let relations = try session.execute(
            """
            SELECT pg_catalog.string_agg(DISTINCT CAST(CAST(c.oid AS pg_catalog.regclass) AS pg_catalog.text), ', ') AS names
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
            JOIN ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: rs) AS pg_catalog.text[])), pg_catalog.unnest(CAST(\(bindArray: rn) AS pg_catalog.text[]))) AS u(s, r)
              ON n.nspname OPERATOR(pg_catalog.=) u.s AND c.relname OPERATOR(pg_catalog.=) u.r
            WHERE c.relkind IN ('v', 'm', 'f')
            """).rows.first?["names"]
        return (functions, relations)
    }
}
