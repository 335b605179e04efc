public import CredsyncCore
public import CredsyncState

/// What credsync knows one platform holds of one dataset: key → entry.
///
/// Stored in the state store's `ledger` table (one row a platform, dataset and key); a `Ledger`
/// value is the compact in-memory table a plan compares the export with, loaded once per platform
/// and dataset. A push never holds one: it writes each answer's rows in that answer's transaction.
public struct Ledger: Sendable {
    public let platform: PlatformID
    public let dataset: Dataset
    public var entries: LedgerEntries

    public init(platform: PlatformID, dataset: Dataset, entries: LedgerEntries = [:]) {
        self.platform = platform
        self.dataset = dataset
        self.entries = entries
    }

    /// The number of published keys.
    public var publishedCount: Int { entries.publishedCount }

    /// Loads the ledger's rows from `store`, one at a time into the compact table (no `LedgerEntry`
    /// is kept per row). None for a pair never pushed. A store that cannot be read throws (exit 74).
    package static func load(
        from store: StateStore, platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> Ledger {
        var entries = LedgerEntries()
        entries.reserveCapacity(try store.ledgerCount(platform: platform, dataset: dataset))
        try store.forEachLedgerRowBytes(platform: platform, dataset: dataset) { row in
            entries.set(
                key: row.key, hash: row.hash, batch: row.batch, version: row.version, updatedAt: row.updatedAt,
                isPublished: row.isPublished)
        }
        return Ledger(platform: platform, dataset: dataset, entries: entries)
    }

    /// Makes the store's rows of this platform and dataset exactly these entries, in one
    /// transaction (rows of keys not here are deleted, with their accepted payloads).
    package func save(in store: StateStore, now: Double = Timestamp.now()) throws(CredsyncError) {
        let rows = entries.map { key, entry in
            LedgerRow(
                key: key, status: entry.isPublished ? .published : .withdrawn, version: entry.version,
                hash: entry.hash, batch: entry.batchID, createdAt: Int(now), updatedAt: entry.updatedAt)
        }
        try store.replaceLedger(rows, platform: platform, dataset: dataset)
    }
}

extension LedgerEntry {
    /// The entry of a store row.
    package init(_ row: LedgerRow) {
        self.init(
            hash: row.hash, isPublished: row.status == .published, version: row.version, updatedAt: row.updatedAt,
            batchID: row.batch)
    }
}
