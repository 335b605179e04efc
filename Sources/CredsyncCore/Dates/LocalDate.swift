#if canImport(Glibc)
    import Glibc
#endif

/// A calendar date with no time or zone: the unit of every publicity and deadline rule.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A date, if `year`-`month`-`day` exists in the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the ISO form `YYYY-MM-DD` exactly.
    public init?(iso text: String) {
        let parts =
            text.utf8.withContiguousStorageIfAvailable(Self.isoParts)
            ?? Array(text.utf8).withUnsafeBufferPointer(Self.isoParts)
        guard let parts else { return nil }
        self.init(year: parts.year, month: parts.month, day: parts.day)
    }

    /// The numbers of `YYYY-MM-DD`, read on its bytes.
    private static func isoParts(_ bytes: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int, day: Int)? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        var digits = (0, 0, 0)
        var number = 0
        for i in 0..<10 where i != 4 && i != 7 {
            let digit = bytes[i] &- 0x30
            guard digit < 10 else { return nil }
            number = number * 10 + Int(digit)
            if i == 3 { digits.0 = number; number = 0 }
            if i == 6 { digits.1 = number; number = 0 }
        }
        digits.2 = number
        return (digits.0, digits.1, digits.2)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The first and last day numbers of years 1 to 9999.
    static let dayNumbers = -719_162...2_932_896

    /// The date `dayNumber` days after 1970-01-01, clamped to years 1 to 9999.
    public init(dayNumber: Int) {
        let z = min(max(dayNumber, Self.dayNumbers.lowerBound), Self.dayNumbers.upperBound) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The date `days` later (or earlier, when negative), clamped to years 1 to 9999.
    public func adding(days: Int) -> LocalDate {
        let days = min(max(days, -Self.dayNumbers.count), Self.dayNumbers.count)
        return LocalDate(dayNumber: dayNumber + days)
    }

    /// The same day `months` later, clamped to the month's last day (2024-02-29 + 12 months = 2025-02-28).
    /// A result outside years 1 to 9999 is the nearest end of that range.
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + min(max(months, -120_000), 120_000)
        if total < 12 { return LocalDate(dayNumber: Self.dayNumbers.lowerBound) }
        if total >= 120_000 { return LocalDate(dayNumber: Self.dayNumbers.upperBound) }
        let y = total / 12
        let m = total % 12 + 1
        let d = min(day, LocalDate.daysIn(month: m, year: y))
        return LocalDate(year: y, month: m, day: d) ?? self
    }

    /// The same day `years` later, 29 February becoming 28 February in a common year.
    public func adding(years: Int) -> LocalDate { adding(months: min(max(years, -10_000), 10_000) * 12) }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    /// `YYYY-MM-DD`.
    public var iso: String { formatted(separator: "-") }

    /// The date with the given separator between zero-padded parts: `-` for gsxt, `/` for credit and ipp.
    public func formatted(separator: String) -> String {
        guard (0...9999).contains(year), separator.utf8.count == 1, let mark = separator.utf8.first else {
            func pad(_ n: Int, _ width: Int) -> String {
                let s = String(n)
                return String(repeating: "0", count: max(0, width - s.count)) + s
            }
            return pad(year, 4) + separator + pad(month, 2) + separator + pad(day, 2)
        }
        // The common case, written as ten ASCII bytes (a small string: no allocation).
        let digit = { (n: Int) in UInt8(ascii: "0") + UInt8(n % 10) }
        let bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            digit(year / 1000), digit(year / 100), digit(year / 10), digit(year), mark,
            digit(month / 10), digit(month), mark, digit(day / 10), digit(day)
        )
        return withUnsafeBytes(of: bytes) { String(decoding: $0, as: UTF8.self) }
    }

    public var description: String { iso }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Today in Asia/Shanghai (UTC+8 all year: China has kept no daylight saving time since 1991).
    public static func todayInShanghai(now: Double = Timestamp.now()) -> LocalDate {
        let now = now.isFinite ? min(max(now, -62_135_596_800), 253_402_300_799) : 0
        let seconds = Int(now.rounded(.down)) + 8 * 3600
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        return LocalDate(dayNumber: days)
    }
}
