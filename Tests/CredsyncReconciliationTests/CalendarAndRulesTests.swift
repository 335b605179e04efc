import CredsyncCatalogs
import CredsyncCore
import CredsyncMapping
import Foundation
import TestSupport
import Testing

@testable import CredsyncFormats

func day(_ text: String) -> LocalDate { LocalDate(iso: text) ?? LocalDate(dayNumber: 0) }

@Suite struct WorkingCalendarTests {
    let calendar: WorkingCalendar

    init() throws { calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json") }

    @Test(arguments: [
        ("2025-01-27", 1, "2025-02-05"),  // Spring Festival 2025: 28 Jan – 4 Feb off
        ("2025-01-24", 1, "2025-01-26"),  // Sunday 26 Jan 2025 is a working day (调休)
        ("2025-02-07", 1, "2025-02-08"),  // and so is Saturday 8 Feb
        ("2026-02-13", 1, "2026-02-14"),  // Saturday 14 Feb 2026 works
        ("2026-02-13", 2, "2026-02-24"),  // 15–23 Feb 2026 off
        ("2026-09-24", 7, "2026-10-12"),  // Mid-Autumn and National Day 2026, 10 Oct works
        ("2025-12-31", 1, "2026-01-04"),  // across the year: 1–3 Jan 2026 off, Sunday 4 Jan works
        ("2026-11-20", 0, "2026-11-20"),
    ])
    func addsWorkingDaysAcrossHolidaysAndAdjustedWeekends(start: String, days: Int, expected: String) throws {
        #expect(try calendar.adding(workingDays: days, to: day(start)).iso == expected)
    }

    @Test func dateOutsideTheCalendarNamesTheMissingYear() {
        do {
            _ = try calendar.adding(workingDays: 7, to: day("2026-12-28"))
            Issue.record("no error for 2027")
        } catch {
            #expect(error.year == 2027)
            #expect(error.description.contains("has no holidays for 2027"))
        }
    }
}

/// Records of the reference exports mapped through the shipped mapping files.
struct Records {
    static let organisation = Fixture.organisation

    static func map(_ dataset: Dataset, _ values: [String: String]) throws -> MappedRecord {
        let definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json")
        let mapper = Mapper(definition: definition, organisation: organisation, today: day("2026-12-31"))
        let row = CatalogRow(file: "t", line: 2, values: definition.columns.map { values[$0] ?? "" })
        guard case .record(let record) = mapper.map(row) else {
            throw CredsyncError(.dataError, "row set aside: \(mapper.map(row))")
        }
        return record
    }

    static let penalty: [String: String] = [
        "决定书文号": "浙知处〔2026〕1号", "当事人名称": "杭州示例科技有限公司", "当事人类型": "企业",
        "统一社会信用代码": "91330100716105852F", "法定代表人": "张三", "违法行为类型": "假冒专利", "违法事实": "事实", "处罚依据": "依据",
        "处罚种类": "罚款", "处罚内容": "内容", "罚款金额（元）": "1000", "决定日期": "2026-03-05", "处罚有效期": "2026-03-05",
        "严重程度": "一般", "处罚机关": "浙江省知识产权局", "处罚机关代码": "11330000MB12345679",
    ]

    static let dishonesty: [String: String] = [
        "decisionNo": "浙知失〔2026〕1号", "subjectName": "杭州示例科技有限公司", "subjectType": "企业",
        "uscc": "91330100716105852F", "legalRep": "张三", "reason": "其他", "basis": "依据", "authority": "浙江省知识产权局",
        "authorityCode": "11330000MB12345679", "listedOn": "2026-03-05", "expectedRemovalOn": "2027-03-05",
    ]

    static func rules() throws -> PublicityRules {
        let calendar = try WorkingCalendar(file: Binaries.packageRoot + "/mappings/calendar-cn.json")
        let mappings = try Dataset.allCases.map {
            try MappingLoader.load(Binaries.packageRoot + "/mappings/\($0.rawValue).json")
        }
        return try PublicityRules.load(
            Binaries.packageRoot + "/mappings/publicity.json", calendar: calendar, mappings: mappings)
    }
}

@Suite struct PublicityRuleTests {
    let rules: PublicityRules

    init() throws { rules = try Records.rules() }

    func state(_ dataset: Dataset, _ values: [String: String], asOf: String) throws -> PublicityState {
        rules.decide(try Records.map(dataset, values), dataset: dataset, asOf: day(asOf)).state
    }

    @Test func penaltyIsPublishedFromItsDecisionDate() throws {
        #expect(try state(.penalty, Records.penalty, asOf: "2026-03-04") == .notYet(from: day("2026-03-05")))
        #expect(try state(.penalty, Records.penalty, asOf: "2026-03-05") == .published(since: day("2026-03-05")))
    }

    @Test func penaltyIsWithdrawnTheDayAfterItsPublicityEnd() throws {
        let values = Records.penalty.merging(["公示截止日期": "2026-09-05"]) { $1 }
        #expect(try state(.penalty, values, asOf: "2026-09-05") == .published(since: day("2026-03-05")))
        #expect(
            try state(.penalty, values, asOf: "2026-09-06") == .withdrawn(reason: "expired", since: day("2026-09-06")))
        #expect(
            try state(.penalty, values, asOf: "2026-09-07") == .withdrawn(reason: "expired", since: day("2026-09-06")))
    }

    @Test func penaltyWithoutPublicityEndRunsOneYearForOrdinaryThreeForSerious() throws {
        #expect(try state(.penalty, Records.penalty, asOf: "2027-03-05") == .published(since: day("2026-03-05")))
        #expect(
            try state(.penalty, Records.penalty, asOf: "2027-03-06")
                == .withdrawn(reason: "expired", since: day("2027-03-06")))
        let serious = Records.penalty.merging(["严重程度": "严重"]) { $1 }
        #expect(try state(.penalty, serious, asOf: "2029-03-05") == .published(since: day("2026-03-05")))
        #expect(
            try state(.penalty, serious, asOf: "2029-03-06") == .withdrawn(reason: "expired", since: day("2029-03-06")))
    }

    @Test func repairTakesEffectOnItsDateOnceTheMinimumPeriodHasRun() throws {
        let onTime = Records.penalty.merging(["信用修复日期": "2026-06-05"]) { $1 }
        #expect(try state(.penalty, onTime, asOf: "2026-06-04") == .published(since: day("2026-03-05")))
        #expect(
            try state(.penalty, onTime, asOf: "2026-06-05") == .withdrawn(reason: "repaired", since: day("2026-06-05")))
        let early = Records.penalty.merging(["信用修复日期": "2026-06-04"]) { $1 }
        let decision = rules.decide(try Records.map(.penalty, early), dataset: .penalty, asOf: day("2026-07-01"))
        #expect(decision.state == .published(since: day("2026-03-05")))
        #expect(decision.warnings.first?.contains("before the minimum period for 一般 (from 2026-06-05)") == true)
        let seriousEarly = Records.penalty.merging(["严重程度": "严重", "信用修复日期": "2027-03-04"]) { $1 }
        #expect(try state(.penalty, seriousEarly, asOf: "2027-04-01") == .published(since: day("2026-03-05")))
        let seriousOnTime = Records.penalty.merging(["严重程度": "严重", "信用修复日期": "2027-03-05"]) { $1 }
        #expect(
            try state(.penalty, seriousOnTime, asOf: "2027-03-05")
                == .withdrawn(reason: "repaired", since: day("2027-03-05")))
    }

    @Test func dishonestyIsWithdrawnOnItsRemovalDateWithItsReason() throws {
        #expect(try state(.dishonesty, Records.dishonesty, asOf: "2026-03-04") == .notYet(from: day("2026-03-05")))
        let revoked = Records.dishonesty.merging(["removedOn": "2026-05-01", "removalReason": "撤销列入"]) { $1 }
        #expect(try state(.dishonesty, revoked, asOf: "2026-04-30") == .published(since: day("2026-03-05")))
        #expect(
            try state(.dishonesty, revoked, asOf: "2026-05-01")
                == .withdrawn(reason: "revoked", since: day("2026-05-01")))
        let repaired = Records.dishonesty.merging(["removedOn": "2026-09-01", "removalReason": "信用修复"]) { $1 }
        #expect(
            try state(.dishonesty, repaired, asOf: "2026-09-01")
                == .withdrawn(reason: "repaired", since: day("2026-09-01")))
        #expect(try state(.dishonesty, Records.dishonesty, asOf: "2027-03-04") == .published(since: day("2026-03-05")))
        #expect(
            try state(.dishonesty, Records.dishonesty, asOf: "2027-03-05")
                == .withdrawn(reason: "expired", since: day("2027-03-05")))
    }

    @Test func publicationDeadlineIsSevenWorkingDaysAndWithdrawalThree() throws {
        let decision = rules.decide(
            try Records.map(
                .penalty,
                Records.penalty.merging(["决定日期": "2026-09-24", "处罚有效期": "2026-09-24", "公示截止日期": "2026-09-30"]) { $1 }),
            dataset: .penalty, asOf: day("2026-10-02"))
        #expect(try rules.publicationDue(decision) == day("2026-10-12"))
        #expect(decision.state == .withdrawn(reason: "expired", since: day("2026-10-01")))
        // 8, 9 and Saturday 10 October are the three working days.
        #expect(try rules.withdrawalDue(decision) == day("2026-10-10"))
    }
}
