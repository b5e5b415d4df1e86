import FKBackfill
import PostgresClient

/// `fkbackfill --version [--db CONNINFO]`: what a bug report needs in one paste.
///
/// Handled before ArgumentParser: an option `--db` on the root command would take the
/// subcommands' `--db` away from them. Other arguments after `--version` are left to
/// ArgumentParser, which reports them as usage errors.
enum VersionReport {
    /// The lines to print for `arguments` (what follows the program name), or nil when
    /// they are not a version request.
    static func lines(for arguments: [String]) throws(FKBackfillError) -> [String]? {
        guard arguments.first == "--version" else { return nil }
        let connection: String?
        switch Array(arguments.dropFirst()) {
        case []: connection = nil
        case let rest where rest.count == 2 && rest[0] == "--db": connection = rest[1]
        case let rest where rest.count == 1 && rest[0].hasPrefix("--db="): connection = String(rest[0].dropFirst(5))
        default: return nil
        }
        var lines = [
            "fkbackfill \(FKBackfillCommand.version)",
            "commit \(BuildInfo.commit)",
            "libpq \(LibPQVersion.text)",
        ]
        if let connection {
            if let problem = ConnectionString(connection).problem {
                throw FKBackfillError("--db: \(problem)", hint: "pass --db 'postgresql://user@host:port/dbname' or --db 'host=HOST dbname=DB'",
                                      kind: .invalidOptions)
            }
            do {
                // A session like every command's: the path is pinned before anything runs.
                let session = try Session(Connection(ConnectionString(connection)))
                let server = try session.execute("SHOW server_version")
                lines.append("server PostgreSQL \(try server.rows[0].string("server_version"))")
            } catch let error as PostgresError {
                throw FKBackfillError(error)
            } catch let error as FKBackfillError {
                throw error
            } catch {
                throw FKBackfillError("\(error)", kind: .connectionFailed)
            }
        }
        return lines
    }
}
