public import CredsyncCore

/// A plan a guardrail refused, as saved for approval (table `refused_plan`).
package struct RefusedPlanRow: Sendable, Equatable {
    /// `P-<yyyymmdd>-<hex>`.
    package var id: String
    package var platform: PlatformID
    package var dataset: Dataset
    /// The Unix user whose run was refused.
    package var refusedBy: String
    /// Unix seconds.
    package var refusedAt: Double
    /// The guardrail's message.
    package var message: String
    /// SHA-256 (hex) of the sorted change lines.
    package var digest: String
    /// How many changes the set holds.
    package var changes: Int

    package init(
        id: String, platform: PlatformID, dataset: Dataset, refusedBy: String, refusedAt: Double, message: String,
        digest: String, changes: Int
    ) {
        self.id = id
        self.platform = platform
        self.dataset = dataset
        self.refusedBy = refusedBy
        self.refusedAt = refusedAt
        self.message = message
        self.digest = digest
        self.changes = changes
    }
}

/// One change of a refused plan (table `refused_change`): never a payload.
package struct RefusedChangeRow: Sendable, Hashable {
    package var key: String
    /// `create`, `update` or `withdraw` (the store's CHECK holds it to these).
    package var op: String
    /// The payload hash of an upsert, the reason of a withdrawal.
    package var detail: String

    package init(key: String, op: String, detail: String) {
        self.key = key
        self.op = op
        self.detail = detail
    }
}

/// Who approved a refused plan, and whether a run executed it (table `approval`).
package struct ApprovalRow: Sendable, Equatable {
    package var planID: String
    package var approvedBy: String
    /// Unix seconds.
    package var approvedAt: Double
    package var reason: String?
    /// When a run executed it, and that run's id; nil before.
    package var usedAt: Double?
    package var usedBy: String?

    package init(
        planID: String, approvedBy: String, approvedAt: Double, reason: String?, usedAt: Double? = nil,
        usedBy: String? = nil
    ) {
        self.planID = planID
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.reason = reason
        self.usedAt = usedAt
        self.usedBy = usedBy
    }
}

extension StateStore {
    /// How long a refused plan is kept, seconds, unless an unused approval holds it.
    package static let refusedPlanKept = 30.0 * 86400

    /// Saves a refused plan and its change set, in one transaction; the same platform and dataset's
    /// refused plans older than `refusedPlanKept` go, unless approved and not yet used.
    package func saveRefusedPlan(_ plan: RefusedPlanRow, changes: [RefusedChangeRow]) throws(CredsyncError) {
        try transaction { () throws(CredsyncError) in
            try database.execute(
                """
                DELETE FROM refused_plan WHERE platform = ? AND dataset = ? AND refused_at < ?
                    AND id NOT IN (SELECT plan_id FROM approval WHERE used_at IS NULL)
                """,
                [
                    .text(plan.platform.rawValue), .text(plan.dataset.rawValue),
                    .real(plan.refusedAt - Self.refusedPlanKept),
                ])
            try database.execute(
                """
                INSERT INTO refused_plan (id, platform, dataset, refused_by, refused_at, message, digest, changes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(plan.id), .text(plan.platform.rawValue), .text(plan.dataset.rawValue), .text(plan.refusedBy),
                    .real(plan.refusedAt), .text(plan.message), .text(plan.digest), .int(plan.changes),
                ])
            for change in changes {
                try database.execute(
                    "INSERT OR IGNORE INTO refused_change (plan_id, key, op, detail) VALUES (?, ?, ?, ?)",
                    [.text(plan.id), .text(change.key), .text(change.op), .text(change.detail)])
            }
        }
    }

    /// The refused plan with `id`, or nil.
    package func refusedPlan(id: String) throws(CredsyncError) -> RefusedPlanRow? {
        try refusedPlans(where: "id = ?", [.text(id)]).first
    }

    /// The refused plans of a platform and dataset, newest first.
    package func refusedPlans(platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> [RefusedPlanRow] {
        try refusedPlans(
            where: "platform = ? AND dataset = ? ORDER BY refused_at DESC, id DESC",
            [.text(platform.rawValue), .text(dataset.rawValue)])
    }

    private func refusedPlans(where filter: String, _ values: [SQLValue]) throws(CredsyncError) -> [RefusedPlanRow] {
        var plans: [RefusedPlanRow] = []
        try database.query(
            "SELECT id, platform, dataset, refused_by, refused_at, message, digest, changes FROM refused_plan WHERE "
                + filter, values
        ) { row throws(CredsyncError) in
            guard let platform = PlatformID(rawValue: row.text(1)), let dataset = Dataset(rawValue: row.text(2)) else {
                throw damagedValue(
                    table: "refused_plan", key: row.text(0), column: "platform or dataset", value: row.text(1))
            }
            plans.append(
                RefusedPlanRow(
                    id: row.text(0), platform: platform, dataset: dataset, refusedBy: row.text(3),
                    refusedAt: row.real(4), message: row.text(5), digest: row.text(6), changes: row.integer(7)))
        }
        return plans
    }

    /// The change set of a refused plan, sorted by key, op and detail.
    package func refusedChanges(planID: String) throws(CredsyncError) -> [RefusedChangeRow] {
        var changes: [RefusedChangeRow] = []
        try database.query(
            "SELECT key, op, detail FROM refused_change WHERE plan_id = ? ORDER BY key, op, detail", [.text(planID)]
        ) { row throws(CredsyncError) in
            changes.append(RefusedChangeRow(key: row.text(0), op: row.text(1), detail: row.text(2)))
        }
        return changes
    }

    /// Records an approval; a plan approved before keeps its first approval (false is returned).
    package func approve(_ approval: ApprovalRow) throws(CredsyncError) -> Bool {
        try transaction { () throws(CredsyncError) -> Bool in
            guard try self.approval(planID: approval.planID) == nil else { return false }
            try database.execute(
                "INSERT INTO approval (plan_id, approved_by, approved_at, reason) VALUES (?, ?, ?, ?)",
                [
                    .text(approval.planID), .text(approval.approvedBy), .real(approval.approvedAt),
                    .optional(approval.reason),
                ])
            return true
        }
    }

    /// The approval of a refused plan, or nil.
    package func approval(planID: String) throws(CredsyncError) -> ApprovalRow? {
        var found: ApprovalRow?
        try database.query(
            "SELECT plan_id, approved_by, approved_at, reason, used_at, used_by FROM approval WHERE plan_id = ?",
            [.text(planID)]
        ) { row throws(CredsyncError) in
            found = ApprovalRow(
                planID: row.text(0), approvedBy: row.text(1), approvedAt: row.real(2), reason: row.optionalText(3),
                usedAt: row.optionalReal(4), usedBy: row.optionalText(5))
        }
        return found
    }

    /// Marks an approval executed by run `runID`; false when it was used already (one time only).
    package func markApprovalUsed(planID: String, runID: String, at time: Double) throws(CredsyncError) -> Bool {
        try transaction { () throws(CredsyncError) -> Bool in
            guard let found = try approval(planID: planID), found.usedAt == nil else { return false }
            try database.execute(
                "UPDATE approval SET used_at = ?, used_by = ? WHERE plan_id = ?",
                [.real(time), .text(runID), .text(planID)])
            return true
        }
    }
}
