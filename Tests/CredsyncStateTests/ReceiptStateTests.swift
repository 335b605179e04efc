import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// The `receipt` and `receipt_cursor` tables (schema 3).
@Suite struct ReceiptStateTests {
    static func accepted(_ key: String, version: Int, hash: String, at time: Double = 100) -> AcceptedVersion {
        AcceptedVersion(
            key: key, version: version, op: .upsert, hash: hash, batch: "b\(version)", requestID: "r\(version)",
            acceptedAt: time)
    }

    static func receipt(_ key: String, version: Int, seq: Int, _ state: ReceiptRow.State) -> ReceiptRow {
        ReceiptRow(
            seq: seq, key: key, version: version, op: .upsert, state: state, at: "2026-12-02T08:00:00Z",
            remoteID: state == .published ? "R\(seq)" : nil,
            errors: state == .failed ? #"[{"code":"E_SUBJECT_UNMATCHED","message":"x"}]"# : nil, batch: "b\(version)")
    }

    @Test func highestSeqWinsAnOldVersionIsHistoryAndAFailureIsRejectedWithItsHash() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        #expect(try Schema.version(of: store.database) >= 3)
        try store.recordAnswer(
            key: "K", status: .published, version: 2, hash: "h2", batch: "b2", at: 100, platform: .gsxt,
            dataset: .license)
        try store.recordAccepted(Self.accepted("K", version: 1, hash: "h1"), platform: .gsxt, dataset: .license)
        try store.recordAccepted(Self.accepted("K", version: 2, hash: "h2"), platform: .gsxt, dataset: .license)
        #expect(try store.receiptCounts().first?.pending == 1)
        #expect(try store.pendingVersions(acceptedBefore: 200).map(\.requestID) == ["r2"])
        // Version 1's receipt is history; a repeated one (same seq) changes nothing.
        #expect(
            try store.applyReceipt(
                Self.receipt("K", version: 1, seq: 5, .published), platform: .gsxt, dataset: .license, now: 200)
                == .history)
        #expect(
            try store.applyReceipt(
                Self.receipt("K", version: 1, seq: 5, .failed), platform: .gsxt, dataset: .license, now: 200)
                == .repeated)
        #expect(
            try store.applyReceipt(
                Self.receipt("K", version: 2, seq: 7, .failed), platform: .gsxt, dataset: .license, now: 200)
                == .failed(hash: "h2"))
        #expect(try store.ledgerRow(platform: .gsxt, dataset: .license, key: "K") == nil)
        #expect(try store.rejected(platform: .gsxt, dataset: .license, key: "K")?.hash == "h2")
        let counts = try #require(try store.receiptCounts().first)
        #expect(counts.pending == 0 && counts.failed == 1 && counts.published == 0)
        #expect(try store.pendingVersions(acceptedBefore: 200).isEmpty)
    }

    @Test func theCursorIsKeptPerPlatformAndDatasetAndForgotten() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        #expect(try store.receiptCursor(platform: .gsxt, dataset: .penalty) == nil)
        try store.setReceiptCursor("c1", platform: .gsxt, dataset: .penalty, at: 1)
        try store.setReceiptCursor("c2", platform: .gsxt, dataset: .penalty, at: 2)
        #expect(try store.receiptCursor(platform: .gsxt, dataset: .penalty) == "c2")
        #expect(try store.receiptCursor(platform: .gsxt, dataset: .license) == nil)
        try store.setReceiptCursor(nil, platform: .gsxt, dataset: .penalty, at: 3)
        #expect(try store.receiptCursor(platform: .gsxt, dataset: .penalty) == nil)
    }
}
