import CredsyncCore
import TestSupport
import Testing

@testable import CredsyncReconciliation
import CredsyncFormats
import CredsyncMapping

/// A plan's changes written to its spill as they are planned read back as the plan held in memory.
@Suite struct ChangeSpillTests {
    @Test func changesReadBackAsTheyWereWrittenWithTheirDeadlinesAndPayloads() throws {
        var list = ChangeList(spill: try ChangeSpill())
        var changes: [Change] = []
        for i in 0..<5000 {
            var change = Change(
                key: "浙知许〔2026〕\(i)号", op: i % 3 == 0 ? .withdraw : (i % 3 == 1 ? .create : .update),
                reason: i % 3 == 0 ? .withdrawal(.expired) : .new,
                payload: i % 3 == 0 ? nil : JSONObject([JSONMember("XK_XKBH", .string("XK-\(i)"))]),
                hash: i % 3 == 0 ? nil : String(repeating: "a", count: 64), previousHash: i % 2 == 0 ? "b" : nil,
                line: i % 7 == 0 ? nil : i + 2)
            if i % 5 == 0 {
                change.deadline = Deadline(key: change.key, kind: .publication, due: day("2026-12-\(i % 28 + 1)"))
            }
            if i % 11 == 0 {
                change.unknownDeadline = UnknownDeadline(
                    key: change.key, kind: .withdrawal, problem: "no 2031", missingYear: 2031)
            }
            changes.append(change)
            list.append(change)
        }
        func summary(_ change: Change) -> String {
            "\(change.key) \(change.op) \(change.reason) \(change.hash ?? "-") \(change.previousHash ?? "-") "
                + "\(change.line ?? -1) \(change.deadline.map { "\($0.kind) \($0.due)" } ?? "-") "
                + "\(change.unknownDeadline?.problem ?? "-") \(change.payloadJSON.map { String(decoding: $0, as: UTF8.self) } ?? "-")"
        }
        #expect(list.map(summary) == changes.map(summary))
        #expect(list.count(.withdraw) == changes.filter { $0.op == .withdraw }.count)
        try list.check()

        // Rows found to share a key are taken back by their lines.
        let lines: Set<Int> = [9, 10, 11]
        list.removeAll(lines: lines)
        #expect(list.map(summary) == changes.filter { !($0.line.map(lines.contains) ?? false) }.map(summary))
    }

    @Test func aPlanFoldedIntoASpillIsThePlanHeldInMemory() throws {
        let (mapping, definition) = try PlannerTests.exportMapping()
        let whole = try mapping.collect()
        let ledger = try PlannerTests.ledger(whole, definition)
        let rules = try Records.rules()
        let expected = Planner.plan(
            export: whole, format: definition.format, platform: PlannerTests.platform, ledger: ledger, rules: rules,
            asOf: PlannerTests.asOf, approveWithdrawals: true)

        let spill = try ChangeSpill()
        let context = PlanContext(
            dataset: .license, format: definition.format, platform: PlannerTests.platform, ledger: ledger, rules: rules,
            asOf: PlannerTests.asOf, spill: spill)
        var builder = PlanBuilder(dataset: .license, platform: .gsxt, ledger: ledger, spill: spill)
        let (export, duplicates) = try mapping.fold(annotate: { context.step($0) }) { step, _ in builder.add(step) }
        builder.remove(lines: duplicates)
        let plan = builder.finish(setAsideKeys: export.setAsideKeys, unread: UnreadRows(export, isApproved: true))
        try plan.changes.check()

        func summary(_ change: Change) -> String {
            "\(change.key) \(change.op.rawValue) \(change.reason) \(change.hash ?? "-") \(change.previousHash ?? "-") "
                + "\(change.line ?? 0) \(change.payloadJSON.map { String(decoding: $0, as: UTF8.self) } ?? "-")"
        }
        #expect(plan.changes.map(summary) == expected.changes.map(summary))
        #expect(
            [plan.unchanged, plan.notYet, plan.notPublished, plan.publishedBefore]
                == [expected.unchanged, expected.notYet, expected.notPublished, expected.publishedBefore])
        #expect(plan.keptSetAside == expected.keptSetAside)
        #expect(plan.warnings == expected.warnings)
        #expect(plan.deadlines == expected.deadlines)
        // The fixture repeats a key: its first row was folded, then taken back.
        #expect(!duplicates.isEmpty)
        #expect(export.recordCount == whole.records.count)
        #expect(export.setAside.map(\.line) == whole.setAside.map(\.line))
    }
}
