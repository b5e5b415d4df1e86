/// The differential test's own random numbers: SplitMix64, so that a seed gives the same
/// case on every platform and every Swift version (the standard library's generator and
/// its `random(in:)` algorithms promise neither).
struct DiffRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The seed of case `index` of a run seeded with `seed`: a case reproduces on its own,
    /// without generating the cases before it.
    static func caseSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        var mixer = DiffRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range`, by modulo (the bias is irrelevant here, determinism is not).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }
}
