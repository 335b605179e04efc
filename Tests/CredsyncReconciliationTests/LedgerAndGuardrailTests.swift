import CredsyncCore
import Foundation
import TestSupport
import Testing
import CredsyncState

@testable import CredsyncReconciliation

@Suite struct LedgerTests {
    @Test func roundTripsEntriesWithAwkwardKeysThroughTheStore() throws {
        let directory = try TemporaryDirectory("ledger")
        let store = try StateStore(stateDir: directory.path)
        var ledger = Ledger(platform: .credit, dataset: .license)
        for key in ["浙知许〔2025〕12号", "tab\there", "line\nbreak", "back\\slash", "cr\rkey", ""] {
            ledger.entries[key] = LedgerEntry(
                hash: String(repeating: "a", count: 64), isPublished: key.count % 2 == 0, version: 3,
                updatedAt: 1_700_000_000, batchID: "b-1")
        }
        try ledger.save(in: store)
        let loaded = try Ledger.load(from: store, platform: .credit, dataset: .license)
        #expect(loaded.entries == ledger.entries)
        #expect(try Ledger.load(from: store, platform: .gsxt, dataset: .license).entries.isEmpty)
        // No ledger file: the rows are the store's.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/ledger"))
    }

    @Test func savingAgainDropsKeysNoLongerHeldAndKeepsTheOthersPayloads() throws {
        let directory = try TemporaryDirectory("ledger")
        let store = try StateStore(stateDir: directory.path)
        var ledger = Ledger(platform: .gsxt, dataset: .penalty)
        ledger.entries["k1"] = LedgerEntry(hash: "h1", isPublished: true, version: 1, updatedAt: 1, batchID: "b")
        ledger.entries["k2"] = LedgerEntry(hash: "h2", isPublished: true, version: 1, updatedAt: 1, batchID: "b")
        try ledger.save(in: store)
        for key in ["k1", "k2"] {
            let payload = JSONObject([JSONMember("XK_WSH", .string(key))])
            try SentPayloads.replace(payload, key: key, in: store, platform: .gsxt, dataset: .penalty, at: 1)
        }
        ledger.entries["k2"] = nil
        ledger.entries["k1"]?.version = 2
        try ledger.save(in: store)
        let loaded = try Ledger.load(from: store, platform: .gsxt, dataset: .penalty)
        #expect(loaded.entries == ledger.entries)
        #expect(try SentPayloads.payload(of: "k1", in: store, platform: .gsxt, dataset: .penalty)?["XK_WSH"] == "k1")
        #expect(try SentPayloads.payload(of: "k2", in: store, platform: .gsxt, dataset: .penalty) == nil)
    }
}

@Suite struct GuardrailTests {
    func plan(withdrawals: Int, published: Int) -> DatasetPlan {
        var plan = DatasetPlan(platform: .credit, dataset: .license)
        plan.publishedBefore = published
        plan.changes = ChangeList(
            (0..<withdrawals).map { Change(key: "k\($0)", op: .withdraw, reason: .withdrawal(.corrected)) })
        return plan
    }

    @Test func massWithdrawalIsRefused() {
        let refusal = Guardrail.refusal(
            plan(withdrawals: 60, published: 1000), exportRecords: 1000, exportRows: 1000, previousRecords: 1000,
            guardrails: Guardrails())
        #expect(
            refusal
                == "credit/license: the plan would withdraw 60 of 1000 published records (6%), more than the 5% allowed"
        )
        #expect(
            Guardrail.refusal(
                plan(withdrawals: 50, published: 1000), exportRecords: 1000, exportRows: 1000, previousRecords: 1000,
                guardrails: Guardrails()) == nil)
        #expect(
            Guardrail.refusal(
                plan(withdrawals: 3, published: 20), exportRecords: 20, exportRows: 20, previousRecords: 20,
                guardrails: Guardrails()) == nil)
    }

    @Test func truncatedOrEmptyExportIsRefused() {
        let shrunk = Guardrail.refusal(
            plan(withdrawals: 0, published: 1000), exportRecords: 900, exportRows: 900, previousRecords: 1000,
            guardrails: Guardrails())
        #expect(
            shrunk
                == "credit/license: the export shrank from 1000 to 900 valid records (10%), more than the 5% allowed: is it truncated?"
        )
        let empty = Guardrail.refusal(
            plan(withdrawals: 0, published: 10), exportRecords: 0, exportRows: 0, previousRecords: nil,
            guardrails: Guardrails())
        #expect(empty?.contains("the export holds no valid records, but 10 were there before") == true)
        #expect(
            Guardrail.refusal(
                plan(withdrawals: 0, published: 0), exportRecords: 0, exportRows: 0, previousRecords: nil,
                guardrails: Guardrails()) == nil)
    }
}
