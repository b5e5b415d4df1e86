import Foundation
import PostgresClient

/// Read-only, a parent's BEFORE INSERT trigger that assigns its key column
/// (`NEW.code := upper(NEW.code)`): the load reads the keys back and stops when they are
/// not the keys asked for, so whether the trigger changes the new keys decides the
/// verdict. Mostly it leaves them as they are (codes already upper-case: the second
/// real-schema sweep), sometimes not (a lower-case code: the first). The staged path
/// tries the insert; read-only, where every assignment to the key is a plain statement
/// of the trigger (not inside an IF), its expression is evaluated on the new keys,
/// under the path the trigger runs under, read-only; where it is not, or fails,
/// notExact names the trigger as before.
///
/// That path is the user's, or the trigger function's own `SET search_path`: a function
/// written as PostgreSQL advises against CVE-2018-1058 (`SET search_path = pg_catalog,
/// pg_temp`, names bare) had its `upper(…)` evaluated under the caller's path, where a
/// lookalike `upper(text)` of a schema listed first ran as the validating role.
extension Validator {
    /// What a parent's triggers assign its single key column: the expressions, in order,
    /// each with the key itself written `\u{0}K\u{0}`, and the path they run under (nil:
    /// the user's).
    struct KeyAssignments {
        var expressions: [String] = []
        var searchPath: String?
    }

    /// The parent's key assignments; nil when one cannot be evaluated (an assignment
    /// inside an IF, a trigger in another language, a function with settings of its own
    /// other than its path, triggers with different paths); no expressions when none
    /// assigns the key.
    func keyAssignments(_ parent: ParentPlan) throws -> KeyAssignments? {
        guard parent.keyColumns.count == 1 else { return nil }
        return try keyAssignments(parent.table, column: parent.keyColumns[0])
    }

    /// What `table`'s BEFORE INSERT triggers assign `key` (the target's FK column too:
    /// Validator+TargetKeyTriggers.swift).
    func keyAssignments(_ table: Table, column key: String) throws -> KeyAssignments? {
        let oid: SQL = "CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        let rows = try session.execute("""
            SELECT l.lanname, p.prosrc, g.tgrelid OPERATOR(pg_catalog.=) \(oid) AS own, g.tgqual IS NOT NULL AS conditional,
                   CAST(p.proconfig AS pg_catalog.text) AS config
            FROM pg_catalog.pg_trigger g
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) g.tgfoid
            JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
            WHERE (g.tgrelid OPERATOR(pg_catalog.=) \(oid) OR g.tgrelid OPERATOR(pg_catalog.=) ANY(ARRAY(SELECT pt.relid FROM pg_catalog.pg_partition_tree(\(oid)) pt)))
              AND NOT g.tgisinternal AND g.tgenabled OPERATOR(pg_catalog.=) ANY(ARRAY['O', 'A']::pg_catalog."char"[])
              AND (CAST(g.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 7) OPERATOR(pg_catalog.=) 7
              -- A partitioned table's trigger is cloned on each partition (tgparentid): once.
              AND g.tgparentid OPERATOR(pg_catalog.=) 0
            ORDER BY g.tgname
            """).rows
        var found = KeyAssignments()
        var paths: Set<String?> = []
        for row in rows {
            let source = try row.string("prosrc")
            // The whole row assigned or another record returned: the key may change, untold.
            if source.lowercased().contains(/\bnew\s*:=|\breturn\s+(?!new\b|null\b)[a-z_]/) { return nil }
            guard ParentColumnFacts.assignedColumns(source).contains(key) else { continue }
            // Only a trigger of the table itself, for every row, in PL/pgSQL: one of a single
            // partition sees only its keys, a WHEN clause only some (review 15).
            guard try row.string("lanname") == "plpgsql", row.bool("own"), !row.bool("conditional") else { return nil }
            // The function's own settings: only its path can be taken over (others, such as
            // a role, are not the evaluation's to set).
            var path: String?
            for setting in row.array("config").compactMap({ $0 }) {
                guard setting.hasPrefix("search_path=") else { return nil }
                path = String(setting.dropFirst("search_path=".count))
            }
            paths.insert(path)
            guard paths.count == 1 else { return nil }
            found.searchPath = path
            let code = source.replacing(/--[^\n]*/, with: "").replacing(/\/\*[\s\S]*?\*\//, with: "")
            // Control flow other than a closed IF, or the key assigned by SELECT … INTO: not
            // a straight line of assignments (review 15: CASE, loops, after RETURN).
            let flow = code.lowercased().matches(of: /\b(case|loop|while|for|foreach|return|exit|continue)\b/)
            if flow.contains(where: { $0.output.1 != "return" }) { return nil }
            if code.lowercased().matches(of: /\binto\s+(strict\s+)?new\s*\./).count > 0 { return nil }
            let escaped = NSRegularExpression.escapedPattern(for: key)
            let column = key.lowercased() == key ? escaped : "(?-i:\(escaped))"
            let assignment = try Regex("(?i)\\bnew\\s*\\.\\s*(?:\(column)|\"\(column)\")\\s*:?=(?!=)\\s*([^;]+);")
            let matches = code.matches(of: assignment)
            guard !matches.isEmpty else { return nil }
            for match in matches {
                // Inside an IF (more IFs opened than closed before it), or after a RETURN: it may not run.
                let before = code[..<match.range.lowerBound].lowercased()
                let opened = before.matches(of: /\bif\b/).count - 2 * before.matches(of: /\bend\s+if\b/).count
                guard opened <= 0, before.matches(of: /\breturn\b/).isEmpty, let expression = match.output[1].substring else { return nil }
                // `new.code` inside a string literal of the expression is text, not the key.
                if String(expression).matches(of: /'(?:[^']|'')*'/).contains(where: { $0.output.lowercased().contains("new") }) { return nil }
                let marked = String(expression).replacing(try Regex("(?i)\\bnew\\s*\\.\\s*(?:\(column)|\"\(column)\")"), with: "\u{0}K\u{0}")
                found.expressions.append(marked)
            }
        }
        return found
    }

    /// Of `keys` (new keys of `fk`'s single column, as text), the first few the
    /// `assignments` would store as another key, with what they would store; nil when the
    /// expressions cannot be evaluated here (another variable, a function that writes).
    func keysChanged(
        _ fk: ForeignKey, _ parent: ParentPlan, target: Table, assignments: KeyAssignments, keys: [String]
    ) -> [(asked: String, stored: String)]? {
        // Path-safe type names: this statement runs under the user's path (review 15: a
        // domain named text first on it).
        guard let parentType = parent.table.column(parent.keyColumns[0]).map({ PathSafeType.sql($0.type) }),
              let childType = target.column(fk.columns[0]).map({ PathSafeType.sql($0.type) }) else { return nil }
        var value: SQL = "CAST(CAST(fkb_u.fkb_k AS pg_catalog.text) AS \(parentType))"
        for assignment in assignments.expressions {
            let parts = assignment.components(separatedBy: "\u{0}K\u{0}")
            // Safe as raw text: the expression is the user's own trigger's, run as the
            // trigger runs it (under its path), read-only, in a savepoint.
            let expression = parts.map { SQL(unsafeRaw: $0) }.joined(separator: "(\(value))")
            value = "CAST((\(expression)) AS \(parentType))"
        }
        let asked: SQL = "CAST(CAST(fkb_u.fkb_k AS pg_catalog.text) AS \(childType))"
        // Aliases no trigger's variable is likely to share (review 15: a variable `k`).
        let query: SQL = "SELECT fkb_u.fkb_k AS asked, CAST(\(value) AS pg_catalog.text) AS stored "
            + "FROM pg_catalog.unnest(CAST(\(bindArray: keys) AS pg_catalog.text[])) AS fkb_u (fkb_k) "
            + "WHERE NOT (\(fk.equality[0].compare(value, asked))) IS TRUE ORDER BY fkb_u.fkb_k LIMIT 5"
        return try? session.savepoint {
            let evaluate = { try self.session.execute(query).rows.map { (try $0.string("asked"), $0["stored"] ?? "NULL") } }
            if let path = assignments.searchPath { return try session.underSearchPath(path, evaluate) }
            return try session.underUserSearchPath(evaluate)
        }
    }
}
