/// The differential test's own random numbers: SplitMix64, so that a seed gives the same
/// case on every platform and every Swift version (the standard library's generator and
/// its `random(in:)` algorithms promise neither).
struct DiffRandom {
    /// The same SplitMix64 RandomInputTests uses.
    private var generator: RandomInputTests.Generator

    init(seed: UInt64) { generator = RandomInputTests.Generator(state: seed) }

    /// The seed of case `index` of a run seeded with `seed`: a case reproduces on its own,
    /// without generating the cases before it.
    static func caseSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        var mixer = DiffRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }

    mutating func next() -> UInt64 { generator.next() }

    /// A number in `range`, by modulo (the bias is irrelevant here, determinism is not).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }
}
