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
}
