/// Lower-case hexadecimal, as every hash and signature on the wire is written.
public enum Hex {
    /// The lower-case hex digit of a nibble (0–15), worked out rather than read from a table: a
    /// global table costs a lazy-initialisation check on every read, and the plan compares a
    /// million digests.
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// The lower-case hex form of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `hex` is the lower-case hex form of `bytes`, compared without making a string.
    public static func matches(_ bytes: some Collection<UInt8>, _ hex: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hex.count == bytes.count * 2 else { return false }
        var i = 0
        for byte in bytes {
            guard hex[i] == digit(byte >> 4), hex[i + 1] == digit(byte & 0x0F) else { return false }
            i += 2
        }
        return true
    }
}
