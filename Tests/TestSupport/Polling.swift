import Foundation

/// Waits for something a test can observe (a lock wait in `pg_stat_activity`, a backend
/// gone) by asking again every few milliseconds, for at most `seconds`.
///
/// Returns whether the condition came; callers `#expect` that, so a race that never
/// happened fails the test instead of letting it pass whichever way things went. Never
/// a fixed wait: it returns as soon as the condition holds.
public func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    // Between two observations, give the other session the CPU for up to 10 ms: a bounded
    // wait on a semaphore nobody signals, so the loop does not spin on the server.
    let pause = DispatchSemaphore(value: 0)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        _ = pause.wait(timeout: .now() + .milliseconds(10))
    }
}
