import CredsyncCore
import CredsyncReconciliation

extension SyncJob {
    /// The pull before a sync: the enterprise store and SAMR's serious-illegal list refreshed, so
    /// the cross-checks judge against today's registry. A failure is reported (a 401 or 403 as an
    /// authentication failure) and the run goes on with the store it has; only trouble with the
    /// state directory stops it.
    func pullFirst(into report: inout SyncReport, store: EnterpriseStore) async throws(CredsyncError) {
        guard config.pull != nil, config.platform(.gsxt) != nil else {
            logger.info("not pulling: no pull region or no gsxt platform is configured")
            return
        }
        do {
            let pulled = try await PullJob(
                workspace: workspace, asOf: options.asOf, logger: logger, enterprises: store
            ).run(full: false)
            logger.info(
                "pulled from gsxt",
                [
                    ("enterprises", String(pulled.enterprises)), ("listItems", String(pulled.listItems)),
                    ("queried", String(pulled.queried)),
                ])
            report.warnings += pulled.messages.map { "pull: " + $0 }
            report.pull = pulled
        } catch {
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
}
