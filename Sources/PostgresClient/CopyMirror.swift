import CLibPQ

/// A second connection's `COPY … FROM STDIN` that receives what another connection's
/// COPY is sent, as it is sent (`Connection.copyIn(_:mirror:_:)`): one read of the input
/// (a file, or standard input, which cannot be read twice) stages it in two sessions.
///
/// The mirror is the lesser of the two: its failure (a refused statement, a lost
/// connection, a row its server refuses) stops only it, kept in `failure`, and the first
/// COPY goes on. Its server's error is read when it ends (`end`), not while data flows:
/// a server that refused a row ignores the rest until the end, so nothing blocks.
public final class CopyMirror {
    let connection: Connection
    let statement: SQL
    /// Why the mirror stopped, when it did.
    public private(set) var failure: PostgresError?
    /// The rows its server copied, once it ended without failure.
    public private(set) var copied = 0
    private var open = false

    public init(_ connection: Connection, _ statement: SQL) {
        self.connection = connection
        self.statement = statement
    }

    func start() {
        let (text, parameters) = connection.announce(statement)
        precondition(parameters.isEmpty, "COPY takes no parameters")
        do {
            try connection.checkNotCancelled()
            _ = try connection.check(PQexec(connection.handle, text), expecting: [PGRES_COPY_IN])
            open = true
        } catch {
            failure = error
        }
    }

    func send(_ base: UnsafePointer<CChar>, count: Int32) {
        guard open, failure == nil else { return }
        if PQputCopyData(connection.handle, base, count) != 1 {
            failure = connection.connectionError(fallback: "could not send COPY data to the second session")
        }
    }

    /// Ends the COPY, with an error message when the first one did not finish (its server
    /// then discards every row), and reads the outcome.
    func end(abort message: String?) {
        guard open else { return }
        open = false
        if PQputCopyEnd(connection.handle, message) != 1, failure == nil {
            failure = connection.connectionError(fallback: "could not finish the second session's COPY")
        }
        while let result = PQgetResult(connection.handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PostgresError(result: result, fallback: "the second session's COPY failed")
            }
            PQclear(result)
        }
        if message != nil, failure == nil {
            failure = PostgresError(kind: .client, message: "the second session's COPY was aborted")
        }
    }
}
