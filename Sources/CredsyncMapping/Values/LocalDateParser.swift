import CredsyncCore

/// Reads the dates the province's systems write: `2025-03-05`, `2025/3/5`, `2025.03.05`,
/// `2025年3月5日`, `20250305` and `2025-03-05 00:00:00` (a time, if any, is ignored).
/// Full-width digits are read as digits.
public enum LocalDateParser {
    public static func parse(_ text: String) -> LocalDate? {
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
}
