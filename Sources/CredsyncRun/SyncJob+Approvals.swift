import CredsyncCore
import CredsyncState

extension SyncJob {
    /// Marks the approvals the run executes as used (one time only), each with an audit line:
    /// `{"event": "approval-used", "plan", "platform", "dataset", "run"}`. An approval another
    /// run used in between (it cannot: the run lock) is not executed twice: the run stops (exit 74).
    func markUsed(
        _ approved: [ApprovedPlan], runID: String, store: StateStore, audit: AuditLog
    ) throws(CredsyncError) {
        for item in approved {
            guard try store.markApprovalUsed(planID: item.planID, runID: runID, at: Timestamp.now()) else {
                throw CredsyncError(
                    .temporaryFailure, "approval \(item.planID) was used by another run while this one planned",
                    hint: "run again: the plan is refused and saved anew, to be approved again")
            }
            audit.append(
                JSONObject([
                    JSONMember("event", "approval-used"), JSONMember("plan", .string(item.planID)),
                    JSONMember("platform", .string(item.platform.rawValue)),
                    JSONMember("dataset", .string(item.dataset.rawValue)), JSONMember("run", .string(runID)),
                ]))
            logger.info(
                "executing approved plan \(item.planID)",
                [("platform", item.platform.rawValue), ("dataset", item.dataset.rawValue)])
        }
    }
}
