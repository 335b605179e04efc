public import CredsyncCore

/// Whether a platform shows a record.
package enum LedgerStatus: String, Sendable, CaseIterable {
    case published, withdrawn
}

/// What credsync knows a platform holds for one key (table `ledger`).
package struct LedgerRow: Sendable, Equatable {
    package var key: String
    package var status: LedgerStatus
    /// The platform's version of the record.
    package var version: Int
    /// The SHA-256 of the canonical payload last accepted, in hex.
    package var hash: String
    /// The batch that made the change; empty when set by `reconcile --repair`.
    package var batch: String
    /// Unix seconds: when the row was first written, and last changed.
    package var createdAt: Int
    package var updatedAt: Int

    package init(
        key: String, status: LedgerStatus, version: Int, hash: String, batch: String, createdAt: Int, updatedAt: Int
    ) {
        self.key = key
        self.status = status
        self.version = version
        self.hash = hash
        self.batch = batch
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension StateStore {
    static let ledgerColumns = "key, status, version, hash, batch, created_at, updated_at"

    /// Writes a key's row; an existing row keeps its `createdAt`.
    package func upsertLedger(_ row: LedgerRow, platform: PlatformID, dataset: Dataset) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO ledger (platform, dataset, \(Self.ledgerColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (platform, dataset, key) DO UPDATE SET status = excluded.status,
                version = excluded.version, hash = excluded.hash, batch = excluded.batch,
                updated_at = excluded.updated_at
            """,
            [
                .text(platform.rawValue), .text(dataset.rawValue), .text(row.key), .text(row.status.rawValue),
                .int(row.version), .text(row.hash), .text(row.batch), .int(row.createdAt), .int(row.updatedAt),
            ])
    }

    /// A key's row, or nil when the platform has never accepted it.
    package func ledgerRow(platform: PlatformID, dataset: Dataset, key: String) throws(CredsyncError) -> LedgerRow? {
        var found: LedgerRow?
        try database.query(
            "SELECT \(Self.ledgerColumns) FROM ledger WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)]
        ) { row throws(CredsyncError) in found = try ledgerRow(row) }
        return found
    }

    /// Calls `body` with every row of a platform's dataset in key order (UTF-8 byte order), one at a
    /// time: the ledger is never held whole.
    package func forEachLedgerRow(
        platform: PlatformID, dataset: Dataset, _ body: (LedgerRow) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            "SELECT \(Self.ledgerColumns) FROM ledger WHERE platform = ? AND dataset = ? ORDER BY key",
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row throws(CredsyncError) in try body(try ledgerRow(row)) }
    }

    /// How many keys the ledger holds for a platform's dataset.
    package func ledgerCount(platform: PlatformID, dataset: Dataset) throws(CredsyncError) -> Int {
        try database.integer(
            "SELECT count(*) FROM ledger WHERE platform = ? AND dataset = ?",
            [.text(platform.rawValue), .text(dataset.rawValue)]) ?? 0
    }

    /// Removes a key's row and its accepted payload.
    package func removeLedgerRow(platform: PlatformID, dataset: Dataset, key: String) throws(CredsyncError) {
        try database.execute(
            "DELETE FROM ledger WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)])
    }

    private func ledgerRow(_ row: Row) throws(CredsyncError) -> LedgerRow {
        guard let status = LedgerStatus(rawValue: row.text(1)) else {
            throw damagedValue(table: "ledger", key: row.text(0), column: "status", value: row.text(1))
        }
        return LedgerRow(
            key: row.text(0), status: status, version: row.integer(2), hash: row.text(3), batch: row.text(4),
            createdAt: row.integer(5), updatedAt: row.integer(6))
    }

    /// A value the schema's CHECK constraints should have kept out: the file was changed by hand.
    func damagedValue(table: String, key: String, column: String, value: String) -> CredsyncError {
        CredsyncError(
            .ioError,
            "\(path): table \(table), key \(PersonalData.mask(key)): \(column) is \"\(value)\", not a value "
                + "credsync writes",
            hint: "run 'credsync state check'; restore the last 'credsync state backup' if the store was edited")
    }
}
