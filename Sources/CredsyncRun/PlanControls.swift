public import CredsyncCore
public import CredsyncReconciliation

/// What a run asks of planning beyond the plan itself: approvals of refused plans, and datasets
/// re-sent whole (`push --all`).
package struct PlanControls: Sendable {
    /// Saves refused plans and lets approved ones go; nil (forecast, reconcile): refusals stay as they are.
    package var approvals: ApprovalGate?
    /// Datasets whose every published record is planned as an update (`push --dataset D --all`):
    /// refused unless approved, as a guardrail's refusal is.
    package var resendAll: Set<Dataset> = []

    package init(approvals: ApprovalGate? = nil, resendAll: Set<Dataset> = []) {
        self.approvals = approvals
        self.resendAll = resendAll
    }

    /// What a plan goes ahead as.
    package enum Verdict: Sendable, Equatable {
        /// Nothing held it back.
        case planned
        /// Held back, then let go under this approval.
        case approved(planID: String)
        /// Held back: the message says why, and what to do.
        case refused(String)
    }

    /// The ledger a plan of `dataset` compares the export with: for a dataset re-sent whole, every
    /// published entry with a hash no payload has, so every record the export publishes is an update.
    package func planned(_ ledger: Ledger, dataset: Dataset) -> Ledger {
        guard resendAll.contains(dataset) else { return ledger }
        let entries = LedgerEntries(
            ledger.entries.lazy.map { key, entry in
                var resent = entry
                if entry.isPublished { resent.hash = "resend" }
                return (key, resent)
            })
        return Ledger(platform: ledger.platform, dataset: ledger.dataset, entries: entries)
    }

    /// The verdict on `plan`, given the guardrail's refusal (nil when it passed or was overridden).
    package func verdict(_ plan: DatasetPlan, guardrail: String?) throws(CredsyncError) -> Verdict {
        var refusal = guardrail
        if refusal == nil, resendAll.contains(plan.dataset), !plan.changes.isEmpty {
            refusal =
                "\(PublishTarget(plan.platform, plan.dataset)): push --all re-sends "
                + "\(plan.count(.update)) published records and makes \(plan.count(.create)) new ones, "
                + "\(plan.count(.withdraw)) withdrawals: a dataset re-sent whole needs an approval"
        }
        guard let refusal else { return .planned }
        guard let approvals else { return .refused(refusal) }
        switch try approvals.judge(plan, refusal: refusal) {
        case .approved(let id): return .approved(planID: id)
        case .refused(let message): return .refused(message)
        }
    }
}

/// A plan a run executes under an approval.
public struct ApprovedPlan: Sendable, Equatable {
    public var platform: PlatformID
    public var dataset: Dataset
    public var planID: String
}
