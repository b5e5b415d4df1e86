import Foundation
import PostgresClient

/// The tool's documented exit codes. Scripts and CI branch on these.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// The command ran and found something at or above the failure threshold.
    case findings = 1
    /// Bad usage or configuration: unknown table, malformed name or file.
    case usage = 2
    /// The database refused or failed: cannot connect, permissions, SQL errors.
    case database = 3
    /// The connection broke during the run (server restart, backend terminated, network).
    case connectionLost = 4
}

/// An error a user can act on: one line saying what and where, and a hint.
public struct FKBackfillError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// One line per blocking item, when there are several (each uncovered column, …).
    public var details: [String]
    public var hint: String?
    public var exitStatus: ExitStatus

    public init(_ message: String, details: [String] = [], hint: String? = nil, exitStatus: ExitStatus = .usage) {
        self.message = message
        self.details = details
        self.hint = hint
        self.exitStatus = exitStatus
    }

    public var description: String { message }

    /// Wraps a client error in the tool's terms, keeping the server's hint.
    public init(_ error: PostgresError) {
        switch error.kind {
        case .connectionFailed:
            self.init(
                "could not connect to the database: \(error.message)",
                hint: "pass --db 'postgresql://user@host:port/dbname' or set PGHOST, PGPORT, PGUSER, PGDATABASE",
                exitStatus: .database)
        case .connectionLost:
            self.init(
                "lost the connection to the database during the run: \(error.message)",
                hint: "the server rolls back an unfinished transaction, so nothing was written unless the connection "
                    + "broke during COMMIT; run the same command again (reruns insert nothing twice)",
                exitStatus: .connectionLost)
        case .server where error.sqlState == "55P03":
            self.init(
                "timed out waiting for a lock: \(error.message)",
                hint: "another transaction holds a table or row this run needs; raise --lock-timeout or run later",
                exitStatus: .database)
        case .server, .client:
            var message = "database error: \(error.message)"
            if let sqlState = error.sqlState { message += " (SQLSTATE \(sqlState))" }
            if let detail = error.detail { message += "; \(detail)" }
            self.init(message, hint: error.hint, exitStatus: .database)
        }
    }

    /// Input that COPY rejected: a malformed row, a bad encoding, a value that is not of
    /// its column's type. Bad input, exit 2, as `FILE:LINE: what (column …)`. COPY counts
    /// lines from the first one it was sent; `headerLines` puts back the header's.
    public init(input label: String, _ error: PostgresError, headerLines: Int = 0) {
        var location = label
        var column = ""
        if let context = error.context?.split(separator: "\n").first {
            // "COPY fkb_stage, line 3, column 月度: \"x\"" → FILE:3 … (column 月度: "x")
            let parts = context.components(separatedBy: ", ")
            for part in parts.dropFirst() {
                if part.hasPrefix("line ") {
                    let rest = part.dropFirst(5)
                    let number = rest.prefix { $0.isNumber }
                    location += ":" + String((Int(number) ?? 0) + headerLines)
                    let detail = rest.dropFirst(number.count).drop { $0 == ":" || $0 == " " }
                    if !detail.isEmpty { column = " (row: \(detail))" }
                } else if part.hasPrefix("column ") {
                    column = " (\(part))"
                }
            }
        }
        let hint: String = switch error.sqlState {
        case "22P04": "check --delimiter, --quote and --no-header, and that every row has as many fields as the header"
        case "22021": "the file must be UTF-8 without NUL bytes; convert it first, e.g. with iconv -f GB18030 -t UTF-8"
        default: "fix the value, or load the column as text and convert it in a --query"
        }
        self.init("\(location): \(error.message)\(column)", hint: hint, exitStatus: .usage)
    }
}

extension FKBackfillError {
    /// Runs `body` and turns whatever it throws into an `FKBackfillError`: the tool's own
    /// errors pass through, client errors get the tool's wording and exit code 3.
    public static func mapping<T>(_ body: () throws -> T) throws(FKBackfillError) -> T {
        do {
            return try body()
        } catch let error as FKBackfillError {
            throw error
        } catch let error as PostgresError {
            throw FKBackfillError(error)
        } catch {
            throw FKBackfillError("\(error)", exitStatus: .database)
        }
    }
}
