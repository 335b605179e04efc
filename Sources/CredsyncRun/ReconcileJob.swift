import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation

/// Differences between what a platform holds, what the ledger says it holds, and what it should hold.
public struct Drift: Sendable {
    public var platform: PlatformID
    public var dataset: Dataset
    /// The ledger says published; the platform has no such record.
    public var missingOnPlatform: [String] = []
    /// The platform publishes it; the desired state does not.
    public var notDesired: [String] = []
    /// The platform's hash differs from the ledger's.
    public var hashMismatch: [String] = []
    /// Published on one side, withdrawn on the other.
    public var statusMismatch: [String] = []
    /// Held by the platform, unknown to the ledger.
    public var unknownToLedger: [String] = []
    public var platformRecords = 0

    public var total: Int { missingOnPlatform.count + notDesired.count + hashMismatch.count + statusMismatch.count + unknownToLedger.count }
}

/// The manual reconciliation run: the platform's manifest against the ledger and the desired state;
/// with `repair`, the ledger takes the platform's truth so that the next push corrects the platform.
public struct ReconcileJob: Sendable {
    public let workspace: Workspace
    public let platform: PlatformConfig
    public let datasets: [Dataset]
    public let asOf: LocalDate
    public let logger: Logger

    public init(workspace: Workspace, platform: PlatformConfig, datasets: [Dataset], asOf: LocalDate, logger: Logger) {
        self.workspace = workspace
        self.platform = platform
        self.datasets = datasets
        self.asOf = asOf
        self.logger = logger
    }

    public func run(repair: Bool) async throws(CredsyncError) -> [Drift] {
        let config = workspace.config
        let client = PlatformClient(config: platform, source: config.organisation.uscc, retry: config.retry, logger: logger)
        var ledgers: [String: Ledger] = [:]
        let run = try workspace.plan(asOf: asOf, platforms: [platform.id], allowMassWithdraw: true, ledgers: &ledgers)
        var drifts: [Drift] = []
        for plan in run.plans where datasets.isEmpty || datasets.contains(plan.dataset) {
            let manifest: [ManifestItem]
            switch await client.manifest(plan.dataset) {
            case .success(let items): manifest = items
            case .failure(let failure):
                throw CredsyncError(failure.failureClass == .transient ? .unavailable : .needsAttention,
                    "\(platform.id.rawValue): cannot read the \(plan.dataset.rawValue) manifest: \(failure)")
            }
            var ledger = ledgers["\(plan.platform.rawValue)/\(plan.dataset.rawValue)"] ?? Ledger(platform: plan.platform, dataset: plan.dataset)
            // Desired published keys: the ledger's published keys as the plan would leave them.
            var desired = Set(ledger.entries.sortedKeys { _, entry in entry.isPublished })
            for change in plan.changes {
                if change.op == .withdraw { desired.remove(change.key) } else { desired.insert(change.key) }
            }
            var drift = Drift(platform: plan.platform, dataset: plan.dataset)
            drift.platformRecords = manifest.count
            let onPlatform = Dictionary(manifest.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            for key in ledger.entries.sortedKeys(where: { _, _ in true }) {
                guard let entry = ledger.entries[key] else { continue }
                guard let item = onPlatform[key] else {
                    if entry.isPublished { drift.missingOnPlatform.append(key) }
                    continue
                }
                if (item.status == "published") != entry.isPublished { drift.statusMismatch.append(key) }
                else if entry.isPublished, item.hash != entry.hash { drift.hashMismatch.append(key) }
            }
            for item in manifest where ledger.entries[item.key] == nil { drift.unknownToLedger.append(item.key) }
            for item in manifest where item.status == "published" && !desired.contains(item.key) { drift.notDesired.append(item.key) }
            drifts.append(drift)
            if repair {
                ledger.entries = LedgerEntries(manifest.map { item in
                    (item.key, LedgerEntry(hash: item.hash ?? "", isPublished: item.status == "published", version: item.version,
                        updatedAt: Int(item.updatedAt.flatMap(Timestamp.parseRFC3339) ?? Timestamp.now()), batchID: ""))
                })
                try ledger.save(stateDir: config.stateDir)
                logger.info("ledger set to the platform's truth", [("platform", platform.id.rawValue), ("dataset", plan.dataset.rawValue), ("records", manifest.count)])
            }
        }
        return drifts
    }
}
