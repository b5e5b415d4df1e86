@testable import FKBackfill
import Testing

/// A line `\.` is data in a file; COPY would read it as the end of the data.
@Suite struct EndMarkerQuoterTests {
    /// The bytes sent for `input` when it arrives in chunks of `size`.
    func sent(_ input: String, chunks size: Int, quote: Character = "\"") -> String {
        var quoter = EndMarkerQuoter(quote: quote)
        let bytes = Array(input.utf8)
        var output: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let chunk = Array(bytes[start..<min(start + size, bytes.count)])
            chunk.withUnsafeBytes { raw in output += quoter.filter(raw) ?? Array(raw) }
            start += size
        }
        output += quoter.finish()
        return String(decoding: output, as: UTF8.self)
    }

    @Test(arguments: [
        ("k,v\nA,1\n\\.\nB,2\n", "k,v\nA,1\n\"\\.\"\nB,2\n"),
        ("A,1\r\n\\.\r\nB,2\r\n", "A,1\r\n\"\\.\"\r\nB,2\r\n"),
        ("\\.\n", "\"\\.\"\n"),
        ("A,1\n\\.", "A,1\n\"\\.\""),
        ("A,1\n\\.x\n\\\n\\.,2\n", "A,1\n\\.x\n\\\n\\.,2\n"),
        ("A,\"x\n\\.\ny\"\n\\.\n", "A,\"x\n\\.\ny\"\n\"\\.\"\n"),
        ("no marker at all\n", "no marker at all\n"),
        ("a\\.b\n \\.\n", "a\\.b\n \\.\n"),
    ])
    func theMarkerLineIsQuotedInEveryChunking(input: String, expected: String) {
        for size in 1...max(1, input.utf8.count) {
            #expect(sent(input, chunks: size) == expected, "chunks of \(size)")
        }
    }

    @Test func anotherQuoteCharacterIsUsed() {
        #expect(sent("A,'x\n\\.\n'\n\\.\n", chunks: 3, quote: "'") == "A,'x\n\\.\n'\n'\\.'\n")
    }

    @Test func untouchedChunksAreNotCopied() {
        var quoter = EndMarkerQuoter(quote: "\"")
        let nothing = Array("A,1\nB,\\.\n".utf8).withUnsafeBytes { quoter.filter($0) }
        #expect(nothing == nil)
    }

    /// Records as COPY splits them (a newline outside quotes ends one), whichever path a
    /// chunk takes and however the input is cut.
    @Test(arguments: [
        ("A,1\nB,2\n", 2), ("A,1\nB,2", 2), ("", 0), ("\n", 1), ("A,\"x\ny\"\nB\n", 2),
        ("A\n\\.\nB\n", 3), ("A\r\nB\r\n", 2), ("\"a\"\"b\",1\n\"\n\",2\n", 2), ("x\n\\", 2),
    ])
    func recordsAreCountedLikeCOPY(input: String, expected: Int) {
        for size in 1...max(1, input.utf8.count) {
            var quoter = EndMarkerQuoter(quote: "\"")
            let bytes = Array(input.utf8)
            var start = 0
            while start < bytes.count {
                let chunk = Array(bytes[start..<min(start + size, bytes.count)])
                _ = chunk.withUnsafeBytes { quoter.filter($0) }
                start += size
            }
            _ = quoter.finish()
            #expect(quoter.records == expected, "chunks of \(size)")
        }
    }
}
