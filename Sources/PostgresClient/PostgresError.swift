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

    public var kind: Kind
    /// Five-character SQLSTATE, e.g. `23503` for a foreign key violation.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    /// Where the server was when it failed, e.g. `COPY t, line 3, column x: "abc"`.
    public var context: String?

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
