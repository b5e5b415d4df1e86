import Foundation
import PostgresClient

/// A CSV file (or standard input) read in fixed-size chunks, so memory stays flat
/// however large the file is. The header line, if any, is taken off the front; the
/// rest goes to COPY as it is read.
final class CSVFile {
    let label: String
    private let handle: FileHandle
    private let ownsHandle: Bool
    /// Bytes read past the header, not yet sent.
    private var pending = Data()
    /// Total size when known (a regular file), for progress.
    let size: Int?
    private(set) var bytesRead = 0
    private var bomChecked = false
    static let chunkSize = 1 << 20
    /// What goes to COPY at a time. The server reads a whole CopyData message before it
    /// parses a byte of it, so with 1 MiB messages it waited while each arrived and the
    /// client while it parsed; 64 KiB keeps both busy: the 200k-row annuity file's COPY
    /// 296–315 ms → 258–269 ms (16 KiB: 281–302 ms), side by side in one run.
    static let copyChunkSize = 1 << 16

    init(path: String) throws(FKBackfillError) {
        if path == "-" {
            label = "<stdin>"
            handle = FileHandle.standardInput
            ownsHandle = false
            size = nil
        } else {
            label = path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw FKBackfillError("cannot read \(path): it is a directory", hint: "pass a CSV file, or - for standard input", kind: .badInput(line: nil))
            }
            guard FileManager.default.isReadableFile(atPath: path) || !FileManager.default.fileExists(atPath: path),
                  let opened = FileHandle(forReadingAtPath: path) else {
                throw FKBackfillError(
                    "cannot open \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"),
                    hint: "pass an existing CSV file, or - for standard input", kind: .badInput(line: nil))
            }
            handle = opened
            ownsHandle = true
            size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
    }

    deinit {
        if ownsHandle { try? handle.close() }
    }

    /// Reads what is there, up to a chunk: `read(2)` returns as soon as a pipe has data,
    /// so a slow producer on standard input streams into COPY as it writes.
    private func readChunk(size: Int = chunkSize) throws(FKBackfillError) -> Data? {
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, size) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                let reason = errno == EISDIR ? "it is a directory" : String(cString: strerror(errno))
                throw FKBackfillError("cannot read \(label): \(reason)", kind: .badInput(line: nil))
            }
            guard count > 0 else { return nil }
            bytesRead += count
            return Data(buffer[0..<count])
        }
    }

    /// Drops a UTF-8 byte order mark at the very start.
    private func stripBOM() throws(FKBackfillError) {
        guard !bomChecked else { return }
        bomChecked = true
        if pending.isEmpty, let chunk = try readChunk() { pending = chunk }
        if pending.starts(with: [0xEF, 0xBB, 0xBF]) { pending.removeFirst(3) }
    }

    /// Lines the header took (more than one when a quoted name holds a newline).
    private(set) var headerLines = 0

    /// Where the first record ends: the first newline outside quotes.
    private func headerEnd(_ quote: UInt8) -> Data.Index? {
        var quoted = false
        for index in pending.indices {
            let byte = pending[index]
            if byte == quote { quoted.toggle() } else if byte == UInt8(ascii: "\n") && !quoted { return index }
        }
        return nil
    }

    /// Reads and parses the first record. Nil when the file is empty.
    func readHeader(_ options: CSVOptions) throws(FKBackfillError) -> [String]? {
        try stripBOM()
        let quote = options.quote.asciiValue ?? UInt8(ascii: "\"")
        while headerEnd(quote) == nil {
            guard pending.count < 16 << 20, let chunk = try readChunk() else { break }
            pending.append(chunk)
        }
        guard !pending.isEmpty else { return nil }
        let end = headerEnd(quote) ?? pending.endIndex
        headerLines = 1 + pending[pending.startIndex..<end].filter { $0 == UInt8(ascii: "\n") }.count
        var line = pending[pending.startIndex..<end]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        pending = end < pending.endIndex ? Data(pending[(end + 1)...]) : Data()
        return CSVHeader.parse(String(decoding: line, as: UTF8.self), options: options)
    }

    /// Hands everything not yet read to `body`, chunk by chunk as read: the read-only
    /// validation splits the records itself (`CSVRecordParser`) instead of sending them to COPY.
    func chunks(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try stripBOM()
        if !pending.isEmpty {
            try pending.withUnsafeBytes(body)
            pending = Data()
        }
        while let chunk = try readChunk() { try chunk.withUnsafeBytes(body) }
    }

    /// Sends everything not yet read to COPY, chunk by chunk; `lines`, when given, sees
    /// the same bytes to map records to line numbers.
    ///
    /// A line holding only `\.` is sent quoted (`EndMarkerQuoter`): unquoted, COPY would
    /// take it for the end of the data and drop every row after it.
    /// - Returns: how many records were sent, counted as COPY splits them.
    @discardableResult
    func stream(to writer: borrowing CopyWriter, quote: Character, lines: CSVLineTracker? = nil,
                progress: ((Int, Int?) -> Void)?) throws -> Int {
        try stripBOM()
        var quoter = EndMarkerQuoter(quote: quote)
        func send(_ bytes: UnsafeRawBufferPointer) throws {
            lines?.consume(bytes)
            if let changed = quoter.filter(bytes) {
                try changed.withUnsafeBytes { try writer.write($0) }
            } else {
                try writer.write(bytes)
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBytes(send)
            pending = Data()
        }
        while let chunk = try readChunk(size: Self.copyChunkSize) {
            try chunk.withUnsafeBytes(send)
            progress?(bytesRead, size)
        }
        let rest = quoter.finish()
        if !rest.isEmpty { try rest.withUnsafeBytes { try writer.write($0) } }
        return quoter.records
    }
}
