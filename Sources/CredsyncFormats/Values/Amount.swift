/// Exact decimal amounts: 元 to 万元, written in the canonical form national-formats.md asks for.
public enum Amount {
    /// Why an amount could not be converted.
    public enum Problem: Error, Equatable {
        case notANumber
        case negative
        case tooManyDecimals(Int)
    }

    /// `text` in 元 (thousands separators, a trailing 元 and spaces allowed) as 万元: `"12,000.50"` → `"1.20005"`.
    public static func yuanToWan(_ text: String) throws(Problem) -> String {
        try shifted(text, by: 4)
    }

    /// A 万元 amount already, in canonical form: `"0.20"` → `"0.2"`.
    public static func canonical(_ text: String) throws(Problem) -> String {
        try shifted(text, by: 0)
    }

    /// Whether separators at `positions` of `digits` (a sign, integer digits, maybe a fraction)
    /// group the integer part in threes from the point: `12,000.50` yes, `12,34` and `1,2345` no.
    static func thousandsSeparated(_ digits: String, at positions: [Int]) -> Bool {
        let scalars = Array(digits.unicodeScalars)
        let sign = scalars.first == "-" || scalars.first == "+" ? 1 : 0
        let point = scalars.firstIndex(of: ".") ?? scalars.count
        var previous = sign
        for position in positions {
            let group = position - previous
            guard position < point, group == 3 || (previous == sign && (1...3).contains(group)) else { return false }
            previous = position
        }
        return point - previous == 3
    }

    /// Divides by 10^`places` exactly, on the decimal digits.
    static func shifted(_ text: String, by places: Int) throws(Problem) -> String {
        var cleaned = ""
        // Where each thousands separator stood, counted in digits from the start.
        var separators: [Int] = []
        for scalar in Normalizer.halfWidth(text).unicodeScalars {
            switch scalar {
            case ",": separators.append(cleaned.unicodeScalars.count)
            case " ", "\u{00A0}", "\u{3000}", "元": continue
            default: cleaned.unicodeScalars.append(scalar)
            }
        }
        if !separators.isEmpty, !thousandsSeparated(cleaned, at: separators) { throw .notANumber }
        if cleaned.hasPrefix("-") { throw .negative }
        if cleaned.hasPrefix("+") { cleaned.removeFirst() }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !cleaned.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty))
        else { throw .notANumber }
        var integer = Array(parts[0])
        var fraction = parts.count == 2 ? Array(parts[1]) : []
        // Move `places` digits from the integer part to the fraction.
        for _ in 0..<places {
            fraction.insert(integer.popLast() ?? "0", at: 0)
        }
        while integer.first == "0" { integer.removeFirst() }
        while fraction.last == "0" { fraction.removeLast() }
        if fraction.count > 6 { throw .tooManyDecimals(fraction.count) }
        let whole = integer.isEmpty ? "0" : String(integer)
        return fraction.isEmpty ? whole : whole + "." + String(fraction)
    }
}
