import ArgumentParser
import FKBackfill
import PostgresClient

struct FKBackfillCommand: ParsableCommand {
    /// The release; `make deb` and `make install` read it from `--version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fkbackfill",
        abstract: "Discover foreign keys from the PostgreSQL catalog and backfill missing parent rows.",
        discussion: """
            Connection: --db takes any libpq connection string (postgresql://user@host/db \
            or 'host=… dbname=…'); without it, PGHOST, PGPORT, PGUSER, PGDATABASE, .pgpass \
            and service files apply, as for psql.

            Exit codes: 0 success, 1 findings, 2 bad usage or configuration, 3 database \
            error, 4 connection lost during the run, 130/143 interrupted by SIGINT/SIGTERM.

            Example:
              fkbackfill fks business.规模明细
              fkbackfill graph business.规模明细 --db postgresql://etl@dw/dw
              fkbackfill --version --db postgresql://etl@dw/dw
            """,
        subcommands: [ForeignKeysCommand.self, GraphCommand.self, LoadCommand.self, BackfillCommand.self, InitCommand.self, AuditCommand.self, ValidateCommand.self]
    )

    // Our own --version (not CommandConfiguration.version) so that it can take --db.
    @Flag(help: "Show the version, the git commit it was built from and the libpq version; with --db, the server's too.")
    var version = false

    @Option(name: .customLong("db"), help: ArgumentHelp(
        "With --version: also connect and show the server's version ('' for PG* variables).",
        valueName: "conninfo"))
    var connectionString: String?

    func validate() throws {
        if connectionString != nil && !version {
            throw ValidationError("--db goes after the command (fkbackfill fks TABLE --db …), or with --version")
        }
    }

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        var lines = [
            "fkbackfill \(Self.version)",
            "commit \(BuildInfo.commit)",
            "libpq \(LibPQVersion.text)",
        ]
        if let connectionString {
            do {
                let connection = try Connection(ConnectionString(connectionString))
                let server = try connection.execute("SHOW server_version").rows[0].string("server_version")
                lines.append("server PostgreSQL \(server)")
            } catch {
                throw FKBackfillError(error)
            }
        }
        print(lines.joined(separator: "\n"))
    }
}
