import PostgresClient

/// New parent rows an INSERT rule or a BEFORE INSERT trigger keeps out of the parent,
/// found read-only. The load inserts a placeholder per new key and reads back what was
/// stored: a row a `DO INSTEAD` rule replaced, or one a trigger skipped (`RETURN NULL`),
/// is a key "not stored as asked", and the load stops. The staged path tries the insert;
/// read-only tells it from the catalog where it is sure for every new row:
///
/// - a `DO INSTEAD` rule on INSERT without a condition (one with a condition is named:
///   its text is not cut out of `pg_get_ruledef`, where a quoted rule name may hold
///   " WHERE … DO INSTEAD" too);
/// - a PL/pgSQL BEFORE INSERT trigger of a table that is not partitioned, without a WHEN clause, whose body has no branch (no
///   IF, CASE, loop or exception block) and whose one RETURN is `RETURN NULL`: it skips
///   every row (or raises first, which stops the load as surely).
///
/// Anything else (a condition reading derived columns, a trigger that decides) is named in
/// notExact as not tried, as before.
extension Validator {
    /// The tests for `parent`'s new rows that some rule or trigger keeps out: what keeps
    /// them, and the condition over the new rows (`new`) under which it does.
    func droppedRowTests(_ parent: ParentPlan) throws -> [(what: String, condition: SQL)] {
        let oid: SQL = "CAST(\(bind: String(parent.table.oid)) AS pg_catalog.oid)"
        var tests: [(what: String, condition: SQL)] = []
        let rules = try session.execute(
            """
            SELECT r.rulename, CAST(r.ev_qual AS pg_catalog.text) OPERATOR(pg_catalog.=) '<>' AS always
            FROM pg_catalog.pg_rewrite r
            WHERE r.ev_class OPERATOR(pg_catalog.=) \(oid) AND r.ev_type OPERATOR(pg_catalog.=) '3' AND r.is_instead
              AND r.ev_enabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::pg_catalog."char"[])
            ORDER BY r.rulename
            """).rows
        for row in rules {
            let what = "rule \(try row.string("rulename")) (DO INSTEAD) takes"
            // A condition is not cut out of `pg_get_ruledef`'s text: a rule's quoted name may
            // hold " WHERE … DO INSTEAD" itself (hostile review 16). Only unconditional rules.
            if row.bool("always") {
                tests.append((what, "true"))
            }
        }
        let triggers = try session.execute(
            """
            SELECT g.tgname, p.prosrc FROM pg_catalog.pg_trigger g
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
        for row in triggers where try parent.table.kind != .partitioned && Self.alwaysReturnsNull(row.string("prosrc")) {
            tests.append(("trigger \(try row.string("tgname")) (RETURN NULL) skips", "true"))
        }
        return tests
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
