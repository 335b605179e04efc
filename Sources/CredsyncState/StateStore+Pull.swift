import CredsyncCore

/// An enterprise as gsxt gave it (table `enterprise`).
package struct EnterpriseRow: Sendable, Equatable {
    /// The 统一社会信用代码.
    package var uscc: String
    /// gsxt's record as JSON; nil when gsxt does not know the code.
    package var record: String?
    /// The change feed's seq, or nil when it came from a query.
    package var seq: Int?
    /// Unix seconds of the pull or query.
    package var fetchedAt: Double

    package var isNotFound: Bool { record == nil }

    package init(uscc: String, record: String?, seq: Int?, fetchedAt: Double) {
        self.uscc = uscc
        self.record = record
        self.seq = seq
        self.fetchedAt = fetchedAt
    }
}

extension StateStore {
    /// Moves a feed's cursor (table `pull_cursor`). Write it in the transaction that stores what the
    /// page held, so a crash re-reads at most that page.
    package func setCursor(feed: String, cursor: String, pulledAt: Double) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO pull_cursor (feed, cursor, pulled_at) VALUES (?, ?, ?)
            ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor, pulled_at = excluded.pulled_at
            """, [.text(feed), .text(cursor), .real(pulledAt)])
    }

    /// Every feed's cursor.
    package func cursors() throws(CredsyncError) -> [String: String] {
        var cursors: [String: String] = [:]
        try database.query("SELECT feed, cursor FROM pull_cursor") { row in cursors[row.text(0)] = row.text(1) }
        return cursors
    }

    /// Forgets every cursor (`pull --full`).
    package func removeCursors() throws(CredsyncError) {
        try database.execute("DELETE FROM pull_cursor")
    }

    /// Stores what gsxt holds for an enterprise. A feed record older (lower seq) than the one
    /// stored is ignored, so re-reading a page is harmless.
    package func upsertEnterprise(_ enterprise: EnterpriseRow) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO enterprise (uscc, record, not_found, seq, fetched_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (uscc) DO UPDATE SET record = excluded.record, not_found = excluded.not_found,
                seq = excluded.seq, fetched_at = excluded.fetched_at
            WHERE excluded.seq IS NULL OR enterprise.seq IS NULL OR excluded.seq >= enterprise.seq
            """,
            [
                .text(enterprise.uscc), .optional(enterprise.record), .int(enterprise.isNotFound ? 1 : 0),
                .optional(enterprise.seq), .real(enterprise.fetchedAt),
            ])
    }

    /// What the store holds for a USCC.
    package func enterprise(uscc: String) throws(CredsyncError) -> EnterpriseRow? {
        var found: EnterpriseRow?
        try database.query("SELECT uscc, record, seq, fetched_at FROM enterprise WHERE uscc = ?", [.text(uscc)]) {
            row in
            found = EnterpriseRow(
                uscc: row.text(0), record: row.optionalText(1), seq: row.optionalInteger(2), fetchedAt: row.real(3))
        }
        return found
    }

    /// Adds an entry of SAMR's serious-illegal list feed (table `serious_illegal`); one already
    /// stored (same USCC and seq) is left as it is.
    package func addSeriousIllegalEntry(uscc: String, seq: Int, entry: String) throws(CredsyncError) {
        try database.execute(
            "INSERT INTO serious_illegal (uscc, seq, entry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [.text(uscc), .int(seq), .text(entry)])
    }

    /// A USCC's list entries as JSON, in seq order.
    package func seriousIllegalEntries(uscc: String) throws(CredsyncError) -> [String] {
        var entries: [String] = []
        try database.query("SELECT entry FROM serious_illegal WHERE uscc = ? ORDER BY seq", [.text(uscc)]) { row in
            entries.append(row.text(0))
        }
        return entries
    }
}
