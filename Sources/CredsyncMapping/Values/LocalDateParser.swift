import CredsyncCore

/// Reads the dates the province's systems write: `2025-03-05`, `2025/3/5`, `2025.03.05`,
/// `2025年3月5日`, `20250305` and `2025-03-05 00:00:00` (a time, if any, is ignored).
/// Full-width digits are read as digits.
public enum LocalDateParser {
    public static func parse(_ text: String) -> LocalDate? {
        if let date = parseASCII(text) { return date }
        var digits: [Int] = []
        var groups: [[Int]] = []
        var scalars = Array(Normalizer.halfWidth(text).unicodeScalars)
        // Drop a time part: after a space or 'T' following the date.
        if let cut = scalars.firstIndex(where: { $0 == " " || $0 == "T" }) { scalars = Array(scalars[..<cut]) }
        for scalar in scalars {
            if let value = scalar.properties.numericType != nil ? Int(String(scalar)) : nil, scalar.isASCII {
                digits.append(value)
                continue
            }
            switch scalar {
            case "-", "/", ".", "年", "月":
                guard !digits.isEmpty else { return nil }
                groups.append(digits)
                digits = []
            case "日":
                guard !digits.isEmpty else { return nil }
                groups.append(digits)
                digits = []
            default:
                return nil
            }
        }
        if !digits.isEmpty { groups.append(digits) }
        func number(_ group: [Int]) -> Int { group.reduce(0) { $0 * 10 + $1 } }
        if groups.count == 1, groups[0].count == 8 {
            let g = groups[0]
            return LocalDate(year: number(Array(g[0..<4])), month: number(Array(g[4..<6])), day: number(Array(g[6..<8])))
        }
        guard groups.count == 3, groups[0].count == 4, (1...2).contains(groups[1].count), (1...2).contains(groups[2].count)
        else { return nil }
        return LocalDate(year: number(groups[0]), month: number(groups[1]), day: number(groups[2]))
    }

    /// The common ASCII forms without allocating: `YYYY-MM-DD` (and `/`, `.`), `YYYYMMDD`, with an optional time.
    static func parseASCII(_ text: String) -> LocalDate? {
        var parts = (0, 0, 0)
        var lengths = (0, 0, 0)
        var group = 0
        var count = 0
        for byte in text.utf8 {
            count += 1
            switch byte {
            case 0x30...0x39:
                let digit = Int(byte - 0x30)
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
