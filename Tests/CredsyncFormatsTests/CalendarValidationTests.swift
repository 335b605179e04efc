import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncFormats

/// The working-day calendar and the publicity rules given in a shape their loaders do not expect:
/// each is an error naming the file and the JSON path, never a year quietly left without holidays.
@Suite struct CalendarValidationTests {
    /// The calendar's problems, or "loaded".
    func calendarProblems(_ text: String) throws -> String {
        let directory = try TemporaryDirectory("calendar")
        let file = try directory.write("calendar.json", text)
        do {
            _ = try WorkingCalendar(file: file)
            return "loaded"
        } catch {
            return error.message.replacingOccurrences(of: file, with: "calendar.json")
        }
    }

    static let good2025 = #""2025": {"off": ["2025-10-01"], "work": ["2025-09-28"]}"#

    @Test(arguments: [
        (#""2026": "see the notice""#, #"years.2026: must be an object, not a string"#),
        (
            #""2026": {"holidays": ["2026-10-01"]}"#,
            "years.2026.off: is required\n  years.2026.holidays: unknown key (known keys: off, work)"
        ),
        (
            #""2026": {"of": ["2026-10-01"]}"#,
            "years.2026.off: is required\n  years.2026.of: unknown key (did you mean \"off\"?)"
        ),
        (
            #""2026": {"off": ["2026-10-01"], "work": ["2026-10-01"]}"#,
            "years.2026.work[0]: 2026-10-01 is also off (years.2026.off[0]) (a day is either a holiday or an "
                + "adjusted working day; check the State Council notice)"
        ),
        (#""2026": {"off": [20261001]}"#, "years.2026.off[0]: must be a string, not 20261001"),
        (
            #""2026": {"off": ["2025-10-01"]}"#,
            #"years.2026.off[0]: "2025-10-01" is not a date of 2026 (write it like "2026-10-01")"#
        ),
        (
            #""２０２６": {"off": []}"#,
            "years.２０２６: is not a year (write the year as four digits, 1949 to 2200)"
        ),
        (#""999999999": {"off": []}"#, "years.999999999: is not a year (write the year as four digits, 1949 to 2200)"),
    ])
    func badYearNamesTheFileAndPath(year: String, expected: String) throws {
        let text = try calendarProblems(#"{"years": {\#(Self.good2025), \#(year)}}"#)
        let count = expected.components(separatedBy: "\n").count
        #expect(text == "calendar.json: \(count) problem\(count == 1 ? "" : "s"):\n  \(expected)", "\(text)")
    }

    @Test func unknownTopLevelKeyIsReported() throws {
        let text = try calendarProblems(#"{"yaers": {\#(Self.good2025)}}"#)
        #expect(
            text == "calendar.json: 2 problems:\n  years: is required\n  yaers: unknown key (did you mean \"years\"?)")
    }

    @Test func shippedCalendarLoadsAndCommentsAreIgnored() throws {
        let calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json")
        #expect(calendar.years == [2025, 2026])
        #expect(try calendarProblems(#"{"//": "x", "years": {"// 2025": "notice", \#(Self.good2025)}}"#) == "loaded")
    }

    @Test func misspeltDefaultWithdrawalReasonIsReported() throws {
        let directory = try TemporaryDirectory("publicity")
        let file = try directory.write(
            "publicity.json",
            #"{"datasets": {"dishonesty": {"publishedFrom": {"field": "SX_LRRQ"}, "#
                + #""removal": {"defaultReason": "expird"}}}}"#
        )
        let calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json")
        let mapping = try MappingLoader.load(Binaries.packageRoot + "/mappings/dishonesty.json")
        do {
            _ = try PublicityRules.load(file, calendar: calendar, mappings: [mapping])
            Issue.record("loaded an unknown withdrawal reason")
        } catch {
            #expect(
                error.message == "\(file): 1 problem:\n  datasets.dishonesty.removal.defaultReason: "
                    + #""expird" is not a withdrawal reason (did you mean "expired"?)"#)
        }
    }

    @Test func configuredDatasetWithoutAPublicityRuleIsReported() throws {
        let directory = try TemporaryDirectory("publicity")
        let file = try directory.write(
            "publicity.json", #"{"datasets": {"license": {"publishedFrom": {"field": "XK_JDRQ"}}}}"#)
        let calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json")
        let mappings = try ["license", "penalty"].map {
            try MappingLoader.load(Binaries.packageRoot + "/mappings/\($0).json")
        }
        do {
            _ = try PublicityRules.load(file, calendar: calendar, mappings: mappings)
            Issue.record("loaded without a penalty rule")
        } catch {
            #expect(
                error.message == "\(file): 1 problem:\n  datasets.penalty: is required"
                    + #" (every configured dataset needs its rule; at least {"publishedFrom": {"field": …}})"#)
        }
    }

    @Test func publicityRuleThatIsNotAnObjectIsReported() throws {
        let directory = try TemporaryDirectory("publicity")
        let file = try directory.write("publicity.json", #"{"datasets": {"license": "XK_JDRQ"}}"#)
        let calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json")
        let mapping = try MappingLoader.load(Binaries.packageRoot + "/mappings/license.json")
        do {
            _ = try PublicityRules.load(file, calendar: calendar, mappings: [mapping])
            Issue.record("loaded a rule given as a string")
        } catch {
            #expect(
                error.message == "\(file): 1 problem:\n  datasets.license: must be an object, not a string"
                    + #" (write it like {"publishedFrom": {"field": …}})"#)
        }
    }
}
