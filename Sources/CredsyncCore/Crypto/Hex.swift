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
}
