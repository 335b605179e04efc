/// Byte tests eight bytes a step, for the scans that run over every value of every record. The
/// word tests are the exact ones of "bit twiddling hacks": `(w - 0x01…01) & ~w & 0x80…80` is not
/// zero exactly when some byte of `w` is zero, and `(w - n×0x01…01) & ~w & 0x80…80` exactly when
/// some byte is below `n` (n ≤ 0x80).
public enum ByteScan {
    @usableFromInline package static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline package static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is zero.
    @inlinable @inline(__always)
    package static func hasZero(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether some byte of `word` is below `limit` (at most 0x80).
    @inlinable @inline(__always)
    package static func hasLess(_ word: UInt64, than limit: UInt8) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    /// Whether some byte of `word` is `byte`.
    @inlinable @inline(__always)
    package static func has(_ word: UInt64, _ byte: UInt8) -> Bool {
        hasZero(word ^ (ones &* UInt64(byte)))
    }

    /// Whether `wordTest` holds for some eight bytes of `bytes` (the last eight read again for
    /// the tail), or, when there are fewer than eight, `byteTest` for some byte.
    @inlinable @inline(__always)
    package static func any(
        _ bytes: UnsafeBufferPointer<UInt8>, word wordTest: (UInt64) -> Bool, byte byteTest: (UInt8) -> Bool
    ) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        guard bytes.count >= 8 else { return bytes.contains(where: byteTest) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            if wordTest(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        return i < bytes.count && wordTest(raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
    }

    /// Whether any of `bytes` is `a` or `b`.
    public static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ a: UInt8, _ b: UInt8) -> Bool {
        any(bytes, word: { has($0, a) || has($0, b) }, byte: { $0 == a || $0 == b })
    }

    /// Whether any of `text`'s UTF-8 bytes is `a` or `b`.
    public static func contains(_ text: String, _ a: UInt8, _ b: UInt8) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { contains($0, a, b) } ?? text.utf8.contains { $0 == a || $0 == b }
    }
}
