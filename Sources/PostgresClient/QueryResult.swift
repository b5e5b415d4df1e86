import CLibPQ

/// The rows of one successful statement, in libpq's text format.
///
/// Owns its `PGresult` and clears it in `deinit`, so a result can be passed around
/// and dropped without a matching cleanup call.
public final class QueryResult {
    private let handle: OpaquePointer

    /// Number of rows returned.
    public let rowCount: Int
    /// Column names, in order.
    public let columnNames: [String]
    /// Each column's type OID and type modifier (-1 when none), as `format_type` takes them.
    public let columnTypes: [(oid: UInt32, modifier: Int32)]

    init(taking handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        // A COPY result has a field count but no field names.
        columnNames = (0..<PQnfields(handle)).map { PQfname(handle, $0).map { String(cString: $0) } ?? "" }
        columnTypes = (0..<PQnfields(handle)).map { (oid: UInt32(PQftype(handle, $0)), modifier: PQfmod(handle, $0)) }
    }

    deinit { PQclear(handle) }

    /// Rows changed by an INSERT, UPDATE, DELETE, COPY or similar; 0 when not reported.
    public var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    /// The text value at (row, column), or nil for SQL NULL.
    public func value(_ row: Int, _ column: Int) -> String? {
        precondition(row < rowCount && column < columnNames.count, "result index out of range")
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// The rows, each addressable by column name.
    public var rows: [Row] {
        (0..<rowCount).map { Row(result: self, index: $0) }
    }

    func columnIndex(_ name: String) -> Int {
        guard let index = columnNames.firstIndex(of: name) else {
            preconditionFailure("no column \(name) in result (\(columnNames))")
        }
        return index
    }
}

/// One row of a `QueryResult`, with typed accessors for the text format.
public struct Row {
    let result: QueryResult
    let index: Int

    /// The text value of the named column, or nil for SQL NULL; traps when the result has no such column.
    public subscript(_ column: String) -> String? {
        result.value(index, result.columnIndex(column))
    }

    /// The text value at a 0-based column position, or nil for SQL NULL; traps when out of range.
    public subscript(_ column: Int) -> String? {
        result.value(index, column)
    }

    /// A text value the query's shape guarantees is not NULL (a key column, a count, a
    /// `coalesce`). A NULL there is a bug or a catalog that changed under the query: it
    /// throws rather than reading as `""`, which would pass for a real empty string. A
    /// column that may be NULL is read with the subscript, as an optional.
    public func string(_ column: String) throws(PostgresError) -> String {
        guard let value = self[column] else {
            throw PostgresError(kind: .client, message: "column \(column) of the result is NULL where the query guarantees a value")
        }
        return value
    }

    /// The value parsed as an `Int`; nil for NULL, and for text that is not a whole number (`1.0`).
    public func int(_ column: String) -> Int? {
        self[column].flatMap { Int($0) }
    }

    /// A one-dimensional array column, decoded in the one place that knows the format.
    public func array(_ column: String) -> [String?] {
        self[column].map(PostgresArray.decode) ?? []
    }

    /// PostgreSQL's text form of booleans is `t`/`f`.
    public func bool(_ column: String) -> Bool {
        self[column] == "t"
    }
}
