import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync reconcile --platform P [--dataset D] [--repair]`: drift between the platform, the
/// ledger and the desired state; exit 1 when there is any.
enum ReconcileCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        guard let platformID = invocation.value("platform").flatMap(PlatformID.init(rawValue:)) else {
            throw CredsyncError.usage("'reconcile' needs --platform", hint: "e.g. credsync reconcile --platform credit")
        }
        let config = try context.loadConfig()
        guard let platform = config.platform(platformID) else {
            throw CredsyncError(.configuration, "\(config.file): \(platformID.rawValue) is not configured")
        }
        let repair = invocation.has("repair")
        let lock = repair ? try RunLock.acquire(stateDir: config.stateDir, purpose: "reconcile --repair", wait: 5) : nil
        defer { withExtendedLifetime(lock) {} }
        let datasets = invocation.all("dataset").compactMap(Dataset.init(rawValue:))
        let workspace = try Workspace(config: config, datasets: datasets)
        let drifts = try await ReconcileJob(
            workspace: workspace, platform: platform, datasets: datasets, asOf: context.asOf, logger: context.logger
        ).run(repair: repair)
        if repair { try auditRepair(platformID, datasets: datasets, drifts: drifts, config: config, context: context) }
        if invocation.global.json {
            context.console.printJSON([
                "platform": .string(platformID.rawValue), "repaired": .bool(repair),
                "datasets": .array(
                    drifts.map { drift in
                        [
                            "dataset": .string(drift.dataset.rawValue),
                            "platformRecords": .number(String(drift.platformRecords)),
                            "missingOnPlatform": .array(drift.missingOnPlatform.map { .string($0) }),
                            "notDesired": .array(drift.notDesired.map { .string($0) }),
                            "hashMismatch": .array(drift.hashMismatch.map { .string($0) }),
                            "statusMismatch": .array(drift.statusMismatch.map { .string($0) }),
                            "unknownToLedger": .array(drift.unknownToLedger.map { .string($0) }),
                            "receiptMismatch": .array(drift.receiptMismatch.map { .string($0) }),
                            "exportProblem": drift.exportProblem.map { .string($0) } ?? .null,
                            "staleManifest": drift.staleManifest.map { .string($0) } ?? .null,
                        ]
                    }),
            ])
        } else {
            for drift in drifts {
                let name = PublishTarget(drift.platform, drift.dataset).description
                if let problem = drift.exportProblem {
                    context.console.print(
                        "\(name): the export cannot be read (\(problem)): "
                            + "records the platform should not show are not checked")
                }
                if let stale = drift.staleManifest { context.console.print("\(name): warning: \(stale)") }
                let verdict = drift.total == 0 ? "no drift" : "drift:"
                context.console.print("\(name): \(drift.platformRecords) records on the platform, \(verdict)")
                for (title, keys) in [
                    ("missing on the platform", drift.missingOnPlatform),
                    ("published but not desired", drift.notDesired),
                    ("hash differs from the ledger", drift.hashMismatch),
                    ("status differs from the ledger", drift.statusMismatch),
                    ("unknown to the ledger", drift.unknownToLedger),
                    (
                        "pending or failed on one side only",
                        drift.receiptMismatch
                    ),
                ] where !keys.isEmpty {
                    context.console.print(
                        "  \(title): \(keys.count): " + keys.prefix(10).joined(separator: ", ")
                            + (keys.count > 10 ? ", …" : ""))
                }
            }
            if repair {
                context.console.print("the ledger now holds the platform's truth: the next sync corrects the platform")
            } else if drifts.contains(where: { $0.total > 0 }) {
                context.console.print("hint: run with --repair, then sync, to correct the platform")
            }
        }
        return drifts.contains { $0.total > 0 || $0.exportProblem != nil } ? .needsAttention : .success
    }

    /// The audit event of `--repair`: which ledgers were set to the platform's truth, with how many records.
    static func auditRepair(
        _ platform: PlatformID, datasets: [Dataset], drifts: [Drift], config: Config, context: CommandContext
    ) throws(CredsyncError) {
        var selection = JSONObject([JSONMember("platform", .string(platform.rawValue))])
        if !datasets.isEmpty { selection["datasets"] = .array(datasets.map { .string($0.rawValue) }) }
        let items: [JSONValue] = drifts.map { drift in
            [
                "dataset": .string(drift.dataset.rawValue), "records": .number(String(drift.platformRecords)),
                "drift": .number(String(drift.total)),
            ]
        }
        let action = OperatorAction(
            action: "reconcile --repair", selection: selection, items: items, count: drifts.count)
        try action.record(in: config.auditFile, environment: context.environment)
    }
}
