import Testing

@testable import CredsyncCore

@Suite struct NationalIdentifierTests {
    @Test(arguments: ["91110000710925462X", "91440300708461136T", "91330100716105852F", "11330000MB12345679"])
    func validUSCCPasses(code: String) {
        #expect(NationalIdentifiers.usccProblem(code) == nil)
    }

    @Test func wrongCheckCharacterNamesTheExpectedOne() {
        #expect(NationalIdentifiers.usccProblem("91110000600037341N") == "has a wrong check character (expected L)")
    }

    @Test func usccWithForbiddenLetterOrWrongLengthFails() {
        #expect(NationalIdentifiers.usccProblem("9111000071092546IX")?.contains("character 17 'I'") == true)
        #expect(NationalIdentifiers.usccProblem("9111000071092546") == "has 16 characters, expected 18")
    }

    @Test func idCardChecksDateAndCheckCharacter() {
        #expect(NationalIdentifiers.idCardProblem("11010519491231002X") == nil)
        #expect(NationalIdentifiers.idCardProblem("110105194912310021") == "has a wrong check character (expected X)")
        #expect(NationalIdentifiers.idCardProblem("110105194902300021")?.contains("not a real date") == true)
    }

    @Test func maskingKeepsFirstSixAndLastFour() {
        #expect(NationalIdentifiers.masked("11010519491231002X") == "110105********002X")
    }
}

@Suite struct LocalDateTests {
    @Test func roundTripsDayNumbers() {
        for text in ["1970-01-01", "2024-02-29", "2026-11-22", "2099-12-31", "1969-12-31"] {
            let date = LocalDate(iso: text)
            #expect(date.map { LocalDate(dayNumber: $0.dayNumber) } == date)
            #expect(date?.iso == text)
        }
    }

    @Test func refusesDatesThatDoNotExist() {
        #expect(LocalDate(iso: "2026-02-29") == nil)
        #expect(LocalDate(iso: "2026-13-01") == nil)
        #expect(LocalDate(iso: "2026-1-01") == nil)
    }

    @Test func addingMonthsClampsToTheMonthsEnd() {
        #expect(LocalDate(iso: "2024-02-29")?.adding(years: 1).iso == "2025-02-28")
        #expect(LocalDate(iso: "2025-11-30")?.adding(months: 3).iso == "2026-02-28")
    }

    @Test func weekdayIsISO() {
        #expect(LocalDate(iso: "2026-11-22")?.isoWeekday == 7)
        #expect(LocalDate(iso: "2026-11-23")?.isoWeekday == 1)
    }

    @Test func todayInShanghaiIsUTCPlusEight() {
        // 2026-11-21T16:00:00Z is midnight of the 22nd in Shanghai.
        let midnight = Double(LocalDate(iso: "2026-11-22")!.dayNumber * 86400 - 8 * 3600)
        #expect(LocalDate.todayInShanghai(now: midnight).iso == "2026-11-22")
        #expect(LocalDate.todayInShanghai(now: midnight - 1).iso == "2026-11-21")
    }

    @Test func rfc3339RoundTrips() {
        #expect(Timestamp.rfc3339(1_700_000_000) == "2023-11-14T22:13:20Z")
        #expect(Timestamp.parseRFC3339("2023-11-15T06:13:20+08:00") == 1_700_000_000)
    }

    @Test func durationsParseAndDescribe() {
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("7d") == 604_800)
        #expect(DurationText.seconds("5") == nil)
        #expect(DurationText.describe(93_784) == "1d2h")
    }
}

@Suite struct DidYouMeanTests {
    @Test func suggestsCloseNamesOnly() {
        #expect(DidYouMean.suggestion(for: "--forse", among: ["--force", "--format"]) == "--force")
        #expect(DidYouMean.suggestion(for: "sycn", among: ["sync", "check"]) == "sync")
        #expect(DidYouMean.suggestion(for: "frobnicate", among: ["sync", "check"]) == nil)
    }
}
