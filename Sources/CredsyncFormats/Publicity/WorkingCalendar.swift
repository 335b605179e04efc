public import CredsyncCore

/// Working days per the State Council's holiday notices (`mappings/calendar-cn.json`): a day is a
/// working day when a notice makes it one (调休), or when it is Monday to Friday and no notice makes
/// it a holiday. A date in a year the calendar does not cover is an error naming the year, never a
/// guess from weekends alone.
public struct WorkingCalendar: Sendable {
    public let file: String
    /// The years the notices cover.
    public let years: Set<Int>
    /// Every day from the first covered year's first day to the last one's last: 0 when its year
    /// is not covered, 1 when off, 2 when a working day. Built once; a deadline costs a few reads.
    private let days: [UInt8]
    private let firstDay: Int

    /// The years a calendar may cover: a year outside is a typo, and would size the day table.
    public static let coverableYears = 1949...2200

    /// Reads `file`. Every problem is reported at once with its JSON path: a year that is not a
    /// number or not an object, an unknown key (a misspelt `off` would drop a year's holidays), a
    /// date outside its year, a date both off and working.
    public init(file: String) throws(CredsyncError) {
        self.file = file
        let object = try JSONFile.object(file)
        let sink = ProblemSink()
        let root = ObjectReader(object, path: "", sink: sink)
        _ = root.value("about")
        _ = root.object("sources")
        var off: Set<LocalDate> = []
        var work: Set<LocalDate> = []
        var years: Set<Int> = []
        if let yearsReader = root.object("years", required: true) {
            for member in yearsReader.object where !member.key.hasPrefix("//") {
                let isDigits = member.key.utf8.count == 4 && member.key.utf8.allSatisfy { (0x30...0x39).contains($0) }
                guard isDigits, let year = Int(member.key), Self.coverableYears.contains(year) else {
                    _ = yearsReader.value(member.key)
                    yearsReader.problem(
                        member.key, "is not a year",
                        hint: "write the year as four digits, "
                            + "\(Self.coverableYears.lowerBound) to \(Self.coverableYears.upperBound)")
                    continue
                }
                guard let yearReader = yearsReader.object(member.key) else { continue }
                var offHere: [LocalDate: Int] = [:]
                for (kind, isOff) in [("off", true), ("work", false)] {
                    for (i, text) in (yearReader.strings(kind, required: isOff) ?? []).enumerated() {
                        let path = yearReader.childPath(kind) + "[\(i)]"
                        guard let date = LocalDate(iso: text), date.year == year else {
                            sink.problems.append(
                                ConfigProblem(
                                    path, "\"\(text)\" is not a date of \(year)",
                                    hint: "write it like \"\(year)-10-01\""))
                            continue
                        }
                        if isOff {
                            offHere[date] = i
                            off.insert(date)
                        } else if let j = offHere[date] {
                            let offPath = yearReader.childPath("off") + "[\(j)]"
                            sink.problems.append(
                                ConfigProblem(
                                    path, "\(text) is also off (\(offPath))",
                                    hint: "a day is either a holiday or an adjusted working day; "
                                        + "check the State Council notice"))
                        } else {
                            work.insert(date)
                        }
                    }
                }
                yearReader.rejectUnknownKeys()
                years.insert(year)
            }
        }
        root.rejectUnknownKeys()
        guard sink.problems.isEmpty else { throw FormatLoader.problems(file, sink) }
        self.years = years
        func newYear(_ year: Int) -> Int { LocalDate(year: year, month: 1, day: 1)?.dayNumber ?? 0 }
        let first = newYear(years.min() ?? 1970)
        let end = newYear((years.max() ?? 1969) + 1)
        firstDay = first
        days = (first..<max(first, end)).map { number in
            let date = LocalDate(dayNumber: number)
            guard years.contains(date.year) else { return 0 }
            if work.contains(date) { return 2 }
            if off.contains(date) { return 1 }
            return date.isoWeekday <= 5 ? 2 : 1
        }
    }

    /// Why a date cannot be judged: its year is not in the calendar.
    public struct MissingYear: Error, Sendable, CustomStringConvertible {
        public var year: Int
        public var file: String
        public var description: String {
            "the working-day calendar \(file) has no holidays for \(year); add the State Council's notice for \(year) to it"
        }
    }

    public func isWorkingDay(_ date: LocalDate) throws(MissingYear) -> Bool {
        try isWorkingDay(number: date.dayNumber)
    }

    private func isWorkingDay(number: Int) throws(MissingYear) -> Bool {
        let i = number - firstDay
        guard i >= 0, i < days.count, days[i] != 0 else {
            throw MissingYear(year: LocalDate(dayNumber: number).year, file: file)
        }
        return days[i] == 2
    }

    /// The `n`-th working day after `date` (the day itself does not count): the last day of a
    /// deadline of `n` working days.
    public func adding(workingDays n: Int, to date: LocalDate) throws(MissingYear) -> LocalDate {
        var day = date.dayNumber
        var left = n
        while left > 0 {
            day += 1
            if try isWorkingDay(number: day) { left -= 1 }
        }
        return LocalDate(dayNumber: day)
    }

}
