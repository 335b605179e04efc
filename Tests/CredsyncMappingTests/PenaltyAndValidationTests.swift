import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

@Suite struct PenaltyMappingTests {
    typealias M = ReferenceMapping
    static let header = [
        "决定书文号", "当事人名称", "当事人类型", "统一社会信用代码", "工商注册号", "法定代表人", "证件类型", "证件号码", "违法行为类型", "违法事实",
        "处罚依据", "处罚种类", "处罚内容", "罚款金额（元）", "没收金额（元）", "暂扣吊销证照", "决定日期", "处罚有效期", "严重程度", "公示截止日期",
        "信用修复日期", "处罚机关", "处罚机关代码", "更新时间",
    ]
    static let good: [String: String] = [
        "决定书文号": "浙知处〔2026〕1号", "当事人名称": "杭州示例科技有限公司", "当事人类型": "企业",
        "统一社会信用代码": "91330100716105852F", "法定代表人": "张三", "违法行为类型": "假冒专利", "违法事实": "事实", "处罚依据": "依据",
        "处罚种类": "警告、罚款", "处罚内容": "内容", "罚款金额（元）": "12,000.50", "决定日期": "2024-02-29", "处罚有效期": "2024-02-29",
        "严重程度": "一般", "处罚机关": "浙江省知识产权局", "处罚机关代码": "11330000MB12345679",
    ]

    func penalty(_ changes: [String: String]) throws -> MappingOutcome {
        try M.map(.penalty, header: Self.header, values: Self.good.merging(changes) { $1 })
    }

    @Test func publicityEndComesFromSeverityWhenTheExportGivesNone() throws {
        #expect(try M.value(penalty([:]), "CF_GSJZQ", dataset: .penalty) == "2025-02-28")
        #expect(try M.value(penalty(["严重程度": "严重"]), "CF_GSJZQ", dataset: .penalty) == "2027-02-28")
        #expect(try M.value(penalty(["公示截止日期": "2024/12/31"]), "CF_GSJZQ", dataset: .penalty) == "2024-12-31")
    }

    @Test func minorPenaltiesAreNeverPublished() throws {
        guard case .excluded(_, _, let key, let reason) = try penalty(["严重程度": "轻微"]) else {
            Issue.record("not excluded"); return
        }
        #expect(key == "浙知处〔2026〕1号" && reason == "a 轻微 penalty is never published")
    }

    @Test func gsxtTakesNoPenaltyWhoseOnlyCategoryIsWarning() throws {
        let warningOnly = M.record(try penalty(["处罚种类": "警告", "罚款金额（元）": ""]))
        #expect(warningOnly?.excludedFrom == [.gsxt: "gsxt takes no penalty whose only category is 警告"])
        #expect(M.record(try penalty([:]))?.excludedFrom.isEmpty == true)
    }

    @Test func categoriesAreJoinedAndFinesConverted() throws {
        let outcome = try penalty([:])
        #expect(try M.value(outcome, "CF_CFLB", dataset: .penalty) == "警告;罚款")
        #expect(try M.value(outcome, "CF_NR_FK", dataset: .penalty) == "1.20005")
    }

    @Test func aFineIsRequiredWhenTheCategoriesHoldOne() throws {
        let reasons = M.reasons(try penalty(["罚款金额（元）": ""]))
        #expect(
            reasons == [
                Reason(
                    field: "CF_NR_FK", rule: "E_CONDITIONAL", value: nil,
                    expected: "罚款金额（万元） is required by another field's value")
            ])
        let revoked = M.reasons(try penalty(["处罚种类": "吊销许可证件"]))
        #expect(revoked.map(\.field) == ["CF_NR_ZKDX"])
    }
}

@Suite struct ValidationTests {
    typealias M = ReferenceMapping

    @Test func decisionDateMayNotBeAfterTheAsOfDate() throws {
        #expect(M.reasons(try M.license(["决定日期": "2026-11-20", "有效期起": "2026-11-20"])).isEmpty)
        let future = M.reasons(try M.license(["决定日期": "2026-11-21", "有效期起": "2026-11-21"]))
        #expect(
            future == [
                Reason(field: "XK_JDRQ", rule: "E_RANGE", value: "2026-11-21", expected: "not after today (2026-11-20)")
            ])
    }

    @Test func endMayNotPrecedeStart() throws {
        #expect(M.reasons(try M.license(["有效期止": "2026-03-04"])).map(\.rule) == ["E_RANGE"])
        #expect(M.reasons(try M.license(["有效期止": "2026-03-05"])).isEmpty)
    }

    @Test func lengthsAreCountedInCharactersNotBytes() throws {
        #expect(M.reasons(try M.license(["相对人名称": String(repeating: "浙", count: 200)])).isEmpty)
        let long = M.reasons(try M.license(["相对人名称": String(repeating: "浙", count: 201)]))
        #expect(
            long == [
                Reason(
                    field: "XK_XDR_MC", rule: "E_FORMAT", value: String(repeating: "浙", count: 201),
                    expected: "at most 200 characters, found 201")
            ])
    }

    @Test func organisationNeedsCodeAndLegalRepresentative() throws {
        let reasons = M.reasons(try M.license(["统一社会信用代码": "", "法定代表人": ""]))
        #expect(reasons.map(\.field) == ["XK_XDR_SHXYM", "XK_FRDB"])
        #expect(reasons.allSatisfy { $0.rule == "E_CONDITIONAL" })
    }

    @Test func naturalPersonNeedsDocumentAndNoCode() throws {
        let person = ["相对人类型": "个人", "统一社会信用代码": "", "法定代表人": "", "证件类型": "身份证", "证件号码": "11010519491231002X"]
        #expect(M.reasons(try M.license(person)).isEmpty)
        let withCode = M.reasons(try M.license(person.merging(["统一社会信用代码": "91330100716105852F"]) { $1 }))
        #expect(withCode.map(\.rule) == ["E_CONDITIONAL"])
        let passport = M.reasons(try M.license(person.merging(["证件类型": "护照", "证件号码": "E12345678"]) { $1 }))
        #expect(passport.isEmpty)
        let noNumber = M.reasons(try M.license(person.merging(["证件号码": ""]) { $1 }))
        #expect(noNumber.map(\.field) == ["XK_XDR_ZJHM"])
    }

    @Test func authorityCodeMustBeAValidUSCC() throws {
        let reasons = M.reasons(try M.license(["许可机关代码": "91110000600037341N"]))
        #expect(
            reasons == [
                Reason(
                    field: "XK_XKJGDM", rule: "E_CHECKSUM", value: "91110000600037341N",
                    expected: "a valid 统一社会信用代码: it has a wrong check character (expected L)")
            ])
    }

    @Test func setAsideReasonsMaskPersonalNumbers() {
        let reason = Reason(field: "XK_XDR_ZJHM", rule: "E_CHECKSUM", value: "110105194912310021", expected: "x")
        #expect(reason.json()["value"] == .string("110105********0021"))
    }
}

@Suite struct CharacterCountTests {
    /// Lengths count Unicode scalars: counted on the UTF-8 bytes, they agree with the standard
    /// library for ASCII, Chinese, 4-byte characters (GB18030's extension B) and combining marks.
    @Test(arguments: ["", "XK-2026-000001", "杭州示例科技有限公司（分公司）", "𠀀𠀁 ext B", "e\u{301}", "a\u{00A0}b\u{3000}c", "🧾票据"])
    func agreesWithUnicodeScalars(text: String) {
        #expect(Validator.characterCount(text) == text.unicodeScalars.count)
        // A bridged or sliced string takes the slower path and still agrees.
        let sliced = String(text.dropFirst(0))
        #expect(Validator.characterCount(sliced) == sliced.unicodeScalars.count)
    }
}
