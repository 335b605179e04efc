public import CredsyncCore

/// A platform's dataset's receipts as the store holds them: the newest version of each key only.
package struct ReceiptCounts: Sendable, Equatable {
    package var platform: PlatformID
    package var dataset: Dataset
    /// Accepted, no receipt yet.
    package var pending = 0
    package var failed = 0
    package var published = 0

    package init(platform: PlatformID, dataset: Dataset) {
        self.platform = platform
        self.dataset = dataset
    }
}

/// A version still waiting for its receipt, with what the platform's helpdesk asks for.
package struct PendingVersion: Sendable, Equatable {
    package var platform: PlatformID
    package var dataset: Dataset
    package var key: String
    package var version: Int
    package var batch: String
    package var requestID: String
    package var acceptedAt: Double
}

extension StateStore {
    /// The newest version of each key: `receipt r` rows no later version of their key replaced.
    private static let newestOnly = """
        NOT EXISTS (SELECT 1 FROM receipt n WHERE n.platform = r.platform AND n.dataset = r.dataset
            AND n.key = r.key AND n.version > r.version)
        """

    /// Pending, failed and published counts per platform and dataset, in platform and dataset order.
    package func receiptCounts() throws(CredsyncError) -> [ReceiptCounts] {
        var counts: [String: ReceiptCounts] = [:]
        try database.query(
            "SELECT platform, dataset, state, count(*) FROM receipt r WHERE \(Self.newestOnly) GROUP BY 1, 2, 3"
        ) { row in
            guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1)) else {
                return
            }
            let id = platform.rawValue + "/" + dataset.rawValue
            var entry = counts[id] ?? ReceiptCounts(platform: platform, dataset: dataset)
            switch ReceiptRow.State(rawValue: row.text(2)) {
            case .accepted?: entry.pending = row.integer(3)
            case .failed?: entry.failed = row.integer(3)
            case .published?: entry.published = row.integer(3)
            case nil: break
            }
            counts[id] = entry
        }
        return counts.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Versions accepted before `time` (Unix seconds) still without a receipt, oldest first.
    package func pendingVersions(acceptedBefore time: Double) throws(CredsyncError) -> [PendingVersion] {
        var found: [PendingVersion] = []
        try database.query(
            """
            SELECT platform, dataset, key, version, batch, request_id, accepted_at FROM receipt r
            WHERE state = 'accepted' AND accepted_at < ? AND \(Self.newestOnly) ORDER BY accepted_at, key
            """, [.real(time)]
        ) { row in
            guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1)) else {
                return
            }
            found.append(
                PendingVersion(
                    platform: platform, dataset: dataset, key: row.text(2), version: row.integer(3), batch: row.text(4),
                    requestID: row.text(5), acceptedAt: row.real(6)))
        }
        return found
    }

    /// When each key of a platform's dataset became public by its receipt (RFC 3339), the keys
    /// still pending and those whose newest version failed: what `deadlines` and `reconcile` need.
    package func publication(
        platform: PlatformID, dataset: Dataset
    ) throws(CredsyncError) -> (publishedAt: [String: String], pending: Set<String>, failed: Set<String>) {
        var publishedAt: [String: String] = [:]
        var pending: Set<String> = []
        var failed: Set<String> = []
        try database.query(
            "SELECT key, state, at FROM receipt r WHERE platform = ? AND dataset = ? AND \(Self.newestOnly)",
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row in
            switch row.text(1) {
            case "accepted": pending.insert(row.text(0))
            case "published": if let at = row.optionalText(2) { publishedAt[row.text(0)] = at }
            case "failed": failed.insert(row.text(0))
            default: break
            }
        }
        return (publishedAt, pending, failed)
    }
}
