import ArgumentParser
import FKBackfill
import Foundation

/// Runs the command and turns every failure into one of the documented exit codes
/// (0 success, 1 findings, 2 usage or configuration, 3 database).
@main
enum EntryPoint {
    static func main() {
        do {
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
            FileHandle.standardError.write(Data(text.utf8))
            exit(ExitStatus(error).rawValue)
        } catch {
            let code = FKBackfillCommand.exitCode(for: error)
            let message = FKBackfillCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if let exitCode = error as? ExitCode {
                exit(exitCode.rawValue)
            }
            // Argument errors: ArgumentParser would exit 64; the documented code is 2.
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(ExitStatus.usage.rawValue)
        }
    }
}
