/// The SQLSTATE codes the client and the tool act on, by name (PostgreSQL's appendix A),
/// beside `PostgresError` that carries them (postgres-nio's `PostgresError.Code` is the
/// model): no layer writes a code as a bare string.
public enum SQLState {
    /// `undefined_function`: no function or operator matches the name and argument types.
    public static let undefinedFunction = "42883"
    /// `undefined_table`: the relation does not exist (or is not visible).
    public static let undefinedTable = "42P01"
    /// `lock_not_available`: `lock_timeout` ran out, or `NOWAIT` found the lock taken.
    public static let lockNotAvailable = "55P03"
    /// A serialization failure; also what a hot standby cancels a query with on a recovery conflict.
    public static let serializationFailure = "40001"
    /// `read_only_sql_transaction`: a write in a READ ONLY transaction, or on a hot standby.
    public static let readOnlySQLTransaction = "25006"
    /// `query_canceled`: the statement was cancelled (a cancel request or `statement_timeout`).
    public static let queryCanceled = "57014"
    /// `foreign_key_violation`: a row references a key its parent lacks.
    public static let foreignKeyViolation = "23503"
    /// `not_null_violation`: NULL in a NOT NULL column.
    public static let notNullViolation = "23502"
    /// `check_violation`: a CHECK constraint (or a partition's bounds) refused the row.
    public static let checkViolation = "23514"
    /// `unique_violation`: a duplicate key in a unique index or constraint.
    public static let uniqueViolation = "23505"
    /// `exclusion_violation`: an exclusion constraint found a conflicting row.
    public static let exclusionViolation = "23P01"
    /// Class 23: integrity constraint violations (NOT NULL, FK, unique, CHECK, exclusion).
    public static let integrityConstraintViolationClass = "23"
    /// `insufficient_privilege`: also a row-level security policy's WITH CHECK refusing a row.
    public static let insufficientPrivilege = "42501"
    /// `with_check_option_violation`: an auto-updatable view's WITH CHECK OPTION refused a row.
    public static let withCheckOptionViolation = "44000"
    /// Class P0: PL/pgSQL errors (RAISE EXCEPTION, ASSERT, STRICT's no or too many rows).
    public static let plpgsqlErrorClass = "P0"
    /// `raise_exception`: PL/pgSQL's RAISE EXCEPTION (a trigger refusing a row, say).
    public static let raiseException = "P0001"
    /// `assert_failure`: PL/pgSQL's ASSERT.
    public static let assertFailure = "P0004"
    /// Class 22: data exceptions (bad value, bad encoding, malformed COPY row).
    public static let dataExceptionClass = "22"
    /// `bad_copy_file_format`: a malformed COPY row (wrong field count, unclosed quote).
    public static let badCopyFileFormat = "22P04"
    /// `character_not_in_repertoire`: bytes invalid in the encoding (not UTF-8, or a NUL byte).
    public static let characterNotInRepertoire = "22021"
}
