import ArgumentParser
import FKBackfill
import Foundation

/// Runs the command and turns every failure into one of the documented exit codes
/// (0 success, 1 findings, 2 usage or configuration, 3 database, 4 connection lost,
/// 64 no command at all).
@main
enum EntryPoint {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let complaint = CommandGuess.complaint(about: arguments) {
            FileHandle.standardError.write(Data(complaint.text.utf8))
            exit(complaint.status.rawValue)
        }
        do {
            if let lines = try VersionReport.lines(for: arguments) {
                print(lines.joined(separator: "\n"))
                exit(0)
            }
            var command = try FKBackfillCommand.parseAsRoot()
            try command.run()
        } catch where Interrupts.shared.signal != 0 {
            // Whatever failed, it failed because the user stopped the run.
            FileHandle.standardError.write(Data(Interrupts.shared.message.utf8))
            exit(128 + Interrupts.shared.signal)
        } catch let error as FKBackfillError {
            var text = "fkbackfill: error: \(error.message)\n"
            for detail in error.details { text += "  - \(detail)\n" }
            if let hint = FlagHints.hint(for: error) { text += "hint: \(hint)\n" }
            FileHandle.standardError.write(Data(DocsPath.rewrite(text).utf8))
            exit(ExitStatus(error).rawValue)
        } catch {
            let code = FKBackfillCommand.exitCode(for: error)
            let message = FKBackfillCommand.fullMessage(for: error)
            if code == .success {
                // ArgumentParser's own --version (after a subcommand, or with other
                // arguments) prints the bare number: say it all, as --version does.
                if message == FKBackfillCommand.version, let lines = try? VersionReport.lines(for: ["--version"]) {
                    print(lines.joined(separator: "\n"))
                } else if !message.isEmpty {
                    print(message)
                }
                exit(0)
            }
            if let exitCode = error as? ExitCode {
                exit(exitCode.rawValue)
            }
            // Argument errors: ArgumentParser would exit 64; the documented code is 2.
            FileHandle.standardError.write(Data(usageError(error).utf8))
            exit(ExitStatus.usage.rawValue)
        }
    }

    /// An argument error in the tool's one voice, so that a pipeline greps one pattern
    /// whatever went wrong: `fkbackfill: error: ` and ArgumentParser's own message for
    /// it (`message(for:)`), then a `hint:` line for each line `fullMessage(for:)` adds
    /// after it (the argument's help, the usage, "See '…'").
    static func usageError(_ error: any Error) -> String {
        let message = FKBackfillCommand.message(for: error)
        let full = FKBackfillCommand.fullMessage(for: error)
        // fullMessage is ArgumentParser's error prefix and the message, then the rest.
        let rest = message.isEmpty ? full : full.range(of: message).map { String(full[$0.upperBound...]) } ?? ""
        var lines = (message + "\n" + rest).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return "fkbackfill: error: bad usage\n" }
        var text = "fkbackfill: error: " + lowercasedFirst(lines.removeFirst()) + "\n"
        for line in lines {
            let hint = if line.hasPrefix("Help: ") {
                // "Help:  <table>  The table to …": the argument, then its help.
                line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: "  ", with: ": ", options: [], range: nil)
            } else if line.hasPrefix("Usage: ") {
                "usage: " + line.dropFirst(7)
            } else {
                lowercasedFirst(line.hasSuffix(".") ? String(line.dropLast()) : line)
            }
            text += "hint: \(hint)\n"
        }
        return text
    }

    private static func lowercasedFirst(_ text: String) -> String {
        // "Missing expected argument" → "missing …", but keep "SQL", "CSV" and the like.
        guard let first = text.first, text.dropFirst().first?.isLowercase == true else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
