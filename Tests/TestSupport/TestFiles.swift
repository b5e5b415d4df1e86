import Foundation

/// Where tests write files: `.tmp/test-files/` in the clone, never the system temp
/// folder, so that a test run leaves nothing outside the clone (`make test` empties the
/// folder before it starts, `make clean` removes it).
public enum TestFiles {
    /// The folder, created on first use.
    public static let directory: URL = {
        let url = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/test-files", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A fresh path in the folder (not created): `fkb-<uuid><suffix>`.
    public static func url(suffix: String = "") -> URL {
        directory.appendingPathComponent("fkb-\(UUID().uuidString)\(suffix)")
    }

    /// A fresh, empty folder in the folder.
    public static func makeDirectory() throws -> URL {
        let url = self.url()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
