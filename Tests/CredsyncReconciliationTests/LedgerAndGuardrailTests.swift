import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation

@Suite struct LedgerTests {
    @Test func roundTripsEntriesWithAwkwardKeys() throws {
        let directory = try TemporaryDirectory("ledger")
        var ledger = Ledger(platform: .credit, dataset: .license)
        for key in ["浙知许〔2025〕12号", "tab\there", "line\nbreak", "back\\slash", "cr\rkey"] {
            ledger.entries[key] = LedgerEntry(hash: String(repeating: "a", count: 64), isPublished: key.count % 2 == 0, version: 3, updatedAt: 1_700_000_000, batchID: "b-1")
        }
        try ledger.save(stateDir: directory.path)
        let loaded = try Ledger.load(stateDir: directory.path, platform: .credit, dataset: .license)
        #expect(loaded.entries == ledger.entries)
    }

    @Test func killedBetweenWriteAndRenameKeepsTheOldState() throws {
        let directory = try TemporaryDirectory("ledger")
        var ledger = Ledger(platform: .gsxt, dataset: .penalty)
        ledger.entries["k1"] = LedgerEntry(hash: "h1", isPublished: true, version: 1, updatedAt: 1, batchID: "b")
        try ledger.save(stateDir: directory.path)
        // What a kill between the temporary file's write and the rename leaves: the new state
        // written under the temporary name, half of it, never renamed.
        var newer = ledger
        newer.entries["k2"] = LedgerEntry(hash: "h2", isPublished: true, version: 1, updatedAt: 2, batchID: "c")
        let path = Ledger.path(stateDir: directory.path, platform: .gsxt, dataset: .penalty)
        let bytes = LedgerCodec.encode(newer.entries, platform: .gsxt, dataset: .penalty)
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path + ".tmp-99999"))
        let loaded = try Ledger.load(stateDir: directory.path, platform: .gsxt, dataset: .penalty)
        #expect(loaded.entries == ledger.entries)
    }

    @Test func aTornOrAlteredLedgerIsRefusedWithAHint() throws {
        let directory = try TemporaryDirectory("ledger")
        var ledger = Ledger(platform: .ipp, dataset: .pledge)
        ledger.entries["k"] = LedgerEntry(hash: "h", isPublished: true, version: 1, updatedAt: 1, batchID: "b")
        try ledger.save(stateDir: directory.path)
        let path = Ledger.path(stateDir: directory.path, platform: .ipp, dataset: .pledge)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Ledger.load(stateDir: directory.path, platform: .ipp, dataset: .pledge)
            Issue.record("loaded an altered ledger")
        } catch {
            #expect(error.exitCode == .ioError)
            #expect(error.message.contains("checksum does not match"))
            #expect(error.hint?.contains("reconcile --platform ipp --dataset pledge --repair") == true)
        }
    }
}

@Suite struct GuardrailTests {
    func plan(withdrawals: Int, published: Int) -> DatasetPlan {
        var plan = DatasetPlan(platform: .credit, dataset: .license)
        plan.publishedBefore = published
        plan.changes = (0..<withdrawals).map { Change(key: "k\($0)", op: .withdraw, reason: "corrected") }
        return plan
    }

    @Test func massWithdrawalIsRefused() {
        let refusal = Guardrail.refusal(plan(withdrawals: 60, published: 1000), exportRecords: 1000, exportRows: 1000, previousRecords: 1000, guardrails: Guardrails())
        #expect(refusal == "credit/license: the plan would withdraw 60 of 1000 published records (6%), more than the 5% allowed")
        #expect(Guardrail.refusal(plan(withdrawals: 50, published: 1000), exportRecords: 1000, exportRows: 1000, previousRecords: 1000, guardrails: Guardrails()) == nil)
        #expect(Guardrail.refusal(plan(withdrawals: 3, published: 20), exportRecords: 20, exportRows: 20, previousRecords: 20, guardrails: Guardrails()) == nil)
    }

    @Test func truncatedOrEmptyExportIsRefused() {
        let shrunk = Guardrail.refusal(plan(withdrawals: 0, published: 1000), exportRecords: 900, exportRows: 900, previousRecords: 1000, guardrails: Guardrails())
        #expect(shrunk == "credit/license: the export shrank from 1000 to 900 valid records (10%), more than the 5% allowed: is it truncated?")
        let empty = Guardrail.refusal(plan(withdrawals: 0, published: 10), exportRecords: 0, exportRows: 0, previousRecords: nil, guardrails: Guardrails())
        #expect(empty?.contains("the export holds no valid records, but 10 were there before") == true)
        #expect(Guardrail.refusal(plan(withdrawals: 0, published: 0), exportRecords: 0, exportRows: 0, previousRecords: nil, guardrails: Guardrails()) == nil)
    }
}
