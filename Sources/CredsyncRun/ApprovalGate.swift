public import CredsyncCore
public import CredsyncReconciliation
public import CredsyncState

/// What a run does with a plan a guardrail (or `push --all`) holds back: it saves the plan for
/// `credsync approve`, or lets it go when an approval of the same change set, or of a larger
/// one, is unused and still valid.
package struct ApprovalGate: Sendable {
    let store: StateStore
    let config: ApprovalsConfig
    /// Who runs the plan (recorded with a refused one).
    let user: String
    /// Unix seconds.
    let now: Double

    package init(store: StateStore, config: ApprovalsConfig, user: String, now: Double = Timestamp.now()) {
        self.store = store
        self.config = config
        self.user = user
        self.now = now
    }

    /// Let go under approval `planID`, or refused with the message (the saved plan's id in it).
    package enum Verdict: Sendable, Equatable {
        case approved(planID: String)
        case refused(String)
    }

    /// How many keys a difference lists.
    static let keysShown = 5

    /// The verdict on `plan`, which `refusal` holds back. Only the newest unused approval of the
    /// platform and dataset that does not cover the plan is described in the message.
    package func judge(_ plan: DatasetPlan, refusal: String) throws(CredsyncError) -> Verdict {
        let set = ChangeSet(of: plan)
        let saved = try store.refusedPlans(platform: plan.platform, dataset: plan.dataset)
        var note: String?
        for row in saved {
            guard let approval = try store.approval(planID: row.id), approval.usedAt == nil else { continue }
            let approved = try ChangeSet(rows: store.refusedChanges(planID: row.id), planID: row.id)
            let expiry = approval.approvedAt + config.validFor
            if now > expiry {
                note =
                    note ?? "the approval of \(row.id) by \(approval.approvedBy) expired at "
                    + Timestamp.rfc3339(expiry)
                continue
            }
            if set.isSubset(of: approved) { return .approved(planID: row.id) }
            note = note ?? Self.describe(set.difference(from: approved), against: row.id)
        }
        // The same set refused before and not yet approved keeps its id.
        var pending: String?
        for row in saved where row.digest == set.digest {
            if try store.approval(planID: row.id) == nil {
                pending = row.id
                break
            }
        }
        let id: String
        if let pending { id = pending } else { id = try save(plan, set: set, message: refusal) }
        let counts = [RecordOperation.create, .update, .withdraw].compactMap { op -> String? in
            let n = set.lines.reduce(0) { $0 + ($1.op == op ? 1 : 0) }
            return n > 0 ? "\(n) \(op.rawValue)" : nil
        }
        var message = refusal
        if let note { message += "; \(note)" }
        message +=
            "; saved as \(id) (\(counts.isEmpty ? "no changes" : counts.joined(separator: ", "))): "
            + "if it is right, 'credsync approve \(id)' lets the next run execute exactly this set"
        return .refused(message)
    }

    /// `changes differ from those approved in P-…: 3 added (k1, k2, k3), 1 removed (k4)`.
    static func describe(_ difference: (added: [ChangeLine], removed: [ChangeLine]), against id: String) -> String {
        func listed(_ lines: [ChangeLine]) -> String {
            guard !lines.isEmpty else { return "" }
            let keys = lines.prefix(keysShown).map { "\($0.key) \($0.op.rawValue)" }.joined(separator: ", ")
            return " (" + keys + (lines.count > keysShown ? ", …" : "") + ")"
        }
        return "the changes differ from those approved in \(id): \(difference.added.count) added"
            + listed(difference.added) + ", \(difference.removed.count) removed" + listed(difference.removed)
    }

    /// Saves the refused plan under a new id, `P-<yyyymmdd>-<6 hex>` (the day in Asia/Shanghai).
    func save(_ plan: DatasetPlan, set: ChangeSet, message: String) throws(CredsyncError) -> String {
        let day = LocalDate.todayInShanghai(now: now).iso.split(separator: "-").joined()
        var attempt = 0
        var id: String
        repeat {
            let seed = "\(PublishTarget(plan.platform, plan.dataset))|\(set.digest)|\(now)|\(attempt)"
            id = "P-\(day)-" + SHA256.hex(seed).prefix(6)
            attempt += 1
        } while try store.refusedPlan(id: id) != nil
        let row = RefusedPlanRow(
            id: id, platform: plan.platform, dataset: plan.dataset, refusedBy: user, refusedAt: now, message: message,
            digest: set.digest, changes: set.count)
        try store.saveRefusedPlan(row, changes: set.rows)
        return id
    }
}
