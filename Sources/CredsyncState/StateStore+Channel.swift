public import CredsyncCore

/// Where a batch sent through a 前置机 stands (table `channel_batch`).
package enum ChannelBatchState: String, Sendable, CaseIterable {
    /// Being uploaded: its `.part` may be partial and it was never renamed, so the platform never saw it.
    case uploading
    /// Its `.part` and signature are whole; the rename may or may not have happened.
    case uploaded
    /// Renamed into the inbox: the platform may take it; its answer is awaited.
    case sent
    /// Its answer is applied.
    case answered
}

/// A batch sent through a 前置机.
package struct ChannelBatchRow: Sendable, Equatable {
    package var batchID: String
    package var platform: PlatformID
    package var dataset: Dataset
    package var state: ChannelBatchState
    package var records: Int
    /// SHA-256 (hex) of the batch file's bytes.
    package var bodySHA256: String
    package var createdAt: Double
    package var sentAt: Double?

    package init(
        batchID: String, platform: PlatformID, dataset: Dataset, state: ChannelBatchState, records: Int,
        bodySHA256: String, createdAt: Double, sentAt: Double? = nil
    ) {
        self.batchID = batchID
        self.platform = platform
        self.dataset = dataset
        self.state = state
        self.records = records
        self.bodySHA256 = bodySHA256
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// One record of a batch sent through a 前置机, as applying its answer needs it (no 证件号码 in clear).
package struct ChannelRecordRow: Sendable, Equatable {
    package var key: String
    package var op: RecordOperation
    package var reason: ChangeReason
    package var hash: String?
    /// The payload as kept (`SentPayloads.kept`), 证件号码 masked.
    package var kept: String?

    package init(key: String, op: RecordOperation, reason: ChangeReason, hash: String?, kept: String?) {
        self.key = key
        self.op = op
        self.reason = reason
        self.hash = hash
        self.kept = kept
    }
}

extension StateStore {
    /// Records a batch about to be uploaded, with its records in order, inside the caller's transaction.
    package func insertChannelBatch(_ batch: ChannelBatchRow, records: [ChannelRecordRow]) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO channel_batch (batch_id, platform, dataset, state, records, body_sha256, created_at, sent_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(batch.batchID), .text(batch.platform.rawValue), .text(batch.dataset.rawValue),
                .text(batch.state.rawValue), .int(batch.records), .text(batch.bodySHA256), .real(batch.createdAt),
                batch.sentAt.map { .real($0) } ?? .null,
            ])
        for (position, record) in records.enumerated() {
            try database.execute(
                "INSERT INTO channel_record (batch_id, position, key, op, reason, hash, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(batch.batchID), .int(position), .text(record.key), .text(record.op.rawValue),
                    .text(record.reason.rawValue), .optional(record.hash),
                    .optional(record.kept.map(PersonalData.mask)),
                ])
        }
    }

    /// Moves a batch to `state`; `sent` records when.
    package func setChannelBatchState(_ batchID: String, _ state: ChannelBatchState, at now: Double)
        throws(CredsyncError)
    {
        try database.execute(
            "UPDATE channel_batch SET state = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE batch_id = ?",
            [.text(state.rawValue), .text(state.rawValue), .real(now), .text(batchID)])
    }

    /// The batch's answer applied: its records are dropped, its id kept (a re-delivered answer is
    /// then known), inside the caller's transaction.
    package func markChannelBatchAnswered(_ batchID: String, answer: String, at now: Double) throws(CredsyncError) {
        try database.execute(
            "UPDATE channel_batch SET state = 'answered', answered_at = ?, answer = ? WHERE batch_id = ?",
            [.real(now), .text(answer), .text(batchID)])
        try database.execute("DELETE FROM channel_record WHERE batch_id = ?", [.text(batchID)])
    }

    /// Forgets a batch the platform never saw (its records are planned again).
    package func removeChannelBatch(_ batchID: String) throws(CredsyncError) {
        try database.execute("DELETE FROM channel_batch WHERE batch_id = ?", [.text(batchID)])
    }

    /// Answered batches older than `before` forgotten: their answers will not come again.
    @discardableResult
    package func pruneAnsweredChannelBatches(before: Double) throws(CredsyncError) -> Int {
        try database.executeCounting(
            "DELETE FROM channel_batch WHERE state = 'answered' AND answered_at < ?", [.real(before)])
    }

    /// A batch's state, nil when the store never sent it (or forgot it).
    package func channelBatchState(_ batchID: String) throws(CredsyncError) -> ChannelBatchState? {
        var state: ChannelBatchState?
        try database.query("SELECT state FROM channel_batch WHERE batch_id = ?", [.text(batchID)]) { row in
            state = ChannelBatchState(rawValue: row.text(0))
        }
        return state
    }

    /// The batches of a platform's dataset in `states` (all when empty), oldest first.
    package func channelBatches(
        platform: PlatformID, dataset: Dataset? = nil, states: [ChannelBatchState] = []
    ) throws(CredsyncError) -> [ChannelBatchRow] {
        var rows: [ChannelBatchRow] = []
        var sql =
            "SELECT batch_id, dataset, state, records, created_at, sent_at, body_sha256 FROM channel_batch WHERE platform = ?"
        var values: [SQLValue] = [.text(platform.rawValue)]
        if let dataset {
            sql += " AND dataset = ?"
            values.append(.text(dataset.rawValue))
        }
        if !states.isEmpty {
            sql += " AND state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")"
            values += states.map { .text($0.rawValue) }
        }
        try database.query(sql + " ORDER BY created_at, batch_id", values) { row in
            guard let dataset = Dataset(rawValue: row.text(1)), let state = ChannelBatchState(rawValue: row.text(2))
            else { return }
            rows.append(
                ChannelBatchRow(
                    batchID: row.text(0), platform: platform, dataset: dataset, state: state, records: row.integer(3),
                    bodySHA256: row.text(6), createdAt: row.real(4), sentAt: row.optionalReal(5)))
        }
        return rows
    }

    /// A batch's records in the order they were sent.
    package func channelRecords(_ batchID: String) throws(CredsyncError) -> [ChannelRecordRow] {
        var records: [ChannelRecordRow] = []
        var damaged: String?
        try database.query(
            "SELECT key, op, reason, hash, payload FROM channel_record WHERE batch_id = ? ORDER BY position",
            [.text(batchID)]
        ) { row in
            guard let op = RecordOperation(rawValue: row.text(1)) else {
                damaged = damaged ?? row.text(1)
                return
            }
            records.append(
                ChannelRecordRow(
                    key: row.text(0), op: op, reason: ChangeReason(rawValue: row.text(2)), hash: row.optionalText(3),
                    kept: row.optionalText(4)))
        }
        if let damaged {
            throw CredsyncError(
                .ioError, "\(path): channel_record of batch \(batchID) holds the operation \"\(damaged)\"",
                hint: "run 'credsync state check'; restore from 'credsync state backup' if it fails")
        }
        return records
    }

    /// Per platform: batches sent through its 前置机 whose answer is not applied, their records, and
    /// when the oldest was created (`queue stats`).
    package func channelAwaiting() throws(CredsyncError) -> [(
        platform: PlatformID, batches: Int, records: Int, since: Double
    )] {
        var rows: [(PlatformID, Int, Int, Double)] = []
        try database.query(
            """
            SELECT platform, count(*), sum(records), min(created_at) FROM channel_batch WHERE state <> 'answered'
                GROUP BY platform ORDER BY platform
            """
        ) { row in
            guard let platform = PlatformID(rawValue: row.text(0)) else { return }
            rows.append((platform, row.integer(1), row.integer(2), row.real(3)))
        }
        return rows.map { (platform: $0.0, batches: $0.1, records: $0.2, since: $0.3) }
    }

    /// Keys of a platform's dataset in a batch whose answer has not been applied: their next change
    /// waits (exchange-api.md: "must not send a record's next change before the answer").
    package func channelAwaitingKeys(platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> Set<String> {
        var keys: Set<String> = []
        try database.query(
            """
            SELECT r.key FROM channel_record r JOIN channel_batch b ON b.batch_id = r.batch_id
                WHERE b.platform = ? AND b.dataset = ? AND b.state <> 'answered'
            """,
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row in keys.insert(row.text(0)) }
        return keys
    }
}
