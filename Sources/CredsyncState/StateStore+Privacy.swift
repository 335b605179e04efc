public import CredsyncCore

/// A published record's kept payload, as the personal-data register reads them.
package struct KeptRecord: Sendable {
    package var platform: PlatformID
    package var dataset: Dataset
    package var key: String
    package var status: String
    /// Unix seconds of the acceptance this payload is from.
    package var acceptedAt: Int
    /// Compact JSON, personal numbers masked (`PersonalData.shown`).
    package var payload: String
}

extension StateStore {
    /// Calls `body` with every kept payload accepted in `[from, to)` (Unix seconds; nil: open), one
    /// at a time in (platform, dataset, key) order, with its ledger row's status.
    package func forEachKeptRecord(
        acceptedFrom from: Int?, before to: Int?, _ body: (KeptRecord) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            """
            SELECT a.platform, a.dataset, a.key, l.status, a.accepted_at, a.payload
            FROM accepted_payload a JOIN ledger l USING (platform, dataset, key)
            WHERE (?1 IS NULL OR a.accepted_at >= ?1) AND (?2 IS NULL OR a.accepted_at < ?2)
            ORDER BY a.platform, a.dataset, a.key
            """, [.optional(from), .optional(to)]
        ) { row throws(CredsyncError) in
            guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1)) else {
                return
            }
            try body(
                KeptRecord(
                    platform: platform, dataset: dataset, key: row.text(2), status: row.text(3),
                    acceptedAt: row.integer(4), payload: row.text(5)))
        }
    }
}
