import CredsyncCore
import CredsyncReconciliation

extension SyncJob {
    /// The pull before a sync: gsxt's feeds (the enterprise store and SAMR's serious-illegal list
    /// refreshed), so the cross-checks judge against today's registry. The subjects the feed did
    /// not deliver are found by the plan as it maps (`MissingSubjects`) and queried by
    /// `querySubjects`. A failure is reported (a 401 or 403 as an authentication failure) and the
    /// run goes on with the store it has; only trouble with the state directory stops it. Returns
    /// the subjects to note while planning, or nil when nothing is to be queried.
    func pullFirst(into report: inout SyncReport, store: EnterpriseStore) async throws(CredsyncError)
        -> MissingSubjects?
    {
        guard let pull = config.pull, config.platform(.gsxt) != nil else {
            logger.info("not pulling: no pull region or no gsxt platform is configured")
            return nil
        }
        do {
            let pulled = try await pullJob(store).pullFeeds(full: false)
            report.warnings += pulled.messages.map { "pull: " + $0 }
            report.pull = pulled
            return MissingSubjects(store: store, refreshAfter: pull.refreshAfter)
        } catch {
            try note(error, in: &report)
            return nil
        }
    }

    /// Queries the subjects the plan found missing from the store (`subjects`), then logs the pull.
    func querySubjects(
        _ subjects: MissingSubjects, into report: inout SyncReport, store: EnterpriseStore
    ) async throws(CredsyncError) {
        var pulled = report.pull ?? PullReport()
        do {
            try await pullJob(store).query(subjects, into: &pulled)
        } catch {
            report.pull = pulled
            try note(error, in: &report)
            return
        }
        report.pull = pulled
        logged(pulled)
    }

    /// Logs what the pull did.
    func logged(_ pulled: PullReport) {
        logger.info(
            "pulled from gsxt",
            [
                ("enterprises", String(pulled.enterprises)), ("listItems", String(pulled.listItems)),
                ("queried", String(pulled.queried)),
            ])
    }

    private func pullJob(_ store: EnterpriseStore) -> PullJob {
        PullJob(workspace: workspace, asOf: options.asOf, logger: logger, enterprises: store)
    }

    private func note(_ error: CredsyncError, in report: inout SyncReport) throws(CredsyncError) {
        if error.exitCode == .ioError { throw error }
        let message = "the pull failed (\(error.message)): the cross-checks use the enterprise store as it was"
        logger.error(message, [("platform", PlatformID.gsxt.rawValue)])
        report.platformProblems.append((.gsxt, message))
        if error.exitCode == .unavailable { report.unavailable.insert(.gsxt) }
        if error.exitCode == .noPermission {
            report.authenticationFailures.append(AuthenticationFailure(platform: .gsxt, message: error.message))
        }
    }
}
