import Foundation
import PostgresClient

/// An input made ready to stage: its column names checked against the target, the CSV
/// file opened past its header, or the SELECT that reads a table or query.
struct OpenedInput {
    let source: InputSource
    let columns: [String]
    /// The open file, for a CSV input.
    let csv: CSVFile?
    /// `SELECT …` producing the rows, for a table or query input.
    let select: String?
    /// The type OID and modifier of each column, for a table or query input.
    var types: [(oid: UInt32, modifier: Int32)] = []

    /// Opens `source` for `target`. With `onlyInsertable`, a table input keeps just the
    /// columns a load could write (checking a table's own rows).
    static func open(_ source: InputSource, target: Table, on connection: Connection, onlyInsertable: Bool = false) throws -> OpenedInput {
        let insertable = target.columns.filter { !$0.isDatabaseGenerated || $0.identity == .byDefault }.map(\.name)
        let opened: OpenedInput
        switch source {
        case .csv(let path, let options):
            let file = try CSVFile(path: path)
            var columns = insertable
            if options.header {
                guard let header = try file.readHeader(options) else {
                    throw FKBackfillError("\(file.label) is empty", hint: "the first line must name the columns")
                }
                columns = header
            }
            opened = OpenedInput(source: source, columns: columns, csv: file, select: nil)
        case .table(let name):
            let table = try TableResolver.resolve(name, on: connection)
            let select = "SELECT * FROM \(table.name.sql)"
            let shape = try connection.execute(select + " LIMIT 0")
            let keep = shape.columnNames.indices.filter { !onlyInsertable || insertable.contains(shape.columnNames[$0]) }
            opened = OpenedInput(
                source: source, columns: keep.map { shape.columnNames[$0] }, csv: nil, select: select,
                types: keep.map { shape.columnTypes[$0] })
        case .query(let sql):
            let select = trimmedQuery(sql)
            let shape = try connection.execute("SELECT * FROM (\(select)) AS q LIMIT 0")
            opened = OpenedInput(source: source, columns: shape.columnNames, csv: nil, select: select, types: shape.columnTypes)
        }
        try InputColumns.check(opened.columns, of: target, input: source)
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
    /// the file's name and how many lines its header took.
    /// - Returns: the rows staged.
    func stage(
        copy: (CSVOptions) -> String, insert: (String) -> String, lines: CSVLineTracker? = nil,
        on connection: Connection, run: (String) throws -> QueryResult,
        onStatement: (@Sendable (String) -> Void)?, progress: ((Int, Int?) -> Void)? = nil
    ) throws -> Int {
        if case .csv(_, let options) = source, let csv {
            let statement = copy(options)
            onStatement?(statement + " -- data from \(source.label)")
            do {
                return try connection.copyIn(statement) { writer in
                    try csv.stream(to: writer, lines: lines, progress: progress)
                }
            } catch let error as PostgresError where error.kind == .server && error.sqlState?.hasPrefix("22") == true {
                throw FKBackfillError(input: source.label, error, headerLines: csv.headerLines)
            }
        }
        guard let select else { return 0 }
        return try run(insert(select)).affectedRows
    }

    /// Whether a table or query input has exactly `target`'s column types (same type and
    /// modifier, by name): its values are then what a load would stage, and can be
    /// checked where they are, without copying them.
    func hasTypes(of target: Table, on connection: Connection) throws -> Bool {
        guard select != nil, types.count == columns.count, !types.isEmpty else { return false }
        let names = try connection.execute(
            "SELECT format_type(t.oid, t.modifier) AS type FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, modifier, n) ORDER BY t.n",
            ["{" + types.map { String($0.oid) }.joined(separator: ",") + "}",
             "{" + types.map { String($0.modifier) }.joined(separator: ",") + "}"]).rows.map { $0.string("type") }
        return zip(columns, names).allSatisfy { name, type in target.column(name)?.type == type }
    }

    /// A query as a subquery: trailing semicolons and blanks removed.
    static func trimmedQuery(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last == ";" || last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
