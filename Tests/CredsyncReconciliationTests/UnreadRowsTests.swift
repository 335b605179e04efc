import CredsyncCore
import CredsyncMapping
@testable import CredsyncFormats
import Foundation
import TestSupport
import Testing

@testable import CredsyncReconciliation
import CredsyncCatalogs

/// A published record is withdrawn as `corrected` only when the export was read whole and lacks
/// it: a row that cannot be read never costs a published record, whether its key can be
/// recovered or not.
@Suite struct UnreadRowsTests {
    let directory: TemporaryDirectory
    let rules: PublicityRules

    init() throws {
        directory = try TemporaryDirectory("unread")
        rules = try Records.rules()
    }

    /// A ledger holding every record of the intact export, and one key the export no longer has.
    func ledger(_ export: WholeExport) throws -> (Ledger, NationalFormat, ExportResult) {
        let (intact, mapping) = try export.read(export.bytes, in: directory)
        let format = mapping.mapper.definition.format
        var ledger = Ledger(platform: .credit, dataset: export.dataset)
        for record in intact.records {
            ledger.entries[record.key] = LedgerEntry(
                hash: record.payloadHash(format: format, dateSeparator: "/"),
                isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        }
        ledger.entries["GONE-0001"] = LedgerEntry(
            hash: String(repeating: "1", count: 64), isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        return (ledger, format, intact)
    }

    func plan(_ export: WholeExport, _ bytes: [UInt8], approved: Bool = false) throws -> (DatasetPlan, ExportResult) {
        let (ledger, format, _) = try self.ledger(export)
        let (result, _) = try export.read(bytes, in: directory)
        let plan = Planner.plan(
            export: result, format: format, platform: ExportFuzzTests.platform, ledger: ledger, rules: rules,
            asOf: ExportFuzzTests.asOf, approveWithdrawals: approved)
        return (plan, result)
    }

    func pledges() throws -> WholeExport { try #require(WholeExport.all.first { $0.dataset == .pledge }) }

    func withdrawn(_ plan: DatasetPlan) -> [String] {
        plan.changes.filter { $0.op == .withdraw && $0.reason == .withdrawal(.corrected) }.map(\.key)
    }

    /// `text` (UTF-8) replaced once in `bytes`.
    func replacing(_ text: String, with replacement: [UInt8], in bytes: [UInt8]) throws -> [UInt8] {
        let at = try #require(WholeExport.find(Array(text.utf8), in: bytes))
        var bytes = bytes
        bytes.replaceSubrange(at..<(at + text.utf8.count), with: replacement)
        return bytes
    }

    @Test func anExportReadWholeWithdrawsWhatItLacks() throws {
        let export = try pledges()
        let (plan, result) = try self.plan(export, export.bytes)
        #expect(result.isReadWhole)
        #expect(withdrawn(plan) == ["GONE-0001"])
        #expect(plan.heldWithdrawals.isEmpty)
    }

    @Test func aRowMissingACommaHoldsEveryWithdrawalAndKeepsItsOwnRecordOnApproval() throws {
        let export = try pledges()
        // ZX2025000001's row loses the comma after its key.
        let bytes = try replacing("ZX2025000001,专利", with: Array("ZX2025000001专利".utf8), in: export.bytes)
        let (plan, result) = try self.plan(export, bytes)
        #expect(!result.isReadWhole)
        #expect(withdrawn(plan).isEmpty)
        #expect(plan.heldWithdrawals == ["GONE-0001"])
        #expect(Set(plan.keptSetAside) == ["GONE-0001", "ZX2025000001"])
        #expect(
            plan.warnings.contains {
                $0.contains("not read whole") && $0.contains("pledges.csv") && $0.contains("--approve-withdrawals")
            })
        // Approved, the record that is gone is withdrawn; the one whose row is broken is not.
        let (approved, _) = try self.plan(export, bytes, approved: true)
        #expect(withdrawn(approved) == ["GONE-0001"])
        #expect(!withdrawn(approved).contains("ZX2025000001"))
    }

    @Test func aRowWhoseKeyIsRecoveredIsSetAsideAndTheExportStaysWhole() throws {
        let export = try pledges()
        // A byte-order mark before the key, and bytes that are not UTF-8 in another value.
        var bytes = try replacing(
            "ZX2025000001,专利", with: [0xEF, 0xBB, 0xBF] + Array("ZX2025000001,专利".utf8), in: export.bytes)
        bytes = try replacing("一种新型电池的装置", with: [0xFF, 0xFE], in: bytes)
        let (plan, result) = try self.plan(export, bytes)
        #expect(result.isReadWhole)
        #expect(
            result.setAside.contains { $0.key == "ZX2025000001" && $0.reasons.contains { $0.rule == "E_UNREADABLE" } })
        #expect(plan.keptSetAside.contains("ZX2025000001"))
        #expect(!plan.changes.contains { $0.key.unicodeScalars.contains("\u{FEFF}") || $0.key == "ZX2025000001" })
        #expect(withdrawn(plan) == ["GONE-0001"])
    }

    @Test func aRowWhoseKeyIsDamagedHoldsTheWithdrawals() throws {
        let export = try pledges()
        let bytes = try replacing(
            "ZX2025000001,", with: Array("ZX20250".utf8) + [0xFF] + Array("00001,".utf8), in: export.bytes)
        let (plan, result) = try self.plan(export, bytes)
        #expect(result.setAside.contains { $0.key == nil && $0.reasons.contains { $0.rule == "E_UNREADABLE" } })
        #expect(!result.isReadWhole)
        #expect(withdrawn(plan).isEmpty)
        #expect(Set(plan.heldWithdrawals) == ["GONE-0001", "ZX2025000001"])
    }

    @Test func invalidGB18030BytesInAPublishedLicenseKeepItsRecord() throws {
        let export = try #require(WholeExport.all.first { $0.dataset == .license })
        // The first row's 决定日期 begins with bytes that are not GB18030.
        let bytes = try replacing("2026.01.13,", with: [0x81, 0x20] + Array("26.01.13,".utf8), in: export.bytes)
        let (plan, result) = try self.plan(export, bytes)
        #expect(result.isReadWhole)
        #expect(result.setAside.contains { $0.key == "ZJ-ZL-2026-00001" })
        #expect(plan.keptSetAside.contains("ZJ-ZL-2026-00001"))
        #expect(!plan.changes.contains { $0.key == "ZJ-ZL-2026-00001" })
    }

    /// 许可编号 unreadable: the key must not fall back to the 决定书文号, a key the platform never had.
    @Test func aDamagedLicenceNumberIsNotReplacedByTheDecisionNumber() throws {
        let export = try #require(WholeExport.all.first { $0.dataset == .license })
        let bytes = try replacing(
            "ZJ-ZL-2026-00001,", with: Array("ZJ-ZL-2026-0000".utf8) + [0x81, 0x20] + [0x2C], in: export.bytes)
        let (plan, result) = try self.plan(export, bytes)
        let damaged = try #require(result.setAside.first { $0.reasons.contains { $0.rule == "E_UNREADABLE" } })
        #expect(damaged.key == nil)
        #expect(!plan.changes.contains { $0.op == .create })
        #expect(plan.heldWithdrawals.contains("ZJ-ZL-2026-00001"))
    }

    @Test func exportCutInsideItsLastRecordWithdrawsNothing() throws {
        let export = try pledges()
        let (plan, result) = try self.plan(export, Array(export.bytes.dropLast(30)))
        #expect(result.unreadable.last?.reason.contains("truncated") == true)
        #expect(withdrawn(plan).isEmpty)
        #expect(plan.heldWithdrawals.contains("GONE-0001"))
    }
}
