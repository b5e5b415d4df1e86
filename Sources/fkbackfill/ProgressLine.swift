import Foundation

/// A single self-overwriting progress line on a terminal's stderr, only when both
/// stdout and stderr are terminals (a pipeline's output and logs stay clean).
final class ProgressLine {
    private var last = ContinuousClock.now

    /// A progress line when stdout and stderr are terminals, else nil.
    static func onTerminal() -> ProgressLine? {
        isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
    }

    func update(bytes: Int, total: Int?) {
        let now = ContinuousClock.now
        guard now - last > .milliseconds(200) else { return }
        last = now
        let mib = Double(bytes) / 1_048_576
        var line = String(format: "\rstaging: %.1f MiB", mib)
        if let total, total > 0 { line += String(format: " of %.1f MiB (%d%%)", Double(total) / 1_048_576, bytes * 100 / total) }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clear() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
