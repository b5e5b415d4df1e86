import PostgresClient

/// New parent rows an INSERT rule or a BEFORE INSERT trigger keeps out of the parent,
/// found read-only. The load inserts a placeholder per new key and reads back what was
/// stored: a row a `DO INSTEAD` rule replaced, or one a trigger skipped (`RETURN NULL`),
/// is a key "not stored as asked", and the load stops. The staged path tries the insert;
/// read-only tells it from the catalog where it is sure for every new row:
///
/// - a `DO INSTEAD` rule on INSERT without a condition, and a `DO INSTEAD NOTHING` rule
///   whose condition reads only the key and columns the new rows leave NULL (evaluated
///   over them: differential seed 9191, "new keys were not stored" where the standby
///   said "would load"); another condition, or action, stays named;
/// - a PL/pgSQL BEFORE INSERT trigger of a table that is not partitioned, without a WHEN clause, whose body has no branch (no
///   IF, CASE, loop or exception block) and whose one RETURN is `RETURN NULL`: it skips
///   every row (or raises first, which stops the load as surely).
///
/// - the parent's one PL/pgSQL BEFORE INSERT trigger whose body is just `IF condition
///   THEN RETURN NULL; END IF; RETURN NEW;`, not SECURITY DEFINER nor with its own
///   settings: the condition over the new rows, under the user's path, as it runs.
///
/// Anything else (a condition reading derived columns, a trigger that decides) is named in
/// notExact as not tried, as before.
extension Validator {
    /// The tests for `parent`'s new rows that some rule or trigger keeps out: what keeps
    /// them, and the condition over the new rows (`new`) under which it does.
    func droppedRowTests(_ parent: ParentPlan) throws -> [(what: String, condition: SQL, userPath: Bool)] {
        let oid: SQL = "CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)"
        var tests: [(what: String, condition: SQL, userPath: Bool)] = []
        // A condition is the text between what `pg_get_ruledef` prints before and after it,
        // both rebuilt here from the rule's own name and table (not searched for: a quoted
        // rule name may hold " WHERE … DO INSTEAD" itself, hostile review 16), for a rule
        // that does NOTHING instead; any other shape leaves `qual` NULL and the rule named.
        let rules = try session.execute(
            """
            SELECT x.rulename, x.always,
                   CASE WHEN NOT x.always AND x.nothing AND pg_catalog.starts_with(x.def, x.head)
                             AND pg_catalog."right"(x.def, pg_catalog.length(x.tail)) OPERATOR(pg_catalog.=) x.tail
                             AND pg_catalog.length(x.def) OPERATOR(pg_catalog.>) (pg_catalog.length(x.head) OPERATOR(pg_catalog.+) pg_catalog.length(x.tail))
                        THEN pg_catalog.substr(x.def, pg_catalog.length(x.head) OPERATOR(pg_catalog.+) 1,
                                               (pg_catalog.length(x.def) OPERATOR(pg_catalog.-) pg_catalog.length(x.head)) OPERATOR(pg_catalog.-) pg_catalog.length(x.tail))
                   END AS qual
            FROM (
                SELECT r.rulename, CAST(r.ev_qual AS pg_catalog.text) OPERATOR(pg_catalog.=) '<>' AS always,
                       CAST(r.ev_action AS pg_catalog.text) LIKE '({QUERY :commandType 7 %' AS nothing,
                       pg_catalog.pg_get_ruledef(r.oid) AS def,
                       'CREATE RULE ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(CAST(r.rulename AS pg_catalog.text))
                           OPERATOR(pg_catalog.||) E' AS\\n    ON INSERT TO ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(CAST(n.nspname AS pg_catalog.text))
                           OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(CAST(c.relname AS pg_catalog.text))
                           OPERATOR(pg_catalog.||) E'\\n   WHERE ' AS head,
                       ' DO INSTEAD NOTHING;' AS tail
                FROM pg_catalog.pg_rewrite r
                JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
                JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                WHERE r.ev_class OPERATOR(pg_catalog.=) \(oid) AND r.ev_type OPERATOR(pg_catalog.=) '3' AND r.is_instead
                  AND r.ev_enabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::pg_catalog."char"[])
            ) x
            ORDER BY x.rulename
            """).rows
        for row in rules {
            let what = "rule \(try row.string("rulename")) (DO INSTEAD) takes"
            if row.bool("always") {
                tests.append((what, "true", false))
            } else if let qual = row["qual"] {
                // Over `new` (the key and the columns left NULL, as the rewriter's NEW holds
                // them before any trigger): a condition reading another column fails there
                // and the rule stays named, not tried.
                tests.append((what, "(\(unsafeRaw: qual))", false))
            }
        }
        let triggers = try session.execute(
            """
            SELECT g.tgname, p.prosrc, p.prosecdef OR p.proconfig IS NOT NULL AS own_context,
                   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_trigger o WHERE o.tgrelid OPERATOR(pg_catalog.=) g.tgrelid AND NOT o.tgisinternal
                      AND o.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::pg_catalog."char"[])
                      AND (CAST(o.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 7) OPERATOR(pg_catalog.=) 7) AS before_inserts
            FROM pg_catalog.pg_trigger g
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) g.tgfoid
            JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
            WHERE g.tgrelid OPERATOR(pg_catalog.=) \(oid) AND NOT g.tgisinternal AND g.tgqual IS NULL
              AND g.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::pg_catalog."char"[]) AND l.lanname OPERATOR(pg_catalog.=) 'plpgsql'
              -- ROW (1), BEFORE (2), INSERT (4)
              AND (CAST(g.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 7) OPERATOR(pg_catalog.=) 7
            ORDER BY g.tgname
            """).rows
        // A partitioned parent's trigger fires as its clones on the partitions, each of which
        // may be disabled on its own (hostile review 16): not judged there.
        for row in triggers where parent.table.kind != .partitioned {
            let source = try row.string("prosrc")
            if Self.alwaysReturnsNull(source) {
                tests.append(("trigger \(try row.string("tgname")) (RETURN NULL) skips", "true", false))
            } else if row.int("before_inserts") == 1, !row.bool("own_context"), let condition = Self.skipCondition(source) {
                // The parent's one BEFORE INSERT trigger, so NEW is the row as inserted; its
                // condition is evaluated as the trigger would (the user's path, NEW as
                // `new`); one reading a derived column or a variable fails there and the
                // trigger stays named, not tried.
                tests.append(("trigger \(try row.string("tgname")) (IF … THEN RETURN NULL) skips", "(\(unsafeRaw: condition))", true))
            }
        }
        return tests
    }

    /// The condition of a PL/pgSQL trigger body that is exactly `BEGIN IF condition THEN
    /// RETURN NULL; END IF; RETURN NEW; END` (a parent that keeps out rows it cannot use:
    /// `IF NEW.name IS NULL THEN RETURN NULL`), as written; nil for any other body.
    /// Comments and quoted text are masked to find the shape (a `-- THEN` decides nothing),
    /// and the condition is cut from the source at the same place.
    static func skipCondition(_ source: String) -> String? {
        var masked = Array(source.unicodeScalars)
        let text = String(String.UnicodeScalarView(masked))
        for pattern in [/--[^\n]*/, /\/\*[\s\S]*?\*\//, /'(?:[^']|'')*'/, /"(?:[^"]|"")*"/] as [Regex<Substring>] {
            for match in text.matches(of: pattern) {
                let start = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: match.range.lowerBound)
                let end = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: match.range.upperBound)
                let isCode = match.output.first == "'" || match.output.first == "\""
                for position in start..<end where !(isCode && (position == start || position == end - 1)) { masked[position] = isCode ? "x" : " " }
            }
        }
        let shape = String(String.UnicodeScalarView(masked)).lowercased()
        let body = /^\s*begin\s+if\s+(?<condition>[^;]+?)\s+then\s+return\s+null\s*;\s*end\s+if\s*;\s*return\s+new\s*;\s*end\s*;?\s*$/
        guard let match = shape.wholeMatch(of: body) else { return nil }
        let words = match.output.condition.split { !($0.isLetter || $0.isNumber || $0 == "_") }
        let refused: Set<Substring> = ["then", "select", "from"]
        guard !words.contains(where: refused.contains) else { return nil }
        let start = shape.unicodeScalars.distance(from: shape.unicodeScalars.startIndex, to: match.output.condition.startIndex)
        let end = shape.unicodeScalars.distance(from: shape.unicodeScalars.startIndex, to: match.output.condition.endIndex)
        return String(String.UnicodeScalarView(Array(source.unicodeScalars)[start..<end]))
    }

    /// Whether a PL/pgSQL trigger body returns NULL for every row: no branch (IF, CASE, a
    /// loop, an exception block, EXIT or CONTINUE) and one RETURN, `RETURN NULL`. Comments
    /// and quoted text are set aside first (a `-- IF` decides nothing).
    static func alwaysReturnsNull(_ source: String) -> Bool {
        let code = source.replacing(/--[^\n]*/, with: " ").replacing(/\/\*[\s\S]*?\*\//, with: " ")
            .replacing(/'(?:[^']|'')*'/, with: "''").replacing(/"(?:[^"]|"")*"/, with: "x").lowercased()
        let words = code.split { !($0.isLetter || $0.isNumber || $0 == "_") }
        let branches: Set<Substring> = ["if", "case", "loop", "while", "for", "foreach", "exception", "exit", "continue", "elsif", "return_next", "execute"]
        guard !words.contains(where: branches.contains) else { return false }
        let returns = words.indices.filter { words[$0] == "return" }
        return returns.count == 1 && returns[0] + 1 < words.count && words[returns[0] + 1] == "null"
    }
}
