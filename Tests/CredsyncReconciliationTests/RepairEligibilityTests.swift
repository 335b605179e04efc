import CredsyncCore
import TestSupport
import Testing

@testable import CredsyncFormats

/// The day a credit repair becomes eligible is the day `decide` first lets a repair take effect:
/// the forecast and the plan read one rule.
@Suite struct RepairEligibilityTests {
    @Test(arguments: [("一般", "2026-06-05"), ("严重", "2027-03-05")])
    func repairAllowedFromIsTheFirstDayARepairWithdraws(severity: String, first: String) throws {
        let rules = try Records.rules()
        let record = try Records.map(.penalty, Records.penalty.merging(["严重程度": severity]) { $1 })
        let allowed = try #require(rules.repairAllowedFrom(record, dataset: .penalty))
        #expect(allowed.date == day(first))
        #expect(allowed.severity == severity)
        for (repair, withdraws) in [(allowed.date, true), (allowed.date.adding(days: -1), false)] {
            let repaired = try Records.map(
                .penalty, Records.penalty.merging(["严重程度": severity, "信用修复日期": repair.iso]) { $1 })
            let state = rules.decide(repaired, dataset: .penalty, asOf: allowed.date.adding(days: 1)).state
            #expect(
                (state == .withdrawn(reason: "repaired", since: repair)) == withdraws,
                "repair dated \(repair.iso): \(state)")
        }
    }

    @Test func onlyPenaltiesWaitForARepairPeriod() throws {
        let rules = try Records.rules()
        #expect(rules.hasRepairMinimum(.penalty))
        #expect(!rules.hasRepairMinimum(.license) && !rules.hasRepairMinimum(.dishonesty))
        #expect(rules.repairAllowedFrom(try Records.map(.license, Records.license), dataset: .license) == nil)
    }
}
