import CredsyncCore
import CredsyncState

extension SyncJob {
    /// The 前置机s' answers and receipts collected before the plan (`ChannelCollect`): what the
    /// platforms said since the last run is in the ledger before it is compared with the export.
    /// Nil when no platform of the run is reached through a 前置机.
    func collectChannels(
        into report: inout SyncReport, store: StateStore, seal: PersonalSeal, audit: AuditLog
    ) async throws(CredsyncError) -> ChannelCollect.Result? {
        let collect = ChannelCollect(config: config, store: store, seal: seal, logger: logger, audit: audit, stop: stop)
        guard !collect.platforms(options.platforms).isEmpty else { return nil }
        let result = try await collect.run(platforms: options.platforms)
        report.apply(result.receipts)
        report.warnings += result.warnings
        report.channelAnswers += result.answers
        for warning in result.warnings { logger.warning(warning) }
        return result
    }
}

extension SyncReport {
    /// The counts of the answers collected from the 前置机s added to the push's, per platform and dataset.
    mutating func add(collected: [DatasetOutcome]) {
        for outcome in collected {
            if let index = outcomes.firstIndex(where: {
                $0.platform == outcome.platform && $0.dataset == outcome.dataset
            }) {
                outcomes[index].add(outcome)
            } else if outcome.hasRecords {
                outcomes.append(outcome)
            }
        }
    }
}
