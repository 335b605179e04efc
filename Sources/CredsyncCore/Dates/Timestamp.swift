#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock instants as Unix seconds, and their RFC 3339 form in UTC.
public enum Timestamp {
    /// Seconds since the Unix epoch, with sub-second precision.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Seconds from an arbitrary start that never goes backwards: for durations.
    public static func monotonic() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `2026-11-22T01:02:03Z`, or with milliseconds when `fractional`.
    /// An instant outside years 1 to 9999 (or not finite) is shown as the nearest end of that range.
    public static func rfc3339(_ seconds: Double, fractional: Bool = false) -> String {
        let seconds = seconds.isFinite ? min(max(seconds, -62_135_596_800), 253_402_300_799) : 0
        let whole = Int(seconds.rounded(.down))
        let days = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        let secondOfDay = whole - days * 86400
        let date = LocalDate(dayNumber: days)
        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text =
            date.iso + "T" + pad(secondOfDay / 3600) + ":" + pad(secondOfDay / 60 % 60) + ":" + pad(secondOfDay % 60)
        if fractional {
            let millis = min(999, Int(((seconds - Double(whole)) * 1000).rounded(.down)))
            text += "." + pad(millis, 3)
        }
        return text + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` into Unix seconds.
    public static func parseRFC3339(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, let date = LocalDate(iso: String(decoding: chars[0..<10], as: UTF8.self)),
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t") || chars[10] == UInt8(ascii: " ")
        else { return nil }
        func num(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
        guard chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let hh = num(11..<13), let mm = num(14..<16), let ss = num(17..<19), hh < 24, mm < 60, ss < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < chars.count, (0x30...0x39).contains(chars[i]) {
                fraction += Double(chars[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < chars.count else { return nil }
        var offset = 0
        if chars[i] == UInt8(ascii: "Z") || chars[i] == UInt8(ascii: "z") {
            guard i + 1 == chars.count else { return nil }
        } else if chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") {
            guard i + 6 == chars.count, chars[i + 3] == UInt8(ascii: ":"), let oh = num(i + 1..<i + 3),
                let om = num(i + 4..<i + 6)
            else { return nil }
            offset = (oh * 3600 + om * 60) * (chars[i] == UInt8(ascii: "+") ? 1 : -1)
        } else {
            return nil
        }
        return Double(date.dayNumber * 86400 + hh * 3600 + mm * 60 + ss - offset) + fraction
    }
}
