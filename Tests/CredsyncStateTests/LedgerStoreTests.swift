import CredsyncCore
import Testing
import TestSupport

@testable import CredsyncState

/// The ledger's writes of a push and of `reconcile --repair`, and `state check`'s rule for them.
@Suite struct LedgerStoreTests {
    @Test func anAnswerKeepsTheRowsVersionAndHashWhereItGivesNone() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        try store.recordAnswer(
            key: "K-1", status: .published, version: 3, hash: "h1", batch: "b1", at: 10, platform: .credit,
            dataset: .license)
        // Unchanged: no version in the answer; a withdrawal: no hash.
        try store.recordAnswer(
            key: "K-1", status: .withdrawn, version: nil, hash: nil, batch: "b2", at: 20, platform: .credit,
            dataset: .license)
        let row = try store.ledgerRow(platform: .credit, dataset: .license, key: "K-1")
        let expected = LedgerRow(
            key: "K-1", status: .withdrawn, version: 3, hash: "h1", batch: "b2", createdAt: 10, updatedAt: 20)
        #expect(row == expected)
        try store.recordAnswer(
            key: "K-2", status: .published, version: nil, hash: "h2", batch: "b3", at: 30, platform: .credit,
            dataset: .license)
        #expect(try store.ledgerRow(platform: .credit, dataset: .license, key: "K-2")?.version == 0)
        try store.markWithdrawn(key: "K-2", platform: .credit, dataset: .license)
        #expect(try store.ledgerRow(platform: .credit, dataset: .license, key: "K-2")?.status == .withdrawn)
    }

    @Test func replacingTheLedgerDeletesOtherKeysAndLeavesOtherPlatforms() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        for key in ["A", "B", "C"] {
            try store.upsertLedger(Sample.ledger(key), platform: .credit, dataset: .license)
            try store.upsertLedger(Sample.ledger(key), platform: .gsxt, dataset: .license)
        }
        try store.replaceAcceptedPayload(platform: .credit, dataset: .license, key: "B", payload: "{}", acceptedAt: 1)
        try store.replaceLedger(
            [Sample.ledger("B", version: 9), Sample.ledger("D")], platform: .credit, dataset: .license)
        var keys: [String] = []
        try store.forEachLedgerRow(platform: .credit, dataset: .license) { keys.append($0.key) }
        #expect(keys == ["B", "D"])
        #expect(try store.ledgerRow(platform: .credit, dataset: .license, key: "B")?.version == 9)
        #expect(try store.acceptedPayload(platform: .credit, dataset: .license, key: "B") == "{}")
        #expect(try store.ledgerCount(platform: .gsxt, dataset: .license) == 3)
    }

    @Test func aKeyRejectedWithThePublishedHashIsInconsistent() throws {
        let directory = try TemporaryDirectory("state")
        let store = try StateStore(stateDir: directory.path)
        let row = Sample.ledger("K-1")
        try store.upsertLedger(row, platform: .credit, dataset: .license)
        // Rejected with another hash (an edit not yet accepted): consistent.
        try store.upsertRejected(
            RejectedRow(key: "K-1", hash: "other", rejectedAt: 1, reason: "E_FORMAT"), platform: .credit,
            dataset: .license)
        #expect(try StateCheck.run(file: store.path).isClean)
        try store.upsertRejected(
            RejectedRow(key: "K-1", hash: row.hash, rejectedAt: 1, reason: "E_FORMAT"), platform: .credit,
            dataset: .license)
        let report = try StateCheck.run(file: store.path)
        #expect(report.exitCode == .needsAttention)
        #expect(report.inconsistencies.contains { $0.contains("K-1") && $0.contains("rejected with the hash") })
    }
}
