import CredsyncCore
import CredsyncState
import Testing

@testable import CredsyncSpool

/// `PushLifecycle.decide` as a table: every queue state a planned change's key can have, with and
/// without a rejection, and whether it is due.
@Suite struct PushLifecycleDecisionTests {
    static let now = 1_790_000_000.0
    static let update = PushLifecycle.Planned(op: .update, hash: "h-new")

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var planned = PushLifecycleDecisionTests.update
        var queued: PushLifecycle.Queued?
        var rejectedMarker: String?
        var expected: PushLifecycle.Decision
        var testDescription: String { name }
    }

    static func entry(
        _ state: QueueState, hash: String? = "h-new", op: RecordOperation.Kind = .upsert, dueIn: Double = 0
    ) -> PushLifecycle.Queued {
        PushLifecycle.Queued(state: state, op: op, hash: hash, nextAttempt: now + dueIn)
    }

    static let table: [Row] = [
        Row(name: "no entry goes", expected: .send),
        Row(name: "deferred and due goes", queued: entry(.deferred), expected: .send),
        Row(name: "deferred, due this instant, goes", queued: entry(.deferred, dueIn: 0), expected: .send),
        Row(name: "deferred and not due waits", queued: entry(.deferred, dueIn: 1), expected: .waitBackoff),
        Row(
            name: "deferred with older content, not due, waits", queued: entry(.deferred, hash: "h-old", dueIn: 60),
            expected: .waitBackoff),
        Row(name: "held waits for release", queued: entry(.hold), expected: .skipHeld),
        Row(name: "held and overdue still waits", queued: entry(.hold, dueIn: -3600), expected: .skipHeld),
        Row(name: "dead with the same content waits", queued: entry(.dead), expected: .skipDead),
        Row(name: "dead with other content goes", queued: entry(.dead, hash: "h-old"), expected: .send),
        Row(
            name: "dead as a withdrawal, now an update, goes", queued: entry(.dead, hash: nil, op: .withdraw),
            expected: .send),
        Row(name: "rejected with this content is skipped", rejectedMarker: "h-new", expected: .skipRejected),
        Row(name: "rejected with other content goes", rejectedMarker: "h-old", expected: .send),
        Row(name: "rejected beats held", queued: entry(.hold), rejectedMarker: "h-new", expected: .skipRejected),
        Row(
            name: "rejected beats deferred", queued: entry(.deferred, dueIn: 60), rejectedMarker: "h-new",
            expected: .skipRejected),
        Row(name: "rejected beats dead", queued: entry(.dead), rejectedMarker: "h-new", expected: .skipRejected),
        Row(
            name: "a withdrawal rejected before is skipped", planned: .init(op: .withdraw, hash: nil),
            rejectedMarker: "withdraw", expected: .skipRejected),
        Row(
            name: "a withdrawal after a rejected upsert goes", planned: .init(op: .withdraw, hash: nil),
            rejectedMarker: "h-new", expected: .send),
        Row(
            name: "a dead withdrawal planned again waits", planned: .init(op: .withdraw, hash: nil),
            queued: entry(.dead, hash: nil, op: .withdraw), expected: .skipDead),
    ]

    @Test(arguments: table) func aPlannedChangeGoesOrWaitsByItsQueueStateAndTheRejectedList(_ row: Row) {
        let decision = PushLifecycle.decide(
            row.planned, queued: row.queued, rejectedMarker: row.rejectedMarker, now: Self.now)
        #expect(decision == row.expected)
    }

    @Test func everyQueueStateIsCoveredByTheTable() {
        let covered = Set(Self.table.compactMap { $0.queued?.state.rawValue })
        #expect(covered == Set(QueueState.allCases.map(\.rawValue)))
        #expect(Self.table.contains { $0.queued == nil })
        #expect(Set(Self.table.map(\.expected)).count == PushLifecycle.Decision.allCases.count)
    }

    @Test func onlyEntriesLeftWaitingTakeTheNewestPlan() {
        #expect(PushLifecycle.Decision.allCases.filter(\.keepsNewestPlan) == [.skipHeld, .waitBackoff])
    }

    static let unplanned: [(RecordOperation.Kind, String, PushLifecycle.Unplanned)] = [
        (.upsert, "new", .withdrawUnconfirmed), (.upsert, "changed", .forget), (.upsert, "republished", .forget),
        (.withdraw, "expired", .forget), (.withdraw, "unconfirmed", .withdrawUnconfirmed), (.withdraw, "new", .forget),
        (.upsert, "hand-edited", .forget),
    ]

    @Test(arguments: unplanned) func aDeferredEntryNoPlanAsksForIsWithdrawnWhenItMayHaveBeenCreated(
        op: RecordOperation.Kind, reason: String, expected: PushLifecycle.Unplanned
    ) {
        #expect(PushLifecycle.unplanned(op: op, reason: ChangeReason(rawValue: reason)) == expected)
    }
}
