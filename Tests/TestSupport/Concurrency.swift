import Foundation

/// A value that several threads read and change: every access under one lock. The
/// tests collect statements and log lines from the library's callbacks, which may run
/// on any thread, in one of these.
public final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    /// A copy of the value as it is now.
    public var value: Value { lock.withLock { stored } }

    /// Changes the value under the lock.
    public func mutate<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&stored) }
    }
}

extension LockedBox {
    /// An empty list to collect into.
    public convenience init<Element>() where Value == [Element] { self.init([]) }

    /// Adds one element to a list.
    public func append<Element>(_ element: Element) where Value == [Element] {
        mutate { $0.append(element) }
    }
}

/// Runs blocking work (a load that waits on a lock, say) on a thread of its own and
/// hands its result to the test, blocking or async.
public final class OwnThread<T: Sendable>: @unchecked Sendable {
    private let lock = NSCondition()
    private var outcome: Result<T, any Error>?

    public init(_ work: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            let value = Result { try work() }
            lock.lock()
            outcome = value
            lock.broadcast()
            lock.unlock()
        }
        thread.start()
    }

    /// Blocks the calling thread until the work is done.
    public func wait() -> Result<T, any Error> {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let outcome { return outcome }
            lock.wait()
        }
    }

    /// The outcome, for async code: a thread of its own waits on the condition, so no
    /// thread of the cooperative pool blocks and nothing polls.
    public func result() async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.wait()) }.start()
        }
    }
}
