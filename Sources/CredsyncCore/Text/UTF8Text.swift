/// Strings from bytes that must be well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing past U+10FFFF).
///
/// `String(validating:as:)` is generic and, called across modules, is not specialised: for the
/// millions of short strings of an export or a queue its metadata lookups cost more than the check.
public enum UTF8Text {
    /// Whether `text` holds `needle`, compared byte by byte: `String.contains` and
    /// `firstRange(of:)` go through Foundation or generic searchers, too slow on a hot path.
    public static func contains(_ text: String, _ needle: String) -> Bool {
        var text = text
        var needle = needle
        return text.withUTF8 { haystack in
            needle.withUTF8 { pattern in
                guard let first = pattern.first, pattern.count <= haystack.count else { return false }
                for start in 0...(haystack.count - pattern.count) where haystack[start] == first {
                    var k = 1
                    while k < pattern.count, haystack[start + k] == pattern[k] { k += 1 }
                    if k == pattern.count { return true }
                }
                return false
            }
        }
    }

    /// The string of `bytes`, or nil when they are not well-formed UTF-8.
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isWellFormed(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
    }

    public static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    public static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        check(bytes, allowingByteOrderMark: true)
    }

    /// Whether `bytes` are well-formed UTF-8 that holds no byte-order mark (U+FEFF): the check an
    /// export's values pass, where a stray mark is damage, never part of a value.
    public static func isWellFormedWithoutByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        check(bytes, allowingByteOrderMark: false)
    }

    /// Whether `bytes` hold the UTF-8 of U+FEFF (EF BB BF) anywhere.
    public static func containsByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 3 else { return false }
        return (0...(bytes.count - 3)).contains { bytes[$0] == 0xEF && bytes[$0 + 1] == 0xBB && bytes[$0 + 2] == 0xBF }
    }

    @inline(__always)
    private static func check(_ bytes: UnsafeBufferPointer<UInt8>, allowingByteOrderMark: Bool) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            // ASCII runs, eight bytes at a time.
            if let base = bytes.baseAddress, i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE: length = 3
            case 0xEF:
                length = 3
                if !allowingByteOrderMark, i + 2 < count, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF { return false }
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard i + length <= count else { return false }
            let second = bytes[i + 1]
            guard second >= low && second <= high else { return false }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
