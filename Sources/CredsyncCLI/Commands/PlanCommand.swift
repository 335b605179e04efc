public import CredsyncCore
import CredsyncReconciliation
import CredsyncRun
import CredsyncState
import CredsyncCatalogs
import CredsyncMapping

/// `credsync plan`: the dry run. Counts per platform and dataset; with `--detail` every change.
enum PlanCommand {
    static func run(_ context: CommandContext) throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let config = try context.loadConfig(readsSecrets: false)
        let datasets = invocation.all("dataset").compactMap(Dataset.init(rawValue:))
        let platforms = invocation.all("platform").compactMap(PlatformID.init(rawValue:))
        let workspace = try Workspace(config: config, datasets: datasets)
        let store = try StateStore(stateDir: config.stateDir)
        var ledgers: [PublishTarget: Ledger] = [:]
        let run = try workspace.plan(
            asOf: context.asOf, platforms: platforms, allowMassWithdraw: invocation.approvesWithdrawals,
            approveWithdrawals: invocation.approvesWithdrawals, ledgers: &ledgers, store: store,
            controls: PlanControls(
                approvals: ApprovalGate(
                    store: store, config: config.approvals,
                    user: OperatorIdentity.current(environment: context.environment).name)))
        ledgers = [:]
        let detail = invocation.has("detail")
        if invocation.global.json {
            context.console.printJSON(try json(run, asOf: context.asOf, detail: detail, store: store))
        } else {
            try printText(run, context: context, detail: detail, store: store)
        }
        for (dataset, problem) in run.unreadable {
            context.console.printError("error: \(dataset.rawValue): \(problem.description): the export cannot be used")
        }
        for (_, message) in run.refused {
            context.console.printError("error: refused: \(message)")
        }
        if !run.refused.isEmpty {
            context.console.printError(
                "hint: check the export and the changes (--detail); if they are right, "
                    + "'credsync approve ID' with the id above lets the next run execute exactly them")
        }
        if !run.unreadable.isEmpty || !run.refused.isEmpty { return .dataError }
        let changes = run.plans.reduce(0) { $0 + $1.changes.count }
        if invocation.has("detailed-exitcode") { return changes > 0 ? .planHasChanges : .success }
        let setAside = run.exports.values.reduce(0) { $0 + $1.setAside.count + $1.unreadable.count }
        return setAside > 0 ? .needsAttention : .success
    }

    static func printText(
        _ run: RunPlan, context: CommandContext, detail: Bool, store: StateStore
    ) throws(CredsyncError) {
        let console = context.console
        console.print("plan as of \(context.asOf.iso) (a dry run: nothing is sent)")
        let header = ["platform", "dataset", "create", "update", "withdraw", "unchanged", "not yet", "kept"]
        var rows = [header]
        for plan in run.plans {
            rows.append([
                plan.platform.rawValue, plan.dataset.rawValue, String(plan.count(.create)), String(plan.count(.update)),
                String(plan.count(.withdraw)), String(plan.unchanged), String(plan.notYet),
                String(plan.keptSetAside.count),
            ])
        }
        console.print(lines: TextTable.render(rows))
        // Receipts platforms (README "Receipts"): what the store knows, as of the last receipts read.
        for counts in try store.receiptCounts() where counts.pending > 0 || counts.failed > 0 {
            console.print(
                "  receipts  \(PublishTarget(counts.platform, counts.dataset)): \(counts.pending) pending, "
                    + "\(counts.failed) failed (not public; sent again when the export changes them)")
        }
        for plan in run.plans {
            let held = Set(plan.heldWithdrawals)
            let target = PublishTarget(plan.platform, plan.dataset).description
            let see = "'credsync plan --platform \(plan.platform.rawValue) --dataset \(plan.dataset.rawValue) --json'"
            for key in plan.keptSetAside.prefix(ListCut.shown) {
                let why =
                    held.contains(key)
                    ? "the export was not read whole, so its withdrawal waits" : "its row is set aside"
                console.print("  kept  \(target) \(key): \(why); the platform keeps the last good version")
            }
            if let more = ListCut.more(plan.keptSetAside.count, see: see) { console.print(more) }
            let warnings = ListCut.grouped(plan.warnings)
            for group in warnings.prefix(ListCut.shown) {
                console.print("  warning  \(target) \(ListCut.describe(group))")
            }
            if let more = ListCut.more(warnings.count, see: see) { console.print(more) }
            guard detail else { continue }
            for change in plan.changes {
                let symbol = change.op == .create ? "+" : change.op == .update ? "~" : "-"
                console.print(
                    "  \(symbol) \(change.op.rawValue)  \(PublishTarget(plan.platform, plan.dataset))  \(change.key)  (\(change.reason))"
                )
                guard change.op == .update, let payload = change.payload else { continue }
                let old = try SentPayloads.payload(
                    of: change.key, in: store, platform: plan.platform, dataset: plan.dataset)
                guard let old else {
                    console.print("      (the previous content is not kept here)")
                    continue
                }
                for (field, before, after) in SentPayloads.differences(old: old, new: payload) {
                    console.print("      \(field): \(shown(field, before)) → \(shown(field, after))")
                }
            }
        }
    }

    /// A value for people: personal numbers masked, text quoted, absent as `(none)`.
    static func shown(_ field: String, _ value: String?) -> String {
        guard let value else { return "(none)" }
        let safe = masked(field, value)
        return PersonalData.isPersonalField(field) ? safe : "\"\(safe)\""
    }

    /// The value with personal numbers masked (`PersonalData.shown`), unquoted: JSON quotes it itself.
    static func masked(_ field: String, _ value: String) -> String {
        PersonalData.shown(value, field: field)
    }

    static func json(
        _ run: RunPlan, asOf: LocalDate, detail: Bool, store: StateStore
    ) throws(CredsyncError) -> JSONValue {
        let receipts = Dictionary(
            try store.receiptCounts().map { (PublishTarget($0.platform, $0.dataset), $0) },
            uniquingKeysWith: { first, _ in first })
        let plans: [JSONValue] = try run.plans.map { (plan) throws(CredsyncError) -> JSONValue in
            var object: JSONObject = [
                "platform": .string(plan.platform.rawValue), "dataset": .string(plan.dataset.rawValue),
                "create": .number(String(plan.count(.create))), "update": .number(String(plan.count(.update))),
                "withdraw": .number(String(plan.count(.withdraw))), "unchanged": .number(String(plan.unchanged)),
                "notYet": .number(String(plan.notYet)), "keptSetAside": .array(plan.keptSetAside.map { .string($0) }),
                "heldWithdrawals": .array(plan.heldWithdrawals.map { .string($0) }),
                "warnings": .array(plan.warnings.map { .string($0) }),
            ]
            // Only on a receipts platform: the pending and failed counts of the newest versions.
            if let counts = receipts[PublishTarget(plan.platform, plan.dataset)] {
                object["pendingReceipts"] = .number(String(counts.pending))
                object["failedReceipts"] = .number(String(counts.failed))
            }
            if detail {
                object["changes"] = .array(
                    try plan.changes.map { (change) throws(CredsyncError) -> JSONValue in
                        var item: JSONObject = [
                            "key": .string(change.key), "op": .string(change.op.rawValue),
                            "reason": .string(change.reason.rawValue),
                        ]
                        if change.op == .update, let payload = change.payload {
                            let old = try SentPayloads.payload(
                                of: change.key, in: store, platform: plan.platform, dataset: plan.dataset)
                            item["fields"] = .array(
                                SentPayloads.differences(old: old, new: payload).map { field, before, after in
                                    [
                                        "field": .string(field),
                                        "old": before.map { .string(masked(field, $0)) } ?? .null,
                                        "new": after.map { .string(masked(field, $0)) } ?? .null,
                                    ]
                                })
                        }
                        return .object(item)
                    })
            }
            return .object(object)
        }
        return [
            "asOf": .string(asOf.iso), "plans": .array(plans),
            "approved": .array(
                run.approved.map {
                    [
                        "platform": .string($0.platform.rawValue), "dataset": .string($0.dataset.rawValue),
                        "plan": .string($0.planID),
                    ]
                }),
            "refused": .array(
                run.refused.map {
                    [
                        "platform": .string($0.0.platform.rawValue), "dataset": .string($0.0.dataset.rawValue),
                        "message": .string($0.1),
                    ]
                }),
            "unreadable": .array(
                run.unreadable.map { ["dataset": .string($0.0.rawValue), "message": .string($0.1.description)] }),
        ]
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { JSONMember($0.0, $0.1) })
    }
}
