import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool

/// One platform's part of a run: its changes and due retries pushed in batches, a bounded number
/// in flight, the ledger and the queue updated from every answer.
struct PlatformRun: Sendable {
    let config: Config
    let platform: PlatformConfig
    let plans: [DatasetPlan]
    let ledgers: [String: Ledger]
    let logger: Logger
    let stop: StopFlag
    let audit: AuditLog
    let progress: ProgressLine

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
    }

    func run() async -> Result {
        var result = Result(platform: platform.id)
        let client = PlatformClient(config: platform, source: config.organisation.uscc, retry: config.retry, logger: logger)
        let spool = Spool(stateDir: config.stateDir)
        let queued = spool.entries(platforms: [platform.id]).entries
        var delivered = 0
        var transientFailures = 0
        for plan in plans.sorted(by: { $0.dataset < $1.dataset }) {
            do throws(CredsyncError) {
                var state = try DatasetPush(run: self, plan: plan, spool: spool, queued: queued.filter { $0.entry.dataset == plan.dataset })
                await state.push(client: client, result: &result)
                delivered += state.delivered
                transientFailures += state.transientFailures
                result.outcomes.append(state.outcome)
            } catch {
                result.stateError = error
                return result
            }
        }
        progress.finish()
        if transientFailures > 0 && delivered == 0 {
            result.isUnavailable = true
            result.problems.append("\(platform.id.rawValue) is unavailable: its changes are queued for the next run")
        }
        return result
    }

    /// The next try of a queued entry: exponential backoff with full jitter between the bounds.
    func nextAttempt(attempts: Int, now: Double) -> Double {
        let ceiling = min(config.retry.maxDelay, config.retry.minDelay * Double(1 << min(attempts, 30)))
        return now + max(config.retry.minDelay, Double.random(in: 0...max(ceiling, config.retry.minDelay)))
    }
}
