public import CredsyncCore
import CredsyncReconciliation
import CredsyncSpool
import CredsyncState
import _CredsyncEngine
import CredsyncCatalogs
import CredsyncMapping

/// What a sync run is asked to do.
public struct SyncOptions: Sendable {
    public var asOf: LocalDate
    public var platforms: [PlatformID] = []
    public var datasets: [Dataset] = []
    public var dryRun = false
    public var allowMassWithdraw = false
    /// Withdraw what an export not read whole lacks (see `UnreadRows`).
    public var approveWithdrawals = false
    /// Pull the enterprise feed and the serious-illegal list first (`sync`; not `push`, `--no-pull`).
    public var pull = false
    /// Progress lines on a terminal.
    public var showProgress = false
    /// The command that runs (`sync` or `push`), for the report's header.
    public var command = "sync"
    /// When the command started, and the seconds it spent loading the configuration and the
    /// mappings before the job: the report's first phase, `load`.
    public var startedAt: Double?
    public var loadSeconds = 0.0
    /// Datasets re-sent whole (`push --dataset D --all`): refused unless approved.
    public var resendAll: Set<Dataset> = []
    /// Who runs it, recorded with a plan a guardrail refuses (`OperatorIdentity`).
    public var user = OperatorAction.userName()

    public init(asOf: LocalDate) { self.asOf = asOf }
}

/// The nightly job: read and map, plan, push new changes and due retries (platforms in parallel),
/// update ledgers and queues, report.
public struct SyncJob: Sendable {
    public let workspace: Workspace
    public let options: SyncOptions
    public let logger: Logger
    public let stop: StopFlag

    public init(workspace: Workspace, options: SyncOptions, logger: Logger, stop: StopFlag) {
        self.workspace = workspace
        self.options = options
        self.logger = logger
        self.stop = stop
    }

    var config: Config { workspace.config }

    /// The run's plan, read and mapped on threads of their own, not on the cooperative pool; with
    /// `subjects`, incomplete once one is found missing (see `Workspace.plan`).
    private func plan(subjects: MissingSubjects?, store: StateStore) async throws(CredsyncError) -> RunPlan {
        let (workspace, options, config) = (self.workspace, self.options, self.config)
        return try await WorkerPool.run { () throws(CredsyncError) -> RunPlan in
            var ledgers: [PublishTarget: Ledger] = [:]
            return try workspace.plan(
                asOf: options.asOf, platforms: options.platforms, allowMassWithdraw: options.allowMassWithdraw,
                approveWithdrawals: options.approveWithdrawals, ledgers: &ledgers,
                showProgress: options.showProgress, store: store,
                controls: PlanControls(
                    approvals: ApprovalGate(store: store, config: config.approvals, user: options.user),
                    resendAll: options.resendAll),
                subjects: subjects)
        }
    }

    public func run() async throws(CredsyncError) -> SyncReport {
        var report = SyncReport(
            runID: Spool.newID(), asOf: options.asOf, startedAt: options.startedAt ?? Timestamp.now(),
            dryRun: options.dryRun)
        report.command = options.command
        if options.startedAt != nil { report.phases.append(("load", options.loadSeconds)) }
        var phaseStart = Timestamp.monotonic()
        func phase(_ name: String) {
            let now = Timestamp.monotonic()
            report.phases.append((name, now - phaseStart))
            phaseStart = now
        }
        // The process's one connection to the state store: the pull, the plan and the push share it.
        let store = try StateStore(stateDir: config.stateDir)
        // A run that pushes keeps payloads in the queue: it needs the data key, and the key the queue
        // was sealed under, before anything is pulled or sent (exit 78 otherwise).
        let seal = options.dryRun ? PersonalSeal.none : try PersonalSeal.load(config, required: true)
        if !options.dryRun {
            let spool = Spool(store: store, seal: seal)
            try spool.checkKey()
            // Payloads an earlier release kept with numbers in clear are sealed once, here.
            let sealed = try spool.sealClearPayloads()
            if sealed > 0 { logger.info("sealed the personal numbers of \(sealed) queue payloads kept in clear") }
        }
        var subjects: MissingSubjects?
        if options.pull {
            subjects = try await pullFirst(into: &report, store: EnterpriseStore(state: store))
            phase("pull")
        }
        // One audit log writer for the run: the collect and the push append to the same chain.
        let audit = options.dryRun ? nil : try AuditLog(path: config.auditFile)
        // The 前置机s' answers and receipts before the plan: the ledger then knows what they applied.
        var collected: ChannelCollect.Result?
        if let audit {
            collected = try await collectChannels(into: &report, store: store, seal: seal, audit: audit)
            if collected != nil { phase("collect") }
        }
        // Receipts before the plan: a failed publication is planned again only once the export changes it.
        if !options.dryRun, try await readReceipts(into: &report, store: store) { phase("receipts") }
        // The ledgers are compared with the export, then dropped: the push writes the store's rows.
        // The plan reads and maps on threads of its own, not on the cooperative pool.
        // The plan notes the subjects the enterprise store lacks as it maps (the pull's scan, done
        // once): when it finds any, they are queried and the exports planned again.
        var run = try await plan(subjects: subjects, store: store)
        if let subjects {
            if subjects.isEmpty {
                logged(report.pull ?? PullReport())
            } else {
                run = RunPlan()  // incomplete: dropped before the queries
                FreedMemory.release()
                phase("subjects")
                try await querySubjects(subjects, into: &report, store: EnterpriseStore(state: store))
                FreedMemory.release()
                phase("pull queries")
                run = try await plan(subjects: nil, store: store)
            }
        }
        report.approved = run.approved
        phase("read, map and plan")
        FreedMemory.release()
        for (dataset, export) in run.exports {
            report.setAside += export.setAside.map { (dataset, $0) }
            report.unreadableRows += export.unreadable.map { (dataset, $0.description) }
        }
        report.unusableExports = run.unreadable.map { "\($0.0.rawValue): \($0.1.description)" }
        for (dataset, problem) in run.unreadable {
            logger.error(
                "unusable export: \(problem.description): nothing of it is planned", [("dataset", dataset.rawValue)])
        }
        report.refused = run.refused.map(\.1)
        for (plan, message) in run.refused {
            logger.error(
                "refused: \(message)", [("platform", plan.platform.rawValue), ("dataset", plan.dataset.rawValue)])
        }
        report.warnings += run.findings.map { "cross-check: " + $0.description }
        if run.findingsNotListed > 0 {
            report.warnings.append(
                "cross-check: \(run.findingsNotListed) more findings not listed (the first \(RunPlan.findingsListed) are)"
            )
        }
        report.warnings += run.plans.flatMap { plan in
            plan.warnings.map { "\(PublishTarget(plan.platform, plan.dataset)) \($0)" }
        }

        let byPlatform = Dictionary(grouping: run.plans, by: \.platform)
        if options.dryRun {
            report.outcomes = run.plans.map { plan in
                var outcome = DatasetOutcome(platform: plan.platform, dataset: plan.dataset)
                outcome.created = plan.count(.create)
                outcome.updated = plan.count(.update)
                outcome.withdrawn = plan.count(.withdraw)
                outcome.unchanged = plan.unchanged
                outcome.keptSetAside = plan.keptSetAside.count
                outcome.pendingDeadlines = plan.deadlines
                return outcome
            }
        } else if let audit {
            let signer = try AuditManifest.signingKey(config)
            try markUsed(run.approved, runID: report.runID, store: store, audit: audit)
            let results = await withTaskGroup(of: PlatformRun.Result.self) { group in
                for (platformID, plans) in byPlatform {
                    guard let platform = config.platform(platformID) else { continue }
                    let progress = ProgressLine(
                        "push \(platformID.rawValue)", total: plans.reduce(0) { $0 + $1.changes.count },
                        enabled: options.showProgress)
                    let platformRun = PlatformRun(
                        config: config, platform: platform, plans: plans, logger: logger, stop: stop, audit: audit,
                        progress: progress, store: store, seal: seal, channelBlocked: collected?.blocked[platformID])
                    group.addTask { await platformRun.run() }
                }
                var all: [PlatformRun.Result] = []
                for await result in group { all.append(result) }
                return all
            }
            report.add(collected: collected?.outcomes ?? [])
            for result in results.sorted(by: { $0.platform < $1.platform }) {
                report.outcomes += result.outcomes
                report.requests += result.requests
                report.rateLimited += result.rateLimited
                report.platformProblems += result.problems.map { (result.platform, $0) }
                report.authenticationFailures += result.authenticationFailures
                if result.isUnavailable { report.unavailable.insert(result.platform) }
                if let error = result.stateError { throw error }
            }
            report.interrupted = stop.isSet
            if !report.interrupted {
                var history = ExportHistory()
                for (dataset, export) in run.exports where run.refused.allSatisfy({ $0.0.dataset != dataset }) {
                    history.records[dataset] = export.recordCountAnyDate
                }
                try history.save(in: store, runID: report.runID)
            }
            report.warnings += AuditManifest.archiveExpired(config, log: audit)
            try audit.appendManifest(AuditManifest.members(of: report), signer: signer)
        }
        report.outcomes.sort { ($0.platform, $0.dataset) < ($1.platform, $1.dataset) }
        phase(options.dryRun ? "dry run" : "push")
        if !stop.isSet {
            let rows = run.exports.values.reduce(0) { $0 + $1.rowsRead }
            // The forecast re-maps the exports: on threads of its own, not on the cooperative pool.
            report.forecast = await WorkerPool.run { () -> ReportForecast in
                ForecastJob.forReport(
                    workspace, asOf: options.asOf, today: .todayInShanghai(), platforms: options.platforms, rows: rows)
            }
            phase("forecast")
        }
        // Deadlines as the run leaves things: those of changes not delivered.
        for outcome in report.outcomes {
            for deadline in outcome.pendingDeadlines {
                report.deadlines.append(
                    (outcome.platform, outcome.dataset, deadline.key, deadline.kind.rawValue, deadline.due))
            }
        }
        report.deadlines.sort { ($0.due, $0.key) < ($1.due, $1.key) }
        try tallyReceipts(into: &report, store: store)
        let queue = try Spool(store: store, seal: seal).entries()
        report.queueCensus = QueueCensus(queue.entries, corrupt: queue.corrupted)
        for located in queue.entries {
            report.queueDepth[located.state.rawValue, default: 0] += 1
            report.queueDepthByPlatform["\(located.entry.platform.rawValue)|\(located.state.rawValue)", default: 0] += 1
        }
        if !queue.corrupted.isEmpty { report.queueDepth["corrupt"] = queue.corrupted.count }
        report.queueAges = queue.entries.map { Timestamp.now() - $0.entry.firstAttempt }
        phase("report")
        report.finishedAt = Timestamp.now()
        return report
    }
}
