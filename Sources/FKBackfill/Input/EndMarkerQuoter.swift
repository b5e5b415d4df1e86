import Foundation

/// Keeps COPY from ending early: in CSV, a line holding only `\.` is COPY's end-of-data
/// marker, and every row after it would be silently dropped. In a file that line is
/// data, so it is sent quoted (`"\."`), which COPY reads as the value `\.`.
///
/// Follows quoting the way COPY does (every quote character toggles it), so a `\.`
/// inside a quoted multi-line field is left alone. Works across chunk boundaries: the
/// bytes of a possible marker at a line start are held until the line shows whether it
/// is one. One pass over bytes already in memory; nothing else is kept.
struct EndMarkerQuoter {
    let quote: UInt8
    private var inQuotes = false
    private var atLineStart = true
    /// `\`, `\.` or `\.\r` seen at a line start, not yet sent.
    private var held: [UInt8] = []
    /// Records seen so far, counted the way COPY splits them (a newline outside quotes
    /// ends one): what COPY must report having copied.
    private(set) var records = 0
    /// Whether the current record has a byte yet.
    private var recordOpen = false

    private static let backslash = UInt8(ascii: "\\"), dot = UInt8(ascii: "."), cr = UInt8(ascii: "\r"),
        lf = UInt8(ascii: "\n")

    init(quote: Character) {
        self.quote = quote.asciiValue ?? UInt8(ascii: "\"")
    }

    /// The bytes to send for `bytes`; nil when they go as they are (the common case).
    ///
    /// A chunk with no backslash at a line start outside quotes (nearly every chunk) is
    /// only scanned for its quotes and newlines with `memchr`, which jumps from one to
    /// the next; the rest go byte by byte.
    mutating func filter(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        if held.isEmpty, let counted = scan(bytes) {
            (inQuotes, atLineStart, records, recordOpen) = counted
            return nil
        }
        return filterBytes(bytes)
    }

    /// The state after `bytes` when none of them needs quoting; nil when one might.
    private func scan(_ bytes: UnsafeRawBufferPointer) -> (Bool, Bool, Int, Bool)? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return (inQuotes, atLineStart, records, recordOpen) }
        var (quoted, lineStart, count, open) = (inQuotes, atLineStart, records, recordOpen)
        let end = bytes.count
        func next(_ byte: UInt8, from index: Int) -> Int {
            guard index < end, let found = memchr(base + index, Int32(byte), end - index) else { return end }
            return base.distance(to: UnsafeRawPointer(found))
        }
        if lineStart && !quoted && bytes[0] == Self.backslash { return nil }
        var nextQuote = next(quote, from: 0), nextNewline = next(Self.lf, from: 0)
        var index = 0
        while nextQuote < end || nextNewline < end {
            if nextQuote < nextNewline {
                quoted.toggle()
                index = nextQuote + 1
                nextQuote = next(quote, from: index)
                open = true
            } else {
                index = nextNewline + 1
                nextNewline = next(Self.lf, from: index)
                if quoted {
                    open = true
                    continue
                }
                count += 1
                open = false
                if index < end {
                    if bytes[index] == Self.backslash { return nil }
                    open = true
                } else {
                    lineStart = true
                }
            }
        }
        if index < end { open = true }
        // The last byte decides whether the next chunk starts a line.
        lineStart = bytes[end - 1] == Self.lf && !quoted
        return (quoted, lineStart, count, open)
    }

    private mutating func filterBytes(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: [UInt8]?
        // With `output`, the bytes before `copied` are in it (or held, or replaced).
        var copied = 0
        func take(upTo index: Int) {
            if output == nil {
                var started = Array(bytes[0..<index])
                started.reserveCapacity(bytes.count + 4)
                output = started
            } else if copied < index {
                output?.append(contentsOf: bytes[copied..<index])
            }
            copied = index
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if !held.isEmpty {
                take(upTo: index)
                if (held == [Self.backslash] && byte == Self.dot) || (held == [Self.backslash, Self.dot] && byte == Self.cr) {
                    held.append(byte)
                    index += 1
                    copied = index
                    continue
                }
                if byte == Self.lf && held.count >= 2 {
                    output?.append(contentsOf: [quote, Self.backslash, Self.dot, quote] + held.dropFirst(2))
                    // The newline itself is handled below, as any other byte.
                } else {
                    output?.append(contentsOf: held)
                    atLineStart = false
                }
                held = []
            }
            if atLineStart && !inQuotes && byte == Self.backslash {
                recordOpen = true
                take(upTo: index)
                held = [byte]
                index += 1
                copied = index
                continue
            }
            if byte == quote { inQuotes.toggle() }
            atLineStart = byte == Self.lf && !inQuotes
            if atLineStart {
                records += 1
                recordOpen = false
            } else {
                recordOpen = true
            }
            index += 1
        }
        if output != nil { take(upTo: bytes.count) }
        return output
    }

    /// What is still held at the end of the input: a last line `\.` without a newline
    /// is sent quoted too.
    mutating func finish() -> [UInt8] {
        if recordOpen || !held.isEmpty { records += 1 }
        recordOpen = false
        defer { held = [] }
        if held.count >= 2 { return [quote, Self.backslash, Self.dot, quote] + held.dropFirst(2) }
        return held
    }
}
