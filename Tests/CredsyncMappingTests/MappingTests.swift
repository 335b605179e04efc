import CredsyncCatalogs
import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

/// Rows of the reference exports mapped through the shipped mapping files.
struct ReferenceMapping {
    static let organisation = Fixture.organisation
    static let today = LocalDate(iso: "2026-11-20") ?? LocalDate(dayNumber: 0)
    /// The four sample exports: dataset, file under fixtures/, format and encoding.
    static let sampleExports: [(Dataset, String, CatalogConfig.Format, CatalogConfig.Encoding)] = [
        (.license, "licenses.csv", .csv, .gb18030), (.penalty, "penalties.csv", .csv, .gb18030),
        (.dishonesty, "dishonesty.jsonl", .jsonl, .utf8), (.pledge, "pledges.csv", .csv, .auto),
    ]

    /// The shipped mapping of a sample export and the catalog that reads its fixture.
    static func sample(
        _ dataset: Dataset, _ file: String, _ format: CatalogConfig.Format, _ encoding: CatalogConfig.Encoding
    ) throws
        -> (MappingDefinition, CatalogConfig)
    {
        let mapping = Binaries.packageRoot + "/mappings/\(dataset.rawValue).json"
        let catalog = CatalogConfig(
            dataset: dataset, path: Binaries.packageRoot + "/fixtures/" + file, format: format, encoding: encoding,
            mapping: mapping)
        return (try MappingLoader.load(mapping), catalog)
    }

    static let licenseHeader = [
        "许可编号", "决定书文号", "决定书名称", "相对人名称", "相对人类型", "统一社会信用代码", "工商注册号", "法定代表人", "证件类型", "证件号码",
        "许可事项", "许可类别", "证书名称", "决定日期", "有效期起", "有效期止", "许可机关", "许可机关代码", "状态", "备注", "更新时间",
    ]

    static let goodLicense: [String: String] = [
        "许可编号": "ZJ-1", "决定书文号": "浙知许〔2026〕1号", "相对人名称": "杭州示例科技有限公司", "相对人类型": "企业",
        "统一社会信用代码": "91330100716105852F", "法定代表人": "张三", "许可事项": "专利代理机构执业许可", "许可类别": "普通",
        "决定日期": "2026-03-05", "有效期起": "2026-03-05", "许可机关": "浙江省知识产权局", "许可机关代码": "11330000MB12345679", "状态": "有效",
    ]

    /// Maps one license row given as column → value (others empty).
    static func license(_ changes: [String: String]) throws -> MappingOutcome {
        let values = goodLicense.merging(changes) { _, new in new }
        return try map(.license, header: licenseHeader, values: values)
    }

    static func map(_ dataset: Dataset, header: [String], values: [String: String]) throws -> MappingOutcome {
        let definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json")
        let mapper = Mapper(definition: definition, organisation: organisation, today: today)
        let row = CatalogRow(file: "test.csv", line: 2, values: definition.columns.map { values[$0] ?? "" })
        return mapper.map(row)
    }

    static func record(_ outcome: MappingOutcome) -> MappedRecord? {
        if case .record(let record) = outcome { return record }
        return nil
    }

    static func reasons(_ outcome: MappingOutcome) -> [Reason] {
        if case .setAside(let setAside) = outcome { return setAside.reasons }
        return []
    }

    static func value(_ outcome: MappingOutcome, _ field: String, dataset: Dataset = .license) throws -> String? {
        let definition = try MappingLoader.load(Binaries.packageRoot + "/mappings/\(dataset.rawValue).json")
        guard let record = record(outcome), let index = definition.format.index[field] else { return nil }
        return record.values[index]
    }
}

@Suite struct TransformTests {
    typealias M = ReferenceMapping

    @Test func trimsEveryKindOfWhiteSpace() throws {
        let outcome = try M.license(["相对人名称": "\u{00A0} 杭州示例科技有限公司\u{3000}\t"])
        #expect(try M.value(outcome, "XK_XDR_MC") == "杭州示例科技有限公司")
    }

    @Test func codeFieldsBecomeHalfWidthUpperCase() throws {
        let outcome = try M.license(["统一社会信用代码": "９１３３０１００７１６１０５８５２ｆ", "许可机关代码": "11330000mb12345679"])
        #expect(try M.value(outcome, "XK_XDR_SHXYM") == Fixture.companyUSCC)
        #expect(try M.value(outcome, "XK_XKJGDM") == Fixture.officeUSCC)
    }

    @Test func nameFieldsGetFullWidthBracketsAndTextFieldsDoNot() throws {
        let outcome = try M.license(["相对人名称": "杭州示例(滨江分公司)", "许可事项": "许可(全省)"])
        #expect(try M.value(outcome, "XK_XDR_MC") == "杭州示例（滨江分公司）")
        #expect(try M.value(outcome, "XK_NR") == "许可(全省)")
    }

    @Test(arguments: [
        "2025-03-05", "2025/3/5", "2025.03.05", "2025年3月5日", "20250305", "2025-03-05 00:00:00", "２０２５-０３-０５",
    ])
    func everyLocalDateFormIsRead(text: String) throws {
        #expect(LocalDateParser.parse(text)?.iso == "2025-03-05")
        #expect(try M.value(M.license(["决定日期": text, "有效期起": text]), "XK_JDRQ") == "2025-03-05")
    }

    @Test(arguments: ["2025-02-30", "2025/13/1", "25-3-5", "2025-03", "yesterday", "2025年3月"])
    func impossibleDatesAreNotRead(text: String) {
        #expect(LocalDateParser.parse(text) == nil)
    }

    @Test func emptyEndDateMeansLongTerm() throws {
        #expect(try M.value(M.license(["有效期止": ""]), "XK_YXQZI") == "2099-12-31")
        #expect(try M.value(M.license(["有效期止": "2030/1/2"]), "XK_YXQZI") == "2030-01-02")
    }

    @Test func keyIsTheLicenceNumberElseTheDecisionNumber() throws {
        #expect(M.record(try M.license([:]))?.key == "ZJ-1")
        #expect(M.record(try M.license(["许可编号": ""]))?.key == "浙知许〔2026〕1号")
    }

    @Test func soleTraderWithoutCodeGetsThePlaceholderOnlyWithARegistrationNumber() throws {
        let withNumber = try M.license(["相对人类型": "个体工商户", "统一社会信用代码": "", "工商注册号": "330100000012345"])
        #expect(try M.value(withNumber, "XK_XDR_SHXYM") == "00000000000000000X")
        let without = try M.license(["相对人类型": "个体工商户", "统一社会信用代码": ""])
        #expect(M.reasons(without).map(\.rule) == ["E_CONDITIONAL"])
        // The placeholder is allowed for a 个体工商户 only.
        let company = try M.license(["统一社会信用代码": "00000000000000000X"])
        #expect(M.reasons(company).map(\.rule) == ["E_CHECKSUM"])
    }

    @Test func codeTablesMapAndRefuseUnknownValues() throws {
        #expect(try M.value(M.license(["状态": "已撤销"]), "XK_ZT") == "2")
        #expect(try M.value(M.license(["相对人类型": "社会组织"]), "XK_XDR_LB") == "法人及非法人组织")
        let unknown = M.reasons(try M.license(["状态": "暂停"]))
        #expect(unknown.map(\.field) == ["XK_ZT"] && unknown.first?.rule == "E_CODE")
    }

    @Test(arguments: [
        ("12,000.50", "1.20005"), ("2000", "0.2"), ("2,000元", "0.2"), ("0", "0"), ("100000000", "10000"),
        ("0.01", "0.000001"), ("１０,０００", "1"),
    ])
    func yuanBecomeWanExactly(yuan: String, wan: String) throws {
        #expect(try Amount.yuanToWan(yuan) == wan)
    }

    @Test func badAmountsAreRefused() {
        #expect(throws: Amount.Problem.negative) { try Amount.yuanToWan("-500") }
        #expect(throws: Amount.Problem.tooManyDecimals(7)) { try Amount.yuanToWan("0.001") }
        #expect(throws: Amount.Problem.notANumber) { try Amount.yuanToWan("1.2.3") }
        #expect(throws: Amount.Problem.notANumber) { try Amount.yuanToWan("") }
    }

    /// A comma that does not group the integer part in threes is not a thousands separator: the
    /// amount is refused, never read with the comma dropped (`12,34` is not 1234).
    @Test(arguments: ["12,34", "1,2345", ",123", "123,", "1,23,456", "12,345,67", "0.12,3", "1,,234", "12，34"])
    func misplacedThousandsSeparatorsAreRefused(text: String) {
        #expect(throws: Amount.Problem.notANumber) { try Amount.yuanToWan(text) }
    }

    @Test func thousandsSeparatorsInThreesAreRead() throws {
        #expect(try Amount.yuanToWan("1,234,567.5") == "123.45675")
        #expect(try Amount.yuanToWan("123,456") == "12.3456")
        #expect(try Amount.yuanToWan("１２，０００元") == "1.2")
    }

    @Test func multiValueCellsAreSplitJoinedAndDeduplicatedInOrder() {
        #expect(Normalizer.split("罚款、警告、罚款", on: ["、"]) == ["罚款", "警告"])
        #expect(Normalizer.split("a；b\nc，a", on: ["；", "，"]) == ["a", "b", "c"])
    }

    static let pledgeHeader = [
        "登记号", "知识产权类型", "专利号/注册号", "知识产权名称", "出质人", "出质人证件号", "质权人", "质权人代码", "主债权数额（元）",
        "质押期限起", "质押期限止", "登记日期", "状态", "注销日期", "注销原因", "登记机关", "更新时间",
    ]
    static let pledge: [String: String] = [
        "登记号": "ZX1", "知识产权类型": "专利", "专利号/注册号": "202310001234.5", "知识产权名称": "一种方法",
        "出质人": "杭州示例科技有限公司", "出质人证件号": "91330100716105852F", "质权人": "杭州银行", "质权人代码": "91330100716105852F",
        "主债权数额（元）": "1,000,000", "质押期限起": "2026-01-05", "质押期限止": "2027-01-05", "登记日期": "2026-01-05", "状态": "生效",
        "登记机关": "浙江省知识产权局",
    ]

    @Test func patentNumbersGetZLAndAreJoined() throws {
        let values = Self.pledge.merging(["专利号/注册号": "202310001234.5；ZL202310001235.1\nzl20231000.X，202310001234.5"]) {
            $1
        }
        let outcome = try M.map(.pledge, header: Self.pledgeHeader, values: values)
        #expect(try M.value(outcome, "ZY_ZSCQBH", dataset: .pledge) == "ZL202310001234.5;ZL202310001235.1;ZL20231000.X")
        let malformed = try M.map(
            .pledge, header: Self.pledgeHeader, values: Self.pledge.merging(["专利号/注册号": "2023ABC.1"]) { $1 })
        #expect(M.reasons(malformed).map(\.rule) == ["E_FORMAT"])
        let trademark = try M.map(
            .pledge, header: Self.pledgeHeader,
            values: Self.pledge.merging(["知识产权类型": "商标", "专利号/注册号": "123456，7890"]) { $1 })
        #expect(try M.value(trademark, "ZY_ZSCQBH", dataset: .pledge) == "123456;7890")
        #expect(try M.value(trademark, "ZY_DBJE", dataset: .pledge) == "100")
    }

    @Test func naturalPersonPledgorNeedsAValidIDCard() throws {
        let good = try M.map(
            .pledge, header: Self.pledgeHeader, values: Self.pledge.merging(["出质人证件号": "11010519491231002x"]) { $1 })
        #expect(try M.value(good, "ZY_CZRDM", dataset: .pledge) == "11010519491231002X")
        let bad = try M.map(
            .pledge, header: Self.pledgeHeader, values: Self.pledge.merging(["出质人证件号": "110105194912310021"]) { $1 })
        #expect(M.reasons(bad).map(\.rule) == ["E_CHECKSUM"])
    }
}
