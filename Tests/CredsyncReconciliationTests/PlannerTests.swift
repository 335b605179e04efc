import CredsyncCore
import CredsyncMapping
@testable import CredsyncFormats
import TestSupport
import Testing

@testable import CredsyncReconciliation

/// The plan from records stepped while they stream past (as `credsync plan` reads) is the plan
/// from the whole export held in memory.
@Suite struct PlannerTests {
    static let asOf = day("2026-06-30")
    static let platform = PlatformConfig(
        id: .gsxt, baseURL: "http://127.0.0.1:1/gsxt/exchange/v1", appID: "t", secret: "t-secret-0123456789abcdef")

    static func exportMapping() throws -> (ExportMapping, MappingDefinition) {
        let mapping = Binaries.packageRoot + "/mappings/license.json"
        let definition = try MappingLoader.load(mapping)
        let catalog = CatalogConfig(
            dataset: .license, path: Binaries.packageRoot + "/fixtures/licenses.csv", format: .csv, encoding: .gb18030,
            mapping: mapping)
        return (
            ExportMapping(catalog: catalog, definition: definition, organisation: Records.organisation, today: asOf),
            definition
        )
    }

    /// A ledger that holds most of the export: one record changed, one withdrawn, one key the
    /// export no longer has, one key whose row is set aside.
    static func ledger(_ export: ExportResult, _ definition: MappingDefinition) throws -> Ledger {
        var ledger = Ledger(platform: .gsxt, dataset: .license)
        for record in export.records.dropFirst(5) {
            ledger.entries[record.key] = LedgerEntry(
                hash: record.payloadHash(format: definition.format, dateSeparator: platform.dateSeparator),
                isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        }
        let keys = export.records.dropFirst(5).prefix(2).map(\.key)
        ledger.entries[keys[0]]?.hash = String(repeating: "0", count: 64)
        ledger.entries[keys[1]]?.isPublished = false
        ledger.entries["XK-GONE-0001"] = LedgerEntry(
            hash: String(repeating: "1", count: 64), isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        let setAsideKey = try #require(export.setAside.compactMap(\.key).first)
        ledger.entries[setAsideKey] = LedgerEntry(
            hash: String(repeating: "2", count: 64), isPublished: true, version: 1, updatedAt: 0, batchID: "b1")
        return ledger
    }

    @Test func streamedPlanIsThePlanOfTheWholeExport() throws {
        let (mapping, definition) = try Self.exportMapping()
        let whole = try mapping.collect()
        let ledger = try Self.ledger(whole, definition)
        let rules = try Records.rules()
        // The fixture has rows that cannot be read: withdrawals are approved on both sides.
        let expected = Planner.plan(
            export: whole, format: definition.format, platform: Self.platform, ledger: ledger, rules: rules,
            asOf: Self.asOf,
            approveWithdrawals: true)

        let context = PlanContext(
            dataset: .license, format: definition.format, platform: Self.platform, ledger: ledger, rules: rules,
            asOf: Self.asOf)
        let (streamed, steps) = try mapping.collect(keepRecords: false) { context.step($0) }
        #expect(streamed.records.isEmpty)
        #expect(streamed.recordCount == whole.records.count)
        #expect(steps.count == whole.records.count)
        #expect(streamed.setAside.map(\.line) == whole.setAside.map(\.line))
        let plan = Planner.plan(
            steps: steps, dataset: .license, platform: .gsxt, ledger: ledger, setAsideKeys: streamed.setAsideKeys,
            unread: UnreadRows(streamed, isApproved: true))

        func summary(_ change: Change) -> String {
            "\(change.key) \(change.op.rawValue) \(change.reason) \(change.hash ?? "-") \(change.previousHash ?? "-") \(change.line ?? 0)"
        }
        #expect(plan.changes.map(summary) == expected.changes.map(summary))
        #expect(
            plan.changes.map { $0.payload.map { JSONWriter.canonical(.object($0)) } }
                == expected.changes.map { $0.payload.map { JSONWriter.canonical(.object($0)) } })
        #expect(
            [plan.unchanged, plan.notYet, plan.notPublished, plan.publishedBefore] == [
                expected.unchanged, expected.notYet, expected.notPublished, expected.publishedBefore,
            ])
        #expect(plan.keptSetAside == expected.keptSetAside)
        #expect(plan.warnings == expected.warnings)
        #expect(plan.deadlines == expected.deadlines)

        // What the ledger was made to hold shows in the plan.
        let keys = whole.records.dropFirst(5).prefix(2).map(\.key)
        #expect(plan.changes.contains { $0.key == keys[0] && $0.op == .update && $0.reason == .changed })
        #expect(plan.changes.contains { $0.key == keys[1] && $0.op == .update && $0.reason == .republished })
        #expect(
            plan.changes.contains {
                $0.key == "XK-GONE-0001" && $0.op == .withdraw && $0.reason == .withdrawal(.corrected)
            })
        #expect(plan.keptSetAside.count == 1)
        #expect(plan.count(.create) > 0)
        #expect(plan.changes.filter { $0.op == .create }.allSatisfy { ledger.entries[$0.key] == nil })
        #expect(plan.unchanged > 100)
    }

    /// Steps worked out together for several platforms (one decision, one hash per date form)
    /// are the steps worked out for each alone.
    @Test func sharedStepsAreEachPlatformsOwn() throws {
        let (mapping, definition) = try Self.exportMapping()
        let whole = try mapping.collect()
        let ledger = try Self.ledger(whole, definition)
        let empty = Ledger(platform: .credit, dataset: .license)
        let rules = try Records.rules()
        let credit = PlatformConfig(
            id: .credit, baseURL: "http://127.0.0.1:1/credit/exchange/v1", appID: "t",
            secret: "t-secret-0123456789abcdef")
        let dashes = PlatformConfig(
            id: .ipp, baseURL: "http://127.0.0.1:1/ipp/exchange/v1", appID: "t", secret: "t-secret-0123456789abcdef",
            dateSeparator: "-")
        let contexts = [
            PlanContext(
                dataset: .license, format: definition.format, platform: Self.platform, ledger: ledger, rules: rules,
                asOf: Self.asOf),
            PlanContext(
                dataset: .license, format: definition.format, platform: credit, ledger: empty, rules: rules,
                asOf: Self.asOf),
            PlanContext(
                dataset: .license, format: definition.format, platform: dashes, ledger: ledger, rules: rules,
                asOf: Self.asOf),
        ]
        func summary(_ step: PlanStep) -> String {
            let change = step.detail?.change.map { "\($0.op.rawValue) \($0.reason) \($0.hash ?? "-")" } ?? "-"
            let place = step.place.map(String.init) ?? "-"
            let due = step.detail?.deadline.map { "\($0.due)" } ?? "-"
            return "\(place) \(step.tally) \(change) \(due) \(step.detail?.warnings ?? [])"
        }
        var creates = 0
        for record in whole.records {
            let shared = PlanContext.steps(record, contexts: contexts).map(summary)
            #expect(shared == contexts.map { summary($0.step(record)) }, "\(record.key)")
            creates += PlanContext.steps(record, contexts: contexts)[1].detail?.change?.op == .create ? 1 : 0
        }
        #expect(creates > 100)
    }

    @Test func digestMatchesItsHexFormOnly() {
        let bytes = Array("{\"XK_XKBH\":\"XK-1\"}".utf8)
        let digest = bytes.withUnsafeBytes { SHA256.Digest(of: $0) }
        #expect(digest.hex == SHA256.hex(bytes))
        #expect(digest.bytes == SHA256.digest(bytes))
        let hex = Array(digest.hex.utf8)
        hex.withUnsafeBufferPointer { #expect(digest.matches(hex: $0)) }
        var other = hex
        other[63] = other[63] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        other.withUnsafeBufferPointer { #expect(!digest.matches(hex: $0)) }
        hex.dropLast().withUnsafeBufferPointer { #expect(!digest.matches(hex: $0)) }
    }
}
