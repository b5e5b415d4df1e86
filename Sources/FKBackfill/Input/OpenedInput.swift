import Foundation
import PostgresClient

/// An input made ready to stage: its column names checked against the target, the CSV
/// file opened past its header, or the SELECT that reads a table or query.
struct OpenedInput {
    let source: InputSource
    let columns: [String]
    /// The open file, for a CSV input.
    let csv: CSVFile?
    /// The relation holding the rows, for a table or query input: the table itself, or
    /// the temporary view the user's query was compiled into.
    let select: SQL?
    /// The type OID and modifier of each column, for a table or query input.
    var types: [(oid: UInt32, modifier: Int32)] = []
    /// The user's query, trimmed, where it was not compiled into a view (a session that
    /// cannot write): read through a cursor declared under the user's path (`cursorSelect`).
    var query: String?
    /// The relation is a view or the user's query that calls the user's own functions,
    /// whose queries resolve names under the path of the statement that reads it: read
    /// once, under the user's path (staged, or through a cursor), never by the checks in
    /// place under the tool's (`OpenedInput+UserCode.swift`, `Validator.stagingNeeded`).
    var plansUserSQL = false

    /// Opens `source` for `target`. With `onlyInsertable`, a table input keeps just the
    /// columns a load could write (checking a table's own rows). Without `compileQuery`
    /// (a read-only session), a query is not made a temporary view: its shape is read
    /// under the user's path and its text kept for a cursor.
    static func open(
        _ source: InputSource, target: Table, on session: Session, onlyInsertable: Bool = false, compileQuery: Bool = true
    ) throws -> OpenedInput {
        let insertable = target.columns.filter { !$0.isDatabaseGenerated || $0.identity == .byDefault }.map(\.name)
        let opened: OpenedInput
        switch source {
        case .csv(let path, let options):
            let file = try CSVFile(path: path)
            var columns = insertable
            if options.header {
                guard let header = try file.readHeader(options) else {
                    throw FKBackfillError("\(file.label) is empty", hint: "the first line must name the columns", kind: .badInput(line: 1))
                }
                columns = header
            }
            opened = OpenedInput(source: source, columns: columns, csv: file, select: nil)
        case .table(let name):
            let table = try TableResolver.resolve(name, on: session)
            let select = table.name.sql
            let shape = try session.underUserSearchPath { try session.execute("SELECT * FROM \(select) LIMIT 0") }
            let keep = shape.columnNames.indices.filter { !onlyInsertable || insertable.contains(shape.columnNames[$0]) }
            var relation = OpenedInput(
                source: source, columns: keep.map { shape.columnNames[$0] }, csv: nil, select: select,
                types: keep.map { shape.columnTypes[$0] })
            relation.plansUserSQL = try Self.callsUserCode("CAST(\(bind: String(table.oid)) AS pg_catalog.oid)", on: session)
            opened = relation
        case .query(let text) where !compileQuery:
            // Safe as raw text: the user's own query, as compileQuery takes it.
            let shape = try session.underUserSearchPath {
                try session.execute("SELECT * FROM (\(unsafeRaw: trimmedQuery(text))\n) AS q LIMIT 0")
            }
            opened = OpenedInput(source: source, columns: shape.columnNames, csv: nil, select: nil, types: shape.columnTypes, query: trimmedQuery(text),
                                 plansUserSQL: true)
        case .query(let text):
            let select = try Self.compileQuery(text, on: session)
            // Planned under the user's path, as `stage` plans it (inlined SQL functions).
            let shape = try session.underUserSearchPath { try session.execute("SELECT * FROM \(select) LIMIT 0") }
            opened = OpenedInput(source: source, columns: shape.columnNames, csv: nil, select: select, types: shape.columnTypes,
                                 plansUserSQL: try Self.callsUserCode("CAST(\(bind: queryViewName) AS pg_catalog.regclass)", on: session))
        }
        // The table's own rows (no input) are read in place: no stage beside them.
        try InputColumns.check(opened.columns, of: target, input: source, ownRows: onlyInsertable)
        return opened
    }

    /// The CSV options, for a file input (defaults otherwise).
    var csvOptions: CSVOptions {
        if case .csv(_, let options) = source { options } else { CSVOptions() }
    }

    /// A tracker that maps the file's records to its lines, for a CSV input.
    func lineTracker() -> CSVLineTracker? {
        csv.map { CSVLineTracker(quote: csvOptions.quote, firstLine: $0.headerLines + 1) }
    }

    /// Puts the input's rows into a staging table: COPY (built by `copy` for the CSV's
    /// options) for a file, `insert` around the SELECT otherwise. A value, encoding or row
    /// shape COPY rejects becomes a `FILE:LINE` usage error here, the one place that knows
    /// the file's name and how many lines its header took. `exactText`: `insert` prints
    /// typed values as text, which must read back exactly (`Session.exactTextSettings`).
    /// - Returns: the rows staged.
    func stage(
        copy: (CSVOptions) -> SQL, insert: (SQL) -> SQL, lines: CSVLineTracker? = nil,
        on session: Session, progress: ((Int, Int?) -> Void)? = nil, exactText: Bool = false, mirror: CopyMirror? = nil
    ) throws -> Int {
        if case .csv(_, let options) = source, let csv {
            do {
                var sent = 0
                // Under the user's path: a domain's CHECK (or a type's input function) of a
                // stage column runs the user's code, as in their session (review 13: a
                // CHECK calling a SQL function that reads an unqualified table). The
                // statement's own names are pg_temp's, quoted, with no operator.
                let copied = try session.underUserSearchPath {
                    try session.connection.copyIn(copy(options), mirror: mirror) { writer in
                        sent = try csv.stream(to: writer, quote: options.quote, lines: lines, progress: progress)
                    }
                }
                // Counted on both sides, so no row can go missing unnoticed between them.
                if copied != sent {
                    let line = lines?.line(ofRecord: copied + 1) ?? csv.headerLines + copied + 1
                    throw FKBackfillError(
                        "\(source.label):\(line): the file has \(sent) records but COPY read \(copied); nothing was written",
                        hint: "check the file's quoting from that line on", kind: .badInput(line: line))
                }
                return copied
            } catch let error as PostgresError where error.isDataException || Self.isDomainRefusal(error) {
                throw FKBackfillError(input: source.label, error, headerLines: csv.headerLines, fileLine: lines.map { $0.line(ofCopyLine:) })
            } catch let error as PostgresError where error.kind == .server && error.sqlState == Self.programLimitExceeded {
                // "row is too big": the input's row, not the database, is at fault. COPY
                // inserts rows in batches and its CONTEXT names the line it had read to
                // when the batch was written, not the row: say "up to" that line.
                let located = FKBackfillError(input: source.label, error, headerLines: csv.headerLines, fileLine: lines.map { $0.line(ofCopyLine:) })
                var upTo = ""
                if case .badInput(let line?) = located.kind { upTo = " (in the rows up to line \(line))" }
                throw FKBackfillError("\(source.label): \(error.message)\(upTo)", hint: Self.rowTooBigHint, kind: .badInput(line: nil))
            }
        }
        guard let select else { return 0 }
        // Planned under the user's own path, as their INSERT … SELECT would be: a view's
        // inlined SQL functions parse their bodies then (hostile review 8: under the pinned
        // path an unqualified name in one failed the load). The statement's own names are
        // qualified (`PathSafeType`). The raw text of typed values (TextStaging.insertRaw)
        // must read back exactly.
        let statement = insert(select)
        return try session.underUserSearchPath {
            if exactText, case let (pin?, restore?) = try session.exactTextSettings(lossyText(on: session)) {
                // The rows first, typed, under the user's own settings (their query's own
                // `f::text` must not see the pin: hostile review 10); then printed pinned,
                // where no user query runs.
                try session.execute("DROP TABLE IF EXISTS \(Self.typedRows)")
                _ = try Self.insertRows("CREATE TEMP TABLE \(Self.typedRows) ON COMMIT DROP AS SELECT * FROM \(select)", input: source.label, on: session)
                try session.execute(pin)
                return try session.restoring(restore) { try Self.insertRows(insert(Self.typedRows), input: source.label, on: session) }
            }
            return try Self.insertRows(statement, input: source.label, on: session)
        }
    }

    /// The rows of a table or query into the stage. A value the target's type refuses
    /// (does not convert, too long, its domain's CHECK) is the input's fault, as a CSV's
    /// value is: a usage error naming the input, not a database error; validate names its rows.
    static func insertRows(_ statement: SQL, input: String, on session: Session) throws -> Int {
        let failure: PostgresError
        do {
            return try session.execute(statement).affectedRows
        } catch {
            failure = error
        }
        guard failure.isDataException || isStagedRefusal(failure) else { throw failure }
        let located = FKBackfillError(input: input, failure)
        throw FKBackfillError(located.message, hint: "`fkbackfill validate` names the rows; " + (located.hint ?? ""),
                              kind: .badInput(line: nil), cause: failure)
    }

    /// A domain's CHECK or NOT NULL refusing a value of a table or query as it is staged:
    /// the stage has no constraints of its own, so only a value's type refuses there.
    static func isStagedRefusal(_ error: PostgresError) -> Bool {
        error.kind == .server && [SQLState.checkViolation, SQLState.notNullViolation].contains(error.sqlState ?? "")
    }

    /// A domain's CHECK or NOT NULL refusing a value COPY read: the stage has no
    /// constraints of its own, so a check or not-null violation there is the value's type
    /// refusing it, a bad value like one that does not parse (and with rejects, a reject).
    static func isDomainRefusal(_ error: PostgresError) -> Bool {
        error.kind == .server && [SQLState.checkViolation, SQLState.notNullViolation].contains(error.sqlState ?? "")
            && error.context?.hasPrefix("COPY ") == true
    }

    /// `program_limit_exceeded` (54000): on staging, "row is too big" (a row wider than a
    /// heap page can hold, in the target's types).
    static let programLimitExceeded = "54000"

    static let rowTooBigHint = "a row must fit in a page (about 8 kB) in the target's types: split the row's data, "
        + "or make wide columns of the target TOASTable types (text, bytea, jsonb)"

    /// Whether a table or query input has exactly `target`'s column types (same type and
    /// modifier, by name): its values are then what a load would stage, and can be
    /// checked where they are, without copying them.
    func hasTypes(of target: Table, on session: Session) throws -> Bool {
        guard select != nil, types.count == columns.count, !types.isEmpty else { return false }
        let names = try session.execute(
            """
            SELECT format_type(t.oid, t.modifier) AS type
            FROM unnest(CAST(\(bindArray: types.map { String($0.oid) }) AS oid[]), CAST(\(bindArray: types.map { String($0.modifier) }) AS int[]))
                 WITH ORDINALITY AS t(oid, modifier, n)
            ORDER BY t.n
            """).rows.map { try $0.string("type") }
        return zip(columns, names).allSatisfy { name, type in target.column(name)?.type == type }
    }

    /// Per column of a table or query input whose type is neither a string type (whose
    /// text is its value) nor the target column's, that type's name (`LoadPlan.sourceTypes`).
    /// And the columns not of a string type, printed by their output function (`LoadPlan.printedByOutput`).
    func sourceTypes(of target: Table, on session: Session) throws -> ([String: String], Set<String>) {
        guard csv == nil, types.count == columns.count, !types.isEmpty else { return ([:], []) }
        let rows = try session.execute(
            """
            SELECT pg_catalog.format_type(t.oid, t.modifier) AS type, y.typcategory OPERATOR(pg_catalog.=) 'S' AS string
            FROM ROWS FROM (pg_catalog.unnest(CAST(\(bindArray: types.map { String($0.oid) }) AS pg_catalog.oid[])),
                            pg_catalog.unnest(CAST(\(bindArray: types.map { String($0.modifier) }) AS pg_catalog.int4[]))) WITH ORDINALITY AS t(oid, modifier, n)
            JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) t.oid
            ORDER BY t.n
            """).rows
        guard rows.count == columns.count else { return ([:], []) }
        var found: [String: String] = [:]
        var prints: Set<String> = []
        for (name, row) in zip(columns, rows) where !row.bool("string") {
            prints.insert(name)
            let type = try row.string("type")
            // An extra column (one a parent's column takes) too: its text goes back to its
            // own type first, as the load casts a numeric 4.6 into an int, rounding (hostile
            // review 20: validate cast the text '4.6' to int, refused it, and said would not load).
            guard let column = target.column(name) else { found[name] = type; continue }
            guard column.type != type, column.domainBaseType != type else { continue }
            found[name] = type
        }
        return (found, prints)
    }

    /// What of this table's or query's columns may print lossily under the session's
    /// settings (`Session.LossyText`): floats and dates, through domains and arrays; a
    /// composite or range may hold either.
    func lossyText(on session: Session) throws -> Session.LossyText {
        guard csv == nil, !types.isEmpty else { return Session.LossyText() }
        return try session.lossyText(ofTypes: "SELECT u.oid FROM pg_catalog.unnest(CAST(\(bindArray: types.map { String($0.oid) }) AS pg_catalog.oid[])) AS u(oid)")
    }

    /// A table's or query's rows held typed before they are printed as text with
    /// pinned settings (`stage` with `exactText`).
    static let typedRows: SQL = "pg_temp.fkb_typed"

    /// The temporary view a `--query` is compiled into.
    static let queryView: SQL = "pg_temp.fkb_query"
    /// `queryView` as text, to look its oid up.
    static let queryViewName = "pg_temp.fkb_query"

    /// Compiles the user's query into a temporary view, under the user's own search path
    /// and exactly as written: names in it resolve as the user meant, once, when the view
    /// is created. The one statement that reads the view (`stage`) is planned under the
    /// user's path too, for SQL functions PostgreSQL inlines then; its own names are all
    /// qualified, so nothing of the tool's resolves on the user's path.
    static func compileQuery(_ text: String, on session: Session) throws -> SQL {
        try session.execute("DROP VIEW IF EXISTS \(queryView)")
        try session.underUserSearchPath {
            // Safe as raw text: the user's own query, run with the user's own rights and
            // path; the statement holds nothing else but the view's pg_temp name.
            try session.execute("CREATE TEMP VIEW \(queryView) AS \(unsafeRaw: trimmedQuery(text))")
        }
        return queryView
    }

    /// A query as a subquery: trailing semicolons, blanks and comments removed (`QueryText`).
    static func trimmedQuery(_ sql: String) -> String {
        QueryText.trimmed(sql)
    }
}
