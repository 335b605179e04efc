/// Lower-case hexadecimal, as every hash and signature on the wire is written.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The lower-case hex form of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `hex` is the lower-case hex form of `bytes`, compared without making a string.
    public static func matches(_ bytes: some Collection<UInt8>, _ hex: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hex.count == bytes.count * 2 else { return false }
        for (i, byte) in bytes.enumerated() {
            guard hex[2 * i] == digits[Int(byte >> 4)], hex[2 * i + 1] == digits[Int(byte & 0x0F)] else { return false }
        }
        return true
    }
}
