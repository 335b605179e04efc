import CredsyncCatalogs
import Testing

@testable import CredsyncMapping
@testable import CredsyncFormats

/// A reason's value is cut after `Reason.shownCharacters` characters; a 身份证号 straddling the
/// cut must not leave its first digits (region and birth date) in clear.
@Suite struct ReasonCutTests {
    @Test func anIDNumberStraddlingTheCutLeavesNoDigitsInClear() {
        let value = String(repeating: "a", count: 190) + "110101199001011234" + String(repeating: "b", count: 20)
        let reason = Reason(field: "XK_NR", rule: "E_RANGE", value: value, expected: "at most 200 characters")
        let shown = reason.description
        #expect(!shown.contains("1101011990"))
        #expect(!shown.contains("1101"))
        #expect(shown.contains(String(repeating: "a", count: 190) + "… (228 characters in all)"))
    }

    @Test func aLongRunOfDigitsIsStillCutAtTheLimit() {
        let value = String(repeating: "7", count: 300)
        let reason = Reason(field: "XK_NR", rule: "E_RANGE", value: value, expected: "x")
        #expect(reason.value == String(repeating: "7", count: Reason.shownCharacters) + "… (300 characters in all)")
    }

    @Test func anUnreadableRowsCutReasonLeavesNoDigitsOfAnIDInClear() {
        let reason =
            "invalid JSON: duplicate key \"" + String(repeating: "a", count: 462) + "110101199001011234"
            + String(repeating: "b", count: 1000) + "\""
        let problem = RowProblem(file: "licenses.jsonl", line: 3, reason: reason)
        #expect(!problem.reason.contains("1101"), "\(problem.reason.suffix(40))")
        #expect(problem.reason.hasSuffix(String(repeating: "a", count: 462) + "… (cut)"))
    }
}
