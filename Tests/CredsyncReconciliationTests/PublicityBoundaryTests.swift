import CredsyncCore
import TestSupport
import Testing

@testable import CredsyncFormats
@testable import CredsyncReconciliation

extension Records {
    static let license: [String: String] = [
        "许可编号": "ZJ-ZL-2026-09001", "决定书文号": "浙知许〔2026〕901号", "决定书名称": "准予行政许可决定书",
        "相对人名称": "杭州示例科技有限公司", "相对人类型": "企业", "统一社会信用代码": "91330100716105852F", "法定代表人": "张三", "许可事项": "专利代理机构设立",
        "许可类别": "登记", "决定日期": "2026-03-05", "有效期起": "2026-03-05", "有效期止": "2026-06-30", "许可机关": "浙江省知识产权局",
        "许可机关代码": "11330000MB12345679", "状态": "有效",
    ]

    static let pledge: [String: String] = [
        "登记号": "ZX2026009001", "知识产权类型": "专利", "专利号/注册号": "ZL202515821027.7", "知识产权名称": "一种装置",
        "出质人": "杭州示例科技有限公司", "出质人证件号": "91330100716105852F", "质权人": "中国工商银行股份有限公司杭州分行", "质权人代码": "91110000710925462X",
        "主债权数额（元）": "100000", "质押期限起": "2026-03-05", "质押期限止": "2027-03-05", "登记日期": "2026-03-05", "状态": "生效",
        "登记机关": "浙江省知识产权局",
    ]
}

/// One publicity rule's boundary: the state on the day before `firstDay`, and the state on the day and
/// the day after (national-formats.md, "Publicity rules").
struct Boundary: Sendable, CustomTestStringConvertible {
    let rule: String
    let dataset: Dataset
    let values: [String: String]
    let firstDay: String
    let before: PublicityState
    let from: PublicityState

    var testDescription: String { rule }

    static let all: [Boundary] = [
        Boundary(
            rule: "license: published from XK_JDRQ", dataset: .license, values: Records.license, firstDay: "2026-03-05",
            before: .notYet(from: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "license: never withdrawn by date, not at the end of its validity", dataset: .license,
            values: Records.license,
            firstDay: "2026-07-01", before: .published(since: day("2026-03-05")),
            from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "license: a revoked license stays published", dataset: .license,
            values: Records.license.merging(["状态": "已撤销"]) { $1 },
            firstDay: "2026-07-01", before: .published(since: day("2026-03-05")),
            from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "penalty: published from CF_JDRQ", dataset: .penalty, values: Records.penalty, firstDay: "2026-03-05",
            before: .notYet(from: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "penalty: withdrawn as expired the day after CF_GSJZQ", dataset: .penalty,
            values: Records.penalty.merging(["公示截止日期": "2026-09-05"]) { $1 }, firstDay: "2026-09-06",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "expired", since: day("2026-09-06"))),
        Boundary(
            rule: "penalty: 一般 without CF_GSJZQ runs one year", dataset: .penalty, values: Records.penalty,
            firstDay: "2027-03-06",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "expired", since: day("2027-03-06"))),
        Boundary(
            rule: "penalty: 严重 without CF_GSJZQ runs three years", dataset: .penalty,
            values: Records.penalty.merging(["严重程度": "严重"]) { $1 },
            firstDay: "2029-03-06", before: .published(since: day("2026-03-05")),
            from: .withdrawn(reason: "expired", since: day("2029-03-06"))),
        Boundary(
            rule: "penalty: 一般 repaired on the day its three months have run", dataset: .penalty,
            values: Records.penalty.merging(["信用修复日期": "2026-06-05"]) { $1 }, firstDay: "2026-06-05",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2026-06-05"))
        ),
        Boundary(
            rule: "penalty: 一般 repaired the day after its three months have run", dataset: .penalty,
            values: Records.penalty.merging(["信用修复日期": "2026-06-06"]) { $1 }, firstDay: "2026-06-06",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2026-06-06"))
        ),
        Boundary(
            rule: "penalty: 一般 repair dated a day before its three months stays published", dataset: .penalty,
            values: Records.penalty.merging(["信用修复日期": "2026-06-04"]) { $1 }, firstDay: "2026-06-04",
            before: .published(since: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "penalty: 严重 repaired on the day its year has run", dataset: .penalty,
            values: Records.penalty.merging(["严重程度": "严重", "信用修复日期": "2027-03-05"]) { $1 }, firstDay: "2027-03-05",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2027-03-05"))
        ),
        Boundary(
            rule: "penalty: 严重 repair dated a day before its year stays published", dataset: .penalty,
            values: Records.penalty.merging(["严重程度": "严重", "信用修复日期": "2027-03-04"]) { $1 }, firstDay: "2027-03-04",
            before: .published(since: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "penalty: a repair before the publicity end wins over the expiry", dataset: .penalty,
            values: Records.penalty.merging(["信用修复日期": "2026-08-01", "公示截止日期": "2026-09-05"]) { $1 },
            firstDay: "2026-08-01",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2026-08-01"))
        ),
        Boundary(
            rule: "dishonesty: published from SX_LRRQ", dataset: .dishonesty, values: Records.dishonesty,
            firstDay: "2026-03-05",
            before: .notYet(from: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "dishonesty: 期满移出 withdraws as expired on the 移出 date", dataset: .dishonesty,
            values: Records.dishonesty.merging(["removedOn": "2026-10-09", "removalReason": "期满移出"]) { $1 },
            firstDay: "2026-10-09",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "expired", since: day("2026-10-09"))),
        Boundary(
            rule: "dishonesty: 信用修复 withdraws as repaired on the 移出 date", dataset: .dishonesty,
            values: Records.dishonesty.merging(["removedOn": "2026-10-09", "removalReason": "信用修复"]) { $1 },
            firstDay: "2026-10-09",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2026-10-09"))
        ),
        Boundary(
            rule: "dishonesty: 撤销列入 withdraws as revoked on the 移出 date", dataset: .dishonesty,
            values: Records.dishonesty.merging(["removedOn": "2026-10-09", "removalReason": "撤销列入"]) { $1 },
            firstDay: "2026-10-09",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "revoked", since: day("2026-10-09"))),
        Boundary(
            rule: "dishonesty: without a 移出 date, expired on SX_YJYCRQ", dataset: .dishonesty,
            values: Records.dishonesty, firstDay: "2027-03-05",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "expired", since: day("2027-03-05"))),
        Boundary(
            rule: "dishonesty: a 移出 date before SX_YJYCRQ wins", dataset: .dishonesty,
            values: Records.dishonesty.merging(["removedOn": "2026-12-01", "removalReason": "信用修复"]) { $1 },
            firstDay: "2026-12-01",
            before: .published(since: day("2026-03-05")), from: .withdrawn(reason: "repaired", since: day("2026-12-01"))
        ),
        Boundary(
            rule: "pledge: published from ZY_DJRQ", dataset: .pledge, values: Records.pledge, firstDay: "2026-03-05",
            before: .notYet(from: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "pledge: 注销 stays published, never withdrawn by date", dataset: .pledge,
            values: Records.pledge.merging(["状态": "注销", "注销日期": "2026-06-01"]) { $1 }, firstDay: "2026-06-01",
            before: .published(since: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
        Boundary(
            rule: "pledge: not withdrawn when its pledge term ends", dataset: .pledge, values: Records.pledge,
            firstDay: "2027-03-06",
            before: .published(since: day("2026-03-05")), from: .published(since: day("2026-03-05"))),
    ]
}

@Suite struct PublicityBoundaryTests {
    let rules: PublicityRules

    init() throws { rules = try Records.rules() }

    /// Every rule on the day before, the day of and the day after its boundary.
    @Test(arguments: Boundary.all)
    func ruleHoldsOnTheDayBeforeOfAndAfterItsBoundary(_ boundary: Boundary) throws {
        let record = try Records.map(boundary.dataset, boundary.values)
        let first = day(boundary.firstDay)
        func state(_ date: LocalDate) -> PublicityState {
            rules.decide(record, dataset: boundary.dataset, asOf: date).state
        }
        #expect(state(first.adding(days: -1)) == boundary.before, "the day before")
        #expect(state(first) == boundary.from, "the day of")
        #expect(state(first.adding(days: 1)) == boundary.from, "the day after")
    }
}

/// A deadline is worked out only for a change it applies to: a record published long ago has no
/// deadline left, so a year the calendar lacks is no concern of its.
@Suite struct DeadlineNeedTests {
    static let asOf = day("2026-06-30")
    static let platform = PlatformConfig(
        id: .credit, baseURL: "http://127.0.0.1:1/credit/exchange/v1", appID: "t", secret: "t-secret-0123456789abcdef")

    func context(_ ledger: Ledger, _ dataset: Dataset, asOf: LocalDate = asOf) throws -> PlanContext {
        let format = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json").format
        return PlanContext(
            dataset: dataset, format: format, platform: Self.platform, ledger: ledger, rules: try Records.rules(),
            asOf: asOf)
    }

    func published(_ record: MappedRecord, _ dataset: Dataset) throws -> Ledger {
        let format = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json").format
        var ledger = Ledger(platform: .credit, dataset: dataset)
        ledger.entries[record.key] = LedgerEntry(
            hash: record.payloadHash(format: format, dateSeparator: Self.platform.dateSeparator),
            isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        return ledger
    }

    static let decidedIn2024 = Records.license.merging([
        "决定日期": "2024-05-06", "有效期起": "2024-05-06", "有效期止": "2029-05-05",
    ]) { $1 }

    @Test func aPublishedRecordFromAYearTheCalendarLacksWarnsOfNothing() throws {
        let record = try Records.map(.license, Self.decidedIn2024)
        let step = try context(try published(record, .license), .license).step(record)
        #expect(step.tally == .unchanged)
        #expect(step.detail == nil, "\(step.detail?.warnings ?? [])")
    }

    @Test func anUnpublishedRecordFromAYearTheCalendarLacksNamesTheYear() throws {
        let record = try Records.map(.license, Self.decidedIn2024)
        let step = try context(Ledger(platform: .credit, dataset: .license), .license).step(record)
        #expect(step.detail?.change?.op == .create)
        #expect(step.detail?.deadline == nil)
        #expect(
            step.detail?.unknownDeadline?.problem
                == "the working-day calendar \(Binaries.packageRoot)/mappings/calendar-cn.json has no holidays for 2024; add the State Council's notice for 2024 to it"
        )
        #expect(step.detail?.warnings == [], "a year the calendar lacks is warned of once a plan, not once a record")
    }

    @Test func aNewRecordIsDueSevenWorkingDaysAfterItsDecision() throws {
        // Decided Thursday 24 September 2026: the National Day holiday and the Saturday 10 October
        // working day lie within its seven working days.
        let record = try Records.map(
            .license,
            Records.license.merging(["决定日期": "2026-09-24", "有效期起": "2026-09-24", "有效期止": "2027-09-23"]) { $1 })
        let step = try context(Ledger(platform: .credit, dataset: .license), .license, asOf: day("2026-10-13")).step(
            record)
        #expect(step.detail?.deadline == Deadline(key: "ZJ-ZL-2026-09001", kind: .publication, due: day("2026-10-12")))
        #expect(step.detail?.warnings == [])
    }

    @Test func aDueWithdrawalIsDueThreeWorkingDaysLater() throws {
        let values = Records.penalty.merging(["公示截止日期": "2026-06-25"]) { $1 }
        let record = try Records.map(.penalty, values)
        let step = try context(try published(record, .penalty), .penalty).step(record)
        #expect(step.detail?.change?.op == .withdraw && step.detail?.change?.reason == .withdrawal(.expired))
        // Due from Friday 26 June: Monday 29, Tuesday 30 June and Wednesday 1 July.
        #expect(step.detail?.deadline == Deadline(key: "浙知处〔2026〕1号", kind: .withdrawal, due: day("2026-07-01")))
    }

    @Test func aWarningOnlyPenaltyIsWithdrawnFromGsxtOnlyWhereItWasPublished() throws {
        let record = try Records.map(.penalty, Records.penalty.merging(["处罚种类": "警告", "罚款金额（元）": ""]) { $1 })
        let gsxt = PlatformConfig(
            id: .gsxt, baseURL: "http://127.0.0.1:1/gsxt/exchange/v1", appID: "t", secret: "t-secret-0123456789abcdef",
            dateSeparator: "-")
        let format = try MappingLoader.load(Binaries.packageRoot + "/mappings/penalty.json").format
        let rules = try Records.rules()
        var ledger = Ledger(platform: .gsxt, dataset: .penalty)
        let never = PlanContext(
            dataset: .penalty, format: format, platform: gsxt, ledger: ledger, rules: rules, asOf: Self.asOf
        ).step(record)
        #expect(never.tally == .notPublished && never.detail == nil)
        ledger.entries[record.key] = LedgerEntry(
            hash: String(repeating: "0", count: 64), isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        let before = PlanContext(
            dataset: .penalty, format: format, platform: gsxt, ledger: ledger, rules: rules, asOf: Self.asOf
        ).step(record)
        #expect(before.detail?.change?.op == .withdraw && before.detail?.change?.reason == .withdrawal(.corrected))
        // credit takes it.
        let credit = try context(Ledger(platform: .credit, dataset: .penalty), .penalty).step(record)
        #expect(credit.detail?.change?.op == .create)
    }
}
