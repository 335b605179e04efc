import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncState
import CredsyncProtocol

extension DatasetPush {
    /// Sends the changes that go now through the platform's 前置机 (exchange-api.md 1.1, "The file
    /// channel"), one batch at a time; their answers are applied by a later collect
    /// (`ChannelCollect`), never in this run's push.
    ///
    /// Each batch moves through the store in three commits: `uploading` (its records, before
    /// anything is written on the 前置机), `uploaded` (the `.part` and its signature are whole), and
    /// `sent` (renamed: the platform may take it). A run killed in between leaves a state the next
    /// collect settles without doubt: an `uploading` batch was never renamed (forgotten, planned
    /// again); an `uploaded` one is renamed if its `.part` is still there.
    mutating func send(channel: FileChannelClient, result: inout PlatformRun.Result) async {
        do {
            awaitingAnswer = try store.channelAwaitingKeys(platform: plan.platform, dataset: plan.dataset)
        } catch {
            result.stateError = error
            return
        }
        let (goes, chosen) = choose()
        // A withdrawal of an unconfirmed create waits, too, while its key's batch is unanswered.
        let unconfirmed = chosen.filter { !awaitingAnswer.contains($0.key) }
        var feed = BatchFeed(
            changes: plan.changes.makeIterator(), goes: goes, extra: unconfirmed, dataset: plan.dataset,
            source: run.config.organisation.uscc, maxRecords: run.platform.batchSize)
        reached = Array(repeating: false, count: goes.count)
        while !run.stop.isSet, commitFailure == nil, let (batch, changes) = feed.next() {
            guard await send(batch, changes: changes, channel: channel, result: &result) else { break }
        }
        outcome.pendingDeadlines =
            zip(plan.changes, reached).compactMap { change, done in done ? nil : change.deadline }
            + plan.awaitingReceipt
        do { try plan.changes.check() } catch { pendingError = pendingError ?? error }
        if let error = commitFailure ?? pendingError { result.stateError = error }
    }

    /// One batch staged, recorded and renamed; false when the rest should wait for the next run.
    private mutating func send(
        _ batch: Batch, changes: BatchFeed.Carried, channel: FileChannelClient, result: inout PlatformRun.Result
    ) async -> Bool {
        let store = self.store
        let dataset = plan.dataset
        let records = batch.records.compactMap { record -> ChannelRecordRow? in
            guard let change = changes[record.key]?.change else { return nil }
            return ChannelRecordRow(
                key: change.key, op: change.op, reason: change.reason, hash: change.hash,
                kept: change.payloadJSON.flatMap { SentPayloads.kept(canonical: $0) })
        }
        let row = ChannelBatchRow(
            batchID: batch.id, platform: plan.platform, dataset: plan.dataset, state: .uploading,
            records: records.count, bodySHA256: SHA256.hex(batch.body), createdAt: Timestamp.now())
        guard
            commit(
                "recorded", batch, { () throws(CredsyncError) in try store.insertChannelBatch(row, records: records) })
        else { return false }
        do throws(FileChannelError) {
            try await channel.stage(batch)
        } catch {
            // Never renamed: the platform did not see it. Forgotten now (the next plan sends it again)
            // once its `.part` is gone; else the next collect removes it first.
            if (try? await channel.unstage(dataset, batch.id)) != nil {
                _ = commit("forgotten", batch, { () throws(CredsyncError) in try store.removeChannelBatch(batch.id) })
            }
            fail(error, result: &result)
            return false
        }
        guard
            commit(
                "staged", batch,
                { () throws(CredsyncError) in
                    try store.setChannelBatchState(batch.id, .uploaded, at: Timestamp.now())
                })
        else { return false }
        // Evidence first: from the rename on, the platform may apply it.
        run.audit.append(Self.sentEvent(batch, platform: plan.platform, records: records))
        do throws(FileChannelError) {
            try await channel.rename(dataset, batch.id)
        } catch {
            // Uploaded, maybe renamed: the next collect renames it if its `.part` is still there.
            fail(error, result: &result)
            return false
        }
        guard
            commit(
                "sent", batch,
                { () throws(CredsyncError) in
                    try store.setChannelBatchState(batch.id, .sent, at: Timestamp.now())
                })
        else { return false }
        run.progress.add(batch.records.count)
        outcome.awaitingAnswer += records.count
        // On its way: for the run's "unavailable" judgement, as a delivery.
        delivered += records.count
        result.requests += 1
        return true
    }

    /// Runs `body` in one transaction; a failure (a full disk) stops the push with exit 74.
    private mutating func commit(
        _ what: String, _ batch: Batch, _ body: () throws(CredsyncError) -> Void
    ) -> Bool {
        do {
            try store.transaction(body)
            return true
        } catch {
            let failure = CredsyncError(
                error.exitCode,
                "\(PublishTarget(plan.platform, plan.dataset)): batch \(batch.id) could not be \(what) in the "
                    + "state store; nothing more is sent: " + error.message, hint: error.hint)
            commitFailure = commitFailure ?? failure
            run.logger.error(failure.message, [("platform", plan.platform.rawValue)])
            return false
        }
    }

    /// A 前置机 that refused or could not be reached: the platform's part ends for this run.
    private mutating func fail(_ error: FileChannelError, result: inout PlatformRun.Result) {
        let message = "\(plan.platform.rawValue) 前置机: " + error.description
        if !result.problems.contains(message) { result.problems.append(message) }
        run.logger.error(message, [("dataset", plan.dataset.rawValue)])
        if error.kind == .authenticationRefused {
            result.authenticationFailures.append(
                AuthenticationFailure(platform: plan.platform, dataset: plan.dataset, message: error.description))
        } else {
            transientFailures += 1
            result.channelFailure = result.channelFailure ?? error
        }
    }

    /// The audit line of a batch sent through the 前置机: ids, keys, operations and hashes.
    static func sentEvent(_ batch: Batch, platform: PlatformID, records: [ChannelRecordRow]) -> JSONObject {
        let items: [JSONValue] = records.map { record in
            var item = JSONObject([
                JSONMember("key", .string(record.key)), JSONMember("op", .string(record.op.kind.rawValue)),
            ])
            if let hash = record.hash { item["hash"] = .string(hash) }
            return .object(item)
        }
        return JSONObject([
            JSONMember("event", "batch sent"), JSONMember("platform", .string(platform.rawValue)),
            JSONMember("dataset", .string(batch.dataset.rawValue)), JSONMember("batchId", .string(batch.id)),
            JSONMember("file", .string(FileChannelLayout.batch(batch.dataset, batch.id))),
            JSONMember("records", .array(items)),
        ])
    }
}
