import FKBackfill
import PostgresClient

/// The tool's documented exit codes. Scripts and CI branch on these.
enum ExitStatus: Int32 {
    case success = 0
    /// The command ran and found something at or above the failure threshold.
    case findings = 1
    /// Bad usage or configuration: unknown table, malformed name, file or option.
    case usage = 2
    /// The database refused or failed: cannot connect, permissions, SQL errors.
    case database = 3
    /// The connection broke during the run (server restart, backend terminated, network).
    case connectionLost = 4
    /// No command at all: `fkbackfill` alone prints its usage on stderr (sysexits' EX_USAGE).
    case noCommand = 64

    init(_ error: FKBackfillError) {
        switch error.category {
        case .usage: self = .usage
        case .findings: self = .findings
        case .database: self = .database
        case .connectionLost: self = .connectionLost
        }
    }
}

/// The hints that name this executable's flags: the library says what to do, the
/// command line says which flag does it.
enum FlagHints {
    static func hint(for error: FKBackfillError) -> String? {
        switch error.kind {
        case .connectionFailed:
            "pass --db 'postgresql://user@host:port/dbname' or set PGHOST, PGPORT, PGUSER, PGDATABASE"
        case .lockTimeout:
            "another transaction holds a table or row this run needs; raise --lock-timeout or run later"
        case .tooManyRejects:
            "fix those rows, or allow them with --max-rejects N to load the rest"
        case .setBasedCheckUnsafe:
            "use --fk-check auto (falls back to per-row) or --fk-check per-row"
        case .replaceByColumnMissing:
            error.hint.map { "--replace-by: \($0)" }
        case .blocked:
            error.hint?.replacingOccurrences(of: "a rule in the rules file", with: "a rule in --rules")
        case .rulesFileUnreadable:
            "check the path given to --rules"
        case .unusedInputColumn:
            error.hint?.replacingOccurrences(of: "or ignore extra columns", with: "or pass --ignore-extra-columns")
        case .badInput where error.hint?.hasPrefix("the header holds ") == true:
            error.hint?.replacingOccurrences(of: "set the CSV delimiter to ", with: "pass --delimiter ")
        // A value COPY refused: the server's SQLSTATE says whether the row's shape or a value was wrong.
        case .badInput where error.cause?.sqlState == SQLState.badCopyFileFormat:
            "check --delimiter, --quote and --no-header, and that every row has as many fields as the header"
        // The same refusal where validate split the file itself, read-only (no server error behind it).
        case .badInput where error.cause == nil && error.hint?.hasPrefix("check the CSV's delimiter, quote and header") == true:
            "check --delimiter, --quote and --no-header, and that every row has as many fields as the header"
        case .badInput where error.cause.map { $0.sqlState != SQLState.characterNotInRepertoire } == true:
            "fix the value, or load the column as text and convert it in a --query"
        // A run that must write on a read-only session or a hot standby (the library's own refusal, no cause).
        case .database(let state) where state == SQLState.readOnlySQLTransaction && error.cause == nil:
            error.hint?.replacingOccurrences(of: "(inPlace)", with: "(--source TABLE --in-place)")
                .replacingOccurrences(of: "(no input)", with: "(no --csv, --source or --query)")
                .replacingOccurrences(of: "validate reads in place read-only", with: "`fkbackfill validate --source TABLE --in-place` runs read-only")
        case .foreignKeyViolations:
            "`fkbackfill validate` shows every violating row; a rule (on_missing: reject) with --max-rejects sets them aside"
        default:
            error.hint
        }
    }
}
