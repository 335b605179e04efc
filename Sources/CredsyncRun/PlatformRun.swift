import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool
import CredsyncState

/// One platform's part of a run: its changes and due retries pushed in batches, a bounded number
/// in flight, the ledger and the queue updated from every answer.
struct PlatformRun: Sendable {
    let config: Config
    let platform: PlatformConfig
    let plans: [DatasetPlan]
    let logger: Logger
    let stop: StopFlag
    let audit: AuditLog
    let progress: ProgressLine
    /// The state store, shared by the platforms of the run.
    let store: StateStore
    /// Seals the personal values of the queue's payloads (`dataKeyFile`).
    let seal: PersonalSeal
    /// Why this platform's 前置机 is not used in this run (its collect failed to connect), if it is not.
    var channelBlocked: FileChannelError? = nil

    struct Result: Sendable {
        var platform: PlatformID
        var outcomes: [DatasetOutcome] = []
        var problems: [String] = []
        var isUnavailable = false
        /// Datasets whose pushes the platform refused for the credentials or the permission.
        var authenticationFailures: [AuthenticationFailure] = []
        var requests = 0
        var rateLimited = 0
        var stateError: CredsyncError?
        /// The 前置机 could not be reached (or its host key did not verify): nothing more went to it.
        var channelFailure: FileChannelError?
    }

    func run() async -> Result {
        var result = Result(platform: platform.id)
        let client = PlatformClient(
            config: platform, source: config.organisation.uscc, retry: config.retry, logger: logger)
        let channel = FileChannelClient(config: platform, source: config.organisation.uscc, logger: logger)
        if let blocked = channelBlocked, channel != nil {
            // The collect could not connect: sending would fail the same way (or past a changed host key).
            result.channelFailure = blocked
            result.isUnavailable = blocked.kind != .authenticationRefused
            result.outcomes = plans.map(Self.unsent)
            return result
        }
        let spool = Spool(store: store, seal: seal)
        let queued: [Spool.Located]
        do { queued = try spool.entries(platforms: [platform.id]).entries } catch {
            result.stateError = error
            return result
        }
        var delivered = 0
        var transientFailures = 0
        var fromQueue = 0
        var stopped = false
        for plan in plans.sorted(by: { $0.dataset < $1.dataset }) {
            if stopped {
                // Nothing more went to this 前置机: the plan's deadlines still run.
                result.outcomes.append(Self.unsent(plan))
                continue
            }
            do throws(CredsyncError) {
                var state = try DatasetPush(
                    run: self, plan: plan, spool: spool, queued: queued.filter { $0.entry.dataset == plan.dataset })
                if let channel {
                    await state.send(channel: channel, result: &result)
                } else {
                    await state.push(client: client, result: &result)
                }
                delivered += state.delivered
                transientFailures += state.transientFailures
                fromQueue += state.deliveredFromQueue
                result.outcomes.append(state.outcome)
                // A commit that failed (a full disk) ends this platform's part: the run exits 74.
                if result.stateError != nil { return result }
                // A 前置机 that could not be reached is not tried again for the next dataset.
                if result.channelFailure != nil || !result.authenticationFailures.isEmpty && channel != nil {
                    stopped = true
                }
            } catch {
                result.stateError = error
                return result
            }
        }
        progress.finish()
        if transientFailures > 0 && delivered == 0 {
            result.isUnavailable = true
            result.problems.append("\(platform.id.rawValue) is unavailable: " + Self.whereChangesWent(result.outcomes))
        }
        logEvents(result, transientFailures: transientFailures, fromQueue: fromQueue)
        return result
    }

    /// The outcome of a plan nothing of which was sent: its deadlines still run.
    static func unsent(_ plan: DatasetPlan) -> DatasetOutcome {
        var outcome = DatasetOutcome(platform: plan.platform, dataset: plan.dataset)
        outcome.unchanged = plan.unchanged
        outcome.keptSetAside = plan.keptSetAside.count
        outcome.pendingDeadlines = plan.deadlines
        return outcome
    }

    /// Where the changes that did not go went, in words: "12 queued for the next run, 3 dead".
    static func whereChangesWent(_ outcomes: [DatasetOutcome]) -> String {
        let (queued, held, dead) = outcomes.reduce((0, 0, 0)) { ($0.0 + $1.queued, $0.1 + $1.held, $0.2 + $1.dead) }
        var parts: [String] = []
        if queued > 0 { parts.append("\(queued) changes queued for the next run") }
        if held > 0 { parts.append("\(held) held for an operator ('credsync queue list --state hold')") }
        if dead > 0 { parts.append("\(dead) dead: the retry policy ran out ('credsync queue list --state dead')") }
        return parts.isEmpty ? "nothing was delivered" : parts.joined(separator: ", ")
    }

    /// One log event for each platform-level happening: unavailable, throttled, held, recovered.
    func logEvents(_ result: Result, transientFailures: Int, fromQueue: Int) {
        let id = platform.id.rawValue
        let held = result.outcomes.reduce(0) { $0 + $1.held }
        if result.isUnavailable {
            logger.error(
                "platform unavailable",
                [
                    ("platform", id), ("failures", transientFailures),
                    ("detail", Self.whereChangesWent(result.outcomes)),
                ])
        }
        if result.rateLimited > 0 {
            logger.warning(
                "platform throttled",
                [("platform", id), ("rateLimited", result.rateLimited), ("requests", result.requests)])
        }
        if held > 0 {
            logger.warning(
                "changes held", [("platform", id), ("held", held), ("reason", result.problems.joined(separator: "; "))])
        }
        if fromQueue > 0 && transientFailures == 0 {
            logger.info("platform recovered: queued changes delivered", [("platform", id), ("delivered", fromQueue)])
        }
    }

    /// The next try of a queued entry: exponential backoff with full jitter between the bounds.
    func nextAttempt(attempts: Int, now: Double) -> Double {
        // Bounded to ten years whatever the configuration says, so that the range below is finite.
        let low = min(max(0, config.retry.minDelay), 315_360_000)
        let ceiling = min(config.retry.maxDelay, low * Double(1 << min(max(0, attempts), 30)))
        return now + max(low, Double.random(in: 0...min(max(ceiling, low), 315_360_000)))
    }
}
