import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// A second connection's `COPY … FROM STDIN` that receives what another connection's
/// COPY is sent (`Connection.copyIn(_:mirror:_:)`): one read of the input (a file, or
/// standard input, which cannot be read twice) stages it in two sessions.
///
/// `live`, the data goes to the second server as it goes to the first: both parse at
/// once, and the second is ready when the first is. `spooled`, the chunks go to an
/// unlinked temporary file instead, and `replay` sends them once the first COPY is done:
/// two COPYs parsing at once slowed the first's by about a tenth on two cores, while a
/// COPY beside the first's fact insert did not slow it at all (docs/performance.md).
/// Either way the second stages the very bytes the first did.
///
/// The mirror is the lesser of the two: its failure (a refused statement, a lost
/// connection, a row its server refuses, a full disk) stops only it, kept in `failure`,
/// and the first COPY goes on. Its server's error is read when it ends, not while data
/// flows: a server that refused a row ignores the rest until the end, so nothing blocks.
public final class CopyMirror {
    /// When the second server gets the data.
    public enum Feed: Sendable { case live, spooled }

    let connection: Connection
    let statement: SQL
    public let feed: Feed
    /// Why the mirror stopped, when it did.
    public private(set) var failure: PostgresError?
    /// The rows its server copied, once it ended without failure.
    public private(set) var copied = 0
    private var open = false
    private var spool: Int32 = -1
    /// The bytes spooled so far.
    public private(set) var spooled = 0
    /// The bytes `replay` sent its server.
    public private(set) var replayed = 0

    private let spoolFolder: String?
    private let spoolLimit: Int

    /// `spoolFolder` overrides where a spool goes (`TMPDIR`, else /tmp); a spool that would
    /// grow past `spoolLimit` bytes (an input larger than its size said, a FIFO) is given
    /// up, and the mirror with it.
    public init(_ connection: Connection, _ statement: SQL, feed: Feed = .live, spoolFolder: String? = nil, spoolLimit: Int = 1 << 30) {
        self.connection = connection
        self.statement = statement
        self.feed = feed
        self.spoolFolder = spoolFolder
        self.spoolLimit = spoolLimit
    }

    deinit { closeSpool() }

    func start() {
        switch feed {
        case .live: begin()
        case .spooled: openSpool()
        }
    }

    func send(_ base: UnsafePointer<CChar>, count: Int32) {
        guard open, failure == nil else { return }
        switch feed {
        case .live:
            if PQputCopyData(connection.handle, base, count) != 1 {
                failure = connection.connectionError(fallback: "could not send COPY data to the second session")
            }
        case .spooled:
            guard spooled + Int(count) <= spoolLimit else {
                failure = PostgresError(kind: .client, message: "the input outgrew the second session's spool limit of \(spoolLimit) bytes")
                closeSpool()
                return
            }
            var offset = 0
            while offset < Int(count) {
                let written = write(spool, base + offset, Int(count) - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    let reason = written < 0 ? String(cString: strerror(errno)) : "nothing written"
                    failure = PostgresError(kind: .client, message: "could not write the second session's spool: \(reason)")
                    closeSpool()
                    return
                }
                offset += written
            }
            spooled += Int(count)
        }
    }

    /// Ends the COPY, with an error message when the first one did not finish (its server
    /// then discards every row), and reads the outcome. Spooled, only the aborted case
    /// ends anything: `replay` sends the data and ends the COPY.
    func end(abort message: String?) {
        guard open else { return }
        if feed == .spooled {
            if message != nil {
                open = false
                closeSpool()
                if failure == nil { failure = PostgresError(kind: .client, message: "the second session's COPY was aborted") }
            }
            return
        }
        finish(abort: message)
    }

    /// Spooled: runs the second's COPY from the spool, on the caller's thread (the second
    /// session's own), and frees the spool. Returns whether its server copied every row.
    /// A cancel of its connection (`Canceller`) stops it at the next chunk: after a cancel
    /// the server discards what follows, and libpq says so only at the end, so without
    /// looking the rest of the spool would be sent for nothing.
    public func replay() -> Bool {
        guard feed == .spooled, open, failure == nil else { return false }
        defer { closeSpool() }
        open = false
        begin()
        guard open else { return false }
        var buffer = [CChar](repeating: 0, count: 1 << 16)
        var offset = 0
        while offset < spooled, failure == nil {
            if connection.isCancelled {
                failure = PostgresError(kind: .client, message: "cancelled by the user", sqlState: SQLState.queryCanceled)
                break
            }
            let read = buffer.withUnsafeMutableBytes { pread(spool, $0.baseAddress, $0.count, off_t(offset)) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else {
                failure = PostgresError(kind: .client, message: "could not read the second session's spool")
                break
            }
            buffer.withUnsafeBufferPointer { pointer in
                if PQputCopyData(connection.handle, pointer.baseAddress!, Int32(read)) != 1 {
                    failure = connection.connectionError(fallback: "could not send COPY data to the second session")
                }
            }
            offset += read
            replayed = offset
        }
        finish(abort: failure == nil ? nil : "the spool could not be sent")
        return failure == nil
    }

    private func begin() {
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

    private func finish(abort message: String?) {
        open = false
        if PQputCopyEnd(connection.handle, message) != 1, failure == nil {
            failure = connection.connectionError(fallback: "could not finish the second session's COPY")
        }
        let outcome = connection.copyOutcome(fallback: "the second session's COPY failed")
        copied = outcome.copied
        if failure == nil { failure = outcome.failure }
        if message != nil, failure == nil {
            failure = PostgresError(kind: .client, message: "the second session's COPY was aborted")
        }
    }

    /// A file in the temporary folder (`TMPDIR`, else /tmp), readable by this user only
    /// and unlinked at once: it has no name while it holds the input, and its space is
    /// freed when it is closed, whatever ends the process.
    private func openSpool() {
        let folder = spoolFolder ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8CString.dropLast()) + Array("fkbackfill-spool-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            failure = PostgresError(kind: .client, message: "could not create the second session's spool in \(folder)")
            return
        }
        spool = descriptor
        // Not inherited by a program a library caller starts meanwhile (mkostemp is not
        // in Glibc's Swift module).
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        // A spool that keeps its name would outlive the process: none then.
        guard template.withUnsafeBufferPointer({ unlink($0.baseAddress!) }) == 0 else {
            failure = PostgresError(kind: .client, message: "could not unlink the second session's spool in \(folder)")
            closeSpool()
            return
        }
        open = true
    }

    private func closeSpool() {
        if spool >= 0 { _ = close(spool) }
        spool = -1
    }
}
