import ArgumentParser

struct FKBackfillCommand: ParsableCommand {
    /// The release; `make deb` and `make install` read it from `--version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fkbackfill",
        abstract: "Discover foreign keys from the PostgreSQL catalog and backfill missing parent rows.",
        discussion: """
            Connection: --db takes any libpq connection string (postgresql://user@host/db \
            or 'host=HOST dbname=DB'); without it, PGHOST, PGPORT, PGUSER, PGDATABASE, .pgpass \
            and service files apply, as for psql.

            Exit codes: 0 success, 1 findings, 2 bad usage or configuration, 3 database \
            error, 4 connection lost during the run, 130/143 interrupted by SIGINT/SIGTERM, \
            64 no command given (the usage is printed on stderr).

            --version prints the version, the git commit it was built from and the \
            libpq version; with --db CONNINFO ('' for the PG* variables), the \
            server's version too.

            Example:
              fkbackfill fks business.规模明细
              fkbackfill graph business.规模明细 --db postgresql://etl@dw/dw
              fkbackfill --version --db postgresql://etl@dw/dw
            """,
        version: version,
        subcommands: [
            ForeignKeysCommand.self, GraphCommand.self, LoadCommand.self, BackfillCommand.self, InitCommand.self,
            AuditCommand.self, ValidateCommand.self, ImportRulesCommand.self,
        ]
    )
}
