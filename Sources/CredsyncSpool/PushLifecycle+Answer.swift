package import CredsyncCore
package import CredsyncState

extension PushLifecycle {
    /// A platform's answer for one record, as far as the lifecycle looks at it.
    package enum Answer: Sendable, Equatable {
        /// Applied; the platform's version of the record now.
        case accepted(version: Int)
        /// The platform already held exactly this.
        case unchanged
        /// The content was refused; `notFound` when one of the errors is E_NOT_FOUND.
        case rejected(notFound: Bool)
        /// Not delivered: may pass by itself, or needs an operator (401 and 403 included).
        case failed(FailureClass)
    }

    /// An entry's attempts so far (a fresh entry: 0, first tried now).
    package struct History: Sendable, Equatable {
        package var attempts: Int
        /// Unix seconds.
        package var firstAttempt: Double

        package init(attempts: Int, firstAttempt: Double) {
            self.attempts = attempts
            self.firstAttempt = firstAttempt
        }
    }

    /// What an answer does to the state, all in the answer's transaction.
    package struct Effect: Sendable, Equatable {
        /// The ledger row's change; nil leaves it.
        package enum Ledger: Sendable, Equatable {
            /// Delivered: the status the operation leads to, the version (nil keeps the row's), the
            /// accepted payload replaced.
            case delivered(LedgerStatus, version: Int?)
            /// A withdrawal of what the platform no longer holds: marked withdrawn, nothing delivered.
            case markedWithdrawn
        }

        /// The rejected list's change for the key.
        package enum Rejection: Sendable, Equatable {
            case forget
            /// Rejected: recorded with this marker (`Planned.rejectionMarker`).
            case record(marker: String)
        }

        /// The queue entry's change.
        package enum Queue: Sendable, Equatable {
            /// Done with: any entry is removed.
            case remove
            /// The entry (made when there is none) carries the newest plan, its attempts counted, in
            /// `state`; a deferred one is due after a backoff of `attempts - 1` doublings.
            case put(QueueState, attempts: Int)
        }

        /// Which count of the dataset's outcome it adds one to.
        package enum Count: Sendable, Equatable, CaseIterable {
            case created, updated, withdrawn, unchanged, rejected, queued, held, dead
        }

        package var ledger: Ledger?
        package var rejection: Rejection?
        package var queue: Queue
        package var count: Count
        /// Whether the platform now holds what the change asked for (its deadline is met).
        package var reachesGoal: Bool
    }

    /// What `answer` to `planned` does, given its entry's history (nil: no entry), the time of the
    /// answer and the retry policy.
    package static func effect(
        of answer: Answer, to planned: Planned, history: History?, at now: Double, retry: RetryPolicy
    ) -> Effect {
        let status: LedgerStatus = planned.op == .withdraw ? .withdrawn : .published
        switch answer {
        case .accepted(let version):
            let count: Effect.Count =
                switch planned.op {
                case .create: .created
                case .update: .updated
                case .withdraw: .withdrawn
                }
            return Effect(
                ledger: .delivered(status, version: version), rejection: .forget, queue: .remove, count: count,
                reachesGoal: true)
        case .unchanged:
            return Effect(
                ledger: .delivered(status, version: nil), rejection: .forget, queue: .remove, count: .unchanged,
                reachesGoal: true)
        case .rejected(notFound: true) where planned.op == .withdraw:
            // The platform no longer holds it: the withdrawal's goal is met.
            return Effect(
                ledger: .markedWithdrawn, rejection: nil, queue: .remove, count: .withdrawn, reachesGoal: true)
        case .rejected:
            return Effect(
                ledger: nil, rejection: .record(marker: planned.rejectionMarker), queue: .remove, count: .rejected,
                reachesGoal: false)
        case .failed(let failureClass):
            let history = history ?? History(attempts: 0, firstAttempt: now)
            // A hand-edited entry cannot overflow it.
            let attempts = min(history.attempts, Int.max - 1) + 1
            let state: QueueState
            let count: Effect.Count
            if failureClass == .permanent {
                (state, count) = (.hold, .held)
            } else if attempts >= retry.maxAttempts || now - history.firstAttempt >= retry.maxAge {
                (state, count) = (.dead, .dead)
            } else {
                (state, count) = (.deferred, .queued)
            }
            return Effect(
                ledger: nil, rejection: nil, queue: .put(state, attempts: attempts), count: count, reachesGoal: false)
        }
    }
}
