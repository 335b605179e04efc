public import CredsyncCore

/// A version accepted on an asynchronous platform (table `receipt`), as the push records it.
package struct AcceptedVersion: Sendable, Equatable {
    package var key: String
    package var version: Int
    package var op: RecordOperation.Kind
    package var hash: String?
    package var batch: String
    package var requestID: String
    package var acceptedAt: Double

    package init(
        key: String, version: Int, op: RecordOperation.Kind, hash: String?, batch: String, requestID: String,
        acceptedAt: Double
    ) {
        self.key = key
        self.version = version
        self.op = op
        self.hash = hash
        self.batch = batch
        self.requestID = requestID
        self.acceptedAt = acceptedAt
    }
}

/// What a receipt says of a version (exchange-api.md 1.1, "Receipts"), in the store's terms.
package struct ReceiptRow: Sendable, Equatable {
    package enum State: String, Sendable { case accepted, published, failed }

    package var seq: Int
    package var key: String
    package var version: Int
    package var op: RecordOperation.Kind
    package var state: State
    package var at: String
    package var remoteID: String?
    /// For a failure: `{code, field, message}` objects as JSON, 证件号码 masked on the way in.
    package var errors: String?
    package var batch: String

    package init(
        seq: Int, key: String, version: Int, op: RecordOperation.Kind, state: State, at: String, remoteID: String?,
        errors: String?, batch: String
    ) {
        self.seq = seq
        self.key = key
        self.version = version
        self.op = op
        self.state = state
        self.at = at
        self.remoteID = remoteID
        self.errors = errors
        self.batch = batch
    }
}

/// What recording a receipt changed.
package enum ReceiptEffect: Sendable, Equatable {
    /// Seen before (at-least-once delivery): a receipt with this seq or a higher one is recorded.
    case repeated
    /// For a version older than the newest accepted: history, nothing else changes.
    case history
    case published
    /// The newest version failed: it is not public. An upsert's ledger row is removed and its hash
    /// recorded as rejected, so it is sent again only once the export changes the record.
    case failed(hash: String?)
}

extension StateStore {
    /// Records a version accepted on a receipts platform as pending (in the answer's transaction).
    /// A version already recorded keeps its row.
    package func recordAccepted(
        _ accepted: AcceptedVersion, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO receipt (platform, dataset, key, version, op, state, hash, batch, request_id, accepted_at)
                VALUES (?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            [
                .text(platform.rawValue), .text(dataset.rawValue), .text(accepted.key), .int(accepted.version),
                .text(accepted.op.rawValue), .optional(accepted.hash), .text(accepted.batch),
                .text(accepted.requestID), .real(accepted.acceptedAt),
            ])
    }

    /// Records one receipt, inside the caller's transaction (the one that then moves the cursor).
    /// Highest seq wins; a receipt for a version never recorded as accepted (accepted before this
    /// schema, or by another gateway's store) is recorded all the same, with the ledger's hash.
    package func applyReceipt(
        _ receipt: ReceiptRow, platform: PlatformID, dataset: Dataset, now: Double
    ) throws(CredsyncError) -> ReceiptEffect {
        let target: [SQLValue] = [.text(platform.rawValue), .text(dataset.rawValue), .text(receipt.key)]
        var known: (seq: Int?, hash: String?)?
        try database.query(
            "SELECT seq, hash FROM receipt WHERE platform = ? AND dataset = ? AND key = ? AND version = ?",
            target + [.int(receipt.version)]
        ) { row in known = (row.optionalInteger(0), row.optionalText(1)) }
        if let seq = known?.seq, seq >= receipt.seq { return .repeated }
        var ledger: (version: Int, hash: String)?
        try database.query(
            "SELECT version, hash FROM ledger WHERE platform = ? AND dataset = ? AND key = ?", target
        ) { row in ledger = (row.integer(0), row.text(1)) }
        let hash = known?.hash ?? (ledger?.version == receipt.version ? ledger?.hash : nil)
        try database.execute(
            """
            INSERT INTO receipt (platform, dataset, key, version, op, state, hash, batch, request_id, accepted_at,
                seq, at, remote_id, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)
            ON CONFLICT (platform, dataset, key, version) DO UPDATE SET state = excluded.state, seq = excluded.seq,
                at = excluded.at, remote_id = excluded.remote_id, errors = excluded.errors
            """,
            target + [
                .int(receipt.version), .text(receipt.op.rawValue), .text(receipt.state.rawValue), .optional(hash),
                .text(receipt.batch), .real(now), .int(receipt.seq), .text(receipt.at), .optional(receipt.remoteID),
                .optional(receipt.errors.map(PersonalData.mask)),
            ])
        let newest =
            try database.integer(
                "SELECT max(version) FROM receipt WHERE platform = ? AND dataset = ? AND key = ?", target) ?? 0
        if receipt.version < max(newest, ledger?.version ?? 0) { return .history }
        guard receipt.state == .failed else { return .published }
        if receipt.op == .upsert, let hash {
            try removeLedgerRow(platform: platform, dataset: dataset, key: receipt.key)
            try upsertRejected(
                RejectedRow(key: receipt.key, hash: hash, rejectedAt: Int(now), reason: receipt.errors ?? "failed"),
                platform: platform, dataset: dataset)
        }
        return .failed(hash: hash)
    }

    /// The receipts feed's cursor of a platform's dataset, nil before the first read.
    package func receiptCursor(platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> String? {
        var cursor: String?
        try database.query(
            "SELECT cursor FROM receipt_cursor WHERE platform = ? AND dataset = ?",
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row in cursor = row.text(0) }
        return cursor
    }

    /// Moves the cursor; nil forgets it (`BAD_CURSOR`: the next read starts from the beginning).
    package func setReceiptCursor(
        _ cursor: String?, platform: PlatformID, dataset: Dataset, at time: Double
    ) throws(CredsyncError) {
        let target: [SQLValue] = [.text(platform.rawValue), .text(dataset.rawValue)]
        guard let cursor else {
            try database.execute("DELETE FROM receipt_cursor WHERE platform = ? AND dataset = ?", target)
            return
        }
        try database.execute(
            """
            INSERT INTO receipt_cursor (platform, dataset, cursor, read_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (platform, dataset) DO UPDATE SET cursor = excluded.cursor, read_at = excluded.read_at
            """, target + [.text(cursor), .real(time)])
    }
}
