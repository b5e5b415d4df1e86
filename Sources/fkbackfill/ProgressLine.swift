import Foundation

/// A single self-overwriting progress line on a terminal's stderr, only when both
/// stdout and stderr are terminals (a pipeline's output and logs stay clean).
///
/// Every step of a load that runs over a second shows its name and how long it has
/// run; staging a file shows the bytes read of the file's size. The loader calls
/// `stepStarted` and `update` on its own thread; a timer redraws twice a second.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var step = ""
    private var started = ContinuousClock.now
    private var bytes: (done: Int, total: Int?)?
    private var shown = false
    private var finished = false
    private let timer: DispatchSourceTimer

    /// A progress line when stdout and stderr are terminals, else nil.
    static func onTerminal() -> ProgressLine? {
        isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    init() {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "fkbackfill.progress"))
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// A step of the load started (the names of the report's "Steps" table).
    func stepStarted(_ name: String) {
        lock.withLock {
            step = name
            started = .now
            bytes = nil
        }
    }

    /// Bytes of the input read so far, and the file's size when known (staging).
    func update(bytes done: Int, total: Int?) {
        lock.withLock { bytes = (done, total) }
    }

    /// The line for the step under way, once it has run a second; nil before.
    func line(now: ContinuousClock.Instant = .now) -> String? {
        lock.withLock {
            let elapsed = now - started
            guard !step.isEmpty, elapsed >= .seconds(1) else { return nil }
            var text = "\(step): \(String(format: "%.0f", Double(elapsed.components.seconds))) s"
            if let bytes {
                text += String(format: ", %.1f MiB", Double(bytes.done) / 1_048_576)
                if let total = bytes.total, total > 0 {
                    text += String(format: " of %.1f MiB (%d%%)", Double(total) / 1_048_576, bytes.done * 100 / total)
                }
            }
            return text
        }
    }

    private func draw() {
        guard let line = line() else { return }
        lock.withLock {
            guard !finished else { return }
            shown = true
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        }
    }

    /// Stops the timer and clears the line (once; later calls do nothing).
    func finish() {
        timer.cancel()
        lock.withLock {
            if shown && !finished { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            finished = true
        }
    }
}
