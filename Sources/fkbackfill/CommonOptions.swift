import Foundation
import ArgumentParser
import FKBackfill
import Logging
import PostgresClient

/// Options every database command takes: where to connect and how much to log.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "libpq connection string or URI; default: PG* variables, .pgpass, service files.",
        valueName: "conninfo"))
    var connectionString: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Option(help: "Log line format on stderr: text or json (one object per line).")
    var logFormat: LogFormat = .text

    @Flag(help: "Print every statement to stderr as it runs, from the first one after connecting (catalog, privileges, checks).")
    var printSQL = false

    /// Sets up logging on stderr, opens the connection (failures map to exit code 3) and
    /// makes it the tool's own: the user's search path is read, then pinned, before any
    /// other statement.
    func connect() throws(FKBackfillError) -> Session {
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json
                ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let conninfo = ConnectionString(connectionString)
        if let problem = conninfo.problem {
            throw FKBackfillError("--db: \(problem)", hint: "pass --db 'postgresql://user@host:port/dbname' or --db 'host=HOST dbname=DB'; "
                + "a database name with spaces goes in dbname='…'", kind: .invalidOptions)
        }
        do {
            let connection = try Connection(conninfo, logger: Logger(label: "fkbackfill"))
            Interrupts.shared.watch(connection)
            if printSQL { connection.onStatement = Self.printStatement }
            return try Session(connection)
        } catch let error as PostgresError {
            throw FKBackfillError(error)
        } catch let error as FKBackfillError {
            throw error
        } catch {
            throw FKBackfillError("\(error)", kind: .database(sqlState: nil))
        }
    }

    /// `--print-sql`: the statement, then its bound values as a comment.
    @Sendable static func printStatement(_ statement: SQL) {
        let (text, parameters) = statement.rendered()
        var output = text + ";\n"
        for (index, value) in parameters.enumerated() {
            output += "--   $\(index + 1) = " + (value.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL") + "\n"
        }
        FileHandle.standardError.write(Data(output.utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The table a command starts from, and where to find it.
struct TargetOptions: ParsableArguments {
    @Argument(help: "The table to start from: schema.table, \"Quoted\".\"Parts\" or a name on search_path.")
    var table: String

    @OptionGroup var common: CommonOptions

    /// Connects and reads the table's parent graph from the catalog, with the declared
    /// relations of a rules file when one is given.
    func readCatalog(rules path: String? = nil) throws(FKBackfillError) -> Catalog {
        guard let path else { return try CatalogReader.read(table: table, on: common.connect()) }
        let rules = try RulesParser.load(path: path)
        let session = try common.connect()
        let catalog = try CatalogReader.read(table: table, rules: rules, on: session)
        _ = try RulesValidator.validate(rules, catalog: catalog, stagedColumns: nil, on: session)
        return catalog
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
