import Foundation

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014; the reference constants of Vigna's `splitmix64.c`): a seedable, repeatable generator for
/// the synthetic population.
///
/// Written here rather than taken from a library: the standard library's generator cannot be
/// seeded, none of the packages this project builds from provides a seedable one, and the whole
/// algorithm is three lines. Its output only has to be repeatable and well spread, never
/// unpredictable: it must not be used for anything secret.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for one entity (a patient, a practice) of a seeded run: the seed
    /// and the entity's number are mixed so that neighbouring numbers give unrelated streams.
    public init(seed: UInt64, stream: UInt64, salt: UInt64 = 0) {
        var mixer = SeededGenerator(seed: seed ^ (salt &* 0xD1B5_4A32_D192_ED03))
        let base = mixer.next()
        state = base ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in `0..<1`.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniform integer in `range` (Lemire's method through the standard library).
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// One element, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }

    /// A Poisson-distributed count with mean `mean` (Knuth's product method: small means only).
    public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = Foundation.exp(-mean)
        var product = unit()
        var count = 0
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }
}
