@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// An error about a row COPY refused names the file line the row starts on, after
/// quoted newlines too. COPY's own "line N" counts no quoted `\n` in the first record
/// and no lone quoted `\n` in a CRLF file, so `FILE:3` pointed one or more lines above
/// the bad row; the load maps COPY's count through the tracker that follows the file
/// (`CSVLineTracker.line(ofCopyLine:)`), and validate (staged and read-only) names the
/// same line, as a reject of the row does.
@Suite(.timeLimit(.minutes(30))) struct CopyErrorLineTests {
    /// (file text, line of the row whose `n` is not an integer).
    static let files: [(String, Int)] = [
        ("n,note\n1,\"two\nlines\"\nbad,x\n", 4),
        ("n,note\n1,x\n2,\"two\nlines\"\n3,\"three\n\nlines\"\nbad,x\n", 8),
        ("n,note\r\n1,\"a\r\nb\"\r\n2,\"c\nd\"\r\nbad,x\r\n", 6),
        ("n,note\n1,\"one\"\nbad,\"two\nlines\"\n", 3),
    ]

    func lineOf(_ body: () throws -> Void) -> Int? {
        do {
            try body()
            return nil
        } catch let error as FKBackfillError {
            if case .badInput(let line) = error.kind { return line }
            return -1
        } catch {
            return -2
        }
    }

    @Test(arguments: files) func theErrorNamesTheLineTheRowStartsOn(_ text: String, _ line: Int) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE p (k text PRIMARY KEY); CREATE TABLE fact (n int, note text, k text REFERENCES p)")
        let path = try db.csvFile(text)
        let input = InputSource.csv(path: path, options: CSVOptions())
        #expect(lineOf { _ = try db.load("fact", csv: text) } == line, "load")
        // validate, staged and read-only, lists the value with its line.
        for report in try db.validateBothWays("fact", input: input) {
            #expect(!report.wouldLoad)
            let problem = report.columns.first { $0.column == "n" && $0.problem == .conversion }
            #expect(problem?.sampleLines == [line], "\(report.columns.map { "\($0.column) \($0.problem) \($0.sampleLines)" })")
        }
        // The reject of the same row names the same line.
        let report = try db.load("fact", csv: text) { $0.maxRejects = 5 }
        #expect(report.rejected == 1)
        #expect(report.rejections.first?.sampleLines == [line])
    }

    /// The message itself: `FILE:LINE: what (column …)`.
    @Test func theMessageNamesFileAndLine() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (n int, note text)")
        let text = "n,note\n1,\"two\nlines\"\nbad,x\n"
        let error = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: text) }
        #expect(error.message.contains(".csv:4: invalid input syntax for type integer: \"bad\" (column n"), "\(error.message)")
    }
}
