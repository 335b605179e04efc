import CredsyncCore
import CredsyncState
import Testing

@testable import CredsyncSpool

/// `PushLifecycle.effect` as a table: every queue state the answered change's key had (none,
/// deferred, hold, dead: each with its history) × every answer class.
@Suite struct PushLifecycleEffectTests {
    typealias Effect = PushLifecycle.Effect
    static let now = 1_790_000_000.0
    /// maxAttempts 25, maxAge 7 days (the defaults).
    static let retry = RetryPolicy()

    /// A key's queue entry before the answer, as its history.
    enum Before: String, CaseIterable, Sendable {
        case none, deferred, hold, dead

        var history: PushLifecycle.History? {
            switch self {
            case .none: nil
            case .deferred: .init(attempts: 3, firstAttempt: now - 3600)
            case .hold: .init(attempts: 1, firstAttempt: now - 86400)
            // Gave up after 25 attempts; planned again with other content, it was sent.
            case .dead: .init(attempts: 25, firstAttempt: now - 2 * 86400)
            }
        }

        /// The attempts after one more failure.
        var attemptsAfter: Int { (history?.attempts ?? 0) + 1 }
    }

    enum AnswerClass: String, CaseIterable, Sendable {
        case accepted, unchanged, rejected, rejectedNotFound, transient, permanent

        var answer: PushLifecycle.Answer {
            switch self {
            case .accepted: .accepted(version: 7)
            case .unchanged: .unchanged
            case .rejected: .rejected(notFound: false)
            case .rejectedNotFound: .rejected(notFound: true)
            case .transient: .failed(.transient)
            case .permanent: .failed(.permanent)
            }
        }
    }

    /// What the table expects of `answer` to an update (and, in `withdrawalExpected`, to a withdrawal).
    static func expected(_ before: Before, _ answer: AnswerClass, op: RecordOperation) -> Effect {
        let status: LedgerStatus = op == .withdraw ? .withdrawn : .published
        let delivered: Effect.Count = op == .withdraw ? .withdrawn : op == .create ? .created : .updated
        let marker = op == .withdraw ? "withdraw" : "h-1"
        switch answer {
        case .accepted:
            return Effect(
                ledger: .delivered(status, version: 7), rejection: .forget, queue: .remove, count: delivered,
                reachesGoal: true)
        case .unchanged:
            return Effect(
                ledger: .delivered(status, version: nil), rejection: .forget, queue: .remove,
                count: .unchanged, reachesGoal: true)
        case .rejectedNotFound where op == .withdraw:
            return Effect(
                ledger: .markedWithdrawn, rejection: nil, queue: .remove, count: .withdrawn,
                reachesGoal: true)
        case .rejected, .rejectedNotFound:
            return Effect(
                ledger: nil, rejection: .record(marker: marker), queue: .remove, count: .rejected,
                reachesGoal: false)
        case .transient:
            // The dead entry's 26th attempt exceeds maxAttempts: dead again.
            let state: QueueState = before == .dead ? .dead : .deferred
            return Effect(
                ledger: nil, rejection: nil, queue: .put(state, attempts: before.attemptsAfter),
                count: state == .dead ? .dead : .queued, reachesGoal: false)
        case .permanent:
            return Effect(
                ledger: nil, rejection: nil, queue: .put(.hold, attempts: before.attemptsAfter),
                count: .held, reachesGoal: false)
        }
    }

    @Test(arguments: Before.allCases, AnswerClass.allCases)
    func anAnswerToAnUpdateChangesLedgerRejectedListAndQueue(_ before: Before, _ answer: AnswerClass) {
        let planned = PushLifecycle.Planned(op: .update, hash: "h-1")
        let effect = PushLifecycle.effect(
            of: answer.answer, to: planned, history: before.history, at: Self.now, retry: Self.retry)
        #expect(effect == Self.expected(before, answer, op: .update))
    }

    @Test(arguments: Before.allCases, AnswerClass.allCases)
    func anAnswerToAWithdrawalChangesLedgerRejectedListAndQueue(_ before: Before, _ answer: AnswerClass) {
        let planned = PushLifecycle.Planned(op: .withdraw, hash: nil)
        let effect = PushLifecycle.effect(
            of: answer.answer, to: planned, history: before.history, at: Self.now, retry: Self.retry)
        #expect(effect == Self.expected(before, answer, op: .withdraw))
    }

    @Test(arguments: Before.allCases, AnswerClass.allCases)
    func anAnswerToACreateChangesLedgerRejectedListAndQueue(_ before: Before, _ answer: AnswerClass) {
        let planned = PushLifecycle.Planned(op: .create, hash: "h-1")
        let effect = PushLifecycle.effect(
            of: answer.answer, to: planned, history: before.history, at: Self.now, retry: Self.retry)
        #expect(effect == Self.expected(before, answer, op: .create))
    }

    struct Exhaustion: Sendable, CustomTestStringConvertible {
        var name: String
        var history: PushLifecycle.History
        var expected: QueueState
        var testDescription: String { name }
    }

    @Test(arguments: [
        Exhaustion(
            name: "the 24th attempt is deferred", history: .init(attempts: 23, firstAttempt: now),
            expected: .deferred),
        Exhaustion(
            name: "the 25th attempt gives up", history: .init(attempts: 24, firstAttempt: now),
            expected: .dead),
        Exhaustion(
            name: "an entry just under seven days is deferred",
            history: .init(attempts: 1, firstAttempt: now - 7 * 86400 + 1), expected: .deferred),
        Exhaustion(
            name: "an entry seven days old gives up",
            history: .init(attempts: 1, firstAttempt: now - 7 * 86400), expected: .dead),
        Exhaustion(
            name: "a hand-edited attempt count does not overflow",
            history: .init(attempts: Int.max, firstAttempt: now), expected: .dead),
    ])
    func aTransientFailureGivesUpAfterMaxAttemptsOrMaxAge(_ row: Exhaustion) {
        let effect = PushLifecycle.effect(
            of: .failed(.transient), to: .init(op: .update, hash: "h"), history: row.history, at: Self.now,
            retry: Self.retry)
        guard case .put(let state, let attempts) = effect.queue else {
            Issue.record("a failure must queue the change, got \(effect.queue)")
            return
        }
        #expect(state == row.expected)
        #expect(attempts == min(row.history.attempts, Int.max - 1) + 1)
    }

    @Test func aPermanentFailureIsHeldEvenPastMaxAttempts() {
        let effect = PushLifecycle.effect(
            of: .failed(.permanent), to: .init(op: .update, hash: "h"),
            history: .init(attempts: 99, firstAttempt: 0), at: Self.now, retry: Self.retry)
        #expect(effect.queue == .put(.hold, attempts: 100))
    }
}
