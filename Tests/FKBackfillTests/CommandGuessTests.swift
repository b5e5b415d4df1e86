import Foundation
import Testing
import TestSupport

/// What a new user mistypes, and what the tool says back (issue 28): no command at all,
/// a misspelt command or option, an unknown option next to a missing input, the help of
/// `--no-header`, and file-name completion in bash, zsh and fish.
@Suite struct CommandGuessTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test func noArgumentsIsExit64WithTheUsageOnStderr() throws {
        let result = try run(binary, [])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("fkbackfill: error: no command given\nhint: usage: fkbackfill <subcommand>"), "\(result.stderr)")
    }

    @Test func aMisspeltCommandGetsTheClosestOne() throws {
        let result = try run(binary, ["lod", "rental"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("fkbackfill: error: unknown command 'lod'\nhint: did you mean 'load'?\n"), "\(result.stderr)")
        let far = try run(binary, ["xyzzy"])
        #expect(far.status == 2)
        #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    }

    @Test func aMisspeltOptionGetsTheClosestOne() throws {
        let result = try run(binary, ["load", "rental", "--dryrun", "--csv", "x.csv"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown option '--dryrun'. Did you mean '--dry-run'?"), "\(result.stderr)")
    }

    @Test(arguments: [["load", "rental", "--bogus"], ["backfill", "rental", "--bogus"], ["validate", "rental", "--bogus"]])
    func anUnknownOptionIsReportedBeforeAMissingInput(arguments: [String]) throws {
        let result = try run(binary, arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fkbackfill: error: unknown option '--bogus'"), "\(result.stderr)")
    }

    @Test func loadWithoutAnInputStillSaysSo() throws {
        let result = try run(binary, ["load", "rental"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fkbackfill: error: give an input: --csv FILE, --source TABLE or --query SQL"), "\(result.stderr)")
    }

    @Test func headerAndNoHeaderHaveTheirOwnHelp() throws {
        let help = try run(binary, ["load", "--help"], environment: ["COLUMNS": "200"])
        let lines = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let noHeader = try #require(lines.first { $0.hasPrefix("--no-header") })
        #expect(noHeader.contains("no header line"), "\(noHeader)")
        let header = try #require(lines.first { $0.hasPrefix("--header") })
        #expect(header.contains("names the columns"), "\(header)")
    }

    /// Every option that names a file, per command: `[command, option]`.
    static let fileOptions: [[String]] = [
        ["load", "--csv"], ["load", "--rules"], ["load", "--reject-file"], ["load", "--report"],
        ["backfill", "--csv"], ["backfill", "--rules"], ["backfill", "--reject-file"], ["backfill", "--report"],
        ["validate", "--csv"], ["validate", "--rules"], ["fks", "--rules"], ["import-rules", "--output"],
    ]

    /// bash: the generated function, run in a bash subprocess with COMP_WORDS and
    /// COMP_CWORD as bash sets them, offers the files of the folder.
    @Test(arguments: fileOptions)
    func bashCompletesFileNames(option: [String]) throws {
        let folder = try TestFiles.makeDirectory()
        try Data().write(to: folder.appendingPathComponent("sample-input.yaml"))
        let script = folder.appendingPathComponent("completion.bash")
        try run(binary, ["--generate-completion-script", "bash"]).stdout.write(to: script, atomically: true, encoding: .utf8)
        let words = ["fkbackfill", option[0], "t", option[1], "sample-"]
        let line = words.joined(separator: " ")
        let program = """
            cd '\(folder.path)' && source ./completion.bash
            COMP_WORDS=(\(words.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
            COMP_LINE='\(line)'; COMP_POINT=\(line.count)
            _fkbackfill fkbackfill sample- \(option[1])
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try run("/bin/bash", ["-c", program])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").contains("sample-input.yaml"), "\(option): \(result.stdout)")
    }

    /// zsh and fish are not installed here: their scripts must hand each file option to
    /// the shell's own file completion (`_files`; fish's `-F` or a file glob).
    @Test(arguments: fileOptions)
    func zshAndFishCompleteFileNames(option: [String]) throws {
        let zsh = try run(binary, ["--generate-completion-script", "zsh"]).stdout
        // The command's own function, `_fkbackfill_load() {` to its closing `}`.
        let function = zsh.components(separatedBy: "\n_fkbackfill_\(option[0])() {\n").dropFirst().first?
            .components(separatedBy: "\n}\n").first ?? ""
        let zshLines = function.split(separator: "\n").filter { $0.contains("\(option[1])[") || $0.contains("\(option[1]),") }
        #expect(zshLines.count == 1 && zshLines.allSatisfy { $0.contains("_files") }, "\(option): \(zshLines)")
        let fish = try run(binary, ["--generate-completion-script", "fish"]).stdout
        let name = String(option[1].dropFirst(2))
        let fishLines = fish.split(separator: "\n").filter { $0.contains("\"fkbackfill \(option[0])\"") && $0.contains("-l '\(name)'") }
        #expect(fishLines.count == 1, "\(option): \(fishLines)")
        #expect(fishLines.allSatisfy { $0.hasSuffix(" -rF") || $0.contains("__fish_complete_directories") }, "\(option): \(fishLines)")
    }
}
