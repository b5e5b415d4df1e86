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
            let all = try connection.execute(select + " LIMIT 0").columnNames
            opened = OpenedInput(source: source, columns: onlyInsertable ? all.filter(insertable.contains) : all, csv: nil, select: select)
        case .query(let sql):
            let select = trimmedQuery(sql)
            let columns = try connection.execute("SELECT * FROM (\(select)) AS q LIMIT 0").columnNames
            opened = OpenedInput(source: source, columns: columns, csv: nil, select: select)
        }
        try InputColumns.check(opened.columns, of: target, input: source)
        return opened
    }

    /// A query as a subquery: trailing semicolons and blanks removed.
    static func trimmedQuery(_ sql: String) -> String {
        var text = Substring(sql)
        while let last = text.last, last == ";" || last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
