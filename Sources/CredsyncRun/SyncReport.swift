public import CredsyncCore
public import CredsyncReconciliation
public import CredsyncFormats
public import CredsyncProtocol

/// What one platform and dataset came to in a run.
public struct DatasetOutcome: Sendable {
    public var platform: PlatformID
    public var dataset: Dataset
    public var created = 0
    public var updated = 0
    public var withdrawn = 0
    /// Already as planned: unchanged in the plan, or answered `unchanged`.
    public var unchanged = 0
    public var rejected: [(key: String, errors: [FieldError])] = []
    /// Rejected before with the same content: not sent again until the export changes.
    public var rejectedBefore = 0
    /// Changes that wait in the queue after this run (deferred, not due, held, dead).
    public var queued = 0
    public var held = 0
    public var dead = 0
    public var keptSetAside = 0
    /// Deadlines of the changes this run did not deliver.
    public var pendingDeadlines: [Deadline] = []
    /// Changes sent through the 前置机 in this run: their answer comes later.
    public var awaitingAnswer = 0
    /// Changes not sent because their key's previous batch on the 前置机 is still unanswered.
    public var behindUnanswered = 0

    public init(platform: PlatformID, dataset: Dataset) {
        self.platform = platform
        self.dataset = dataset
    }

    public var pushed: Int { created + updated + withdrawn }

    /// Whether any record has a count here (an outcome of answers collected may have none).
    public var hasRecords: Bool {
        pushed > 0 || unchanged > 0 || !rejected.isEmpty || queued > 0 || held > 0 || dead > 0
    }

    /// `other`'s counts (answers collected from the 前置机 in the same run) added to these.
    public mutating func add(_ other: DatasetOutcome) {
        created += other.created
        updated += other.updated
        withdrawn += other.withdrawn
        unchanged += other.unchanged
        rejected += other.rejected
        queued += other.queued
        held += other.held
        dead += other.dead
        awaitingAnswer += other.awaitingAnswer
        behindUnanswered += other.behindUnanswered
    }
}

/// Everything a run did, for the report, the metrics and the exit code.
public struct SyncReport: Sendable {
    public var runID: String
    public var asOf: LocalDate
    public var startedAt: Double
    public var finishedAt: Double = 0
    public var dryRun: Bool
    /// The command that ran: `sync` or `push`.
    public var command = "sync"
    public var outcomes: [DatasetOutcome] = []
    /// Answers collected from the 前置机s and applied in this run.
    public var channelAnswers = 0
    /// Rows set aside per dataset, with reasons.
    public var setAside: [(Dataset, SetAside)] = []
    public var unreadableRows: [(Dataset, String)] = []
    public var warnings: [String] = []
    /// Platform-level problems: unavailable, or an operator must act.
    public var platformProblems: [(PlatformID, String)] = []
    public var unavailable: Set<PlatformID> = []
    /// Platforms that refused the credentials or the permission (401, 403): exit 77.
    public var authenticationFailures: [AuthenticationFailure] = []
    public var refused: [String] = []
    /// Plans a guardrail held back that run under an approval (`credsync approve`).
    public var approved: [ApprovedPlan] = []
    public var unusableExports: [String] = []
    public var phases: [(String, Double)] = []
    public var interrupted = false
    public var requests = 0
    public var rateLimited = 0
    /// Deadlines past due after the run, with what is due soon, oldest first.
    public var deadlines: [(platform: PlatformID, dataset: Dataset, key: String, kind: String, due: LocalDate)] = []
    public var overdue: Int { deadlines.filter { $0.due < asOf }.count }
    /// The queue after the run: entries per state, per platform and state ("credit|deferred"),
    /// and the age of every entry in seconds.
    public var queueDepth: [String: Int] = [:]
    public var queueDepthByPlatform: [String: Int] = [:]
    public var queueAges: [Double] = []
    /// The queues after the run, per platform and state, for the metrics.
    public var queueCensus = QueueCensus()
    /// The next working days as the run leaves things (nil when not looked at: an interrupted run).
    package var forecast: ReportForecast?
    /// What the pull before the push did, when there was one.
    public var pull: PullReport?
    /// Receipts (exchange-api.md 1.1): how many were read, the failures among them (reported like
    /// rejections), and the pending, failed and published counts after the run.
    public var receiptsRead = 0
    public var receiptFailures: [ReceiptFailure] = []
    public var receipts: [ReceiptTally] = []

    /// The exit code the run ends with, per the documented table.
    public var exitCode: ExitCode {
        if interrupted { return .temporaryFailure }
        if !authenticationFailures.isEmpty { return .noPermission }
        if !refused.isEmpty || !unusableExports.isEmpty { return .dataError }
        if !unavailable.isEmpty { return .unavailable }
        let attention =
            !setAside.isEmpty || !unreadableRows.isEmpty
            || outcomes.contains { !$0.rejected.isEmpty || $0.queued > 0 || $0.held > 0 || $0.dead > 0 }
            || !platformProblems.isEmpty || !receiptFailures.isEmpty
        return attention ? .needsAttention : .success
    }
}
