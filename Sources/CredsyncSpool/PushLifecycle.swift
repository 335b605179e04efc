package import CredsyncCore
package import CredsyncState

/// The rules of a change's life between the plan and a platform, as pure functions: which
/// planned change goes now (`decide`), what an answer does to the state (`effect`), and what an
/// operator's queue command does to an entry (`step`). The sync run and the queue commands
/// execute what these return; neither decides a queue state itself.
package enum PushLifecycle {
    /// A planned change, as far as the lifecycle looks at it.
    package struct Planned: Sendable, Equatable {
        package var op: RecordOperation
        /// For an upsert: the payload's hash.
        package var hash: String?

        package init(op: RecordOperation, hash: String?) {
            self.op = op
            self.hash = hash
        }

        /// What the rejected list holds for a rejection of exactly this change (table `rejected`,
        /// column `hash`): the payload's hash, or `withdraw` for a withdrawal.
        package var rejectionMarker: String { op == .withdraw ? "withdraw" : (hash ?? "") }
    }

    /// The queue entry a planned change's key has, as the lifecycle looks at it.
    package struct Queued: Sendable, Equatable {
        package var state: QueueState
        package var op: RecordOperation.Kind
        package var hash: String?
        /// Unix seconds.
        package var nextAttempt: Double

        package init(state: QueueState, op: RecordOperation.Kind, hash: String?, nextAttempt: Double) {
            self.state = state
            self.op = op
            self.hash = hash
            self.nextAttempt = nextAttempt
        }
    }

    /// What becomes of a planned change in this run.
    package enum Decision: Sendable, Equatable, CaseIterable {
        /// It goes now.
        case send
        /// The platform rejected exactly this before: it waits for the export to change it.
        case skipRejected
        /// Its entry is held: it waits for an operator (`credsync queue release`).
        case skipHeld
        /// Its entry gave up on exactly this: it waits for an operator (`credsync queue retry`).
        case skipDead
        /// Its entry waits for its next attempt.
        case waitBackoff

        /// Whether the entry, left in its state, takes the newest plan (a stale version is never
        /// sent later). A dead entry is skipped only when it holds the plan already.
        package var keepsNewestPlan: Bool { self == .skipHeld || self == .waitBackoff }
    }

    /// Which way `planned` goes, given its key's queue entry (nil: none), the rejected list's
    /// marker for its key (nil: not rejected) and the time.
    package static func decide(
        _ planned: Planned, queued: Queued?, rejectedMarker: String?, now: Double
    ) -> Decision {
        if rejectedMarker == planned.rejectionMarker { return .skipRejected }
        guard let queued else { return .send }
        switch queued.state {
        case .hold: return .skipHeld
        case .dead where queued.hash == planned.hash && queued.op == planned.op.kind: return .skipDead
        case .deferred where queued.nextAttempt > now: return .waitBackoff
        case .dead, .deferred: return .send
        }
    }

    /// What becomes of a deferred entry no plan of this run asks for (its desired state changed).
    package enum Unplanned: Sendable, Equatable {
        /// A create whose answer may have been lost: withdrawn (reason `unconfirmed`) rather than
        /// forgotten; the platform answers E_NOT_FOUND if it never applied it.
        case withdrawUnconfirmed
        /// Removed from the queue.
        case forget
    }

    /// What to do with a deferred entry (`op`, `reason`) the plan does not ask for.
    package static func unplanned(op: RecordOperation.Kind, reason: ChangeReason) -> Unplanned {
        let isCreate = op == .upsert && reason == .new
        return isCreate || reason == .unconfirmed ? .withdrawUnconfirmed : .forget
    }
}
