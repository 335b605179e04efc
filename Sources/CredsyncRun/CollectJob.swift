public import CredsyncCore
import CredsyncSpool
import CredsyncState

/// `credsync collect`: the 前置机s' answers and receipts applied now, without a sync
/// (`ChannelCollect`, which every sync and push also runs first).
public struct CollectJob: Sendable {
    public let config: Config
    public let platforms: [PlatformID]
    public let logger: Logger
    public let stop: StopFlag

    public init(config: Config, platforms: [PlatformID], logger: Logger, stop: StopFlag) {
        self.config = config
        self.platforms = platforms
        self.logger = logger
        self.stop = stop
    }

    /// What a collect did.
    public struct Summary: Sendable {
        /// The channel platforms collected.
        public var platforms: [PlatformID] = []
        public var answers = 0
        public var redelivered = 0
        public var receipts = 0
        /// Per platform and dataset, what the answers applied changed.
        public var outcomes: [DatasetOutcome] = []
        public var receiptFailures: [ReceiptFailure] = []
        public var warnings: [String] = []
        public var problems: [String] = []
        public var unavailable: Set<PlatformID> = []
        public var refusedKey: Set<PlatformID> = []

        /// 77 for a refused key, 69 for a 前置机 unreachable or a host key that did not verify, 1
        /// for rejections, failed receipts and warnings, else 0.
        public var exitCode: ExitCode {
            if !refusedKey.isEmpty { return .noPermission }
            if !unavailable.isEmpty { return .unavailable }
            let attention =
                outcomes.contains { !$0.rejected.isEmpty || $0.queued > 0 || $0.held > 0 || $0.dead > 0 }
                || !receiptFailures.isEmpty || !warnings.isEmpty || !problems.isEmpty
            return attention ? .needsAttention : .success
        }
    }

    public func run() async throws(CredsyncError) -> Summary {
        let store = try StateStore(stateDir: config.stateDir)
        let seal = try PersonalSeal.load(config, required: true)
        try Spool(store: store, seal: seal).checkKey()
        let audit = try AuditLog(path: config.auditFile)
        let collect = ChannelCollect(config: config, store: store, seal: seal, logger: logger, audit: audit, stop: stop)
        var summary = Summary()
        summary.platforms = collect.platforms(platforms).map(\.id)
        guard !summary.platforms.isEmpty else { return summary }
        let result = try await collect.run(platforms: platforms)
        summary.answers = result.answers
        summary.redelivered = result.redelivered
        summary.receipts = result.receipts.read
        summary.outcomes = result.outcomes.filter(\.hasRecords)
        summary.receiptFailures = result.receipts.failures
        summary.warnings = result.warnings
        summary.problems = result.receipts.problems.map(\.1)
        summary.unavailable = result.receipts.unavailable
        summary.refusedKey = Set(result.receipts.authenticationFailures.map(\.platform))
        return summary
    }
}
