import Foundation

/// Where a guide of docs/ is on this machine, for help texts and hints: the installed
/// copy (`make install` and the .deb put docs/*.md in PREFIX/share/doc/fkbackfill, next
/// to the binary's PREFIX/bin), else the clone's docs/ folder the binary was built in.
enum DocsPath {
    /// The installed folder, found from the running binary's own path; nil in a clone.
    static let installed: String? = {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
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
