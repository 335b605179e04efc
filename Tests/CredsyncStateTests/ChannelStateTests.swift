import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// The `channel_batch` and `channel_record` tables (schema 4): batches sent through a 前置机.
@Suite struct ChannelStateTests {
    static func batch(_ id: String, _ state: ChannelBatchState, records: Int, at time: Double = 100) -> ChannelBatchRow
    {
        ChannelBatchRow(
            batchID: id, platform: .ipp, dataset: .pledge, state: state, records: records,
            bodySHA256: String(repeating: "0", count: 64), createdAt: time)
    }

    static func record(_ key: String, kept: String? = #"{"ZY_CZR_ZJHM":"330106196405048211"}"#) -> ChannelRecordRow {
        ChannelRecordRow(key: key, op: .create, reason: .new, hash: "h-" + key, kept: kept)
    }

    @Test func aBatchMovesFromUploadingToAnsweredAndItsKeysWaitUntilThen() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            try store.insertChannelBatch(
                Self.batch("B1", .uploading, records: 2), records: [Self.record("K1"), Self.record("K2")])
        }
        #expect(try store.channelBatchState("B1") == .uploading)
        #expect(try store.channelAwaitingKeys(platform: .ipp, dataset: .pledge) == ["K1", "K2"])
        #expect(try store.channelAwaitingKeys(platform: .credit, dataset: .pledge).isEmpty)
        let records = try store.channelRecords("B1")
        #expect(records.map(\.key) == ["K1", "K2"] && records.allSatisfy { $0.op == .create && $0.reason == .new })
        // What is kept is masked: the store never holds the number in clear.
        #expect(records.allSatisfy { $0.kept?.contains("330106196405048211") == false })
        try store.setChannelBatchState("B1", .uploaded, at: 150)
        try store.setChannelBatchState("B1", .sent, at: 160)
        let sent = try store.channelBatches(platform: .ipp, dataset: .pledge, states: [.sent])
        #expect(sent.map(\.batchID) == ["B1"] && sent.first?.sentAt == 160 && sent.first?.records == 2)
        #expect(try StateCheck.run(file: store.path).isClean)

        try store.transaction { () throws(CredsyncError) in
            try store.markChannelBatchAnswered("B1", answer: "outbox/pledge/B1.answer.json", at: 200)
        }
        #expect(try store.channelBatchState("B1") == .answered)
        #expect(try store.channelRecords("B1").isEmpty)
        #expect(try store.channelAwaitingKeys(platform: .ipp, dataset: .pledge).isEmpty)
        #expect(try StateCheck.run(file: store.path).isClean)
        // Kept a month so that a second delivery is known, then forgotten.
        #expect(try store.pruneAnsweredChannelBatches(before: 199) == 0)
        #expect(try store.pruneAnsweredChannelBatches(before: 201) == 1)
        #expect(try store.channelBatchState("B1") == nil)
    }

    @Test func stateCheckFindsABatchShortOfItsRecordsAndAKeyInTwoUnansweredBatches() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.transaction { () throws(CredsyncError) in
            try store.insertChannelBatch(Self.batch("B1", .sent, records: 3), records: [Self.record("K1")])
            try store.insertChannelBatch(Self.batch("B2", .sent, records: 1, at: 101), records: [Self.record("K1")])
        }
        let report = try StateCheck.run(file: store.path)
        #expect(
            report.inconsistencies.contains {
                $0.contains("channel batch B1 (sent): sent with 3 records, the store holds 1")
            })
        #expect(report.inconsistencies.contains { $0.contains("ipp pledge K1: the key is in two unanswered batches") })
        #expect(report.exitCode == .needsAttention)
        // Forgetting a batch takes its records with it.
        try store.removeChannelBatch("B1")
        #expect(try store.database.integer("SELECT count(*) FROM channel_record WHERE batch_id = 'B1'") == 0)
    }
}
