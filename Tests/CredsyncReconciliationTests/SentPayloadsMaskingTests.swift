import CredsyncCore
import Foundation
import TestSupport
import Testing
import CredsyncState

@testable import CredsyncReconciliation

/// The payloads kept for `plan --detail` are state (the store's `accepted_payload`): no 证件号码 in clear.
@Suite struct SentPayloadsMaskingTests {
    @Test func keptPayloadsHoldNoPersonalNumberInClearAndStillDiffAsBefore() throws {
        let directory = try TemporaryDirectory("sent-masking")
        let payload = JSONObject([
            JSONMember("XK_XDR_ZJHM", "110101199001011234"), JSONMember("BZ", "a note on 11010519491231002X"),
            JSONMember("XK_WSH", "L-1"),
        ])
        let store = try StateStore(stateDir: directory.path)
        try store.upsertLedger(
            LedgerRow(key: "L-1", status: .published, version: 1, hash: "h", batch: "b", createdAt: 1, updatedAt: 1),
            platform: .credit, dataset: .license)
        // Replaced on every acceptance: one row a key, never appended.
        for _ in 0..<3 {
            try SentPayloads.replace(payload, key: "L-1", in: store, platform: .credit, dataset: .license, at: 1)
        }
        var rows: [String] = []
        try store.forEachAcceptedPayload(platform: .credit, dataset: .license) { _, text in rows.append(text) }
        #expect(rows.count == 1)
        let text = rows.joined()
        #expect(!text.contains("110101199001011234") && !text.contains("19900101"), "\(text)")
        #expect(!text.contains("11010519491231002X") && !text.contains("19491231"), "\(text)")
        // Nor in the database's files: the WAL holds the pages until a checkpoint.
        for file in [store.path, store.path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(!String(decoding: bytes, as: UTF8.self).contains("110101199001011234"), "\(file)")
        }
        let kept = try SentPayloads.payload(of: "L-1", in: store, platform: .credit, dataset: .license)
        #expect(SentPayloads.differences(old: kept, new: payload).isEmpty)
        var changed = payload
        changed["XK_WSH"] = "L-2"
        #expect(SentPayloads.differences(old: kept, new: changed).map(\.0) == ["XK_WSH"])
    }
}
