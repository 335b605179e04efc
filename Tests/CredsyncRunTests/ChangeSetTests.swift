import CredsyncCore
import CredsyncReconciliation
import Testing

@testable import CredsyncRun

/// The digest an approval is tied to: the SHA-256 of the sorted `key|op|detail` lines.
@Suite struct ChangeSetTests {
    static let lines = [
        ChangeLine(key: "K-2", op: .withdraw, detail: "expired"),
        ChangeLine(key: "K-1", op: .update, detail: "ab12"),
        ChangeLine(key: "K-3", op: .create, detail: "cd34"),
    ]

    @Test func theDigestIsOfTheSortedLinesWhateverTheOrder() {
        let set = ChangeSet(Self.lines)
        #expect(set.digest == SHA256.hex("K-1|update|ab12\nK-2|withdraw|expired\nK-3|create|cd34\n"))
        #expect(ChangeSet(Self.lines.reversed() + Self.lines).digest == set.digest)
        #expect(set.count == 3)
    }

    @Test func aSmallerSetIsASubsetAndAnotherHashIsNot() {
        let approved = ChangeSet(Self.lines)
        #expect(ChangeSet(Self.lines.prefix(2)).isSubset(of: approved))
        let others = Self.lines.filter { $0.key != "K-1" }
        let changed = ChangeSet([ChangeLine(key: "K-1", op: .update, detail: "ffff")] + others)
        #expect(!changed.isSubset(of: approved))
        let difference = changed.difference(from: approved)
        #expect(difference.added.map(\.detail) == ["ffff"] && difference.removed.map(\.detail) == ["ab12"])
    }
}
