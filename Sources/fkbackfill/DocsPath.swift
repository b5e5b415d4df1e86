import Foundation

/// Where a guide of docs/ is on this machine, for help texts and hints: the installed
/// copy (`make install` and the .deb put docs/*.md in PREFIX/share/doc/fkbackfill, next
/// to the binary's PREFIX/bin), else the clone's docs/ folder the binary was built in.
enum DocsPath {
    /// The installed folder, found from the running binary's own path; nil in a clone.
    static let installed: String? = {
        // The running binary itself (/proc/self/exe), not argv[0], which is a bare
        // "fkbackfill" when the shell found it on PATH.
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let folder = binary.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/doc/fkbackfill").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: folder + "/rules.md") ? folder : nil
    }()

    /// `file` (e.g. "rules.md") as a path a user can open.
    static func of(_ file: String) -> String {
        installed.map { "\($0)/\(file)" } ?? "docs/\(file)"
    }

    /// `text` with every `docs/NAME.md` the library wrote made the path that exists here.
    static func rewrite(_ text: String) -> String {
        guard let installed else { return text }
        return text.replacingOccurrences(of: #"\bdocs/([A-Za-z0-9_-]+\.md)"#, with: installed + "/$1", options: .regularExpression)
    }
}
