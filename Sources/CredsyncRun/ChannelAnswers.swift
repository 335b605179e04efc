import CredsyncCore
import CredsyncExchange
import CredsyncReconciliation
import CredsyncSpool
import CredsyncState
import CredsyncProtocol

/// The answers of one platform's dataset applied to the store as a push applies the API's.
struct ChannelAnswers {
    var push: DatasetPush
    var result: PlatformRun.Result

    init(run: PlatformRun, dataset: Dataset) throws(ChannelCollectFailure) {
        let spool = Spool(store: run.store, seal: run.seal)
        do {
            let queued = try spool.entries(platforms: [run.platform.id]).entries.filter { $0.entry.dataset == dataset }
            push = try DatasetPush(
                run: run, plan: DatasetPlan(platform: run.platform.id, dataset: dataset), spool: spool, queued: queued)
        } catch {
            throw .store(error)
        }
        result = PlatformRun.Result(platform: run.platform.id)
    }

    var outcome: DatasetOutcome { push.outcome }
    var problems: [String] { result.problems }
    var stateError: CredsyncError? { push.commitFailure ?? result.stateError }

    /// One answer: every record's ledger row, rejection, kept payload and queue change, and the
    /// batch marked answered, in one transaction.
    mutating func apply(_ answer: FileChannelAnswer) throws(ChannelCollectFailure) {
        let rows: [ChannelRecordRow]
        do { rows = try push.store.channelRecords(answer.batchID) } catch { throw .store(error) }
        let records = rows.map { row in
            row.op == .withdraw
                ? OutgoingRecord.withdraw(key: row.key, reason: row.reason.withdrawalReason)
                : OutgoingRecord(key: row.key, op: .upsert, hash: row.hash)
        }
        let batch = Batch(id: answer.batchID, dataset: answer.dataset, source: "", records: records)
        var result = answer.result(for: batch)
        result.requestIDs = [answer.file]
        var changes: BatchFeed.Carried = [:]
        var kept: [String: String] = [:]
        for row in rows {
            var change = Change(key: row.key, op: row.op, reason: row.reason, hash: row.hash)
            change.payloadJSON = nil
            changes[row.key] = (-1, change)
            if let payload = row.kept { kept[row.key] = payload }
        }
        let store = push.store
        let file = answer.file
        push.apply(
            result, of: batch, changes: changes, marking: nil, kept: kept,
            alsoRecording: { () throws(CredsyncError) in
                try store.markChannelBatchAnswered(answer.batchID, answer: file, at: Timestamp.now())
            }, result: &self.result)
        if let error = push.commitFailure { throw .store(error) }
    }
}
