import CredsyncCore

extension StateCheck {
    /// credsync's rules for the ledger's tables: a record accepted as published is not also rejected
    /// with the same hash (an acceptance forgets the key's rejection in its own transaction). That
    /// every accepted payload has a ledger row is the foreign-key check's.
    static func checkLedgerInvariants(_ database: Database, into report: inout StateCheckReport) throws(CredsyncError) {
        var both = 0
        try database.query(
            """
            SELECT r.platform, r.dataset, r.key FROM rejected r JOIN ledger l
                ON l.platform = r.platform AND l.dataset = r.dataset AND l.key = r.key
            WHERE l.status = 'published' AND l.hash = r.hash ORDER BY 1, 2, 3
            """
        ) { row in
            both += 1
            guard both <= listed else { return }
            report.inconsistencies.append(
                "\(row.text(0)) \(row.text(1)) \(PersonalData.mask(row.text(2))): rejected with the hash the "
                    + "ledger holds as published")
        }
        if both > listed { report.inconsistencies.append("\(both - listed) more keys both published and rejected") }
    }
}
