import CLibPQ
import Foundation

/// Cancels a connection's running statement from another thread or a signal handler's
/// queue: the one thing libpq lets a second thread do with a connection.
///
/// Owns its `PGcancel`, freed in `deinit`. Once `cancel()` was called the connection
/// refuses to start new statements, so an interrupted run cannot carry on between two.
public final class Canceller: @unchecked Sendable {
    private let handle: OpaquePointer
    private let state: CancelState

    init?(connection: OpaquePointer, state: CancelState) {
        guard let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
        self.state = state
    }

    deinit { PQfreeCancel(handle) }

    /// Asks the server to cancel whatever the connection is running now.
    public func cancel() {
        state.cancel()
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &buffer, Int32(buffer.count))
    }
}

/// Whether a connection was cancelled; shared between the connection and its canceller.
final class CancelState: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
}
