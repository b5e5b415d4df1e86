import CLibPQ

/// Streams data into a `COPY … FROM STDIN` statement.
///
/// The caller hands over chunks as it reads them, so memory stays flat however
/// large the input is.
public struct CopyWriter: ~Copyable {
    let connection: Connection
    /// Another connection's COPY that gets every chunk too (`copyIn(_:mirror:_:)`).
    let mirror: CopyMirror?

    /// Sends one chunk of COPY data (any split: rows may span chunks).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        try connection.checkNotCancelled()
        guard !bytes.isEmpty else { return }
        let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
        if PQputCopyData(connection.handle, base, Int32(bytes.count)) != 1 {
            throw connection.connectionError(fallback: "could not send COPY data")
        }
        mirror?.send(base, count: Int32(bytes.count))
    }

    /// Sends `text` as UTF-8, the connection's client encoding; like the byte form, a chunk may end mid-row.
    public func write(_ text: String) throws(PostgresError) {
        var text = text
        let failure: PostgresError? = text.withUTF8 { buffer in
            do throws(PostgresError) { try write(UnsafeRawBufferPointer(buffer)) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }
}

extension Connection {
    /// Runs `sql` (a `COPY … FROM STDIN`) and feeds it with `body`.
    ///
    /// When `body` throws, the COPY is ended with an error so the server discards
    /// every row of it, and the original error is rethrown.
    /// - Returns: the number of rows the server copied.
    /// With a `mirror`, the same data goes to its connection's COPY as well, chunk by
    /// chunk; what happens there never fails this one (`CopyMirror.failure`).
    @discardableResult
    public func copyIn(_ sql: SQL, mirror: CopyMirror? = nil, _ body: (borrowing CopyWriter) throws -> Void) throws -> Int {
        let (text, parameters) = announce(sql)
        precondition(parameters.isEmpty, "COPY takes no parameters")
        try checkNotCancelled()
        mirror?.start()
        // The COPY_IN result only says "send data now"; dropping it clears it.
        do {
            _ = try check(PQexec(handle, text), expecting: [PGRES_COPY_IN])
        } catch {
            mirror?.end(abort: "the first COPY failed")
            throw error
        }
        let writer = CopyWriter(connection: self, mirror: mirror)
        do {
            try body(writer)
        } catch {
            _ = PQputCopyEnd(handle, "aborted by client: \(error)")
            drainResults()
            mirror?.end(abort: "aborted by client")
            throw error
        }
        mirror?.end(abort: nil)
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw connectionError(fallback: "could not finish COPY")
        }
        let (copied, failure) = copyOutcome(fallback: "COPY failed")
        if let failure { throw failure }
        return copied
    }

    /// Reads a finished COPY's results: the rows it copied, and its first failure (a lost
    /// connection named as such).
    func copyOutcome(fallback: String) -> (copied: Int, failure: PostgresError?) {
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PQstatus(handle) == CONNECTION_BAD
                    ? connectionError(fallback: "connection lost during COPY")
                    : PostgresError(result: result, fallback: fallback)
            }
            PQclear(result)
        }
        return (copied, failure)
    }

    private func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}

extension Connection {
    /// Runs `sql` (a `COPY … TO STDOUT`) and hands each row's bytes to `body` as they
    /// arrive, so a large result never sits in memory whole.
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyOut(_ sql: SQL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let (text, parameters) = announce(sql)
        precondition(parameters.isEmpty, "COPY takes no parameters")
        try checkNotCancelled()
        _ = try check(PQexec(handle, text), expecting: [PGRES_COPY_OUT])
        var buffer: UnsafeMutablePointer<CChar>?
        var failure: (any Error)?
        while true {
            let count = PQgetCopyData(handle, &buffer, 0)
            if count > 0, let data = buffer {
                if failure == nil {
                    do { try body(UnsafeRawBufferPointer(start: data, count: Int(count))) } catch { failure = error }
                }
                PQfreemem(data)
                continue
            }
            if count == -2 { throw connectionError(fallback: "COPY TO STDOUT failed") }
            break
        }
        let (copied, serverError) = copyOutcome(fallback: "COPY TO STDOUT failed")
        if let failure { throw failure }
        if let serverError { throw serverError }
        return copied
    }
}
