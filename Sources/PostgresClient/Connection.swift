import CLibPQ
import Foundation
import Logging

/// One libpq connection, opened in `init` and closed (`PQfinish`) in `deinit`.
///
/// Blocking on purpose: the tool runs one statement at a time and lets PostgreSQL do
/// the heavy lifting, so an event loop would add build time and no speed.
/// Not thread-safe, like the `PGconn` it wraps: use one connection per thread.
public final class Connection {
    let handle: OpaquePointer
    private let connectionString: ConnectionString
    private let noticeSink: Unmanaged<NoticeSink>
    private let cancelState = CancelState()
    /// Where the client logs: each statement at `debug` (its text and parameter count, never the values), server notices at `warning`/`info`.
    public let logger: Logger
    /// Called with every statement just before it is sent, whatever part of the tool
    /// built it (catalog, privileges, FK checks, COPY): what `--print-sql` prints. Nothing
    /// reaches the server without passing here.
    public var onStatement: (@Sendable (SQL) -> Void)?

    /// Opens a connection.
    ///
    /// - Parameter connectionString: anything libpq accepts (`postgresql://…` or
    ///   `key=value …`); empty falls back to `PG*` variables, `.pgpass` and service
    ///   files, exactly as `psql` does.
    public init(
        _ connectionString: ConnectionString = ConnectionString(nil),
        applicationName: String = "fkbackfill",
        logger: Logger = Logger(label: "fkbackfill.postgres")
    ) throws(PostgresError) {
        self.connectionString = connectionString
        self.logger = logger
        var keywords = ["fallback_application_name"]
        var values = [applicationName]
        if !connectionString.text.isEmpty {
            keywords.append("dbname")
            values.append(connectionString.text)
        }
        // The tool reads and writes UTF-8 text; the server converts from whatever it stores.
        keywords.append("client_encoding")
        values.append("UTF8")
        let connection = Self.withCStringArray(keywords) { keywordPointers in
            Self.withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connectionFailed, message: "could not allocate a libpq connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq spreads one failure over several lines ("…\n\tIs the server running…").
            let message = String(cString: PQerrorMessage(connection)).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            PQfinish(connection)
            throw PostgresError(
                kind: .connectionFailed,
                message: connectionString.redact(message.isEmpty ? "could not connect" : message))
        }
        handle = connection
        noticeSink = Unmanaged.passRetained(NoticeSink(logger: logger))
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().receive(result)
        }, noticeSink.toOpaque())
    }

    deinit {
        PQfinish(handle)
        noticeSink.release()
    }

    /// Another connection to the same database, opened as this one was (its connection
    /// string, then the same `PG*` variables, `.pgpass` and service files), under its own
    /// application name, so a DBA's `pg_stat_activity` tells the two apart.
    public func sibling(applicationName: String) throws(PostgresError) -> Connection {
        try Connection(connectionString, applicationName: applicationName, logger: logger)
    }

    /// Whether the connection is up (libpq's `CONNECTION_OK`).
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether a `Canceller` cancelled the connection (SIGINT): it starts no statement since.
    public var isCancelled: Bool { cancelState.isCancelled }

    /// A handle that cancels this connection's running statement from elsewhere (SIGINT).
    public func makeCanceller() -> Canceller? {
        Canceller(connection: handle, state: cancelState)
    }

    /// Refuses to start a statement once the connection was cancelled.
    func checkNotCancelled() throws(PostgresError) {
        if cancelState.isCancelled {
            throw PostgresError(kind: .client, message: "cancelled by the user", sqlState: SQLState.queryCanceled)
        }
    }

    /// Server version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// A setting the server reports to the client by itself (`in_hot_standby`,
    /// `server_encoding`, …: PQparameterStatus), without a round trip; nil when it does not.
    public func parameterStatus(_ name: String) -> String? {
        PQparameterStatus(handle, name).map { String(cString: $0) }
    }

    /// Runs one statement; its bound values go as parameters in text format, never as
    /// part of the SQL text (`nil` binds SQL NULL).
    @discardableResult
    public func execute(_ sql: SQL) throws(PostgresError) -> QueryResult {
        let (text, parameters) = announce(sql)
        try checkNotCancelled()
        let result = Self.withOptionalCStringArray(parameters) { values in
            PQexecParams(handle, text, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        do {
            return try check(result, expecting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
        } catch {
            var failed = error
            failed.statement = text
            throw failed
        }
    }

    /// Runs a script of several statements with no parameters, such as a schema file.
    /// Raw text by nature: only tests and the demo's setup use it.
    @discardableResult
    public func executeScript(unsafeRaw script: String) throws(PostgresError) -> QueryResult {
        announce(SQL(unsafeRaw: script))
        try checkNotCancelled()
        return try check(PQexec(handle, script), expecting: [PGRES_COMMAND_OK, PGRES_TUPLES_OK])
    }

    /// Logs and reports a statement before it runs; returns its text and parameters.
    @discardableResult
    func announce(_ sql: SQL) -> (text: String, parameters: [String?]) {
        let rendered = sql.rendered()
        logger.debug("sql", metadata: ["statement": "\(rendered.text)", "parameters": "\(rendered.parameters.count)"])
        onStatement?(sql)
        return rendered
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        try execute(readOnly ? "BEGIN READ ONLY" : "BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// Rolls back whatever is open; failures are ignored because the caller is
    /// already reporting the error that led here.
    public func rollbackQuietly() {
        if PQtransactionStatus(handle) != PQTRANS_IDLE, PQstatus(handle) == CONNECTION_OK {
            announce("ROLLBACK")
            if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
        }
    }

    /// Whether a transaction block is open on this connection.
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Turns a result pointer into a `QueryResult` or a typed error, clearing what is not returned.
    func check(_ result: OpaquePointer?, expecting accepted: [ExecStatusType]) throws(PostgresError) -> QueryResult {
        guard let result else { throw connectionError(fallback: "no result from server") }
        let status = PQresultStatus(result)
        if accepted.contains(status) { return QueryResult(taking: result) }
        defer { PQclear(result) }
        if PQstatus(handle) == CONNECTION_BAD { throw connectionError(fallback: "connection lost") }
        if status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR {
            throw PostgresError(result: result, fallback: "statement failed")
        }
        throw PostgresError(
            kind: .client,
            message: "unexpected result status \(String(cString: PQresStatus(status)))")
    }

    func connectionError(fallback: String) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
        let kind: PostgresError.Kind = PQstatus(handle) == CONNECTION_BAD ? .connectionLost : .client
        return PostgresError(kind: kind, message: connectionString.redact(message.isEmpty ? fallback : message))
    }

    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStringArray(strings.map { Optional($0) }) { pointers in
            // libpq stops at the first NULL keyword, so terminate the array with one.
            body(pointers!)
        }
    }

    /// Lays out `strings` as a NULL-terminated `const char *const *` for libpq.
    static func withOptionalCStringArray<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        let duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
        defer { duplicates.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = duplicates.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

/// Routes server notices (NOTICE, WARNING, …) to swift-log instead of libpq's stderr printer.
final class NoticeSink {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        let error = PostgresError(result: result, fallback: "notice")
        let severity = PQresultErrorField(result, CLIBPQ_DIAG_SEVERITY_NONLOCALIZED).map { String(cString: $0) } ?? "NOTICE"
        let level: Logger.Level
        switch severity {
        case "WARNING": level = .warning
        case "NOTICE", "INFO": level = .info
        default: level = .debug
        }
        logger.log(level: level, "\(severity.lowercased()): \(error.description)")
    }
}
