import CredsyncCatalogs
public import CredsyncCore
import CredsyncExchange
import CredsyncMapping
public import CredsyncReconciliation
import CredsyncState
import CredsyncProtocol
import CredsyncFormats
import _CredsyncEngine

/// What a pull did.
public struct PullReport: Sendable {
    public var enterprises = 0
    public var listItems = 0
    public var queried = 0
    /// Query requests made (100 codes each at most).
    public var queryRequests = 0
    public var notFound = 0
    public var fullReread = false
    public var messages: [String] = []
}

/// `credsync pull`: gsxt's enterprise change feed for the region and SAMR's serious-illegal list,
/// each cursor saved only after what it covers is stored; then the subjects the exports name that
/// the feed did not deliver (registered elsewhere), queried 100 at a time and refreshed when old.
public struct PullJob: Sendable {
    public let workspace: Workspace
    public let logger: Logger
    public let asOf: LocalDate
    /// The store pulled into; nil opens the state directory's.
    public let enterprises: EnterpriseStore?

    public init(workspace: Workspace, asOf: LocalDate, logger: Logger, enterprises: EnterpriseStore? = nil) {
        self.workspace = workspace
        self.asOf = asOf
        self.logger = logger
        self.enterprises = enterprises
    }

    public func run(full: Bool) async throws(CredsyncError) -> PullReport {
        let refreshAfter = try settings().pull.refreshAfter
        // The store opened once, for the feeds, the scan and the queries.
        let job = PullJob(workspace: workspace, asOf: asOf, logger: logger, enterprises: try store())
        let (workspace, asOf, store) = (self.workspace, self.asOf, try job.store())
        var report = try await job.pullFeeds(full: full)
        // The exports are read and mapped on threads of their own, not on the cooperative pool.
        let wanted = try await WorkerPool.run { () throws(CredsyncError) -> MissingSubjects in
            try Self.scanSubjects(workspace: workspace, asOf: asOf, store: store, refreshAfter: refreshAfter)
        }
        try await job.query(wanted, into: &report)
        return report
    }

    /// The pull's first part: the two feeds, each page stored with the cursor after it. The
    /// subjects the feed did not deliver are then found (`missingSubjects`, or a sync's plan) and
    /// queried (`query(_:into:)`).
    public func pullFeeds(full: Bool) async throws(CredsyncError) -> PullReport {
        let (gsxt, pull) = try settings()
        let client = PlatformClient(
            config: gsxt, source: workspace.config.organisation.uscc, retry: workspace.config.retry, logger: logger)
        let store = try store()
        var report = PullReport()
        report.enterprises = try await follow(feed: "enterprises", full: full, store: store, report: &report) {
            cursor in
            await client.enterpriseChanges(region: pull.region, cursor: cursor)
        } store: { (items, cursor) throws(CredsyncError) in
            let enterprises = items.compactMap { item in
                item["enterprise"].map { (seq: item["seq"]?.intValue, enterprise: $0) }
            }
            try store.storePage(enterprises: enterprises, feed: "enterprises", cursor: cursor)
        }
        report.listItems = try await follow(feed: "list", full: full, store: store, report: &report) { cursor in
            await client.seriousIllegalChanges(cursor: cursor)
        } store: { (items, cursor) throws(CredsyncError) in
            try store.storePage(listItems: items, feed: "list", cursor: cursor)
        }
        return report
    }

    /// The gsxt platform and the pull settings, or the configuration error that stops a pull.
    func settings() throws(CredsyncError) -> (gsxt: PlatformConfig, pull: PullConfig) {
        let config = workspace.config
        guard let gsxt = config.platform(.gsxt) else {
            throw CredsyncError(
                .configuration, "\(config.file): pulling needs the gsxt platform", hint: "add gsxt under platforms")
        }
        guard let pull = config.pull else {
            throw CredsyncError(
                .configuration, "\(config.file): pull: is not configured",
                hint: "add \"pull\": {\"region\": \"330000\"}")
        }
        return (gsxt, pull)
    }

    /// The store pulled into: the one given, or the state directory's.
    func store() throws(CredsyncError) -> EnterpriseStore {
        if let enterprises { return enterprises }
        return try EnterpriseStore(stateDir: workspace.config.stateDir)
    }

    /// Reads a feed page by page from its cursor; a BAD_CURSOR answer starts it over from the beginning.
    /// `save` stores a page together with the cursor after it, in one transaction.
    private func follow(
        feed: String, full: Bool, store: EnterpriseStore, report: inout PullReport,
        page: (String?) async -> Result<FeedPage, ExchangeFailure>,
        store save: ([JSONValue], String?) throws(CredsyncError) -> Void
    ) async throws(CredsyncError) -> Int {
        var cursor = full ? nil : try store.cursors()[feed]
        var count = 0
        var restarted = false
        var trail = CursorTrail()
        while true {
            switch await page(cursor) {
            case .failure(let failure) where failure.code == "BAD_CURSOR" && !restarted:
                restarted = true
                trail = CursorTrail()
                report.fullReread = true
                let message =
                    "\(feed): the saved cursor is no longer valid (older than 7 days?): reading the whole feed again"
                logger.warning(message)
                report.messages.append(message)
                cursor = nil
                continue
            case .failure(let failure):
                throw Self.error(failure, "gsxt \(feed) feed")
            case .success(let result):
                let goesOn = result.hasMore && !result.items.isEmpty
                if goesOn, let loop = trail.follow(result.nextCursor, what: "gsxt \(feed) feed") {
                    throw CredsyncError(
                        .unavailable, "\(loop)",
                        hint: "the saved cursor stays where it was; tell the platform's operators")
                }
                // The page and the cursor after it in one transaction: the cursor never passes what it covers.
                try save(result.items, result.nextCursor)
                count += result.items.count
                cursor = result.nextCursor
                if !goesOn { return count }
            }
        }
    }

    /// A failed request as the error that ends the pull: 77 for a 401 or 403, 69 when it may pass.
    static func error(_ failure: ExchangeFailure, _ what: String) -> CredsyncError {
        if failure.isAuthenticationFailure {
            return CredsyncError(
                .noPermission, "\(what): \(failure)",
                hint: "check gsxt's secret or certificate with 'credsync check --online'")
        }
        return CredsyncError(failure.failureClass == .transient ? .unavailable : .needsAttention, "\(what): \(failure)")
    }

    /// Queries `wanted` (subjects the feed did not deliver), 100 codes a request, as many in flight
    /// as gsxt's concurrency; each answer stored as it comes.
    package func query(_ wanted: MissingSubjects, into report: inout PullReport) async throws(CredsyncError) {
        guard !wanted.isEmpty else { return }
        let (gsxt, _) = try settings()
        let config = workspace.config
        let client = PlatformClient(config: gsxt, source: config.organisation.uscc, retry: config.retry, logger: logger)
        let store = try store()
        let concurrency = gsxt.concurrency
        let chunks = wanted.chunks(of: 100)
        // As many queries in flight as the platform's concurrency; each answer stored as it comes.
        var failure: CredsyncError?
        await withTaskGroup(of: ([String], Result<(items: [JSONValue], notFound: [String]), ExchangeFailure>).self) {
            group in
            var next = 0
            func startNext() {
                guard next < chunks.count, failure == nil else { return }
                let chunk = chunks[next]
                next += 1
                group.addTask { (chunk, await client.queryEnterprises(chunk)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (chunk, answer) = await group.next() {
                report.queryRequests += 1
                switch answer {
                case .failure(let error):
                    failure = failure ?? Self.error(error, "gsxt enterprise query")
                case .success(let answer):
                    do throws(CredsyncError) {
                        try store.append(enterprises: answer.items.map { (nil, $0) }, notFound: answer.notFound)
                        report.queried += chunk.count
                        report.notFound += answer.notFound.count
                    } catch {
                        failure = failure ?? error
                    }
                }
                startNext()
            }
        }
        if let failure { throw failure }
    }
}
