import Foundation

/// Follows a CSV stream to know on which line each record starts, the way COPY splits
/// records: a newline inside quotes does not end a record, and every quote character
/// toggles quoting (a doubled quote toggles twice).
///
/// Only where a record's line stops following from the one before (after a multi-line
/// field) is a breakpoint kept, so memory stays small however long the file is. The
/// bytes are searched with `memchr` for the next quote and newline, not looked at one
/// by one: byte by byte, following a 37,000-row file took three times its COPY (#16).
final class CSVLineTracker {
    let quote: UInt8
    /// Line of the first data record (2 after a header line).
    let firstLine: Int
    private var inQuotes = false
    private var line: Int
    private var record = 1
    private var recordStarted = false
    /// How many lines the records so far spanned beyond one each, at the last breakpoint.
    private var shift = 0
    /// (record, line) where the rule `firstLine + record - 1 + shift` changes its shift.
    private(set) var breakpoints: [(record: Int, line: Int)] = []
    /// COPY's own count, the "line N" of its errors (`cur_lineno` in copyfromparse.c):
    /// one per record plus the newlines inside quotes it counts — `\n` once the first
    /// record ended in `\n`, otherwise `\r` (so none in a first record's `\n`s, nor a
    /// lone `\n` in a CRLF file). (record, COPY's line of its start) where that shift
    /// changes, as `breakpoints`; `copyShift` so far, `copyPending` in this record.
    private(set) var copyBreakpoints: [(record: Int, copyLine: Int)] = []
    private var copyShift = 0
    private var copyPending = 0
    private enum LineEnd { case unknown, lf, crlf }
    private var lineEnd = LineEnd.unknown
    private var previousByte: UInt8 = 0

    init(quote: Character, firstLine: Int) {
        self.quote = quote.asciiValue ?? UInt8(ascii: "\"")
        self.firstLine = firstLine
        self.line = firstLine
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        let newline = Int32(UInt8(ascii: "\n"))
        /// Offset of the first `byte` in `from..<to`, or `to`.
        func find(_ byte: Int32, _ from: Int, _ to: Int) -> Int {
            guard from < to, let found = memchr(base + from, byte, to - from) else { return to }
            return base.distance(to: UnsafeRawPointer(found))
        }
        defer { previousByte = base.load(fromByteOffset: count - 1, as: UInt8.self) }
        var index = 0
        var nextQuote = -1
        while index < count {
            if !recordStarted {
                recordStarted = true
                let lineShift = line - (firstLine + record - 1)
                if lineShift != shift {
                    breakpoints.append((record, line))
                    shift = lineShift
                }
                if copyPending > 0 {
                    copyShift += copyPending
                    copyPending = 0
                    copyBreakpoints.append((record, record + copyShift))
                }
            }
            if nextQuote < index { nextQuote = find(Int32(quote), index, count) }
            if inQuotes {
                // Newlines inside quotes are lines, not records.
                var at = find(newline, index, nextQuote)
                while at < nextQuote {
                    line += 1
                    if lineEnd == .lf { copyPending += 1 }
                    at = find(newline, at + 1, nextQuote)
                }
                if lineEnd != .lf {
                    var cr = find(Int32(UInt8(ascii: "\r")), index, nextQuote)
                    while cr < nextQuote {
                        copyPending += 1
                        cr = find(Int32(UInt8(ascii: "\r")), cr + 1, nextQuote)
                    }
                }
                guard nextQuote < count else { return }
                inQuotes = false
                index = nextQuote + 1
            } else {
                let at = find(newline, index, nextQuote)
                if at < nextQuote {
                    if lineEnd == .unknown {
                        let before = at > 0 ? base.load(fromByteOffset: at - 1, as: UInt8.self) : previousByte
                        lineEnd = before == UInt8(ascii: "\r") ? .crlf : .lf
                    }
                    line += 1
                    record += 1
                    recordStarted = false
                    index = at + 1
                } else {
                    guard nextQuote < count else { return }
                    inQuotes = true
                    index = nextQuote + 1
                }
            }
        }
    }

    /// The line of the record COPY was reading when it said "line `copyLine`" (counted
    /// from the first record sent): where that record starts, as a reject of it says.
    func line(ofCopyLine copyLine: Int) -> Int {
        // The last record whose start COPY counts at or before `copyLine`.
        var low = 0, high = copyBreakpoints.count
        while low < high {
            let mid = (low + high) / 2
            if copyBreakpoints[mid].copyLine <= copyLine { low = mid + 1 } else { high = mid }
        }
        let base = low > 0 ? copyBreakpoints[low - 1] : (record: 1, copyLine: 1)
        var record = base.record + max(0, copyLine - base.copyLine)
        // Inside the span of the multi-line record just before the next breakpoint, or
        // of the last record seen (its quoted newlines shift no record after it yet).
        if low < copyBreakpoints.count { record = min(record, copyBreakpoints[low].record - 1) }
        record = min(record, max(1, recordStarted ? self.record : self.record - 1))
        return line(ofRecord: record)
    }

    /// The line record `n` (1-based, as `_fkb_row`) starts on.
    func line(ofRecord n: Int) -> Int {
        var low = 0, high = breakpoints.count
        while low < high {
            let mid = (low + high) / 2
            if breakpoints[mid].record <= n { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return firstLine + n - 1 }
        let point = breakpoints[low - 1]
        return point.line + (n - point.record)
    }
}
