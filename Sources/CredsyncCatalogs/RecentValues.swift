#if canImport(Glibc)
    import Glibc
#endif

/// The texts decoded lately in one column of a batch, found again by their bytes: a value that
/// comes back within the batch (an authority, its code, a category, a certificate's name) is taken
/// again instead of decoded and allocated again. A small table, one slot a hash, the newest value
/// winning its slot; a column whose values hardly ever come back stops being looked up, so a
/// column of unique values costs a few lookups a batch, not one a row.
struct RecentValues {
    /// Values longer than this are not kept: long texts (a remark, a licence's content) rarely repeat.
    static let longest = 96
    static let slots = 64
    /// After this many lookups, a column with fewer hits than `lookups / 4` is no longer looked up.
    static let trial = 128

    /// For each slot, where in the batch's bytes its text was decoded from, and the text (nil: empty).
    private var ranges: [Range<Int>]
    private var texts: [String?]
    private var lookups = 0
    private var hits = 0
    private(set) var isGivenUp = false

    init() {
        ranges = Array(repeating: 0..<0, count: Self.slots)
        texts = Array(repeating: nil, count: Self.slots)
    }

    /// The slot `range` of `bytes` hashes to: its length and its first and last eight bytes mixed.
    @inline(__always)
    static func slot(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base + range.lowerBound)
        var word = UInt64(range.count)
        if range.count >= 8 {
            word ^= raw.loadUnaligned(as: UInt64.self)
            word ^= raw.loadUnaligned(fromByteOffset: range.count - 8, as: UInt64.self).rotateLeft(29)
        } else {
            for i in 0..<range.count { word = word << 8 | UInt64(raw.load(fromByteOffset: i, as: UInt8.self)) }
        }
        word &*= 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: word >> 58)
    }

    /// The text decoded earlier from the same bytes as `range`, or nil (`slot` tells where to `keep`).
    @inline(__always)
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, slot: Int) -> String? {
        lookups += 1
        if let text = texts[slot], Self.sameBytes(bytes, ranges[slot], range) {
            hits += 1
            return text
        }
        if lookups == Self.trial && hits * 4 < lookups { isGivenUp = true }
        return nil
    }

    /// Keeps `text`, decoded from `range` of the batch's bytes, in `slot`.
    @inline(__always)
    mutating func keep(_ text: String, from range: Range<Int>, slot: Int) {
        ranges[slot] = range
        texts[slot] = text
    }

    static func sameBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count, let base = bytes.baseAddress else { return a.count == b.count }
        return a.isEmpty || memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotateLeft(_ n: UInt64) -> UInt64 { self << n | self >> (64 - n) }
}
