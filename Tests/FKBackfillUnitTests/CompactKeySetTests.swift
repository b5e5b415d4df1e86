@testable import FKBackfill
import Foundation
import Testing

/// `CompactKeySet` against `Set<String>`: the same answers for every insert, through
/// many growths of its table, with empty, NUL-joined, non-ASCII, chunk-crossing and
/// chunk-sized keys.
@Suite struct CompactKeySetTests {
    @Test func answersAsASetDoes() throws {
        var generator = SystemRandomNumberGenerator()
        var compact = CompactKeySet()
        var reference = Set<String>()
        let alphabet = Array("ab\u{0}é年金 ")
        for round in 0..<200_000 {
            let length = round % 97 == 0 ? Int.random(in: 0...300, using: &generator) : Int.random(in: 0...6, using: &generator)
            let key = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let inserted = try compact.insert(key)
            #expect(inserted == reference.insert(key).inserted, "\(key.debugDescription)")
            if !inserted { #expect(compact.contains(key)) }
        }
        #expect(compact.count == reference.count)
        for key in reference.prefix(1000) { #expect(compact.contains(key)) }
        #expect(!compact.contains("not there at all"))
    }

    @Test func keysLongerThanAChunk() throws {
        var compact = CompactKeySet()
        let long = String(repeating: "x", count: CompactKeySet.chunkSize + 10)
        let almost = String(repeating: "y", count: CompactKeySet.chunkSize - 2)
        for key in [long, "a", almost, "b", long + "z", almost] { _ = try compact.insert(key) }
        #expect(compact.count == 5)
        for key in [long, "a", almost, "b", long + "z"] { #expect(compact.contains(key)) }
        #expect(!compact.contains(String(long.dropLast())))
        #expect(try !compact.insert(long))
    }
}
