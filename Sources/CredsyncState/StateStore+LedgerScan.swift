import CSQLite
public import CredsyncCore

/// One ledger row's fields as SQLite holds them, valid only inside the call that gives it: a plan's
/// load of a million rows makes no `String` per row.
package struct LedgerRowBytes {
    package var key: UnsafeBufferPointer<UInt8>
    package var isPublished: Bool
    package var version: Int
    package var hash: UnsafeBufferPointer<UInt8>
    package var batch: UnsafeBufferPointer<UInt8>
    package var updatedAt: Int
}

extension StateStore {
    /// Calls `body` with every row of a platform's dataset in key order, as raw bytes.
    package func forEachLedgerRowBytes(
        platform: PlatformID, dataset: Dataset, _ body: (LedgerRowBytes) -> Void
    ) throws(CredsyncError) {
        try database.query(
            """
            SELECT key, status = 'published', version, hash, batch, updated_at FROM ledger
            WHERE platform = ? AND dataset = ? ORDER BY key
            """,
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row in
            body(
                LedgerRowBytes(
                    key: row.textBytes(0), isPublished: row.integer(1) != 0, version: row.integer(2),
                    hash: row.textBytes(3), batch: row.textBytes(4), updatedAt: row.integer(5)))
        }
    }
}

extension Row {
    /// A text column's UTF-8 bytes, valid until the query steps on.
    func textBytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let bytes = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
}
