/// Durations written as operators write them: `90s`, `5m`, `6h`, `7d`, `1h30m`.
public enum DurationText {
    /// Seconds in `text`, or nil when it is not a duration. Never traps: a number too large for a
    /// Double, or a sum past it, is not a duration (nil) rather than infinity.
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        for c in text.trimmingSpaces() {
            if c.isASCII, c.isNumber || c == "." {
                number.append(c)
                continue
            }
            guard let value = Double(number), value.isFinite else { return nil }
            let unit: Double
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 7 * 86400
            default: return nil
            }
            total += value * unit
            guard total.isFinite else { return nil }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total.isFinite else { return nil }
        return total
    }

    /// Whether `text` is written like a duration (digits and units) even if its value is too large.
    public static func isDurationShaped(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces()
        guard let last = trimmed.last, "smhdw".contains(last), trimmed.first?.isASCII == true,
            trimmed.first?.isNumber == true
        else { return false }
        return trimmed.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || "smhdw".contains($0)) }
    }

    /// `2d 3h`, `45m`, `12s`: the largest two units, for tables. Never traps: a negative or NaN
    /// value reads as `0s`, one past about 31 million years as that bound.
    public static func describe(_ seconds: Double) -> String {
        // Clamped to about 31 million years (infinity too; NaN and negatives are 0), so that no value
        // traps the conversion.
        let s = seconds > 0 ? Int(min(seconds, 1e15).rounded()) : 0
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 > 0 ? "\(s % 60)s" : "") }
        if s < 86400 { return "\(s / 3600)h" + (s % 3600 / 60 > 0 ? "\(s % 3600 / 60)m" : "") }
        return "\(s / 86400)d" + (s % 86400 / 3600 > 0 ? "\(s % 86400 / 3600)h" : "")
    }
}

extension StringProtocol {
    /// The text without ASCII white space at either end.
    public func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
            end = scalars.index(before: end)
        }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
