import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool
import CredsyncState
import CredsyncProtocol

/// What the platforms reached through a 前置机 said since the last run, collected at the start of
/// every `sync`, `push` and `pull` and by `credsync collect` (exchange-api.md 1.1, "The file
/// channel"): interrupted uploads settled, every answer applied in one transaction with its batch
/// marked answered and then deleted, receipts files recorded and then deleted, batches unanswered
/// for too long reported with their file names.
struct ChannelCollect {
    let config: Config
    let store: StateStore
    let seal: PersonalSeal
    let logger: Logger
    let audit: AuditLog
    let stop: StopFlag

    struct Result {
        /// What the answers applied changed, per platform and dataset.
        var outcomes: [DatasetOutcome] = []
        var answers = 0
        var redelivered = 0
        var receipts = ReceiptFeed.Result()
        var warnings: [String] = []
        /// Platforms whose 前置机 could not be used: their push is skipped in this run.
        var blocked: [PlatformID: FileChannelError] = [:]
    }

    /// The channel platforms among `platforms` (all when empty).
    func platforms(_ platforms: [PlatformID]) -> [PlatformConfig] {
        config.platforms.filter { $0.channel != nil && (platforms.isEmpty || platforms.contains($0.id)) }
    }

    /// Collects every channel platform of `ids`. A 前置机 that fails is reported and the run goes
    /// on; only trouble with the state store throws (exit 74).
    func run(platforms ids: [PlatformID]) async throws(CredsyncError) -> Result {
        var result = Result()
        // Answered batches are kept a month, so that an answer delivered again is known.
        try store.pruneAnsweredChannelBatches(before: Timestamp.now() - 30 * 86400)
        for platform in platforms(ids) {
            guard
                let client = FileChannelClient(config: platform, source: config.organisation.uscc, logger: logger)
            else { continue }
            do throws(ChannelCollectFailure) {
                for dataset in platform.datasets where !stop.isSet {
                    try await collect(dataset, of: platform, client: client, into: &result)
                }
            } catch {
                switch error {
                case .store(let error): throw error
                case .channel(let error): block(platform.id, error, into: &result)
                }
            }
        }
        return result
    }

    private func block(_ platform: PlatformID, _ error: FileChannelError, into result: inout Result) {
        let message = "\(platform.rawValue) 前置机: " + error.description + " (nothing is sent to it in this run)"
        logger.error(message, [("platform", platform.rawValue)])
        result.receipts.problems.append((platform, message))
        result.blocked[platform] = error
        if error.kind == .authenticationRefused {
            result.receipts.authenticationFailures.append(AuthenticationFailure(platform: platform, message: message))
        } else {
            result.receipts.unavailable.insert(platform)
        }
    }

    private func collect(
        _ dataset: Dataset, of platform: PlatformConfig, client: FileChannelClient, into result: inout Result
    ) async throws(ChannelCollectFailure) {
        try await settle(dataset, of: platform.id, client: client)
        var applier = try ChannelAnswers(
            run: PlatformRun(
                config: config, platform: platform, plans: [], logger: logger, stop: stop, audit: audit,
                progress: ProgressLine("collect", total: 0, enabled: false), store: store, seal: seal),
            dataset: dataset)
        let (answers, malformed) = try await channel({ () async throws(FileChannelError) in
            try await client.readAnswers(dataset)
        })
        for problem in malformed {
            result.warnings.append("\(platform.id.rawValue) 前置机: " + problem.description)
        }
        for answer in answers {
            switch try stored({ () throws(CredsyncError) in try store.channelBatchState(answer.batchID) }) {
            case .answered?:
                // Applied before (a crash before the deletion, or the platform wrote it twice).
                try await channel({ () async throws(FileChannelError) in try await client.acknowledge(answer) })
                result.redelivered += 1
            case .sent?, .uploaded?:
                try applier.apply(answer)
                try await channel({ () async throws(FileChannelError) in try await client.acknowledge(answer) })
                result.answers += 1
            case .uploading?, nil:
                let warning =
                    "\(platform.id.rawValue) 前置机: \(answer.file) answers a batch this state store did not send "
                    + "(or no longer knows): left in place; compare with the audit log, then delete it"
                if !result.warnings.contains(warning) { result.warnings.append(warning) }
            }
        }
        result.outcomes.append(applier.outcome)
        result.warnings += applier.problems
        // A refused batch with a 401/403 code: the credentials need an operator (exit 77).
        result.receipts.authenticationFailures += applier.result.authenticationFailures
        if let error = applier.stateError { throw .store(error) }
        try await receipts(dataset, of: platform.id, client: client, into: &result)
        result.warnings += try await unanswered(dataset, of: platform, client: client)
    }

    /// Batches a killed run left `uploading` (never renamed: forgotten, their `.part` removed) or
    /// `uploaded` (renamed now when the `.part` is still there, else it was renamed before).
    private func settle(
        _ dataset: Dataset, of platform: PlatformID, client: FileChannelClient
    ) async throws(ChannelCollectFailure) {
        let interrupted = try stored { () throws(CredsyncError) in
            try store.channelBatches(platform: platform, dataset: dataset, states: [.uploading, .uploaded])
        }
        for batch in interrupted {
            switch batch.state {
            case .uploading:
                try await channel({ () async throws(FileChannelError) in
                    try await client.unstage(dataset, batch.batchID)
                })
                try stored { () throws(CredsyncError) in try store.removeChannelBatch(batch.batchID) }
                audit.append(Self.settledEvent(batch, "forgotten: never renamed, its records are planned again"))
                logger.warning(
                    "an upload interrupted before its rename was forgotten: its records are planned again",
                    [("platform", platform.rawValue), ("dataset", dataset.rawValue), ("batch", batch.batchID)])
            default:
                let staged = try await channel({ () async throws(FileChannelError) in
                    try await client.isStaged(dataset, batch.batchID)
                })
                if staged {
                    do throws(FileChannelError) {
                        try await client.resume(dataset, batch.batchID, sha256: batch.bodySHA256)
                    } catch  where error.kind == .malformed {
                        // Not the bytes uploaded: never signed. Removed, and its records planned again.
                        try await channel({ () async throws(FileChannelError) in
                            try await client.unstage(dataset, batch.batchID)
                        })
                        try stored { () throws(CredsyncError) in try store.removeChannelBatch(batch.batchID) }
                        audit.append(Self.settledEvent(batch, "forgotten: " + error.message))
                        logger.error(
                            error.description + "; removed, its records are planned again",
                            [("platform", platform.rawValue), ("batch", batch.batchID)])
                        continue
                    } catch {
                        throw .channel(error)
                    }
                }
                try stored { () throws(CredsyncError) in
                    try store.setChannelBatchState(batch.batchID, .sent, at: Timestamp.now())
                }
                audit.append(Self.settledEvent(batch, staged ? "renamed after an interrupted run" : "renamed before"))
            }
        }
    }

    /// The receipts files of an asynchronous platform, oldest first: each recorded in one
    /// transaction, then deleted. A file that is not receipts stays and is reported.
    private func receipts(
        _ dataset: Dataset, of platform: PlatformID, client: FileChannelClient, into result: inout Result
    ) async throws(ChannelCollectFailure) {
        let feed = ReceiptFeed(config: config, store: store, logger: logger)
        for file in try await channel({ () async throws(FileChannelError) in try await client.receipts(dataset) }) {
            switch file.page() {
            case .failure(let problem):
                result.warnings.append("\(platform.rawValue) 前置机: " + problem.description)
            case .success(let page):
                let failures = try stored { () throws(CredsyncError) in
                    try feed.record(page, dataset: dataset, platform: platform)
                }
                result.receipts.read += page.receipts.count
                result.receipts.failures += failures
                try await channel({ () async throws(FileChannelError) in try await client.acknowledge(file) })
            }
        }
    }

    /// Batches sent longer ago than the channel's `unansweredAfter` whose answer has not come.
    private func unanswered(
        _ dataset: Dataset, of platform: PlatformConfig, client: FileChannelClient
    ) async throws(ChannelCollectFailure) -> [String] {
        guard let age = platform.channel?.unansweredAfter else { return [] }
        let now = Timestamp.now()
        let late = try stored { () throws(CredsyncError) in
            try store.channelBatches(platform: platform.id, dataset: dataset, states: [.sent])
        }.filter { now - ($0.sentAt ?? $0.createdAt) > age }
        guard !late.isEmpty else { return [] }
        let inbox = try await channel({ () async throws(FileChannelError) in
            try await client.unanswered(dataset, olderThan: 0, now: now)
        })
        let waiting = Set(inbox.map(\.batchID))
        return late.prefix(50).map { batch in
            let hours = Int((now - (batch.sentAt ?? batch.createdAt)) / 3600)
            let file = FileChannelLayout.batch(dataset, batch.batchID)
            let state =
                waiting.contains(batch.batchID)
                ? "still in the inbox: the platform has not taken it"
                : "taken by the platform, no answer in \(FileChannelLayout.outbox(dataset))/ yet"
            return "\(platform.id.rawValue) 前置机: \(file) (\(batch.records) records) sent \(hours) h ago is "
                + "unanswered, \(state); ask the platform's helpdesk (RUNBOOK, 'A batch on the 前置机 is unanswered')"
        } + (late.count > 50 ? ["\(late.count - 50) more unanswered batches of \(platform.id.rawValue)"] : [])
    }

    /// The audit line of a batch an interrupted run left, as the next collect settled it.
    static func settledEvent(_ batch: ChannelBatchRow, _ what: String) -> JSONObject {
        JSONObject([
            JSONMember("event", "batch settled"), JSONMember("platform", .string(batch.platform.rawValue)),
            JSONMember("dataset", .string(batch.dataset.rawValue)), JSONMember("batchId", .string(batch.batchID)),
            JSONMember("records", .number(String(batch.records))), JSONMember("outcome", .string(what)),
        ])
    }

    private func stored<T>(_ body: () throws(CredsyncError) -> T) throws(ChannelCollectFailure) -> T {
        do { return try body() } catch { throw .store(error) }
    }

    private func channel<T>(
        _ body: () async throws(FileChannelError) -> T
    ) async throws(ChannelCollectFailure) -> T {
        do { return try await body() } catch { throw .channel(error) }
    }
}

/// Why a collect stopped: the store (the run ends, exit 74) or the 前置机 (the platform is skipped).
enum ChannelCollectFailure: Error {
    case store(CredsyncError)
    case channel(FileChannelError)
}
