/// Natural persons' 证件号码 appear in clear only in what is sent to a platform: everywhere else
/// (logs, errors, reports, queue listings, the audit log) they are masked to the first 6 and
/// last 4 characters.
public enum PersonalData {
    /// `text` with every valid 18-character 身份证号 in it masked.
    public static func mask(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 18 else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        while i < bytes.count {
            let before = i == 0 ? 0 : bytes[i - 1]
            if i + 18 <= bytes.count, !isDigit(before), isDigit(bytes[i]),
                bytes[i..<(i + 17)].allSatisfy(isDigit), bytes[i + 17] == UInt8(ascii: "X") || isDigit(bytes[i + 17]),
                i + 18 == bytes.count || !isDigit(bytes[i + 18]),
                NationalIdentifiers.isValidIDCard(String(decoding: bytes[i..<(i + 18)], as: UTF8.self))
            {
                out.append(contentsOf: bytes[i..<(i + 6)])
                out.append(contentsOf: [UInt8](repeating: UInt8(ascii: "*"), count: 8))
                out.append(contentsOf: bytes[(i + 14)..<(i + 18)])
                i += 18
                changed = true
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}
