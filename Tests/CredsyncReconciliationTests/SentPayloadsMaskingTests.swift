import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation

/// The sent payloads kept for `plan --detail` are a state file: no 证件号码 in clear.
@Suite struct SentPayloadsMaskingTests {
    @Test func keptPayloadsHoldNoPersonalNumberInClearAndStillDiffAsBefore() throws {
        let directory = try TemporaryDirectory("sent-masking")
        let payload = JSONObject([
            JSONMember("XK_XDR_ZJHM", "110101199001011234"), JSONMember("BZ", "a note on 11010519491231002X"),
            JSONMember("XK_WSH", "L-1"),
        ])
        try SentPayloads.append([("L-1", payload)], stateDir: directory.path, platform: .credit, dataset: .license)
        let file = SentPayloads.path(stateDir: directory.path, platform: .credit, dataset: .license)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains("110101199001011234") && !text.contains("19900101"), "\(text)")
        #expect(!text.contains("11010519491231002X") && !text.contains("19491231"), "\(text)")
        let kept = try SentPayloads.load(stateDir: directory.path, platform: .credit, dataset: .license)
        #expect(SentPayloads.differences(old: kept["L-1"], new: payload).isEmpty)
        var changed = payload
        changed["XK_WSH"] = "L-2"
        #expect(SentPayloads.differences(old: kept["L-1"], new: changed).map(\.0) == ["XK_WSH"])
    }
}
