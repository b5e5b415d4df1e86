import CLibPQ

/// Every failure the client reports, with the server's diagnostic fields kept apart
/// so callers can branch on SQLSTATE and name the constraint or table in their own words.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong at the level a caller acts on: retrying, reconnecting or giving up.
    public enum Kind: String, Sendable {
        /// Could not open a connection (bad conninfo, server down, authentication).
        case connectionFailed
        /// The connection broke after it was opened.
        case connectionLost
        /// The server answered with an error (carries SQLSTATE and friends).
        case server
        /// The client itself misused the protocol or got an unexpected answer.
        case client
    }

    /// Whether connecting failed, the connection broke, the server refused, or the client misbehaved.
    public var kind: Kind
    /// Five-character SQLSTATE, e.g. `23503` for a foreign key violation.
    public var sqlState: String?
    /// The primary message, one line: the server's (DETAIL and HINT kept apart below) or the client's own.
    public var message: String
    /// The server's DETAIL field, e.g. which key a violating row has.
    public var detail: String?
    /// The server's HINT field: a suggestion, when it has one.
    public var hint: String?
    /// The constraint a violation concerns, by name.
    public var constraint: String?
    /// The schema of the table the error concerns.
    public var schema: String?
    /// The table the error concerns, unqualified (see `schema`).
    public var table: String?
    /// The column the error concerns.
    public var column: String?
    /// Where the server was when it failed, e.g. `COPY t, line 3, column x: "abc"`.
    public var context: String?
    /// The text of the statement that failed, as `--print-sql` shows it (parameters as
    /// `$n`, never their values: a value may be a secret); nil for failures outside a
    /// statement (connecting, COPY data).
    public var statement: String?

    /// An error built by hand (client-side failures, tests); `context` can be set afterwards.
    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, schema: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// One line: the message, then SQLSTATE, detail and hint where the server gave them.
    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }

    /// Reads the diagnostic fields of an error result.
    init(result: OpaquePointer, kind: Kind = .server, fallback: String) {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let primary = field(CLIBPQ_DIAG_MESSAGE_PRIMARY)
        let whole = PQresultErrorMessage(result).map { String(cString: $0) }
        let sqlState = field(CLIBPQ_DIAG_SQLSTATE)
        // The server ending the session (terminated backend, shutdown) or a broken link
        // is a lost connection, whatever libpq's status says at this moment.
        let lost = sqlState.map { $0.hasPrefix("57P") || $0.hasPrefix("08") } ?? false
        self.init(
            kind: lost ? .connectionLost : kind,
            message: (primary ?? whole ?? fallback).trimmingTrailingNewlines(),
            sqlState: field(CLIBPQ_DIAG_SQLSTATE),
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL),
            hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME),
            schema: field(CLIBPQ_DIAG_SCHEMA_NAME),
            table: field(CLIBPQ_DIAG_TABLE_NAME),
            column: field(CLIBPQ_DIAG_COLUMN_NAME)
        )
        context = field(CLIBPQ_DIAG_CONTEXT)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}

extension PostgresError {
    /// A server error of class 22 (a value the type cannot take, a bad encoding, a
    /// malformed COPY row): the data's fault, which callers report as the input's.
    public var isDataException: Bool {
        kind == .server && sqlState?.hasPrefix(SQLState.dataExceptionClass) == true
    }
}
