import Dispatch
import Foundation
import PostgresClient

/// SIGINT and SIGTERM: cancel the running statement (the server then rolls the
/// transaction back) and let the command fail, instead of dying with a statement still
/// running on the server.
final class Interrupts: @unchecked Sendable {
    static let shared = Interrupts()

    private let lock = NSLock()
    private var received: Int32 = 0
    private var sources: [any DispatchSourceSignal] = []

    /// The signal that interrupted the run, or 0.
    var signal: Int32 { lock.withLock { received } }

    /// Cancels `connection`'s running statement when a signal arrives.
    func watch(_ connection: Connection) {
        guard let canceller = connection.makeCanceller() else { return }
        // A file-size limit (`ulimit -f`) reached by the second session's spool fails that
        // write, which leaves the second session out, instead of killing the load.
        Foundation.signal(SIGXFSZ, SIG_IGN)
        lock.withLock {
            for number in [SIGINT, SIGTERM] {
                Foundation.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [self] in
                    let first = lock.withLock { () -> Bool in
                        defer { if received == 0 { received = number } }
                        return received == 0
                    }
                    if first { canceller.cancel() } else { exit(128 + number) }
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    var message: String {
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        return "fkbackfill: interrupted by \(name): the running statement was cancelled and the transaction rolled back, "
            + "nothing was written\n"
    }
}
