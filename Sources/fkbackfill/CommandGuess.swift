import ArgumentParser

/// What is wrong with the command line before ArgumentParser sees it, where its own
/// message would not help: no arguments at all (exit 64 with the usage, so that a script
/// whose `$command` came out empty does not pass), and a misspelt subcommand (its
/// "2 unexpected arguments" names no command; this names the closest one).
enum CommandGuess {
    struct Complaint {
        var text: String
        var status: ExitStatus
    }

    /// The subcommands' names, as typed.
    static var commandNames: [String] {
        FKBackfillCommand.configuration.subcommands.compactMap { $0.configuration.commandName }
    }

    static func complaint(about arguments: [String]) -> Complaint? {
        guard let first = arguments.first else {
            return Complaint(text: """
                fkbackfill: error: no command given
                hint: usage: fkbackfill <subcommand> [<options>]; subcommands: \(commandNames.joined(separator: ", "))
                hint: see 'fkbackfill --help' for more information

                """, status: .noCommand)
        }
        guard !first.hasPrefix("-"), !commandNames.contains(first), first != "help" else { return nil }
        var text = "fkbackfill: error: unknown command '\(first)'\n"
        if let close = closest(to: first, in: commandNames) {
            text += "hint: did you mean '\(close)'?\n"
        }
        text += "hint: the commands are \(commandNames.joined(separator: ", ")); see 'fkbackfill --help'\n"
        return Complaint(text: text, status: .usage)
    }

    /// The candidate within a third of the typed name's length in edits (at least 2), if any.
    static func closest(to typed: String, in candidates: [String]) -> String? {
        let best = candidates.map { ($0, distance(typed.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, typed.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1]
            for (j, right) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
