/// Byte tests eight bytes a step, for the scans that run over every value of every record. Each
/// uses the exact "has a zero byte" word test: `(w - 0x01…01) & ~w & 0x80…80` is not zero exactly
/// when some byte of `w` is zero.
public enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func hasZero(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether any of `bytes` is `a` or `b`.
    public static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ a: UInt8, _ b: UInt8) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let (wordA, wordB) = (ones &* UInt64(a), ones &* UInt64(b))
        var i = 0
        while i + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if hasZero(word ^ wordA) || hasZero(word ^ wordB) { return true }
            i += 8
        }
        // The last few bytes: the last eight again when there are eight, else one by one.
        if i < bytes.count && bytes.count >= 8 {
            let word = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
            return hasZero(word ^ wordA) || hasZero(word ^ wordB)
        }
        while i < bytes.count {
            if bytes[i] == a || bytes[i] == b { return true }
            i += 1
        }
        return false
    }

    /// Whether any of `text`'s UTF-8 bytes is `a` or `b`.
    public static func contains(_ text: String, _ a: UInt8, _ b: UInt8) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { contains($0, a, b) } ?? text.utf8.contains { $0 == a || $0 == b }
    }
}
