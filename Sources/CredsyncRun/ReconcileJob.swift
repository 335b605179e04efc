public import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncState
import CredsyncCatalogs
import CredsyncMapping
import CredsyncProtocol
import _CredsyncEngine

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
    /// On a receipts platform: pending or failed on one side, not on the other (a version the
    /// platform published whose receipt is not read yet is not counted: the next run reads it).
    public var receiptMismatch: [String] = []
    public var platformRecords = 0
    /// Why the export could not be read: `notDesired` was not compared.
    public var exportProblem: String?
    /// A 前置机's manifest written more than a day ago (its `generatedAt`): what it says may be old.
    public var staleManifest: String?

    public var total: Int {
        missingOnPlatform.count + notDesired.count + hashMismatch.count + statusMismatch.count + unknownToLedger.count
            + receiptMismatch.count
    }
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

    /// Compares, and with `repair` rebuilds the ledger rows of every dataset from its manifest, in
    /// one transaction of the state store (rows the platform lacks are deleted, the others set to
    /// what it holds). A manifest that cannot be read or has the wrong shape changes nothing (exit
    /// 69). A damaged store is refused when it is opened (exit 74: `credsync state check`).
    public func run(repair: Bool) async throws(CredsyncError) -> [Drift] {
        let config = workspace.config
        let targets = workspace.mappings.map(\.catalog.dataset).filter { dataset in
            (datasets.isEmpty || datasets.contains(dataset))
                && workspace.mappings.contains {
                    $0.catalog.dataset == dataset && $0.platforms.contains { $0.id == platform.id }
                }
        }
        let store = try StateStore(stateDir: config.stateDir)
        let client = PlatformClient(
            config: platform, source: config.organisation.uscc, retry: config.retry, logger: logger)
        // Read and mapped on threads of its own, not on the cooperative pool.
        let (planning, day, platformID) = (workspace, asOf, platform.id)
        let (run, ledgers) = try await WorkerPool.run {
            () throws(CredsyncError) -> (RunPlan, [PublishTarget: Ledger]) in
            var ledgers: [PublishTarget: Ledger] = [:]
            let run = try planning.plan(
                asOf: day, platforms: [platformID], allowMassWithdraw: true, ledgers: &ledgers, store: store)
            return (run, ledgers)
        }
        // Every manifest before any change: a failure leaves every ledger as it was.
        var manifests: [Dataset: [ManifestItem]] = [:]
        var stale: [Dataset: String] = [:]
        let channel = FileChannelClient(config: platform, source: config.organisation.uscc, logger: logger)
        for dataset in targets {
            if let channel {
                // Through the 前置机: the manifest file the platform rewrites at least once a day.
                let read = try await Self.manifest(dataset, of: platform.id, channel: channel, repair: repair)
                manifests[dataset] = read.items
                stale[dataset] = read.stale
                continue
            }
            switch await client.manifest(dataset) {
            case .success(let items): manifests[dataset] = items
            case .failure(let failure):
                // 77 for a 401 or 403, as a push or a pull ends: the credentials need an operator.
                let code: ExitCode =
                    failure.isAuthenticationFailure
                    ? .noPermission : failure.failureClass == .transient ? .unavailable : .needsAttention
                throw CredsyncError(
                    code, "\(platform.id.rawValue): cannot read the \(dataset.rawValue) manifest: \(failure)",
                    hint: repair ? "nothing was changed: every ledger is as it was" : nil)
            }
        }
        var drifts: [Drift] = []
        for dataset in targets {
            let manifest = manifests[dataset] ?? []
            let ledger: Ledger
            if let planned = ledgers[PublishTarget(platform.id, dataset)] {
                ledger = planned
            } else {
                ledger = try Ledger.load(from: store, platform: platform.id, dataset: dataset)
            }
            var drift = Drift(platform: platform.id, dataset: dataset)
            drift.platformRecords = manifest.count
            drift.staleManifest = stale[dataset]
            if let plan = run.plans.first(where: { $0.dataset == dataset }) {
                // Desired published keys: the ledger's published keys as the plan would leave them.
                var desired = Set(ledger.entries.sortedKeys { _, entry in entry.isPublished })
                for change in plan.changes {
                    if change.op == .withdraw { desired.remove(change.key) } else { desired.insert(change.key) }
                }
                for item in manifest where item.status == "published" && !desired.contains(item.key) {
                    drift.notDesired.append(item.key)
                }
            } else {
                drift.exportProblem =
                    run.unreadable.first { $0.0 == dataset }.map { $0.1.description } ?? "it was not read"
            }
            let receipts =
                platform.publication == .receipts
                ? try store.publication(platform: platform.id, dataset: dataset) : nil
            compare(manifest, with: ledger, receipts: receipts.map { ($0.pending, $0.failed) }, into: &drift)
            drifts.append(drift)
        }
        if repair {
            let now = Timestamp.now()
            try store.transaction { () throws(CredsyncError) in
                for dataset in targets {
                    // A pending version is the ledger's (accepted); a failed one is not public, and not in it.
                    let rows = (manifests[dataset] ?? []).filter { $0.status != "failed" }.map { item in
                        let changed = Int(item.updatedAt.flatMap(Timestamp.parseRFC3339) ?? now)
                        return LedgerRow(
                            key: item.key, status: item.status == "withdrawn" ? .withdrawn : .published,
                            version: item.version, hash: item.hash ?? "", batch: "", createdAt: Int(now),
                            updatedAt: changed)
                    }
                    try store.replaceLedger(rows, platform: platform.id, dataset: dataset)
                }
            }
            for dataset in targets {
                logger.info(
                    "ledger set to the platform's truth",
                    [
                        ("platform", platform.id.rawValue), ("dataset", dataset.rawValue),
                        ("records", manifests[dataset]?.count ?? 0),
                    ])
            }
        }
        return drifts
    }

    /// A 前置机's manifest of `dataset`, and a note when it was generated more than a day ago.
    static func manifest(
        _ dataset: Dataset, of platform: PlatformID, channel: FileChannelClient, repair: Bool
    ) async throws(CredsyncError) -> (items: [ManifestItem], stale: String?) {
        let manifest: FileChannelManifest
        do { manifest = try await channel.manifest(dataset) } catch {
            throw CredsyncError(
                error.exitCode, "\(platform.rawValue): cannot read the \(dataset.rawValue) manifest: \(error)",
                hint: repair ? "nothing was changed: every ledger is as it was" : error.credsyncError.hint)
        }
        guard let generated = Timestamp.parseRFC3339(manifest.generatedAt) else {
            return (manifest.items, "its generatedAt \"\(manifest.generatedAt)\" is not an RFC 3339 time")
        }
        let age = Timestamp.now() - generated
        guard age > 86400 else { return (manifest.items, nil) }
        return (
            manifest.items,
            "the 前置机's manifest was generated at \(manifest.generatedAt), \(Int(age / 3600)) h ago: "
                + "records changed since are not in it"
        )
    }

    /// The differences between the manifest and a ledger that checks out.
    /// `receipts`: the store's pending and failed keys, on a receipts platform.
    private func compare(
        _ manifest: [ManifestItem], with ledger: Ledger, receipts: (pending: Set<String>, failed: Set<String>)?,
        into drift: inout Drift
    ) {
        var manifest = manifest
        if let receipts {
            for item in manifest {
                let stored =
                    receipts.pending.contains(item.key)
                    ? "pending" : receipts.failed.contains(item.key) ? "failed" : nil
                let platformSide = item.status == "pending" || item.status == "failed" ? item.status : nil
                // Published there, pending here: the receipt is not read yet, not a drift.
                if stored != platformSide, !(stored == "pending" && item.status == "published") {
                    drift.receiptMismatch.append(item.key)
                }
            }
            // Pending is accepted: an upsert or a withdrawal as the ledger says (published when it
            // knows none); failed is neither public nor in the ledger.
            manifest = manifest.filter { $0.status != "failed" }.map { item in
                var item = item
                if item.status == "pending" {
                    let entry = ledger.entries[item.key]
                    item.status = entry.map { $0.isPublished ? "published" : "withdrawn" } ?? "published"
                }
                return item
            }
        }
        let onPlatform = Dictionary(manifest.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for key in ledger.entries.sortedKeys(where: { _, _ in true }) {
            guard let entry = ledger.entries[key] else { continue }
            guard let item = onPlatform[key] else {
                if entry.isPublished { drift.missingOnPlatform.append(key) }
                continue
            }
            if (item.status == "published") != entry.isPublished {
                drift.statusMismatch.append(key)
            } else if entry.isPublished, item.hash != entry.hash {
                drift.hashMismatch.append(key)
            }
        }
        for item in manifest where ledger.entries[item.key] == nil { drift.unknownToLedger.append(item.key) }
    }
}
