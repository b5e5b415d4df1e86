import Foundation
import PostgresClient

/// Splits CSV bytes into records and fields the way COPY (FORMAT csv) does, for the
/// read-only validation that cannot hand the file to COPY (docs/validate.md, "Read-only
/// sessions and standbys"): it sends the fields to the server as bound arrays instead.
///
/// Followed from PostgreSQL 15's `copyfromparse.c`: the quote is also the escape (a
/// doubled quote inside quotes is one quote); a quote anywhere in a field opens a quoted
/// part; an unquoted field equal to the null string is NULL, a quoted one is text; a
/// newline inside quotes belongs to the field; the end of line is `\n`, `\r\n` or `\r`,
/// fixed by the first record, and another one outside quotes is an error; a line
/// holding only `\.` is data (the staged path sends it quoted, `EndMarkerQuoter`). Where
/// COPY refuses the file (too many or too few fields, bytes that are not UTF-8 or a NUL,
/// an unterminated quoted field, a stray line ending) this throws a `Failure` with COPY's
/// message, SQLSTATE and line count (`copyLine`, its `cur_lineno`: records plus the
/// newlines inside quotes it counts), so the error names the line the staged path names.
///
/// Each record's `line` is where it starts, counted as `CSVLineTracker` counts (every
/// `\n`), the numbering of validate's samples. Bytes are fed in chunks of any size; only
/// the unfinished record is kept between them.
struct CSVRecordParser {
    /// COPY's refusal of the file.
    struct Failure: Error, Equatable {
        /// The server's message, e.g. `extra data after last expected column`.
        var message: String
        /// 22P04 (bad_copy_file_format) or 22021 (character_not_in_repertoire).
        var sqlState: String
        /// COPY's line number of the failure, counted from the first record fed (1).
        var copyLine: Int
        /// The file line the failing record starts on (as `CSVLineTracker` counts): what
        /// the staged path's error names, from COPY's count mapped by its tracker.
        var line: Int
    }

    private enum LineEnd { case unknown, lf, cr, crlf }

    let delimiter: UInt8, quote: UInt8
    let null: [UInt8]
    /// The input's column names, in order: how many fields a record must have.
    let columns: [String]
    /// The file line of the first record fed (2 after a one-line header).
    let firstLine: Int

    private var carry: [UInt8] = []
    private var lineEnd = LineEnd.unknown
    /// Lines (`\n`) before the carried record, from `firstLine`.
    private var line: Int
    /// COPY's `cur_lineno` after the last complete record.
    private var copyLine = 0
    /// Records completed so far.
    private(set) var records = 0

    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(options: CSVOptions, columns: [String], firstLine: Int) {
        delimiter = options.delimiter.asciiValue ?? UInt8(ascii: ",")
        quote = options.quote.asciiValue ?? UInt8(ascii: "\"")
        null = Array(options.null.utf8)
        self.columns = columns
        self.firstLine = firstLine
        line = firstLine
    }

    /// Feeds the next bytes; `record` is called with each record completed, its fields
    /// (nil for NULL) and the line it starts on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ record: ([String?], Int) throws -> Void) throws {
        carry.append(contentsOf: bytes)
        try split(atEnd: false, record)
    }

    /// The end of the input: a last record without a line ending, or an open quote.
    mutating func finish(_ record: ([String?], Int) throws -> Void) throws {
        try split(atEnd: true, record)
    }

    /// Takes every complete record off the front of `carry` (all of it at the end).
    private mutating func split(atEnd: Bool, _ record: ([String?], Int) throws -> Void) throws {
        var start = 0, index = 0, inQuote = false
        var embedded = 0  // newlines inside quotes, as COPY counts them
        let count = carry.count
        while index < count {
            let byte = carry[index]
            if byte == quote {
                inQuote.toggle()
            } else if inQuote {
                if byte == (lineEnd == .lf ? Self.lf : Self.cr) { embedded += 1 }
            } else if byte == Self.cr || byte == Self.lf {
                var next = index + 1
                if byte == Self.cr {
                    if lineEnd == .unknown || lineEnd == .crlf {
                        guard index + 1 < count || atEnd else { break }  // the next byte decides
                        if index + 1 < count && carry[index + 1] == Self.lf {
                            lineEnd = .crlf
                            next += 1
                        } else if lineEnd == .crlf {
                            try fail(start, index, embedded, "unquoted carriage return found in data")
                        } else {
                            lineEnd = .cr
                        }
                    } else if lineEnd == .lf {
                        try fail(start, index, embedded, "unquoted carriage return found in data")
                    }
                } else if lineEnd == .cr || lineEnd == .crlf {
                    try fail(start, index, embedded, "unquoted newline found in data")
                } else {
                    lineEnd = .lf
                }
                try complete(start, index, embedded, endsWithNewline: next > index + 1 || byte == Self.lf, record)
                start = next
                index = next
                embedded = 0
                continue
            }
            index += 1
        }
        if atEnd && start < count {
            try complete(start, count, embedded, endsWithNewline: false, record)
            start = count
        }
        if start > 0 { carry.removeFirst(start) }
    }

    /// COPY's refusal at `index` of the record at `start`: an invalid byte before it wins,
    /// as COPY reads (and verifies) the bytes in order.
    private func fail(_ start: Int, _ index: Int, _ embedded: Int, _ message: String) throws -> Never {
        try verify(start, index)
        throw Failure(message: message, sqlState: Self.badCopyFileFormat, copyLine: copyLine + 1 + embedded, line: line)
    }

    /// Verifies `carry[from..<to]` as UTF-8 without NUL, as COPY's input check does.
    private func verify(_ from: Int, _ to: Int) throws {
        guard let bad = UTF8Check.firstInvalid(carry, from, to) else { return }
        var newlines = 0
        for index in from..<bad.offset where carry[index] == (lineEnd == .lf ? Self.lf : Self.cr) { newlines += 1 }
        throw Failure(message: "invalid byte sequence for encoding \"UTF8\": " + bad.shown,
                      sqlState: Self.characterNotInRepertoire, copyLine: copyLine + 1 + newlines, line: line)
    }

    /// One record, `carry[start..<end]` without its line ending: verified, split, counted.
    private mutating func complete(
        _ start: Int, _ end: Int, _ embedded: Int, endsWithNewline: Bool, _ record: ([String?], Int) throws -> Void
    ) throws {
        try verify(start, end)
        let recordLine = line
        copyLine += 1 + embedded
        // Its failures name COPY's count after the record and the line it starts on.
        let fields = try fields(start, end)
        // Lines as CSVLineTracker counts them: every `\n` (a `\r` alone ends a record, not a line).
        line += carry[start..<end].reduce(0) { $1 == Self.lf ? $0 + 1 : $0 } + (endsWithNewline ? 1 : 0)
        records += 1
        try record(fields, recordLine)
    }

    /// The fields of `carry[start..<end]`, as COPY's `CopyReadAttributesCSV` reads them.
    private func fields(_ start: Int, _ end: Int) throws -> [String?] {
        // A line of `\.` alone is the end marker to COPY: the staged path sends it quoted.
        if end - start == 2 && carry[start] == UInt8(ascii: "\\") && carry[start + 1] == UInt8(ascii: ".") {
            return try shaped(["\\."])
        }
        var fields: [String?] = []
        var index = start
        var value: [UInt8] = []
        while true {
            value.removeAll(keepingCapacity: true)
            var sawQuote = false, foundDelimiter = false
            scan: while index < end {
                let byte = carry[index]
                index += 1
                if byte == delimiter { foundDelimiter = true; break scan }
                if byte != quote { value.append(byte); continue }
                sawQuote = true
                while true {
                    guard index < end else {
                        throw Failure(message: "unterminated CSV quoted field", sqlState: Self.badCopyFileFormat, copyLine: copyLine, line: line)
                    }
                    let inner = carry[index]
                    index += 1
                    if inner == quote {
                        if index < end && carry[index] == quote { value.append(quote); index += 1; continue }
                        break
                    }
                    value.append(inner)
                }
            }
            fields.append(!sawQuote && value == null ? nil : String(decoding: value, as: UTF8.self))
            if !foundDelimiter { break }
        }
        return try shaped(fields)
    }

    /// `fields` when there are as many as columns; COPY's error otherwise.
    private func shaped(_ fields: [String?]) throws -> [String?] {
        if fields.count > columns.count {
            throw Failure(message: "extra data after last expected column", sqlState: Self.badCopyFileFormat, copyLine: copyLine, line: line)
        }
        if fields.count < columns.count {
            throw Failure(message: "missing data for column \"\(columns[fields.count])\"", sqlState: Self.badCopyFileFormat, copyLine: copyLine, line: line)
        }
        return fields
    }

    static let badCopyFileFormat = SQLState.badCopyFileFormat
    static let characterNotInRepertoire = SQLState.characterNotInRepertoire
}

/// PostgreSQL's UTF-8 input check (`pg_utf8_islegal`, NUL refused too), and how its error
/// shows the bad sequence (`report_invalid_encoding`: as many bytes as the lead byte
/// announces, those there are).
enum UTF8Check {
    static func firstInvalid(_ bytes: [UInt8], _ from: Int, _ to: Int) -> (offset: Int, shown: String)? {
        var index = from
        while index < to {
            let lead = bytes[index]
            if lead != 0 && lead < 0x80 { index += 1; continue }
            let length = lead == 0 ? 1 : lead & 0xE0 == 0xC0 ? 2 : lead & 0xF0 == 0xE0 ? 3 : lead & 0xF8 == 0xF0 ? 4 : 1
            // A legal sequence never holds an ASCII byte, so it cannot run past the record.
            if length > 1 && index + length <= bytes.count && legal(bytes, index, length) {
                index += length
                continue
            }
            let shown = bytes[index..<min(index + length, bytes.count)].map { String(format: "0x%02x", $0) }.joined(separator: " ")
            return (index, shown)
        }
        return nil
    }

    private static func legal(_ bytes: [UInt8], _ at: Int, _ length: Int) -> Bool {
        let lead = bytes[at]
        func continuation(_ byte: UInt8) -> Bool { byte >= 0x80 && byte <= 0xBF }
        for offset in 1..<length where !continuation(bytes[at + offset]) { return false }
        let second = bytes[at + 1]
        switch length {
        case 2: return lead >= 0xC2
        case 3:
            if lead == 0xE0 { return second >= 0xA0 }
            if lead == 0xED { return second <= 0x9F }
            return true
        default:
            if lead == 0xF0 { return second >= 0x90 }
            if lead == 0xF4 { return second <= 0x8F }
            return lead < 0xF4
        }
    }
}
