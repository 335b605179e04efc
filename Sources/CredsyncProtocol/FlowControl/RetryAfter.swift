public import CredsyncCore

/// A `Retry-After` header read as RFC 9110 §10.2.3 has it: delay-seconds (`1*DIGIT`) or an
/// HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms). Anything else, `-1` and
/// `1e300` included, is not a Retry-After.
public enum RetryAfter {
    /// The seconds to wait, never negative and always finite, or nil when `text` is neither form.
    /// A date is taken against `date` (the answer's `Date` header) when it parses, else `now`.
    /// Huge delays saturate (at about 31,000 years); the caller clamps them.
    public static func seconds(_ text: String?, date: String? = nil, now: Double = Timestamp.now()) -> Double? {
        guard let text = text?.trimmingSpaces(), !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            var value = 0.0
            for byte in text.utf8 { value = min(1e12, value * 10 + Double(byte - 0x30)) }
            return value
        }
        guard let instant = httpDate(text) else { return nil }
        let reference = date.flatMap(httpDate) ?? now
        return min(1e12, max(0, instant - reference))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds of an HTTP-date, or nil.
    public static func httpDate(_ text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let day: Int?
        let month: Int?
        let year: Int?
        let time: String
        switch words.count {
        case 6 where words[5] == "GMT":  // Sun, 06 Nov 1994 08:49:37 GMT
            (day, month, year, time) = (Int(words[1]), months.firstIndex(of: words[2]), Int(words[3]), words[4])
            if words[3].count != 4 { return nil }
        case 4 where words[3] == "GMT":  // Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, parts[2].count == 2, let yy = Int(parts[2]) else { return nil }
            (day, month, year, time) = (
                Int(parts[0]), months.firstIndex(of: parts[1]), yy < 70 ? 2000 + yy : 1900 + yy, words[2]
            )
        case 5:  // Sun Nov  6 08:49:37 1994
            (day, month, year, time) = (Int(words[2]), months.firstIndex(of: words[1]), Int(words[4]), words[3])
            if words[4].count != 4 { return nil }
        default: return nil
        }
        let clock = time.split(separator: ":").map { Int($0) }
        guard let day, let month, let year, clock.count == 3, time.count == 8,
            let hour = clock[0], let minute = clock[1], let second = clock[2], hour < 24, minute < 60, second < 61,
            let civil = LocalDate(year: year, month: month + 1, day: day)
        else { return nil }
        return Double(civil.dayNumber * 86400 + hour * 3600 + minute * 60 + second)
    }
}
