import PostgresClient

/// A connection the tool has made its own: nobody else's schema can steer it.
///
/// Opening a session reads the user's `search_path` once, then pins it to
/// `pg_catalog, pg_temp`. From then on every function and operator the tool writes
/// resolves in `pg_catalog`, whatever a schema owner on the user's path created there
/// (an exact-type `public.=(varchar, varchar)` would otherwise beat the built-in one:
/// CVE-2018-1058). The user's path is kept only to find the bare table names they typed,
/// the way psql would, and to compile their own `--query` as they wrote it.
///
/// Also the one place for `execute`, transactions and savepoints (GRDB's `inTransaction`
/// and `inSavepoint` are the model).
public final class Session {
    /// The connection underneath, pinned to `pinnedSearchPath` until `restoreUserSearchPath()` is called.
    public let connection: Connection
    /// The user's `search_path` setting as it was, e.g. `"$user", public`.
    public let userSearchPath: String
    /// The schemas that path resolved to (`current_schemas(true)`), in order.
    public let userSchemas: [String]
    /// The user's `lc_messages`, given back with the search path.
    let userMessages: String
    private var savepoints = 0

    /// The path every statement of the tool runs under.
    public static let pinnedSearchPath = "pg_catalog, pg_temp"

    /// Reads the user's path and pins the session's. Both statements name their functions
    /// and types with `pg_catalog.`, because they run before the pin (a `public.text`
    /// domain would otherwise catch the cast).
    public init(_ connection: Connection) throws(FKBackfillError) {
        self.connection = connection
        (userSearchPath, userSchemas, userMessages) = try FKBackfillError.mapping { try Self.takeOver(connection) }
    }

    /// Reads the user's settings, then makes the session the tool's own; returns the
    /// user's search path, its schemas and `lc_messages`.
    private static func takeOver(_ connection: Connection) throws -> (String, [String], String) {
        try lowerSerializableOnStandby(connection)
        let row = try connection.execute(
            """
            SELECT pg_catalog.current_setting('search_path') AS path, CAST(pg_catalog.current_schemas(true) AS pg_catalog.text) AS schemas,
                   pg_catalog.current_setting('lc_messages') AS messages
            """).rows[0]
        // Inside a caller's transaction the settings last until it ends; else the session.
        let local = connection.inTransaction ? "true" : "false"
        try connection.execute("SELECT pg_catalog.set_config('search_path', \(bind: pinnedSearchPath), \(bind: local))")
        // A session that inherited replica mode (PGOPTIONS, role or database settings)
        // would skip every FK trigger, the per-row check's included: put it back to
        // origin, or refuse.
        let role = try connection.execute("SELECT pg_catalog.current_setting('session_replication_role') AS role").rows[0].string("role")
        if role != "origin" {
            do {
                try connection.execute("SELECT pg_catalog.set_config('session_replication_role', 'origin', \(bind: local))")
            } catch {
                throw FKBackfillError(
                    "the session starts with session_replication_role = \(role), which turns off every FK check, and the role may not set it back",
                    hint: "remove session_replication_role from PGOPTIONS and from the role's and database's settings",
                    kind: .invalidOptions)
            }
        }
        // A dead client's statement stops within a second. Server messages in English
        // where the role may choose: the CONTEXT of a COPY error then reads `COPY t, line N`,
        // the one place that names the row.
        try connection.execute(
            """
            SELECT pg_catalog.set_config('client_connection_check_interval', '1s', \(bind: local))
            WHERE pg_catalog.current_setting('server_version_num')::int >= 140000
            """)
        try connection.execute(
            """
            SELECT pg_catalog.set_config('lc_messages', 'C', \(bind: local))
            FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER AND rolsuper
            """)
        return (try row.string("path"), row.array("schemas").compactMap { $0 }, try row.string("messages"))
    }

    /// On a hot standby, a session whose default isolation is SERIALIZABLE (a role's or
    /// database's `default_transaction_isolation`) can run no query at all: PostgreSQL
    /// refuses to take a serializable snapshot during recovery ("cannot use serializable
    /// mode in a hot standby"), and read-only validate stopped on its first statement
    /// (exit 3). Every transaction the tool opens names its isolation in its BEGIN, so
    /// only its single statements use the default: on a standby it is lowered to
    /// REPEATABLE READ, as PostgreSQL's own hint says. `SHOW` and `SET` take no snapshot.
    /// (On a primary nothing is asked, nothing changes: the server reports `in_hot_standby`
    /// to the client itself, from PostgreSQL 14 on.)
    private static func lowerSerializableOnStandby(_ connection: Connection) throws {
        guard connection.parameterStatus("in_hot_standby") == "on",
              try connection.execute("SHOW default_transaction_isolation").rows.first?[0] == "serializable" else { return }
        try connection.execute(connection.inTransaction
            ? "SET LOCAL default_transaction_isolation = 'repeatable read'"
            : "SET default_transaction_isolation = 'repeatable read'")
    }

    /// Runs `body` on `pinned` when the caller has one, else on a session over
    /// `connection` that gives the connection its own path back; `onStatement`, when
    /// given, sees every statement meanwhile. How `Loader`, `Validator` and `Auditor` run.
    static func run<T>(
        _ pinned: Session?, over connection: Connection, onStatement: (@Sendable (SQL) -> Void)? = nil,
        _ body: (Session) throws -> T
    ) throws(FKBackfillError) -> T {
        let previous = connection.onStatement
        if let onStatement { connection.onStatement = onStatement }
        defer { connection.onStatement = previous }
        if let pinned { return try FKBackfillError.mapping { try body(pinned) } }
        return try scoped(connection, body)
    }

    /// Runs `body` on a session over `connection`, then gives the connection its own
    /// `search_path` back: for library callers who keep using the connection afterwards.
    public static func scoped<T>(_ connection: Connection, _ body: (Session) throws -> T) throws(FKBackfillError) -> T {
        let session = try Session(connection)
        defer { session.restoreUserSearchPath() }
        return try FKBackfillError.mapping { try body(session) }
    }

    /// Sets the user's own `search_path` back on the connection.
    public func restoreUserSearchPath() {
        _ = try? connection.execute(
            """
            SELECT pg_catalog.set_config('search_path', \(bind: userSearchPath), false),
                   CASE WHEN r.rolsuper THEN pg_catalog.set_config('lc_messages', \(bind: userMessages), false) END
            FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
            """)
    }

    /// Runs one statement under the pinned search path; errors come back as the client's `PostgresError`.
    @discardableResult
    public func execute(_ sql: SQL) throws(PostgresError) -> QueryResult {
        try connection.execute(sql)
    }

    /// Whether the connection is inside a transaction block (its own or the caller's).
    public var inTransaction: Bool { connection.inTransaction }

    /// A transaction's isolation level, written into its BEGIN.
    public enum Isolation: Sendable {
        /// Each statement sees what committed before it, as the RI triggers' own checks do.
        case readCommitted
        /// One snapshot for the whole transaction: queries that must agree with each other.
        case repeatableRead

        var sql: SQL {
            switch self {
            case .readCommitted: " ISOLATION LEVEL READ COMMITTED"
            case .repeatableRead: " ISOLATION LEVEL REPEATABLE READ"
            }
        }
    }

    /// How a transaction ends when its body returns (one that throws always rolls back).
    public enum Ending: Sendable {
        /// COMMIT: the run's writes stay.
        case commit
        /// ROLLBACK: a dry run, or a check that writes only to look.
        case rollback
    }

    /// The one way the tool opens a transaction: isolation level and access mode in the
    /// BEGIN itself (whatever the server's defaults), JIT off where it only costs (the
    /// catalog's many small queries compile for longer than they run), then COMMIT or
    /// ROLLBACK as `ending` says when `body` returns, and ROLLBACK when it throws.
    @discardableResult
    public func transaction<T>(
        isolation: Isolation? = nil, readOnly: Bool = false, jit: Bool = true, ending: Ending = .commit,
        _ body: () throws -> T
    ) throws -> T {
        var begin: SQL = "BEGIN"
        if let isolation { begin += isolation.sql }
        if readOnly { begin += isolation == nil ? " READ ONLY" : ", READ ONLY" }
        try execute(begin)
        do {
            if !jit { try execute("SET LOCAL jit = off") }
            let value = try body()
            try execute(ending == .commit ? "COMMIT" : "ROLLBACK")
            return value
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    /// Runs `body` in a savepoint (or, outside a transaction, a transaction of its own):
    /// released when it returns, rolled back when it throws, so a failure inside does
    /// not abort the caller's transaction.
    @discardableResult
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard inTransaction else { return try connection.transaction(body) }
        savepoints += 1
        let name = SQL(ident: "fkb_savepoint_\(savepoints)")
        defer { savepoints -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let value = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            if connection.inTransaction {
                _ = try? execute("ROLLBACK TO SAVEPOINT \(name)")
                _ = try? execute("RELEASE SAVEPOINT \(name)")
            }
            throw error
        }
    }

    /// Runs `body` and undoes whatever it did, whether it returns or throws: for checks
    /// that create something only to look at it (a rule's expression compiled as a view).
    public func rolledBack<T>(_ body: () throws -> T) throws -> T {
        do {
            try savepoint { () throws in throw RolledBack(value: try body()) }
        } catch let rolledBack as RolledBack<T> {
            return rolledBack.value
        }
        // savepoint returns only by throwing: body's error, or its value to roll back.
        throw FKBackfillError("a rolled-back check returned without its value", kind: .database(sqlState: nil))
    }

    /// Runs `body` under the user's own `search_path`, for the statements that fire or
    /// read the user's code (their `--query`, triggers, rules, defaults); the pin is back
    /// before anything else runs.
    @discardableResult
    func underUserSearchPath<T>(_ body: () throws -> T) throws -> T {
        try underSearchPath(userSearchPath, body)
    }

    /// Runs `body` under pg_catalog, then the user's path: for an expression the catalog
    /// deparsed under the pinned path (an index's key or predicate: its built-in functions
    /// and operators printed bare, PostgreSQL having bound them when it stored it) that calls
    /// the user's code — whose bodies find their names on the user's path, as at the insert,
    /// while the bare built-ins keep meaning pg_catalog's, whatever schema the path names
    /// first (a lookalike `=` or `lower` there would otherwise run as the tool's role).
    func underUserCodePath<T>(_ body: () throws -> T) throws -> T {
        let user = userSearchPath.trimmingCharacters(in: .whitespaces)
        return try underSearchPath(user.isEmpty ? "pg_catalog" : "pg_catalog, " + user, body)
    }

    /// Runs `body` under `path`: the user's, or the `SET search_path` of a function of
    /// theirs whose code the tool evaluates outside it (a key trigger's assignment), as
    /// the function itself would run it.
    @discardableResult
    func underSearchPath<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let local = inTransaction ? "true" : "false"
        try execute("SELECT pg_catalog.set_config('search_path', \(bind: path), \(bind: local))")
        defer { _ = try? execute("SELECT pg_catalog.set_config('search_path', \(bind: Self.pinnedSearchPath), \(bind: local))") }
        return try body()
    }
}

/// Thrown to roll a savepoint back on purpose, carrying the body's value out of it
/// (`Session.rolledBack`). Unchecked: it is thrown and caught on the one thread, in the
/// one call.
private struct RolledBack<Value>: Error, @unchecked Sendable {
    let value: Value
}
