public import CredsyncCore

/// Reads the dates the province's systems write: `2025-03-05`, `2025/3/5`, `2025.03.05`,
/// `2025年3月5日`, `20250305` and `2025-03-05 00:00:00` (a time, if any, is ignored).
/// Full-width digits are read as digits.
public enum LocalDateParser {
    public static func parse(_ text: String) -> LocalDate? {
        if let date = parseASCII(text) { return date }
        // Groups of digits closed by - / . 年 月 日; full-width ASCII read as half-width; a space
        // or T ends the date. One group of 8 digits, or 4, 1–2 and 1–2 digits, make a date.
        var closed: [(value: Int, length: Int)] = []
        var value = 0
        var length = 0
        for scalar in text.unicodeScalars {
            var code = scalar.value
            if (0xFF01...0xFF5E).contains(code) { code -= 0xFEE0 }
            switch code {
            case 0x20, 0x54:  // space, T
                break
            case 0x30...0x39:
                if length < 9 { value = value * 10 + Int(code - 0x30) }
                length += 1
                continue
            case 0x2D, 0x2F, 0x2E, 0x5E74, 0x6708, 0x65E5:  // - / . 年 月 日
                guard length > 0, closed.count < 3 else { return nil }
                closed.append((value, length))
                value = 0
                length = 0
                continue
            default:
                return nil
            }
            break
        }
        if length > 0 {
            guard closed.count < 3 else { return nil }
            closed.append((value, length))
        }
        if closed.count == 1, closed[0].length == 8 {
            let v = closed[0].value
            return LocalDate(year: v / 10000, month: v / 100 % 100, day: v % 100)
        }
        guard closed.count == 3, closed[0].length == 4, (1...2).contains(closed[1].length),
            (1...2).contains(closed[2].length)
        else { return nil }
        return LocalDate(year: closed[0].value, month: closed[1].value, day: closed[2].value)
    }

    /// The common ASCII forms without allocating: `YYYY-MM-DD` (and `/`, `.`), `YYYYMMDD`, with an optional time.
    static func parseASCII(_ text: String) -> LocalDate? {
        text.utf8.withContiguousStorageIfAvailable(parseASCII) ?? Array(text.utf8).withUnsafeBufferPointer(parseASCII)
    }

    private static func parseASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> LocalDate? {
        var parts = (0, 0, 0)
        var lengths = (0, 0, 0)
        var group = 0
        for byte in bytes {
            switch byte {
            case 0x30...0x39:
                let digit = Int(byte - 0x30)
                // No group of a date has more than 8 digits: a longer one stops here, before it overflows.
                if (group == 0 ? lengths.0 : group == 1 ? lengths.1 : lengths.2) == 8 { return nil }
                switch group {
                case 0: parts.0 = parts.0 * 10 + digit; lengths.0 += 1
                case 1: parts.1 = parts.1 * 10 + digit; lengths.1 += 1
                default: parts.2 = parts.2 * 10 + digit; lengths.2 += 1
                }
            case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."):
                group += 1
                if group > 2 { return nil }
            case UInt8(ascii: " "), UInt8(ascii: "T"):
                if group == 2 || (group == 0 && lengths.0 == 8) { break }
                return nil
            default:
                return nil
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "T") { break }
        }
        if group == 0, lengths.0 == 8 {
            return LocalDate(year: parts.0 / 10000, month: parts.0 / 100 % 100, day: parts.0 % 100)
        }
        guard group == 2, lengths.0 == 4, (1...2).contains(lengths.1), (1...2).contains(lengths.2) else { return nil }
        return LocalDate(year: parts.0, month: parts.1, day: parts.2)
    }
}
