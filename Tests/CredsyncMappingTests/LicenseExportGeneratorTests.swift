import CredsyncBenchData
import CredsyncCore
import Foundation
import Testing

/// The realistic generated export is what it claims: the same from one seed, valid identifiers
/// in its good rows, no large-pool column repeating the row before, every kind of bad row.
@Suite struct LicenseExportGeneratorTests {
    static func rows(_ count: Int, seed: UInt64 = LicenseExportGenerator.defaultSeed) -> [LicenseExportRow] {
        var generator = LicenseExportGenerator(seed: seed)
        return (0..<count).map { _ in generator.next() }
    }

    static func halfWidth(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    (0xFF01...0xFF5E).contains($0.value) ? Unicode.Scalar($0.value - 0xFEE0) ?? $0 : $0
                })
        ).uppercased().trimmingCharacters(in: .whitespaces)
    }

    @Test func sameSeedSameRowsOtherSeedOtherRows() {
        let first = Self.rows(500).map(\.values)
        #expect(first == Self.rows(500).map(\.values))
        #expect(first != Self.rows(500, seed: 7).map(\.values))
    }

    @Test func goodRowsCarryValidCodesAndIDCards() {
        var persons = 0
        for row in Self.rows(5_000) where row.defect == nil {
            let uscc = Self.halfWidth(row.values[5])
            if !uscc.isEmpty { #expect(NationalIdentifiers.isValidUSCC(uscc), "\(row.values[5])") }
            #expect(NationalIdentifiers.isValidUSCC(Self.halfWidth(row.values[17])), "\(row.values[17])")
            if row.values[8] == "身份证" {
                persons += 1
                #expect(NationalIdentifiers.isValidIDCard(Self.halfWidth(row.values[9])), "\(row.values[9])")
            }
        }
        #expect(persons > 200)
    }

    @Test func noLargePoolColumnRepeatsTheRowBefore() {
        let rows = Self.rows(5_000)
        // 许可编号, 决定书文号, 相对人名称, 统一社会信用代码, 工商注册号, 法定代表人, 证件号码, 许可事项, dates, 备注, 更新时间.
        for column in [0, 1, 3, 5, 6, 7, 9, 10, 13, 14, 15, 19, 20] {
            let repeats = zip(rows, rows.dropFirst()).filter { pair in
                pair.0.defect == nil && pair.1.defect == nil && !pair.1.values[column].isEmpty
                    && pair.0.values[column] == pair.1.values[column]
            }
            #expect(repeats.isEmpty, "column \(LicenseExportGenerator.header[column]) repeats \(repeats.count) times")
        }
    }

    @Test func aboutTwoPercentBadRowsOfEveryKind() {
        let rows = Self.rows(10_000)
        var kinds: [LicenseDefect: Int] = [:]
        for row in rows { if let defect = row.defect { kinds[defect, default: 0] += 1 } }
        let bad = kinds.values.reduce(0, +)
        #expect(bad > 150 && bad < 250)
        #expect(Set(kinds.keys) == Set(LicenseDefect.allCases))
        // Spread, not bunched: bad rows in every tenth of the file.
        for tenth in 0..<10 {
            #expect(rows[(tenth * 1000)..<((tenth + 1) * 1000)].contains { $0.defect != nil })
        }
    }
}
