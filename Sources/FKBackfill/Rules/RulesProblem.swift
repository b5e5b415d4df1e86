/// One thing wrong with a rules file, where it is, and what to do about it.
public struct RulesProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where in the rules file.
    public var location: SourceLocation
    /// What is wrong.
    public var message: String
    /// What to do about it (a suggestion, a list of valid names).
    public var hint: String?

    /// A problem at `location`.
    public init(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `FILE:LINE:COLUMN: message (hint)`.
    public var description: String {
        "\(location): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}

extension FKBackfillError {
    /// Every problem of a rules file at once, one line each; exit 2, nothing written.
    /// The same for another YAML file the tool reads (`document` names it, `outcome`
    /// says what did not happen).
    init(
        rulesProblems problems: [RulesProblem], file: String, document: String = "the rules file",
        outcome: String = "nothing was run",
        hint: String = "see docs/rules.md for every key, or run `fkbackfill init TABLE` for a starter file"
    ) {
        self.init("\(file): \(counted(problems.count, "problem")) in \(document), \(outcome)",
                  details: problems.map(\.description), hint: hint, kind: .rulesProblems)
    }
}

/// "did you mean …?" for a misspelt name among `candidates`.
func didYouMean(_ name: String, in candidates: [String]) -> String? {
    let close = candidates
        .map { (editDistance($0.lowercased(), name.lowercased()), $0) }
        .filter { $0.0 <= max(1, name.count / 3) }
        .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    return close.first.map { "did you mean \($0.1)?" }
}
