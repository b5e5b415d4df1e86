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
        for file in Self.manPages + Self.completions {
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

    @Test func makeUninstallLeavesNoFile() throws {
        let destdir = try #require(Self.folder, "FKBACKFILL_INSTALL_TESTS is not set: run `make test`, which builds the release files first").appendingPathComponent("uninstalled")
        #expect(FileManager.default.fileExists(atPath: destdir.appendingPathComponent("opt/fkb").path), "nothing was installed")
        let left = FileManager.default.enumerator(at: destdir, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        #expect(left.isEmpty, "\(left.map(\.path))")
    }
}
