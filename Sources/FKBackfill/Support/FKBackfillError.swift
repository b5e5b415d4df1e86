import Foundation
import PostgresClient

/// An error a user can act on: what kind of failure it is, one line saying what and
/// where, the items behind it, and a hint.
///
/// The library says *what* went wrong; it does not know about command-line flags or
/// exit codes. The `fkbackfill` executable maps `kind` to its documented exit codes and
/// adds hints that name its flags.
public struct FKBackfillError: Error, Sendable, CustomStringConvertible {
    /// What failed, precisely enough for a caller to branch on.
    public enum Kind: Sendable, Equatable {
        /// A table name that does not parse.
        case invalidTableName
        /// A table, or a schema's tables, not found.
        case tableNotFound
        /// The rules file has problems (all of them in `details`).
        case rulesProblems
        /// The rules file could not be read (missing, a folder, no permission).
        case rulesFileUnreadable
        /// Input that cannot be loaded as given: a missing or empty file, a header, a row
        /// of the wrong shape, a value of the wrong type. `line` is the file's physical
        /// line (header included) when known.
        case badInput(line: Int?)
        /// An input column that is not the target's and that nothing reads (no parent
        /// column of its name, no rule); it is at the header, line 1 of a CSV.
        case unusedInputColumn(column: String)
        /// Options that do not fit the input or the target (a replace-by column the
        /// input lacks, the set-based check asked for where it cannot be exact).
        case invalidOptions
        /// A replace-by column the input does not have.
        case replaceByColumnMissing
        /// The set-based FK check was asked for where it cannot be exact (`details` says why).
        case setBasedCheckUnsafe
        /// The load cannot fill some new row, or a rule says to stop (`details` lists why).
        case blocked
        /// More input rows were set aside than allowed.
        case tooManyRejects
        /// The set-based FK check found rows a parent lacks.
        case foreignKeyViolations
        /// PostgreSQL refused an input row on insert (a CHECK, unique key, NOT NULL or FK);
        /// `line` is the input's line (CSV: header = 1) or row number.
        case rowRefused(line: Int?)
        /// The role lacks privileges the run needs (`details` holds the GRANTs).
        case missingPrivileges
        /// A lock wait ran out (`lock_timeout`).
        case lockTimeout
        /// A file the run writes (report, rejects) could not be written.
        case cannotWrite
        /// No connection could be opened.
        case connectionFailed
        /// The connection broke during the run.
        case connectionLost
        /// The database refused a statement; `sqlState` names why (see `SQLState`).
        case database(sqlState: String?)
        /// The catalog changed under the run (a table dropped while it was read).
        case catalogChanged
    }

    /// Who has to act, for callers that only need the broad class of a failure.
    public enum Category: Sendable, Equatable {
        /// The caller's input, options, names or rules.
        case usage
        /// The data or schema as they are: the run found something that stops it.
        case findings
        /// The database or the connection to it.
        case database
        /// The connection broke mid-run; nothing was committed unless it broke in COMMIT.
        case connectionLost
    }

    /// What failed; the executable maps it to an exit code, callers can switch on it.
    public var kind: Kind
    /// One line saying what failed and where, for people.
    public var message: String
    /// One line per blocking item, when there are several (each uncovered column, …).
    public var details: [String]
    /// What to do about it, in terms of the library where it can be; the executable swaps
    /// in hints that name its flags by `kind` and `cause`, never by the message's text.
    public var hint: String?
    /// The database's error behind this one, when there is one, with every field the
    /// server sent (SQLSTATE, constraint, schema, table, column, detail, hint, context)
    /// and the text of the statement that failed: what postgres-nio's `PSQLError` keeps,
    /// so a caller can branch on the SQLSTATE or name the constraint in its own words.
    public var cause: PostgresError?

    /// An error of `kind` with its message, the blocking items and a hint.
    public init(_ message: String, details: [String] = [], hint: String? = nil, kind: Kind, cause: PostgresError? = nil) {
        // One line each, whatever the input put in them (a column name with a line break
        // must not forge a second `fkbackfill:` line).
        self.message = Self.oneLine(message)
        self.details = details.map(Self.oneLine)
        self.hint = hint.map(Self.oneLine)
        self.kind = kind
        self.cause = cause
    }

    /// `text` with line breaks, tabs and other control characters escaped (`\n`, `\u{001B}`).
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.properties.generalCategory == .control {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The message alone; `details` and `hint` are for the caller to print.
    public var description: String { message }

    /// The broad class of `kind`: usage, findings, database or a lost connection.
    public var category: Category {
        switch kind {
        case .invalidTableName, .tableNotFound, .rulesProblems, .rulesFileUnreadable, .badInput, .unusedInputColumn, .invalidOptions,
             .replaceByColumnMissing, .setBasedCheckUnsafe, .cannotWrite: .usage
        case .blocked, .tooManyRejects, .foreignKeyViolations, .rowRefused: .findings
        case .missingPrivileges, .lockTimeout, .connectionFailed, .database, .catalogChanged: .database
        case .connectionLost: .connectionLost
        }
    }

    /// Wraps a client error in the tool's terms, keeping the server's hint.
    public init(_ error: PostgresError) {
        if error.sqlState == SQLState.serializationFailure, error.message.contains("conflict with recovery") {
            // A hot standby canceled the run's read to replay the primary (a VACUUM there
            // removed rows this snapshot still sees): nothing of the run's is at fault.
            // 40001 is a serialization failure's too: the message (lc_messages is C for the
            // run) tells them apart.
            self.init(
                "the hot standby canceled this run to replay the primary's changes: \(error.message)",
                hint: "nothing was written; set hot_standby_feedback = on on the standby (or raise max_standby_streaming_delay), "
                    + "or run again when the primary is quieter",
                kind: error.kind == .connectionLost ? .connectionLost : .database(sqlState: error.sqlState), cause: error)
            return
        }
        switch error.kind {
        case .connectionFailed:
            self.init("could not connect to the database: \(error.message)",
                      hint: "check the connection string, or the PGHOST, PGPORT, PGUSER and PGDATABASE variables",
                      kind: .connectionFailed, cause: error)
        case .connectionLost:
            self.init(
                "lost the connection to the database during the run: \(error.message)",
                hint: "the server rolls back an unfinished transaction, so nothing was written unless the connection "
                    + "broke during COMMIT; run the same command again (reruns insert nothing twice)",
                kind: .connectionLost, cause: error)
        case .server where error.sqlState == SQLState.lockNotAvailable:
            self.init("timed out waiting for a lock: \(error.message)",
                      hint: "another transaction holds a table or row this run needs; allow a longer wait or run later",
                      kind: .lockTimeout, cause: error)
        case .server, .client:
            var message = "database error: \(error.message)"
            if let sqlState = error.sqlState { message += " (SQLSTATE \(sqlState))" }
            if let detail = error.detail { message += "; \(detail)" }
            self.init(message, hint: error.hint, kind: .database(sqlState: error.sqlState), cause: error)
        }
    }

    /// Input that COPY rejected: a malformed row, a bad encoding, a value that is not of
    /// its column's type, as `FILE:LINE: what (column …)`.
    ///
    /// The line comes from the server's CONTEXT field, the only place that says which
    /// row COPY was on (`COPY t, line 3, column x: "…"`); COPY counts lines from the first
    /// one it was sent, so `headerLines` puts back the header's. COPY's count is not the
    /// file's after a quoted newline (it counts none in the first record, nor a lone `\n`
    /// in a CRLF file): `fileLine`, where the input was followed (`CSVLineTracker`), maps
    /// it to the line the record starts on, as a reject of it says. The session sets
    /// `lc_messages` to C where the role may (a superuser); in another language the
    /// field is not guessed at, and the message names the file without a line.
    public init(input label: String, _ error: PostgresError, headerLines: Int = 0, fileLine: ((Int) -> Int)? = nil) {
        var location = label
        var column = ""
        var line: Int?
        if let context = error.context?.split(separator: "\n").first, context.hasPrefix("COPY ") {
            let parts = context.components(separatedBy: ", ")
            for part in parts.dropFirst() {
                if part.hasPrefix("line ") {
                    let rest = part.dropFirst(5)
                    let number = rest.prefix { $0.isNumber }
                    if let value = Int(number) {
                        let mapped = fileLine?(value) ?? value + headerLines
                        line = mapped
                        location += ":\(mapped)"
                    }
                    let detail = rest.dropFirst(number.count).drop { $0 == ":" || $0 == " " }
                    if !detail.isEmpty { column = " (row: \(detail))" }
                } else if part.hasPrefix("column ") {
                    column = " (\(part))"
                }
            }
        }
        self.init("\(location): \(error.message)\(column)", hint: Self.copyHint(sqlState: error.sqlState), kind: .badInput(line: line), cause: error)
    }

    /// The hint for an input COPY refuses (or, read-only, `CSVRecordParser` refuses as COPY would), by SQLSTATE.
    static func copyHint(sqlState: String?) -> String {
        switch sqlState {
        case SQLState.badCopyFileFormat: "check the CSV's delimiter, quote and header, and that every row has as many fields as the header"
        case SQLState.characterNotInRepertoire: "the file must be UTF-8 without NUL bytes; convert it first, e.g. with iconv -f GB18030 -t UTF-8"
        default: "fix the value, or load the column as text and convert it in a query"
        }
    }
}

extension FKBackfillError {
    /// Runs `body` and turns whatever it throws into an `FKBackfillError`: the tool's own
    /// errors pass through, client errors get the tool's wording and kind.
    public static func mapping<T>(_ body: () throws -> T) throws(FKBackfillError) -> T {
        do {
            return try body()
        } catch let error as FKBackfillError {
            throw error
        } catch let error as PostgresError {
            throw FKBackfillError(error)
        } catch {
            throw FKBackfillError("\(error)", kind: .database(sqlState: nil))
        }
    }
}
