import Foundation
import Testing
import TestSupport

/// Where `make test` put what the install tests look at (outside the suite: its trait
/// cannot refer to the suite itself).
private let installTestsFolder = ProcessInfo.processInfo.environment["FKBACKFILL_INSTALL_TESTS"].map { URL(fileURLWithPath: $0) }

/// `make install`, `make uninstall` and `make deb` as a user meets them, on what
/// `make test` made before the tests (see its `install-tests` target) in
/// `$FKBACKFILL_INSTALL_TESTS`: `fkbackfill.deb`, `installed/` (an install with
/// DESTDIR, PREFIX=/usr/local) and `uninstalled/` (an install, then an uninstall).
/// A plain `swift test` has no release build: there these fail, saying to run
/// `make test`, as every test fails rather than skips without what it needs.
@Suite struct InstallTests {
    static let folder = installTestsFolder

    /// The pages generate-manual writes: one for the tool, one per command.
    static let manPages = ["fkbackfill", "fkbackfill.fks", "fkbackfill.graph", "fkbackfill.load", "fkbackfill.backfill",
                           "fkbackfill.init", "fkbackfill.audit", "fkbackfill.validate"].map { "share/man/man1/\($0).1" }
    static let completions = ["share/bash-completion/completions/fkbackfill", "share/zsh/site-functions/_fkbackfill",
                              "share/fish/vendor_completions.d/fkbackfill.fish"]
    /// The docs the help texts and hints point at, installed with the tool.
    static let docs = ["README.md", "rules.md", "validate.md", "json-output.md", "migrating.md", "schemas/load-report.schema.json",
                       "examples/annuity/schema.sql"].map { "share/doc/fkbackfill/\($0)" }

    /// The help and a library hint name the installed guide, not the clone's docs/.
    static func expectHelpNamesTheInstalledDocs(_ binary: String, prefix: URL) throws {
        let rules = prefix.appendingPathComponent("share/doc/fkbackfill/rules.md").standardizedFileURL.path
        let help = try run(binary, ["load", "--help"], environment: ["COLUMNS": "400"])
        #expect(help.stdout.contains("See \(rules)."), "\(help.stdout)")
        let file = TestFiles.url(suffix: ".yaml")
        try "tabels: {}\n".write(to: file, atomically: true, encoding: .utf8)
        let broken = try run(binary, ["validate", "t", "--csv", "x.csv", "--rules", file.path])
        #expect(broken.status == 2, "\(broken.stderr)")
        #expect(broken.stderr.contains("see \(rules)"), "\(broken.stderr)")
    }

    @Test func theDebianPackageInstallsAToolThatRunsWithoutSwift() throws {
        let deb = try #require(Self.folder, "FKBACKFILL_INSTALL_TESTS is not set: run `make test`, which builds the release files first").appendingPathComponent("fkbackfill.deb").path
        let fields = try run("/usr/bin/dpkg-deb", ["-f", deb, "Package", "Version", "Architecture", "Depends", "Description"])
        #expect(fields.status == 0, "\(fields.stderr)")
        #expect(fields.stdout.contains("Package: fkbackfill"))
        #expect(fields.stdout.contains("Depends: libpq5"))
        #expect(fields.stdout.contains("Description: "))
        let root = try TestFiles.makeDirectory()
        let unpacked = try run("/usr/bin/dpkg-deb", ["-x", deb, root.path])
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        let usr = root.appendingPathComponent("usr")
        let binary = usr.appendingPathComponent("bin/fkbackfill").path
        let version = try run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(fields.stdout.contains("Version: \(version.stdout.split(separator: "\n")[0].dropFirst("fkbackfill ".count))"))
        let help = try run(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: fkbackfill <subcommand>"))
        for page in Self.manPages {
            #expect(FileManager.default.fileExists(atPath: usr.appendingPathComponent(page + ".gz").path), "\(page).gz")
        }
        let man = try run("/usr/bin/man", ["-l", usr.appendingPathComponent("share/man/man1/fkbackfill.load.1.gz").path],
                          environment: ["MANPAGER": "cat", "MANWIDTH": "80", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        #expect(man.status == 0, "\(man.stderr)")
        #expect(man.stderr.isEmpty, "\(man.stderr)")
        #expect(man.stdout.contains("--replace-by"))
        // EXIT STATUS gives the command's own codes, then the shared ones.
        let exitStatus = man.stdout.components(separatedBy: "EXIT STATUS").dropFirst().first?.components(separatedBy: "\n\n\n").first
            ?? man.stdout.components(separatedBy: "EXIT STATUS").dropFirst().first ?? ""
        // Joined back where man hyphenated a word at a line's end (U+2010, then a newline).
        let flat = exitStatus.replacingOccurrences(of: "\u{2010}\n", with: "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("0 loaded (or, with --dry-run, would load); 1 refused before anything was written"), "\(exitStatus)")
        #expect(flat.contains("(see fkbackfill --help). 2 bad usage or configuration"), "\(exitStatus)")
        #expect(flat.contains("3 a database error, 4 the connection was lost during the run"), "\(exitStatus)")
        #expect(!flat.contains("if an error occurs"), "\(exitStatus)")
        // --no-header has its own text in the page, not that of --header.
        let noHeader = man.stdout.components(separatedBy: "\n     --no-header\n").dropFirst().first?.prefix(200) ?? ""
        #expect(noHeader.contains("no header line"), "\(noHeader)")
        // The docs, a Debian copyright file and a changelog.
        for file in Self.docs {
            #expect(FileManager.default.fileExists(atPath: usr.appendingPathComponent(file).path), "\(file)")
        }
        let readme = try String(contentsOf: usr.appendingPathComponent("share/doc/fkbackfill/README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n").count > 100, "the README is the project's, not one line")
        let copyright = try String(contentsOf: usr.appendingPathComponent("share/doc/fkbackfill/copyright"), encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        let changelog = try run("/bin/sh", ["-c", "gzip -dc '\(usr.path)/share/doc/fkbackfill/changelog.gz'"])
        #expect(changelog.stdout.hasPrefix("fkbackfill (\(version.stdout.split(separator: "\n")[0].dropFirst("fkbackfill ".count))) unstable;"),
                "\(changelog.stdout)")
        try Self.expectHelpNamesTheInstalledDocs(binary, prefix: usr)
        let md5sums = try run("/usr/bin/dpkg-deb", ["-I", deb, "md5sums"])
        #expect(md5sums.stdout.contains("usr/bin/fkbackfill"), "\(md5sums.stderr)")
        try Self.expectLintianFindsNoErrors(deb)
        // The examples, Chinese names and all, one per line (see scripts/release.sh).
        #expect(man.stdout.contains("fkbackfill load business.规模明细 --csv 2024-11.csv\n"), "\(man.stdout)")
        for file in Self.completions {
            #expect(FileManager.default.fileExists(atPath: usr.appendingPathComponent(file).path), "\(file)")
        }
        try Self.expectOnlySystemLibraries(binary)
    }

    /// `ldd`: libpq, the C and C++ runtime and nothing of Swift's (it is linked in).
    static func expectOnlySystemLibraries(_ binary: String) throws {
        let ldd = try run("/usr/bin/ldd", [binary])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        #expect(ldd.stdout.contains("libpq.so.5"))
        for line in ldd.stdout.split(separator: "\n") {
            #expect(!line.contains("not found"), "\(line)")
            #expect(line.range(of: "swift|Foundation|dispatch|BlocksRuntime|icu", options: [.regularExpression, .caseInsensitive]) == nil,
                    "a Swift library: \(line)")
            if let path = line.split(separator: " ").first(where: { $0.hasPrefix("/") }) {
                #expect(path.hasPrefix("/lib") || path.hasPrefix("/usr/lib"), "not a system library: \(line)")
            }
        }
    }

    @Test func makeInstallPutsEverythingBelowDestdirAndPrefix() throws {
        let prefix = try #require(Self.folder, "FKBACKFILL_INSTALL_TESTS is not set: run `make test`, which builds the release files first").appendingPathComponent("installed/usr/local")
        let binary = prefix.appendingPathComponent("bin/fkbackfill").path
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        try Self.expectHelpNamesTheInstalledDocs(binary, prefix: prefix)
        for file in Self.manPages + Self.completions + Self.docs {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
        let version = try run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("libpq "))
        // Each shell's completions load in that shell where it is installed (bash is).
        let bash = try run("/bin/bash", ["-c", "source '\(prefix.path)/\(Self.completions[0])' && complete -p fkbackfill"])
        #expect(bash.status == 0, "\(bash.stderr)")
        #expect(try String(contentsOf: prefix.appendingPathComponent(Self.completions[1]), encoding: .utf8).hasPrefix("#compdef fkbackfill"))
        #expect(try String(contentsOf: prefix.appendingPathComponent(Self.completions[2]), encoding: .utf8).contains("complete -c 'fkbackfill'"))
        try Self.expectOnlySystemLibraries(binary)
    }

    /// lintian, where it is installed, finds no error in the package. It is not installed
    /// by scripts/install-deps.sh: on Debian 12 its dependencies upgrade perl and
    /// perl-base, and the setup never upgrades a package. Without it, the checks above
    /// (copyright, changelog, md5sums, gzipped pages, stripped binary) stand in.
    static func expectLintianFindsNoErrors(_ deb: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian") else { return }
        let lintian = try run("/usr/bin/lintian", ["--no-tag-display-limit", deb])
        let errors = lintian.stdout.split(separator: "\n").filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func makeUninstallLeavesNoFile() throws {
        let destdir = try #require(Self.folder, "FKBACKFILL_INSTALL_TESTS is not set: run `make test`, which builds the release files first").appendingPathComponent("uninstalled")
        #expect(FileManager.default.fileExists(atPath: destdir.appendingPathComponent("opt/fkb").path), "nothing was installed")
        let left = FileManager.default.enumerator(at: destdir, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        #expect(left.isEmpty, "\(left.map(\.path))")
    }
}
