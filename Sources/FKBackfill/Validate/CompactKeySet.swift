import Foundation

/// A set of keys' texts held compactly, for a validation that streams its input and must
/// count each distinct key once in the client (`Validator.KeyTally`, `UniqueTally`).
///
/// A `Set<String>` held a million 8-byte keys in 32 MB of buckets, and 48 MB while it
/// grew: with the rest of the run that was over the 64 MiB a read-only validation may
/// take. Here the texts sit one after another in 1 MiB chunks (a varint length, then the
/// UTF-8 bytes), and an open-addressing table of 32-bit positions, at most half full,
/// finds them: a million such keys take 9 MB of chunks and 8 MB of table. Exact: keys
/// are compared byte by byte, a hash only chooses where to look.
struct CompactKeySet {
    /// Bytes per chunk, and the bits of a position that address them.
    static let chunkBits = 20
    static let chunkSize = 1 << chunkBits
    /// Chunk 0 is never used, so no position is 0, which marks an empty slot.
    private var chunks: [[UInt8]] = [[]]
    private var slots = [UInt32](repeating: 0, count: 1 << 10)
    private(set) var count = 0
    /// Bytes of the keys held, lengths included.
    private(set) var bytes = 0

    /// A tuple of values as one key: each value tagged, NULL empty (no text stands for
    /// NULL: NUL is in no text), joined by NUL.
    static func tuple(_ values: [String?]) -> String {
        values.map { $0.map { "\u{1}" + $0 } ?? "" }.joined(separator: "\u{0}")
    }

    /// The values of a key `tuple` made.
    static func values(ofTuple text: String) -> [String?] {
        text.split(separator: "\u{0}", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : String($0.dropFirst()) }
    }

    /// Adds `key`; false when it was already there.
    mutating func insert(_ key: String) throws -> Bool {
        var key = key
        return try key.withUTF8 { try insert(utf8: $0) }
    }

    func contains(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { find($0).found }
    }

    private mutating func insert(utf8 key: UnsafeBufferPointer<UInt8>) throws -> Bool {
        let (slot, found) = find(key)
        if found { return false }
        slots[slot] = try append(key)
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func find(_ key: UnsafeBufferPointer<UInt8>) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let position = slots[slot]
            if position == 0 { return (slot, false) }
            if equals(position, key) { return (slot, true) }
            slot = (slot + 1) & mask
        }
    }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        return hasher.finalize()
    }

    /// Where the text at `position` starts, and its length.
    private func locate(_ position: UInt32) -> (chunk: Int, start: Int, length: Int) {
        let chunk = Int(position >> UInt32(Self.chunkBits))
        var offset = Int(position & UInt32(Self.chunkSize - 1))
        var length = 0
        var shift = 0
        while true {
            let byte = chunks[chunk][offset]
            offset += 1
            length |= Int(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return (chunk, offset, length)
    }

    private func equals(_ position: UInt32, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let (chunk, start, length) = locate(position)
        guard length == key.count else { return false }
        return chunks[chunk].withUnsafeBufferPointer { stored in
            key.isEmpty || memcmp(stored.baseAddress! + start, key.baseAddress!, length) == 0
        }
    }

    /// Stores `key` after the others: in the last chunk if it fits, else in a new one (a
    /// key longer than a chunk gets a chunk of its own size).
    private mutating func append(_ key: UnsafeBufferPointer<UInt8>) throws -> UInt32 {
        var header: [UInt8] = []
        var length = key.count
        repeat {
            header.append(UInt8(length & 0x7f) | (length > 0x7f ? 0x80 : 0))
            length >>= 7
        } while length > 0
        let size = header.count + key.count
        if chunks.count == 1 || chunks[chunks.count - 1].count + size > Self.chunkSize {
            guard chunks.count < 1 << (32 - Self.chunkBits) else {
                throw FKBackfillError("more than 4 GB of distinct keys to count in the client", kind: .database(sqlState: nil))
            }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(Self.chunkSize, size))
            chunks.append(chunk)
        }
        let last = chunks.count - 1
        let position = UInt32(last) << UInt32(Self.chunkBits) | UInt32(chunks[last].count)
        chunks[last].append(contentsOf: header)
        chunks[last].append(contentsOf: key)
        bytes += size
        return position
    }

    /// Every key held, in the order inserted (the chunks hold them one after another).
    func forEach(_ body: (String) throws -> Void) rethrows {
        for chunk in chunks.dropFirst() {
            var offset = 0
            while offset < chunk.count {
                var length = 0
                var shift = 0
                while true {
                    let byte = chunk[offset]
                    offset += 1
                    length |= Int(byte & 0x7f) << shift
                    if byte < 0x80 { break }
                    shift += 7
                }
                try body(String(decoding: chunk[offset..<offset + length], as: UTF8.self))
                offset += length
            }
        }
    }

    /// Twice the slots, every key placed again.
    private mutating func grow() {
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for position in old where position != 0 {
            let (chunk, start, length) = locate(position)
            var slot = chunks[chunk].withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<start + length])) } & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = position
        }
    }
}
