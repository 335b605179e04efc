public import CredsyncCore

extension StateStore {
    /// Records a platform's answer for a key: its status, and its version and hash where given
    /// (nil keeps the row's, or 0 and an empty hash for a new row). An existing row keeps its
    /// `createdAt`. Meant for the transaction that applies one batch's answer.
    package func recordAnswer(
        key: String, status: LedgerStatus, version: Int?, hash: String?, batch: String, at time: Int,
        platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO ledger (platform, dataset, \(Self.ledgerColumns))
                VALUES (?1, ?2, ?3, ?4, coalesce(?5, 0), coalesce(?6, ''), ?7, ?8, ?8)
            ON CONFLICT (platform, dataset, key) DO UPDATE SET status = excluded.status,
                version = coalesce(?5, version), hash = coalesce(?6, hash), batch = excluded.batch,
                updated_at = excluded.updated_at
            """,
            [
                .text(platform.rawValue), .text(dataset.rawValue), .text(key), .text(status.rawValue),
                .optional(version), .optional(hash), .text(batch), .int(time),
            ])
    }

    /// Marks a key's row withdrawn, when there is one (a withdrawal the platform no longer holds).
    package func markWithdrawn(key: String, platform: PlatformID, dataset: Dataset) throws(CredsyncError) {
        try database.execute(
            "UPDATE ledger SET status = 'withdrawn' WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)])
    }

    /// Makes a platform's dataset hold exactly `rows`, in one transaction (a savepoint inside an
    /// open one): each row written (keeping an existing `createdAt` and accepted payload), and the
    /// rows of other keys deleted with their accepted payloads. `reconcile --repair` uses it.
    package func replaceLedger(_ rows: [LedgerRow], platform: PlatformID, dataset: Dataset) throws(CredsyncError) {
        try transaction { () throws(CredsyncError) in
            var kept = Set<String>()
            kept.reserveCapacity(rows.count)
            for row in rows {
                try upsertLedger(row, platform: platform, dataset: dataset)
                kept.insert(row.key)
            }
            var gone: [String] = []
            try database.query(
                "SELECT key FROM ledger WHERE platform = ? AND dataset = ?",
                [.text(platform.rawValue), .text(dataset.rawValue)]
            ) { row in
                let key = row.text(0)
                if !kept.contains(key) { gone.append(key) }
            }
            for key in gone { try removeLedgerRow(platform: platform, dataset: dataset, key: key) }
        }
    }
}
