import CredsyncCatalogs
import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

/// A value of megabytes is named in a few hundred characters: in a reason, its message and the
/// quarantine file, which still holds the row (once a platform).
@Suite struct LongValueTests {
    static let huge = String(repeating: "许", count: 500_000)  // 1.5 MB of UTF-8

    @Test func aMegabyteValueIsCutInReasonsAndTheQuarantine() throws {
        let outcome = try ReferenceMapping.license(["许可事项": Self.huge])
        let reason = try #require(ReferenceMapping.reasons(outcome).first { $0.field == "XK_NR" })
        let value = try #require(reason.value)
        #expect(value.count < Reason.shownCharacters + 40)
        #expect(value.hasPrefix(String(repeating: "许", count: Reason.shownCharacters) + "… (500000 characters in all)"))
        #expect(reason.description.utf8.count < 1000)
        guard case .setAside(let setAside) = outcome else { return }
        var result = ExportResult(dataset: .license, file: "licenses.csv")
        result.setAside = [setAside]
        result.unreadable = [
            RowProblem(file: "licenses.csv", line: 9, reason: "invalid JSON: duplicate key \"\(Self.huge)\"")
        ]
        #expect(result.unreadable[0].reason.utf8.count < 1600)
        let directory = try TemporaryDirectory("long")
        let path = try Quarantine.write(result, platforms: [.credit, .gsxt], directory: directory.path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.utf8.count < 4000 })
    }

    @Test func aShortValueIsShownWhole() {
        let value = String(repeating: "a", count: Reason.shownCharacters)
        #expect(Reason(field: "X", rule: "E_RANGE", value: value, expected: "x").value == value)
    }
}
