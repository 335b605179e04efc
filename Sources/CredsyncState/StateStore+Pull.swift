public import CredsyncCore

/// An enterprise as gsxt gave it (table `enterprise`).
package struct EnterpriseRow: Sendable, Equatable {
    /// The 统一社会信用代码 as asked for (the store may keep it hashed, see `StateStore.enterpriseKey`).
    package var uscc: String
    /// gsxt's record as JSON, 证件号码 masked; nil when gsxt does not know the code.
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

/// What the cross-checks read of an enterprise: the fields they compare, taken out of the record by
/// SQLite, and whether SAMR's list names the code at all.
package struct EnterpriseSubjectRow: Sendable, Equatable {
    package var name: String
    package var status: String
    package var updatedAt: String
    package var isNotFound: Bool
    package var hasListEntries: Bool
    /// The feed's sequence number (nil for a query's answer), and when it was stored.
    package var seq: Int? = nil
    package var fetchedAt: Double = 0
}

extension StateStore {
    /// The `uscc` column's value for a code: the code itself, or, for a code shaped like a natural
    /// person's 身份证号 (a 出质人代码 or an operator's number in a USCC field), `sha256:` and the hex
    /// SHA-256 of it, so no 证件号码 is kept in clear. Look-ups hash the same way.
    package static func enterpriseKey(_ code: String) -> String {
        guard isPersonalNumber(code) else { return code }
        return "sha256:" + SHA256.hex(code)
    }

    /// Whether `code` is shaped like a 身份证号 (what `PersonalData.mask` masks).
    package static func isPersonalNumber(_ code: String) -> Bool { PersonalData.mask(code) != code }

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

    /// When a feed was last pulled (Unix seconds), nil before the first pull.
    package func lastPulledAt() throws(CredsyncError) -> Double? {
        var pulledAt: Double?
        try database.query("SELECT max(pulled_at) FROM pull_cursor") { row in pulledAt = row.optionalReal(0) }
        return pulledAt
    }

    /// Forgets a feed's cursor: its next pull reads it from the start.
    package func removeCursor(feed: String) throws(CredsyncError) {
        try database.execute("DELETE FROM pull_cursor WHERE feed = ?", [.text(feed)])
    }

    /// Forgets every cursor (`pull --full`).
    package func removeCursors() throws(CredsyncError) {
        try database.execute("DELETE FROM pull_cursor")
    }

    /// Stores what gsxt holds for an enterprise. A feed record older (lower seq) than the one
    /// stored is ignored, so re-reading a page is harmless; a not-found answer does not replace a
    /// record, and a query's answer keeps the seq of the feed record it replaces.
    package func upsertEnterprise(_ enterprise: EnterpriseRow) throws(CredsyncError) {
        try database.execute(
            """
            INSERT INTO enterprise (uscc, record, not_found, seq, fetched_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (uscc) DO UPDATE SET record = excluded.record, not_found = excluded.not_found,
                seq = coalesce(excluded.seq, enterprise.seq), fetched_at = excluded.fetched_at
            WHERE (excluded.seq IS NULL OR enterprise.seq IS NULL OR excluded.seq >= enterprise.seq)
                AND (excluded.not_found = 0 OR enterprise.not_found = 1)
            """,
            [
                .text(Self.enterpriseKey(enterprise.uscc)), .optional(enterprise.record.map(PersonalData.mask)),
                .int(enterprise.isNotFound ? 1 : 0), .optional(enterprise.seq), .real(enterprise.fetchedAt),
            ])
    }

    /// What the store holds for a USCC: one look-up by key (a cached statement), nothing loaded.
    package func enterprise(uscc: String) throws(CredsyncError) -> EnterpriseRow? {
        var found: EnterpriseRow?
        try database.query(
            "SELECT record, seq, fetched_at FROM enterprise WHERE uscc = ?", [.text(Self.enterpriseKey(uscc))]
        ) { row in
            found = EnterpriseRow(
                uscc: uscc, record: row.optionalText(0), seq: row.optionalInteger(1), fetchedAt: row.real(2))
        }
        return found
    }

    /// The cross-checks' look-up: one cached statement, the record's JSON read by SQLite, nothing
    /// else parsed. A record that is not a JSON object throws.
    package func enterpriseSubject(uscc: String) throws(CredsyncError) -> EnterpriseSubjectRow? {
        var found: EnterpriseSubjectRow?
        var isDamaged = false
        try database.query(
            """
            SELECT CASE WHEN record IS NULL THEN 1 WHEN json_valid(record) THEN json_type(record) = 'object' ELSE 0 END,
                CASE WHEN json_valid(record) THEN record ->> '$.name' END,
                CASE WHEN json_valid(record) THEN record ->> '$.status' END,
                CASE WHEN json_valid(record) THEN record ->> '$.updatedAt' END,
                not_found, EXISTS (SELECT 1 FROM serious_illegal s WHERE s.uscc = e.uscc), seq, fetched_at
            FROM enterprise e WHERE uscc = ?
            """, [.text(Self.enterpriseKey(uscc))]
        ) { row in
            isDamaged = row.integer(0) == 0
            found = EnterpriseSubjectRow(
                name: row.optionalText(1) ?? "", status: row.optionalText(2) ?? "",
                updatedAt: row.optionalText(3) ?? "",
                isNotFound: row.integer(4) == 1, hasListEntries: row.integer(5) == 1,
                seq: row.optionalInteger(6), fetchedAt: row.real(7))
        }
        if isDamaged {
            throw CredsyncError(
                .ioError, "\(path): table enterprise, uscc \(PersonalData.mask(uscc)): the record is not a JSON object",
                hint: "run 'credsync pull --full': it reads the feeds again from the start and replaces what they cover"
            )
        }
        return found
    }

    /// How many enterprises (and codes unknown to gsxt) the store holds.
    package func enterpriseCount() throws(CredsyncError) -> Int {
        try database.integer("SELECT count(*) FROM enterprise") ?? 0
    }

    /// Whether anything was ever pulled or queried (the cross-checks have something to judge by).
    package func hasEnterpriseData() throws(CredsyncError) -> Bool {
        let found = try database.integer(
            "SELECT EXISTS (SELECT 1 FROM enterprise) OR EXISTS (SELECT 1 FROM serious_illegal)")
        return (found ?? 0) != 0
    }

    /// Adds an entry of SAMR's serious-illegal list feed (table `serious_illegal`); one already
    /// stored (same USCC and seq) is left as it is.
    package func addSeriousIllegalEntry(uscc: String, seq: Int, entry: String) throws(CredsyncError) {
        try database.execute(
            "INSERT INTO serious_illegal (uscc, seq, entry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [.text(Self.enterpriseKey(uscc)), .int(seq), .text(PersonalData.mask(entry))])
    }

    /// A USCC's list entries as JSON, in seq order.
    package func seriousIllegalEntries(uscc: String) throws(CredsyncError) -> [String] {
        var entries: [String] = []
        try database.query(
            "SELECT entry FROM serious_illegal WHERE uscc = ? ORDER BY seq", [.text(Self.enterpriseKey(uscc))]
        ) { row in
            entries.append(row.text(0))
        }
        return entries
    }
}
