public import CredsyncCore
public import CredsyncState

/// `credsync pull`'s part of the receipts (exchange-api.md 1.1): the feeds of every receipts
/// platform read to their end, as `sync` reads them before its plan.
public struct PullReceipts: Sendable {
    public var read = 0
    public var failures: [ReceiptFailure] = []
    public var problems: [String] = []
    public var counts: [ReceiptTally] = []
    /// Whether a platform refused the credentials (exit 77) or was unreachable (exit 69).
    public var refusedCredentials = false
    public var unavailable = false

    /// Reads the feeds; nothing is asked of a configuration without a receipts platform.
    public static func run(config: Config, logger: Logger) async throws(CredsyncError) -> PullReceipts? {
        let store = try StateStore(stateDir: config.stateDir)
        let feed = ReceiptFeed(config: config, store: store, logger: logger)
        guard !feed.platforms([]).isEmpty else { return nil }
        let result = try await feed.read(platforms: [])
        var summary = PullReceipts()
        summary.read = result.read
        summary.failures = result.failures
        summary.problems = result.problems.map(\.1)
        summary.refusedCredentials = !result.authenticationFailures.isEmpty
        summary.unavailable = !result.unavailable.isEmpty
        summary.counts = try store.receiptCounts().map {
            ReceiptTally(
                platform: $0.platform, dataset: $0.dataset, pending: $0.pending, failed: $0.failed,
                published: $0.published)
        }
        return summary
    }
}
