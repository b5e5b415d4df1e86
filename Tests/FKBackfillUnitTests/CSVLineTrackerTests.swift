@testable import FKBackfill
import Testing

/// `CSVLineTracker`: which file line each record starts on, with newlines inside
/// quotes, fed in any chunking.
@Suite struct CSVLineTrackerTests {
    /// A tracker that has seen `text` in chunks of `chunk` bytes.
    func tracker(_ text: String, firstLine: Int = 2, quote: Character = "\"", chunk: Int = .max) -> CSVLineTracker {
        let tracker = CSVLineTracker(quote: quote, firstLine: firstLine)
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(chunk, bytes.count))
            bytes[start..<end].withUnsafeBytes { tracker.consume($0) }
            start = end
        }
        return tracker
    }

    @Test func oneLinePerRecordNeedsNoBreakpoints() {
        let lines = tracker("a,b\nc,d\ne,f\n")
        #expect(lines.breakpoints.isEmpty)
        #expect((1...4).map(lines.line(ofRecord:)) == [2, 3, 4, 5])
    }

    @Test func aQuotedNewlineShiftsTheFollowingRecords() {
        let lines = tracker("a,b\n\"x\ny\",c\nd,e\n\"1\n2\n3\",f\ng,h\n")
        #expect(lines.breakpoints.first.map { [$0.record, $0.line] } == [3, 5])
        #expect((1...5).map(lines.line(ofRecord:)) == [2, 3, 5, 6, 9])
        #expect(lines.line(ofRecord: 6) == 10)
    }

    /// A breakpoint only where the shift changes, so memory does not grow with the rows
    /// that follow a multi-line field.
    @Test func oneBreakpointPerShiftNotPerRecord() {
        let lines = tracker("\"a\nb\",c\n" + String(repeating: "d,e\n", count: 1000), chunk: 7)
        #expect(lines.breakpoints.count == 1)
        #expect(lines.line(ofRecord: 2) == 4)
        #expect(lines.line(ofRecord: 1001) == 1003)
    }

    @Test func chunkBoundariesDoNotMatter() {
        let text = "\"a\"\"\nb\",c\r\nd,\"e\r\nf\"\r\ng,h\r\n"
        let whole = tracker(text, firstLine: 3)
        #expect((1...3).map(whole.line(ofRecord:)) == [3, 5, 7])
        for chunk in [1, 2, 3, 7] {
            let split = tracker(text, firstLine: 3, chunk: chunk)
            #expect((1...3).map(split.line(ofRecord:)) == [3, 5, 7], "chunk \(chunk)")
        }
    }

    @Test func doubledQuotesToggleTwice() {
        let lines = tracker("\"a\"\"b\",c\nd,e\n")
        #expect(lines.breakpoints.isEmpty)
        #expect(lines.line(ofRecord: 2) == 3)
    }

    @Test func theConfiguredQuoteIsTheOnlyQuote() {
        let single = tracker("'a\nb',\"c\nd,e\n", quote: "'")
        // The double quote is data here; the newline after it ends record 2.
        #expect((1...3).map(single.line(ofRecord:)) == [2, 4, 5])
    }

    @Test func withoutAHeaderRecordsStartOnLineOne() {
        let lines = tracker("\"a\nb\"\nc\n", firstLine: 1)
        #expect((1...2).map(lines.line(ofRecord:)) == [1, 3])
        #expect(lines.firstLine == 1)
    }

    @Test func aMultiLineHeaderMovesTheFirstRecord() {
        // The header took lines 1–2, so data starts on line 3.
        let lines = tracker("x,y\nz,w\n", firstLine: 3)
        #expect((1...2).map(lines.line(ofRecord:)) == [3, 4])
    }

    /// COPY's "line N" mapped back to where the record starts. COPY counts a quoted `\n`
    /// only once the first record ended in `\n`, else a quoted `\r`: none in the first
    /// record here, one in the third (COPY's lines 1, 2, 3–4, 5 for records 1–4).
    @Test func copysLineCountMapsToTheRecordsFirstLine() {
        let text = "\"a\nb\",c\nd,e\n\"f\ng\",h\ni,j\n"
        for chunk in [1, 2, 5, .max] {
            let lines = tracker(text, chunk: chunk)
            #expect((1...5).map(lines.line(ofCopyLine:)) == [2, 4, 5, 5, 7], "chunk \(chunk)")
        }
    }

    /// A CRLF file: quoted `\r\n`s count once each, a quoted lone `\n` is a line of the
    /// file but not of COPY's count.
    @Test func aCRLFFileCountsQuotedCarriageReturns() {
        let text = "a,b\r\n\"c\r\nd\",e\r\n\"f\ng\",h\r\ni,j\r\n"
        for chunk in [1, 3, .max] {
            let lines = tracker(text, chunk: chunk)
            #expect((1...3).map(lines.line(ofRecord:)) == [2, 3, 5], "chunk \(chunk)")
            // COPY: record 1 line 1, record 2 lines 2–3, record 3 line 4, record 4 line 5.
            #expect((1...5).map(lines.line(ofCopyLine:)) == [2, 3, 3, 5, 7], "chunk \(chunk)")
        }
    }

    /// The last record's quoted newlines: COPY's lines past its start are still its.
    @Test func theLastRecordsOwnSpanMapsToItsStart() {
        let lines = tracker("a,b\nc,\"d\ne\n\nf\"\n")
        #expect((1...5).map(lines.line(ofCopyLine:)) == [2, 3, 3, 3, 3])
    }

    /// No quoted newline: COPY's count is the record's number.
    @Test func withoutQuotedNewlinesCOPYsLineIsTheRecord() {
        let lines = tracker("a,b\nc,d\ne,f\n")
        #expect(lines.copyBreakpoints.isEmpty)
        #expect((1...3).map(lines.line(ofCopyLine:)) == [2, 3, 4])
    }
}
