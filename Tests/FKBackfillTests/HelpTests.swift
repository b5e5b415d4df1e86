import Foundation
import Testing
import TestSupport

/// `--help` examples are copied into shells: they must come out whole.
@Suite struct HelpTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    static let commands = ["", "fks", "graph", "load", "backfill", "init", "audit", "validate"]

    /// At 80 columns (ArgumentParser's width when not on a terminal, and the narrowest
    /// terminal we write for), every example line is one the discussion wrote: it starts
    /// with `fkbackfill` or is an indented `\` continuation, its quotes close on the same
    /// line, and it fits 80 terminal columns (a Chinese character takes two). Long
    /// examples go on with `\` instead of being wrapped, which could cut a quoted string.
    @Test(arguments: commands)
    func examplesNeverWrap(command: String) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        let help = try run(binary, (command.isEmpty ? [] : [command]) + ["--help"], environment: environment)
        #expect(help.status == 0)
        let lines = help.stdout.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "Example:"), "no Example: in \(command) --help")
        let examples = lines[(start + 1)...].prefix { !$0.isEmpty }
        #expect(!examples.isEmpty)
        for (index, line) in examples.enumerated() {
            let continues = index > 0 && examples[examples.startIndex + index - 1].hasSuffix("\\")
            #expect(line.hasPrefix(continues ? "    " : "  fkbackfill "), "wrapped: \(line)")
            #expect(line.filter { $0 == "'" }.count % 2 == 0 && line.filter { $0 == "\"" }.count % 2 == 0,
                    "a quote does not close on its line: \(line)")
            #expect(Self.columns(line) <= 80, "\(Self.columns(line)) columns: \(line)")
        }
    }

    /// Terminal columns: two for East Asian wide characters, one for the rest.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (0x2E80...0xFFDC ~= $1.value ? 2 : 1) }
    }
}
