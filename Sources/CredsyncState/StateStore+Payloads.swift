public import CredsyncCore

/// A record a platform rejected for its content (table `rejected`): not sent again until the
/// export changes it.
package struct RejectedRow: Sendable, Equatable {
    package var key: String
    /// The rejected payload's hash, or `withdraw` for a rejected withdrawal.
    package var hash: String
    /// Unix seconds.
    package var rejectedAt: Int
    /// The platform's reason, 证件号码 masked.
    package var reason: String

    package init(key: String, hash: String, rejectedAt: Int, reason: String) {
        self.key = key
        self.hash = hash
        self.rejectedAt = rejectedAt
        self.reason = reason
    }
}

extension StateStore {
    /// Replaces the payload last accepted for a key (table `accepted_payload`, one row a key). The
    /// key's ledger row must be written first, in the same transaction. Natural persons' 证件号码 are
    /// masked before they reach the file: the payload serves the old side of `plan --detail` diffs.
    package func replaceAcceptedPayload(
        platform: PlatformID, dataset: Dataset, key: String, payload: String, acceptedAt: Int
    ) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO accepted_payload (platform, dataset, key, payload, accepted_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (platform, dataset, key) DO UPDATE SET payload = excluded.payload,
                accepted_at = excluded.accepted_at
            """,
            [
                .text(platform.rawValue), .text(dataset.rawValue), .text(key), .text(PersonalData.mask(payload)),
                .int(acceptedAt),
            ])
    }

    /// The payload last accepted for a key, as canonical JSON with 证件号码 masked.
    package func acceptedPayload(platform: PlatformID, dataset: Dataset, key: String) throws(CredsyncError) -> String? {
        var payload: String?
        try database.query(
            "SELECT payload FROM accepted_payload WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)]
        ) { row in payload = row.text(0) }
        return payload
    }

    /// Every accepted payload of a platform's dataset in key order, one at a time, for a plan that
    /// walks the export and the store side by side.
    package func forEachAcceptedPayload(
        platform: PlatformID, dataset: Dataset, _ body: (_ key: String, _ payload: String) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            "SELECT key, payload FROM accepted_payload WHERE platform = ? AND dataset = ? ORDER BY key",
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row throws(CredsyncError) in try body(row.text(0), row.text(1)) }
    }

    /// Records (or replaces) a rejection.
    package func upsertRejected(_ rejected: RejectedRow, platform: PlatformID, dataset: Dataset) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO rejected (platform, dataset, key, hash, rejected_at, reason) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (platform, dataset, key) DO UPDATE SET hash = excluded.hash,
                rejected_at = excluded.rejected_at, reason = excluded.reason
            """,
            [
                .text(platform.rawValue), .text(dataset.rawValue), .text(rejected.key), .text(rejected.hash),
                .int(rejected.rejectedAt), .text(PersonalData.mask(rejected.reason)),
            ])
    }

    /// Forgets a rejection (the record changed, or was accepted).
    package func removeRejected(platform: PlatformID, dataset: Dataset, key: String) throws(CredsyncError) {
        try database.execute(
            "DELETE FROM rejected WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)])
    }

    /// A key's rejection, if any.
    package func rejected(platform: PlatformID, dataset: Dataset, key: String) throws(CredsyncError) -> RejectedRow? {
        var found: RejectedRow?
        try database.query(
            "SELECT key, hash, rejected_at, reason FROM rejected WHERE platform = ? AND dataset = ? AND key = ?",
            [.text(platform.rawValue), .text(dataset.rawValue), .text(key)]
        ) { row in
            found = RejectedRow(key: row.text(0), hash: row.text(1), rejectedAt: row.integer(2), reason: row.text(3))
        }
        return found
    }

    /// Every rejection of a platform's dataset, in key order, one at a time.
    package func forEachRejected(
        platform: PlatformID, dataset: Dataset, _ body: (RejectedRow) throws(CredsyncError) -> Void
    ) throws(CredsyncError) {
        try database.query(
            "SELECT key, hash, rejected_at, reason FROM rejected WHERE platform = ? AND dataset = ? ORDER BY key",
            [.text(platform.rawValue), .text(dataset.rawValue)]
        ) { row throws(CredsyncError) in
            try body(RejectedRow(key: row.text(0), hash: row.text(1), rejectedAt: row.integer(2), reason: row.text(3)))
        }
    }
}
