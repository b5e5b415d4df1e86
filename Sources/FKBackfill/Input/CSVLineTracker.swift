/// Follows a CSV stream byte by byte to know on which line each record starts, the way
/// COPY splits records: a newline inside quotes does not end a record, and every quote
/// character toggles quoting (a doubled quote toggles twice).
///
/// Only records that start off the expected line (after a multi-line field) are kept,
/// so memory stays small however long the file is.
final class CSVLineTracker {
    let quote: UInt8
    /// Line of the first data record (2 after a header line).
    let firstLine: Int
    private var inQuotes = false
    private var line: Int
    private var record = 1
    private var recordStarted = false
    /// (record, line) where the simple rule `firstLine + record - 1` stops holding.
    private(set) var breakpoints: [(record: Int, line: Int)] = []

    init(quote: Character, firstLine: Int) {
        self.quote = quote.asciiValue ?? UInt8(ascii: "\"")
        self.firstLine = firstLine
        self.line = firstLine
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if !recordStarted {
                recordStarted = true
                if line != firstLine + record - 1 { breakpoints.append((record, line)) }
            }
            if byte == quote {
                inQuotes.toggle()
            } else if byte == UInt8(ascii: "\n") {
                line += 1
                if !inQuotes {
                    record += 1
                    recordStarted = false
                }
            }
        }
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
