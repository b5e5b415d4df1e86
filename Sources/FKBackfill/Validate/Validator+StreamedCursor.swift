import Foundation
import PostgresClient

/// A `--query`, or a `--source` whose types differ from the target's, validated on a
/// session that cannot write (a hot standby, read-only credentials): on the primary
/// both are staged as text (`TextStaging.insertRaw`, `rawText`) and checked like a CSV's
/// text; here a cursor reads the same text, and its rows go through
/// the CSV's streamed batches (Validator+Streamed.swift). `DECLARE … CURSOR` is allowed in
/// a READ ONLY transaction and on a standby; a `--query` is declared under the user's own
/// search path, where its names resolve once, as the temporary view it is compiled into
/// on the primary resolves them.
extension Validator {
    /// The cursor's name: a portal of this transaction, gone at its rollback.
    static let inputCursor: SQL = "fkb_input"

    /// Rows per FETCH at most: a few hundred kB of text for ordinary rows, fewer for wide
    /// ones (`streamCursor`); a batch is cut by `streamBatch`/`streamBatchBytes` as a CSV's is.
    static let cursorFetch = 5_000
    /// Rows of the first FETCH, before their width is known.
    static let cursorFirstFetch = 16

    /// The SELECT the cursor runs: the input's `columns` as text, as the staged path's
    /// `insertRaw` casts them, from the table (its inheritance children too, as the
    /// staged path reads it) or from the user's query as a subquery; nil for a CSV.
    static func cursorSelect(_ opened: OpenedInput, _ columns: [Column], byOutput: Set<String> = []) -> SQL? {
        let from: SQL
        if let query = opened.query {
            // Safe as raw text: the user's own query, run with the user's own rights and
            // path, as OpenedInput.compileQuery runs it. The line break ends a trailing
            // `--` comment before the parenthesis.
            from = "(\(unsafeRaw: query)\n)"
        } else if let select = opened.select, opened.csv == nil {
            from = select
        } else {
            return nil
        }
        let list = columns.enumerated().map { index, column -> SQL in
            "\(TextStaging.rawText("q.\(ident: column.name)", byOutput: byOutput.contains(column.name))) AS \(ident: "c\(index)")"
        }
        return "SELECT \(list.joined(separator: ", ")) FROM \(from) AS q"
    }

    /// Reads `opened` through a cursor and hands each row's text to `take`, numbered from 1
    /// as the staged path numbers rows that are not a file's lines (`_fkb_row`). `pinned`:
    /// the caller pinned a printing setting for the whole check already.
    /// - Returns: what notExact must say of it; nil when `opened` is a CSV (nothing read).
    func streamCursor(
        _ opened: OpenedInput, _ columns: [Column], byOutput: Set<String>, pinned: Bool = false,
        _ take: ([String?], Int) throws -> Void
    ) throws -> [String]? {
        guard let select = Self.cursorSelect(opened, columns, byOutput: byOutput) else { return nil }
        let declare: SQL = "DECLARE \(Self.inputCursor) NO SCROLL CURSOR FOR \(select)"
        // Planned under the user's path, as the primary's stage insert is (inlined SQL
        // functions), and run there too: a PL/pgSQL function of the query looks its names up
        // at each FETCH (hostile review 9).
        try session.underUserSearchPath { try session.execute(declare) }
        var number = 0
        // A few rows first, then as many as fit a batch's bytes at the widest row seen:
        // 1,000 rows of 1 MiB at once peaked at 184 MiB (hostile review 8).
        var count = Self.cursorFirstFetch
        // Printed to read back exactly (Session.exactTextSettings), as the staged path's raw
        // text is; the user's settings and the pinned path back for the checks between fetches.
        let lossy = try opened.lossyText(on: session)
        let (pin, restore) = try session.exactTextSettings(lossy, searchPath: (session.userSearchPath, Session.pinnedSearchPath))
        // The query runs during the FETCH, under those settings: its own text of a float or
        // a date may differ from the load's, which runs it under the session's own first.
        var notes: [String] = []
        let lossyPinned = try session.exactTextSettings(lossy).pin != nil
        if pinned || lossyPinned, try runsUserExpressions(opened) {
            notes.append("the input's query ran under DateStyle ISO and extra_float_digits 1 (to print its dates and floats exactly): "
                + "text it makes of dates or floats itself may differ from what the load stores")
        }
        while true {
            if let pin { try session.execute(pin) }
            let fetched = try session.execute("FETCH FORWARD \(int: count) FROM \(Self.inputCursor)")
            if let restore { try session.execute(restore) }
            guard fetched.rowCount > 0 else { break }
            var widest = 1
            for row in 0..<fetched.rowCount {
                number += 1
                let values = columns.indices.map { fetched.value(row, $0) }
                widest = max(widest, values.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
                try take(values, number)
            }
            count = max(1, min(Self.cursorFetch, Self.streamBatchBytes / widest))
        }
        try session.execute("CLOSE \(Self.inputCursor)")
        return notes
    }

    /// Whether reading `opened` runs expressions of the user's: a query, or a view.
    func runsUserExpressions(_ opened: OpenedInput) throws -> Bool {
        if opened.query != nil { return true }
        guard case .table(let name) = opened.source else { return false }
        let table = try TableResolver.resolve(name, on: session)
        return try session.execute(
            "SELECT c.relkind OPERATOR(pg_catalog.=) 'v' AS view FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) CAST(\(bind: String(table.oid)) AS pg_catalog.oid)"
        ).rows.first?.bool("view") ?? false
    }
}

extension Validator {
    /// Row-level security that hides rows of the input from this role (read in place or
    /// through the cursor): the load's role may see them. The relations are those the
    /// input's plan scans (`EXPLAIN (VERBOSE, FORMAT JSON)`, which runs nothing): a
    /// `--source` table, the tables under a view (a `security_invoker` one hides rows from
    /// this role), the tables a `--query` reads (hostile review 8: only a table named as
    /// the source was looked at).
    func hiddenSourceRows(_ input: InputSource?, _ opened: OpenedInput) throws -> [String] {
        let select: SQL
        switch input {
        case .table?:
            guard let relation = opened.select else { return [] }
            select = "SELECT * FROM \(relation)"
        case .query(let text)?:
            // Safe as raw text: the user's own query, as OpenedInput.compileQuery takes it.
            select = "SELECT * FROM (\(unsafeRaw: OpenedInput.trimmedQuery(text))\n) AS q"
        default:
            return []
        }
        let explain: SQL = "EXPLAIN (VERBOSE, FORMAT JSON) \(select)"
        // A plan that cannot be shown names nothing: the input's own statements say why.
        guard let plan = try? session.savepoint({ () throws -> QueryResult in
            if case .query? = input { return try session.underUserSearchPath { try session.execute(explain) } }
            return try session.execute(explain)
        }), plan.rowCount > 0, let text = plan.value(0, 0), let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [] }
        var relations = Set<[String]>()
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let schema = object["Schema"] as? String, let name = object["Relation Name"] as? String { relations.insert([schema, name]) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(json)
        guard !relations.isEmpty else { return [] }
        let sorted = relations.sorted { $0.lexicographicallyPrecedes($1) }
        let hidden = try session.execute(
            """
            SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS name
            FROM ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: sorted.map { $0[0] }) AS pg_catalog.text[])),
                            pg_catalog.unnest(CAST(\(bindArray: sorted.map { $0[1] }) AS pg_catalog.text[]))) AS r(schema, name)
            JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) r.schema
            JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) r.name
            WHERE c.relrowsecurity AND pg_catalog.row_security_active(c.oid)
            ORDER BY 1
            """).rows.map { try $0.string("name") }
        return hidden.map { "row-level security on \($0) applies to this role: rows it hides from the input are not checked" }
    }
}
