import CredsyncCore
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats
import Foundation

/// The date reader without allocation reads exactly what the reader it replaced read, which
/// is kept here as the reference.
@Suite struct DateParserTests {
    /// The earlier reader: half-width text cut at a space or T, groups of digits closed by
    /// - / . 年 月 日.
    static func reference(_ text: String) -> LocalDate? {
        var digits: [Int] = []
        var groups: [[Int]] = []
        var scalars = Array(Normalizer.halfWidth(text).unicodeScalars)
        if let cut = scalars.firstIndex(where: { $0 == " " || $0 == "T" }) { scalars = Array(scalars[..<cut]) }
        for scalar in scalars {
            if let value = scalar.properties.numericType != nil ? Int(String(scalar)) : nil, scalar.isASCII {
                digits.append(value)
                continue
            }
            switch scalar {
            case "-", "/", ".", "年", "月", "日":
                guard !digits.isEmpty else { return nil }
                groups.append(digits)
                digits = []
            default:
                return nil
            }
        }
        if !digits.isEmpty { groups.append(digits) }
        func number(_ group: [Int]) -> Int { group.reduce(0) { $0 * 10 + $1 } }
        if groups.count == 1, groups[0].count == 8 {
            let g = groups[0]
            return LocalDate(
                year: number(Array(g[0..<4])), month: number(Array(g[4..<6])), day: number(Array(g[6..<8])))
        }
        guard groups.count == 3, groups[0].count == 4, (1...2).contains(groups[1].count),
            (1...2).contains(groups[2].count)
        else { return nil }
        return LocalDate(year: number(groups[0]), month: number(groups[1]), day: number(groups[2]))
    }

    @Test func readsWhatTheReferenceReads() {
        // Dates in every form, then random strings over the characters that matter.
        var texts = [
            "2025年3月5日", "2025年03月05日 10:00", "２０２５年３月５日", "2025－03－05", "2025-3-5-", "20250305日",
            "2025年3月5日12", " 2025-03-05", "2025-03-05T08:00", "Ｔ2025-03-05", "2025年2月30日", "2025..3.5", "年2025",
            String(repeating: "9", count: 30), "2025-03-" + String(repeating: "9", count: 25), "202503051",
            "2025-03-051",
        ]
        let alphabet: [String] = ["2", "0", "5", "1", "3", "-", "/", ".", "年", "月", "日", " ", "T", "２", "－", "x", "〇"]
        var generator = SeededGenerator(seed: 20_261_122)
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...14, using: &generator)
            texts.append(
                (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }.joined())
        }
        for i in 0..<3_000 {
            let y = 2000 + i % 30, m = 1 + i % 13, d = 1 + i % 32
            texts += ["\(y)年\(m)月\(d)日", "\(y)/\(m)/\(d)", "\(y).\(m).\(d)日", String(format: "%04d%02d%02d", y, m, d)]
        }
        var differences: [String] = []
        for text in texts where LocalDateParser.parse(text) != Self.reference(text) {
            differences.append(
                "\(text): \(LocalDateParser.parse(text)?.iso ?? "nil") against \(Self.reference(text)?.iso ?? "nil")")
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
        #expect(texts.filter { Self.reference($0) != nil }.count > 5_000)
    }
}

/// A small deterministic generator (SplitMix64), so a failure can be read again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
