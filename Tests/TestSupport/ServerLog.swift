import Foundation
import Logging

/// Server notices (`drop cascades to 3 other objects`, …) of the tests' connections go
/// to `.tmp/test-server-notices.log`, not into the test results: the connections log
/// them through swift-log, whose default handler prints to standard output.
///
/// `TestDatabase` installs this once per test process, before its first connection, so
/// that every connection a test opens afterwards logs here too.
public enum ServerLog {
    public static let path = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/test-server-notices.log").path

    /// Routes every swift-log logger of the process to the file; later calls do nothing.
    public static func install() { _ = installed }

    private static let installed: Void = {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let file = FileHandle(forWritingAtPath: path)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            if let file {
                handler = StreamLogHandler(label: label, stream: FileStream(handle: file))
            }
            handler.logLevel = .info
            return handler
        }
    }()
}

/// A `TextOutputStream` onto a file, for `StreamLogHandler`.
private struct FileStream: TextOutputStream, @unchecked Sendable {
    let handle: FileHandle
    private let lock = NSLock()

    init(handle: FileHandle) { self.handle = handle }

    mutating func write(_ string: String) {
        lock.withLock { handle.write(Data(string.utf8)) }
    }
}
