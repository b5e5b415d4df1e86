import RegexBuilder
import PostgresClient

/// Catalog facts about parents' new rows the catalog reader does not keep, read in one
/// query for every table of an audit (issue 24):
///
/// - **Columns a BEFORE INSERT trigger fills**: a NOT NULL column such a trigger can
///   set is no reason a backfill fails (`film.fulltext` set by `tsvector_update_trigger`).
///   "Can set" is read from the trigger, not run: the built-in `tsvector_update_trigger`
///   and `tsvector_update_trigger_column` name their column as the first argument; a
///   PL/pgSQL function assigns it as `NEW.column :=` (or `=`) in its source.
/// - **Key columns a sequence also fills** (serial, `nextval` DEFAULT, identity): a
///   backfill inserts explicit keys there, so the sequence must move past them or the
///   application's next ordinary insert collides.
/// - **Code that changes or drops a new row**: a trigger assigning a key column, one that
///   returns NULL, an INSERT rule DO INSTEAD: the load reads the keys back and stops, so
///   the audit does not call such a parent `auto`.
struct ParentColumnFacts {
    /// Per table, the columns a BEFORE INSERT row trigger may assign, with the trigger.
    var triggerFilled: [TableName: [String: String]] = [:]
    /// Per table and column, the sequence that fills it (qualified, as `pg_get_serial_sequence`
    /// or the DEFAULT names it).
    var sequences: [TableName: [String: String]] = [:]
    /// Per table, what may drop a new row: BEFORE INSERT triggers whose PL/pgSQL body
    /// returns NULL, and INSERT rules DO INSTEAD.
    var rowDroppers: [TableName: [String]] = [:]
    /// Per table, BEFORE INSERT triggers whose function is neither PL/pgSQL nor one of
    /// pg_catalog's tsvector triggers: what they assign or drop is not read.
    var unreadTriggers: [TableName: [String]] = [:]
    /// Per table, PL/pgSQL BEFORE INSERT triggers that may write besides the row they are
    /// given (`Self.writesElsewhere`): what they do to the table's other rows is not read.
    var sideEffects: [TableName: [String]] = [:]
    /// Per table, what each of its PL/pgSQL BEFORE INSERT triggers calls by name and
    /// INSERTs into, with the path those names resolve on (`Validator.triggerSafeColumns`
    /// asks whether one may write).
    var calls: [TableName: [TriggerCalls]] = [:]

    /// The columns of `table` no BEFORE INSERT trigger assigns: what PostgreSQL's NOT NULL
    /// and CHECKs read of the row as the input gives it. Empty (nothing vouched for) where a
    /// trigger may skip the row or is not read. A trigger's writes elsewhere change nothing
    /// of the row (only a unique key's clash, which `Validator.triggerSafeColumns` minds).
    func unassigned(_ table: Table) -> Set<String> {
        guard (rowDroppers[table.name] ?? []).isEmpty else { return [] }
        return neverAssigned(table)
    }

    /// The columns of `table` no BEFORE INSERT trigger assigns, whether or not one may skip
    /// the row (empty where one is not read): what `--max-rejects` may judge on the input's
    /// values. A row failing there is refused by PostgreSQL or skipped by the trigger, never
    /// mended; one over a column a trigger may assign is the insert's (`LoadRun.markValueRejects`).
    func neverAssigned(_ table: Table) -> Set<String> {
        guard (unreadTriggers[table.name] ?? []).isEmpty else { return [] }
        return Set(table.columns.map(\.name)).subtracting((triggerFilled[table.name] ?? [:]).keys)
    }

    static func read(_ tables: [Table], on session: Session) throws -> ParentColumnFacts {
        var facts = ParentColumnFacts()
        guard !tables.isEmpty else { return facts }
        let rows = try session.execute(
            """
            SELECT 't' AS what, n.nspname, root.relname, g.tgname AS detail,
                   CASE WHEN p.pronamespace OPERATOR(pg_catalog.=) CAST('pg_catalog' AS pg_catalog.regnamespace) THEN p.proname END AS proname,
                   l.lanname, p.prosrc,
                   pg_catalog.encode(g.tgargs, 'escape') AS args, NULL AS attname,
                   CAST(p.proconfig AS pg_catalog.text) AS config
            FROM pg_catalog.pg_trigger g
            JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) g.tgfoid
            JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
            -- The triggers of a partition count as those of its partitioned parent (review 13);
            -- a trigger enabled for replicas only does not fire in the session of the load.
            JOIN pg_catalog.pg_class root ON root.oid OPERATOR(pg_catalog.=) ANY(CAST(\(bindArray: tables.map { String($0.oid) }) AS pg_catalog.oid[]))
            JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) root.relnamespace
            WHERE (g.tgrelid OPERATOR(pg_catalog.=) root.oid
                   OR g.tgrelid OPERATOR(pg_catalog.=) ANY(ARRAY(SELECT pt.relid FROM pg_catalog.pg_partition_tree(root.oid) pt)))
              AND NOT g.tgisinternal AND g.tgenabled OPERATOR(pg_catalog.=) ANY(ARRAY['O', 'A']::pg_catalog."char"[])
              -- ROW (1), BEFORE (2), INSERT (4)
              AND (CAST(g.tgtype AS pg_catalog.int4) OPERATOR(pg_catalog.&) 7) OPERATOR(pg_catalog.=) 7
            UNION ALL
            SELECT 's', n.nspname, c.relname,
                   COALESCE(pg_catalog.pg_get_serial_sequence(pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'
                                OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), a.attname),
                            pg_catalog.substring(pg_catalog.pg_get_expr(d.adbin, d.adrelid), 'nextval\\(''(.*)''::regclass\\)')),
                   NULL, NULL, NULL, NULL, a.attname, NULL
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
            WHERE a.attrelid OPERATOR(pg_catalog.=) ANY(CAST(\(bindArray: tables.map { String($0.oid) }) AS pg_catalog.oid[]))
              AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
              AND (a.attidentity OPERATOR(pg_catalog.<>) '' OR pg_catalog.pg_get_expr(d.adbin, d.adrelid) OPERATOR(pg_catalog.~~) 'nextval(%')
            UNION ALL
            SELECT 'r', n.nspname, c.relname, r.rulename, NULL, NULL, NULL, NULL, NULL, NULL
            FROM pg_catalog.pg_rewrite r
            JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
            JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
            WHERE r.ev_class OPERATOR(pg_catalog.=) ANY(CAST(\(bindArray: tables.map { String($0.oid) }) AS pg_catalog.oid[]))
              AND r.ev_type OPERATOR(pg_catalog.=) '3' AND r.is_instead AND r.ev_enabled OPERATOR(pg_catalog.<>) 'D'
            """).rows
        for row in rows {
            let table = TableName(schema: try row.string("nspname"), name: try row.string("relname"))
            if try row.string("what") == "r" {
                facts.rowDroppers[table, default: []].append("rule \(try row.string("detail")) (DO INSTEAD)")
                continue
            }
            if try row.string("what") == "s" {
                guard let sequence = row["detail"], let column = row["attname"] else { continue }
                facts.sequences[table, default: [:]][column] = sequence
                continue
            }
            let trigger = try row.string("detail")
            // pg_catalog's own only: a function of that name elsewhere is the user's.
            let function = row["proname"] ?? ""
            if ["tsvector_update_trigger", "tsvector_update_trigger_column"].contains(function) {
                let arguments = (row["args"] ?? "").split(separator: "\\000", omittingEmptySubsequences: true)
                if let column = arguments.first { facts.triggerFilled[table, default: [:]][String(column)] = trigger }
            } else if row["lanname"] == "plpgsql", let source = row["prosrc"] {
                // The whole row assigned (`NEW := ROW(…)`, or another record returned): any
                // column may be filled (review 15).
                // So is a record aliasing NEW (`r ALIAS FOR new`, `$0`) or NEW as a SELECT's target (hostile review 16).
                let whole = source.lowercased().contains(
                    /\bnew\s*:=|\breturn\s+(?!new\b|null\b)[a-z_(]|\balias\s+for\s+(?:new\b|\$0)|\binto\s+(?:strict\s+)?new\b(?!\s*\.)/)
                let columns = whole ? Set(tables.first { $0.name == table }?.columns.map(\.name) ?? []) : assignedColumns(source)
                for column in columns { facts.triggerFilled[table, default: [:]][column] = trigger }
                if source.contains(/(?i)\breturn\s*\(?\s*null\b/) { facts.rowDroppers[table, default: []].append("trigger \(trigger) (RETURN NULL)") }
                if writesElsewhere(source, table: table) { facts.sideEffects[table, default: []].append("trigger \(trigger)") }
                facts.calls[table, default: []].append(TriggerCalls.read(source, searchPath: TriggerCalls.searchPath(config: row.array("config"))))
            } else {
                facts.unreadTriggers[table, default: []].append(trigger)
            }
        }
        return facts
    }

    /// Whether a PL/pgSQL body may change rows other than the one it is given: it deletes,
    /// updates, merges, truncates, runs dynamic SQL or calls a procedure or a function for
    /// its effect (PERFORM), or names the table itself (an INSERT into it). An INSERT into
    /// another table (an audit log) is no such write. Comments and quoted text set aside.
    static func writesElsewhere(_ source: String, table: TableName) -> Bool {
        let code = PLpgSQLText.code(source).lowercased()
        let words = Set(code.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "\"") }
            .map { $0.count > 1 && $0.hasPrefix("\"") && $0.hasSuffix("\"") ? String($0.dropFirst().dropLast()) : String($0) })
        let writes: Set<String> = ["delete", "update", "merge", "truncate", "execute", "call", "perform", "copy"]
        return !words.isDisjoint(with: writes) || words.contains(table.name.lowercased()) || words.contains(table.name)
    }

    /// The columns a PL/pgSQL body assigns as `NEW.column :=` / `NEW."Column" =`, lower-cased
    /// unless quoted, as PostgreSQL folds them.
    static func assignedColumns(_ source: String) -> Set<String> {
        // Comments say nothing the body does (review 13: `-- NEW.code := …`); string
        // constants are kept (an EXECUTE's text may assign), read apart from comments
        // (hostile review 23: `'--'` hid the rest of its line).
        let code = PLpgSQLText.code(source, blankStrings: false)
        var found: Set<String> = []
        let name = PLpgSQLText.identifier
        func add(_ text: Substring) { found.insert(PLpgSQLText.folded(text)) }
        for match in code.matches(of: Regex { /(?i)\bnew\s*\.\s*/; Capture { name }; /\s*:?=(?!=)/ }) {
            add(match.output.1)
        }
        // `SELECT … INTO NEW.x, NEW.y` (review 13: `SELECT current_user INTO NEW.created_by`).
        let into = Regex { /(?i)\binto\s+(?:strict\s+)?/; Capture { OneOrMore { /(?i)new\s*\.\s*/; name; /\s*,?\s*/ } } }
        for match in code.matches(of: into) {
            for target in match.output.1.split(separator: ",") {
                let trimmed = target.trimmingCharacters(in: .whitespaces)
                guard let dot = trimmed.firstIndex(of: ".") else { continue }
                let column = trimmed[trimmed.index(after: dot)...].trimmingCharacters(in: .whitespaces)
                if column.wholeMatch(of: name) != nil { add(Substring(column)) }
            }
        }
        return found
    }
}
