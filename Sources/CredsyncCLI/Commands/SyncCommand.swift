import CredsyncCore
import CredsyncRun
import CredsyncSpool
import CredsyncState

/// `credsync sync` (and `push`, which does not pull): the nightly job.
enum SyncCommand {
    static func run(_ context: CommandContext) async throws(CredsyncError) -> ExitCode {
        let invocation = context.invocation
        let (started, loadStart) = (Timestamp.now(), Timestamp.monotonic())
        let config = try context.loadConfig()
        let lock = try RunLock.acquire(stateDir: config.stateDir, purpose: invocation.commandName)
        defer { withExtendedLifetime(lock) {} }
        let stop = StopFlag()
        stop.installSignalHandlers()
        var options = SyncOptions(asOf: context.asOf)
        options.platforms = invocation.all("platform").compactMap(PlatformID.init(rawValue:))
        options.datasets = invocation.all("dataset").compactMap(Dataset.init(rawValue:))
        options.dryRun = invocation.has("dry-run")
        options.allowMassWithdraw = invocation.approvesWithdrawals
        options.approveWithdrawals = invocation.approvesWithdrawals
        // A dry run changes nothing in the state directory but its own report: it does not pull.
        options.pull = invocation.commandName == "sync" && !options.dryRun && !invocation.has("no-pull")
        options.showProgress = !invocation.global.noProgress && !invocation.global.quiet && !invocation.global.json
        options.command = invocation.commandName
        options.user = OperatorIdentity.current(environment: context.environment).name
        if invocation.has("all") {
            guard !options.datasets.isEmpty else {
                throw CredsyncError.usage("push --all re-sends whole datasets: name them with --dataset")
            }
            options.resendAll = Set(options.datasets)
        }
        if invocation.approvesWithdrawals && !options.dryRun { try auditOverride(context, config: config) }
        let workspace = try Workspace(config: config, datasets: options.datasets)
        options.startedAt = started
        options.loadSeconds = Timestamp.monotonic() - loadStart
        var report = try await SyncJob(workspace: workspace, options: options, logger: context.logger, stop: stop).run()
        let path = try ReportWriter.write(&report, directory: config.reportDir)
        let pruning = ReportRetention.prune(config.reportRetention, directory: config.reportDir, keeping: report.runID)
        for problem in pruning { context.logger.warning(problem) }
        // Prometheus reads the metrics as the last real run: a dry run leaves them alone.
        if let metrics = config.metricsFile, !report.dryRun {
            try Metrics.write(report, to: metrics, group: config.metricsGroup)
        }
        if invocation.global.json {
            context.console.printJSON(ReportWriter.json(report))
        } else if !invocation.global.quiet {
            for line in ReportWriter.summary(report) { context.console.print(line) }
            context.console.print("  report: \(path)")
        }
        return report.exitCode
    }

    /// The audit line of `--approve-withdrawals` (or `--allow-mass-withdraw`) on a run that pushes:
    /// the emergency override of the guardrails and of approvals, with `--reason` (null without).
    static func auditOverride(_ context: CommandContext, config: Config) throws(CredsyncError) {
        let invocation = context.invocation
        var selection = JSONObject()
        let platforms = invocation.all("platform"), datasets = invocation.all("dataset")
        if !platforms.isEmpty { selection["platforms"] = .array(platforms.map { .string($0) }) }
        if !datasets.isEmpty { selection["datasets"] = .array(datasets.map { .string($0) }) }
        var details = OperatorIdentity.current(environment: context.environment).auditDetails
        details["command"] = .string(invocation.commandName)
        details["reason"] = invocation.value("reason").map { .string($0) } ?? .null
        let action = OperatorAction(
            action: "approve-withdrawals", selection: selection, items: [], count: 0, details: details)
        try action.record(in: config.auditFile, environment: context.environment)
        if invocation.value("reason") == nil {
            context.logger.warning(
                "--approve-withdrawals without --reason: the audit log records the override with no reason")
        }
    }
}
