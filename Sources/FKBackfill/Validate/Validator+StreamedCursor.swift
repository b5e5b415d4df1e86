import PostgresClient

/// A `--query`, or a `--source` whose types differ from the target's, validated on a
/// session that cannot write (a hot standby, read-only credentials): on the primary
/// both are staged as text (`TextStaging.insertRaw`: each column `CAST(… AS text)`) and
/// checked like a CSV's text; here a cursor reads the same text, and its rows go through
/// the CSV's streamed batches (Validator+Streamed.swift). `DECLARE … CURSOR` is allowed in
/// a READ ONLY transaction and on a standby; a `--query` is declared under the user's own
/// search path, where its names resolve once, as the temporary view it is compiled into
/// on the primary resolves them.
extension Validator {
    /// The cursor's name: a portal of this transaction, gone at its rollback.
    static let inputCursor: SQL = "fkb_input"

    /// Rows per FETCH: a few hundred kB of text at most for ordinary rows; a batch is cut
    /// by `streamBatch`/`streamBatchBytes` as a CSV's is.
    static let cursorFetch = 1_000

    /// The SELECT the cursor runs: the input's `columns` as text, as the staged path's
    /// `insertRaw` casts them, from the table (its inheritance children too, as the
    /// staged path reads it) or from the user's query as a subquery; nil for a CSV.
    static func cursorSelect(_ opened: OpenedInput, _ columns: [Column]) -> SQL? {
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
            "CAST(q.\(ident: column.name) AS pg_catalog.text) AS \(ident: "c\(index)")"
        }
        return "SELECT \(list.joined(separator: ", ")) FROM \(from) AS q"
    }

    /// Reads `opened` through a cursor and hands each row's text to `take`, numbered from 1
    /// as the staged path numbers rows that are not a file's lines (`_fkb_row`).
    /// - Returns: false when `opened` is a CSV (nothing read).
    func streamCursor(_ opened: OpenedInput, _ columns: [Column], _ take: ([String?], Int) throws -> Void) throws -> Bool {
        guard let select = Self.cursorSelect(opened, columns) else { return false }
        let declare: SQL = "DECLARE \(Self.inputCursor) NO SCROLL CURSOR FOR \(select)"
        if opened.query != nil {
            try session.underUserSearchPath { try session.execute(declare) }
        } else {
            try session.execute(declare)
        }
        var number = 0
        while true {
            let fetched = try session.execute("FETCH FORWARD \(int: Self.cursorFetch) FROM \(Self.inputCursor)")
            guard fetched.rowCount > 0 else { break }
            for row in 0..<fetched.rowCount {
                number += 1
                try take(columns.indices.map { fetched.value(row, $0) }, number)
            }
        }
        try session.execute("CLOSE \(Self.inputCursor)")
        return true
    }
}

extension Validator {
    /// Row-level security on a `--source` table that hides some of its rows from this
    /// role (read in place or through the cursor): the load's role may see them.
    func hiddenSourceRows(_ input: InputSource?) throws -> [String] {
        guard case .table(let name)? = input else { return [] }
        let source = try TableResolver.resolve(name, on: session)
        let hidden = try session.execute("SELECT pg_catalog.row_security_active(CAST(\(bind: String(source.oid)) AS pg_catalog.oid)) AS rls").rows[0].bool("rls")
        return hidden ? ["row-level security on \(source.name.display) applies to this role: rows it hides from the input are not checked"] : []
    }
}
