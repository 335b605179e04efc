import CredsyncCore
import CredsyncState

/// Records a platform rejected for their content: not sent again as they are, only once the export
/// changes them. The store's `rejected` table; this is one dataset's list, key → the rejected hash
/// (`withdraw` for a withdrawal), read once before a push. Each answer's changes to it are written
/// in that answer's transaction (`record`, `forget`).
struct RejectedRecords {
    var hashes: [String: String] = [:]

    /// The list of a platform's dataset; empty before the first rejection.
    static func load(
        _ store: StateStore, _ platform: PlatformID, _ dataset: Dataset
    ) throws(CredsyncError) -> RejectedRecords {
        var records = RejectedRecords()
        try store.forEachRejected(platform: platform, dataset: dataset) { row in records.hashes[row.key] = row.hash }
        return records
    }

    /// Records a rejection of `key` (its hash, or `withdraw`), with the platform's reasons.
    mutating func record(
        _ key: String, marker: String, reason: String, at time: Int, in store: StateStore, _ platform: PlatformID,
        _ dataset: Dataset
    ) throws(CredsyncError) {
        try store.upsertRejected(
            RejectedRow(key: key, hash: marker, rejectedAt: time, reason: reason), platform: platform, dataset: dataset)
        hashes[key] = marker
    }

    /// Forgets a rejection of `key` (it was accepted since), if there is one.
    mutating func forget(
        _ key: String, in store: StateStore, _ platform: PlatformID, _ dataset: Dataset
    ) throws(CredsyncError) {
        guard hashes[key] != nil else { return }
        try store.removeRejected(platform: platform, dataset: dataset, key: key)
        hashes[key] = nil
    }
}
