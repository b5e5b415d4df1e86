import Foundation
import PostgresClient

/// Read-only, a parent's BEFORE INSERT trigger that assigns its key column
/// (`NEW.code := upper(NEW.code)`): the load reads the keys back and stops when they are
/// not the keys asked for, so whether the trigger changes the new keys decides the
/// verdict. Mostly it leaves them as they are (codes already upper-case: the second
/// real-schema sweep), sometimes not (a lower-case code: the first). The staged path
/// tries the insert; read-only, where every assignment to the key is a plain statement
/// of the trigger (not inside an IF), its expression is evaluated on the new keys,
/// under the user's path as the trigger runs, read-only; where it is not, or fails,
/// notExact names the trigger as before.
extension Validator {
    /// The expressions a parent's triggers assign its single key column, in order, each
    /// with the key itself written `\u{0}K\u{0}`; nil when one cannot be evaluated (an
    /// assignment inside an IF, a trigger in another language); empty when none assigns it.
    func keyAssignments(_ parent: ParentPlan) throws -> [String]? {
        guard parent.keyColumns.count == 1 else { return nil }
        let key = parent.keyColumns[0]
        let oid: SQL = "CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)"
        let rows = try session.execute("""
            SELECT l.lanname, p.prosrc, g.tgrelid OPERATOR(pg_catalog.=) \(oid) AS own, g.tgqual IS NOT NULL AS conditional
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
        var found: [String] = []
        for row in rows {
            let source = try row.string("prosrc")
            // The whole row assigned or another record returned: the key may change, untold.
            if source.lowercased().contains(/\bnew\s*:=|\breturn\s+(?!new\b|null\b)[a-z_]/) { return nil }
            guard ParentColumnFacts.assignedColumns(source).contains(key) else { continue }
            // Only a trigger of the table itself, for every row, in PL/pgSQL: one of a single
            // partition sees only its keys, a WHEN clause only some (review 15).
            guard try row.string("lanname") == "plpgsql", row.bool("own"), !row.bool("conditional") else { return nil }
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
                found.append(marked)
            }
        }
        return found
    }

    /// Of `keys` (new keys of `fk`'s single column, as text), the first few the
    /// `assignments` would store as another key, with what they would store; nil when the
    /// expressions cannot be evaluated here (another variable, a function that writes).
    func keysChanged(
        _ fk: ForeignKey, _ parent: ParentPlan, target: Table, assignments: [String], keys: [String]
    ) -> [(asked: String, stored: String)]? {
        // Path-safe type names: this statement runs under the user's path (review 15: a
        // domain named text first on it).
        guard let parentType = parent.table.column(parent.keyColumns[0]).map({ PathSafeType.sql($0.type) }),
              let childType = target.column(fk.columns[0]).map({ PathSafeType.sql($0.type) }) else { return nil }
        var value: SQL = "CAST(CAST(fkb_u.fkb_k AS pg_catalog.text) AS \(parentType))"
        for assignment in assignments {
            let parts = assignment.components(separatedBy: "\u{0}K\u{0}")
            // Safe as raw text: the expression is the user's own trigger's, run as the
            // trigger runs it (under their path), read-only, in a savepoint.
            let expression = parts.map { SQL(unsafeRaw: $0) }.joined(separator: "(\(value))")
            value = "CAST((\(expression)) AS \(parentType))"
        }
        let asked: SQL = "CAST(CAST(fkb_u.fkb_k AS pg_catalog.text) AS \(childType))"
        // Aliases no trigger's variable is likely to share (review 15: a variable `k`).
        let query: SQL = "SELECT fkb_u.fkb_k AS asked, CAST(\(value) AS pg_catalog.text) AS stored "
            + "FROM pg_catalog.unnest(CAST(\(bindArray: keys) AS pg_catalog.text[])) AS fkb_u (fkb_k) "
            + "WHERE NOT (\(fk.equality[0].compare(value, asked))) IS TRUE ORDER BY fkb_u.fkb_k LIMIT 5"
        return try? session.savepoint {
            try session.underUserSearchPath { try session.execute(query).rows.map { (try $0.string("asked"), $0["stored"] ?? "NULL") } }
        }
    }
}
