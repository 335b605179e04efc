import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync approve PLAN-ID [--reason TEXT]`: records who approved a refused plan and when, in
/// the state store and the audit log; the next run executes exactly that change set (or less), once.
enum ApproveCommand {
    static func run(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let config = try context.loadConfig(readsSecrets: false)
        guard let id = invocation.arguments.first else { throw CredsyncError.usage("give the refused plan's id") }
        // The audit log has one writer at a time: an approval waits briefly for a running sync.
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: "approve", wait: 5)
        defer { withExtendedLifetime(lock) {} }
        let store = try StateStore(stateDir: config.stateDir)
        guard let plan = try store.refusedPlan(id: id) else {
            throw CredsyncError.usage(
                "\(id): no refused plan has this id in \(store.path)",
                hint: "use the id printed with the refusal (sync, push or plan, and the run report)")
        }
        let target = PublishTarget(plan.platform, plan.dataset).description
        let identity = OperatorIdentity.current(environment: context.environment)
        if config.approvals.requireDifferentUser, identity.name == plan.refusedBy {
            throw CredsyncError(
                .noPermission,
                "\(id): \(identity.name) ran the refused plan and may not approve it: "
                    + "approvals.requireDifferentUser asks for a second person",
                hint: "ask another operator (another Unix user) to check the plan and run 'credsync approve \(id)'")
        }
        let now = Timestamp.now()
        let reason = invocation.value("reason")
        let approval = ApprovalRow(planID: id, approvedBy: identity.name, approvedAt: now, reason: reason)
        guard try store.approve(approval) else {
            let earlier = try store.approval(planID: id)
            let by = earlier.map { " by \($0.approvedBy) at \(Timestamp.rfc3339($0.approvedAt))" } ?? ""
            let used = earlier?.usedBy.map { ", and run \($0) executed it" } ?? ""
            throw CredsyncError(
                .dataError, "\(id) was approved before\(by)\(used)",
                hint: "an approval counts once: run the plan again to have a new one saved, then approve that")
        }
        let validUntil = now + config.approvals.validFor
        var details = identity.auditDetails
        details["plan"] = .string(id)
        details["digest"] = .string(plan.digest)
        details["refusedBy"] = .string(plan.refusedBy)
        details["refusedAt"] = .string(Timestamp.rfc3339(plan.refusedAt))
        details["validUntil"] = .string(Timestamp.rfc3339(validUntil))
        details["reason"] = reason.map { .string($0) } ?? .null
        let action = OperatorAction(
            action: "approve",
            selection: JSONObject([
                JSONMember("platform", .string(plan.platform.rawValue)),
                JSONMember("dataset", .string(plan.dataset.rawValue)),
            ]),
            items: [.string(id)], count: plan.changes, details: details)
        try action.record(in: config.auditFile, environment: context.environment)
        if invocation.global.json {
            context.console.printJSON([
                "plan": .string(id), "platform": .string(plan.platform.rawValue),
                "dataset": .string(plan.dataset.rawValue), "changes": .number(String(plan.changes)),
                "digest": .string(plan.digest), "approvedBy": .string(identity.name),
                "validUntil": .string(Timestamp.rfc3339(validUntil)),
            ])
        } else if !invocation.global.quiet {
            context.console.print(
                "approved \(id): \(plan.changes) changes on \(target) (refused \(Timestamp.rfc3339(plan.refusedAt))"
                    + " for \(plan.refusedBy): \(plan.message))")
            context.console.print(
                "  the next sync or push of \(target) executes exactly these changes or fewer, once, until "
                    + Timestamp.rfc3339(validUntil))
        }
        return .success
    }
}
