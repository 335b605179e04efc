import CSQLite
public import CredsyncCore

/// What `credsync state check` found in a store file.
package struct StateCheckReport: Sendable {
    /// The file checked.
    package var file: String
    /// The schema version it is at (0 for an empty file, or one too damaged to tell).
    package var schemaVersion = 0
    /// Rows per table, in schema order.
    package var tableRows: [(table: String, rows: Int)] = []
    /// The file is damaged: SQLite's integrity check, foreign keys, a file that is not a database.
    package var damage: [String] = []
    /// The file is sound but its content breaks credsync's own rules.
    package var inconsistencies: [String] = []

    package var isClean: Bool { damage.isEmpty && inconsistencies.isEmpty }

    /// 74 when damaged, 1 when only inconsistent, else 0.
    package var exitCode: ExitCode {
        !damage.isEmpty ? .ioError : !inconsistencies.isEmpty ? .needsAttention : .success
    }
}

/// `credsync state check`: SQLite's `PRAGMA integrity_check` and foreign-key check, then credsync's
/// invariants:
/// - every queue entry's key has a ledger row, or the entry is a create (an upsert planned as `new`)
///   or the withdrawal of a create whose answer was lost (`unconfirmed`);
/// - no key is both deferred and held;
/// - a batch sent through a 前置机 and not answered holds as many records as it was sent with, and an
///   answered one holds none; no key is in two unanswered batches of a platform's dataset.
///
/// It only reads: it neither creates, migrates nor converts the file (a backup stays one file), and
/// it works while a run writes. After a crash it recovers the WAL index, as any first connection does.
package enum StateCheck {
    /// The tables of the latest schema, for the row counts.
    static let tables = [
        "ledger", "accepted_payload", "rejected", "export_history", "pull_cursor", "enterprise", "serious_illegal",
        "queue", "queue_error", "run_summary", "run_outcome", "imported_file", "refused_plan", "refused_change",
        "approval", "receipt", "receipt_cursor", "channel_batch", "channel_record",
    ]

    /// At most this many problems of a kind are listed; the count says how many there were.
    static let listed = 50

    /// Checks the store in `file`. A damaged file is reported, not thrown; a file that cannot be
    /// opened at all (missing, unreadable) throws (exit 74).
    package static func run(file: String) throws(CredsyncError) -> StateCheckReport {
        guard FileSystem.exists(file) else {
            throw CredsyncError(
                .ioError, "\(file): no such state store",
                hint: "check the path; a state directory holds credsync.db once a run has used the store")
        }
        var report = StateCheckReport(file: file)
        do throws(CredsyncError) {
            let database = try Database(path: file, journal: nil)
            report.schemaVersion = try Schema.version(of: database)
            try checkIntegrity(database, into: &report)
            guard report.damage.isEmpty else { return report }
            if report.schemaVersion > Schema.latestVersion {
                report.inconsistencies.append(
                    "schema version \(report.schemaVersion) is newer than this credsync knows "
                        + "(\(Schema.latestVersion)): "
                        + "its own invariants are not checked")
                return report
            }
            guard report.schemaVersion == Schema.latestVersion else { return report }
            for table in tables {
                report.tableRows.append((table, try database.integer("SELECT count(*) FROM \(table)") ?? 0))
            }
            try checkInvariants(database, into: &report)
        } catch  where SQLiteFailure.isDamage(error) {
            report.damage.append(error.message)
        }
        return report
    }

    private static func checkIntegrity(_ database: Database, into report: inout StateCheckReport) throws(CredsyncError)
    {
        var problems: [String] = []
        try database.query("PRAGMA integrity_check(\(listed))") { row in
            let line = row.text(0)
            if line != "ok" { problems.append("integrity: " + line) }
        }
        report.damage += problems
        var foreign = 0
        try database.query("PRAGMA foreign_key_check") { row in
            foreign += 1
            if foreign <= listed {
                report.damage.append(
                    "foreign key: a row of \(row.text(0)) (rowid \(row.optionalInteger(1).map(String.init) ?? "-")) "
                        + "refers to a missing row of \(row.text(2))")
            }
        }
        if foreign > listed { report.damage.append("foreign key: \(foreign - listed) more rows like these") }
    }

    private static func checkInvariants(_ database: Database, into report: inout StateCheckReport) throws(CredsyncError)
    {
        try checkLedgerInvariants(database, into: &report)
        var orphans = 0
        try database.query(
            """
            SELECT q.id, q.platform, q.dataset, q.key, q.op, q.reason FROM queue q
            WHERE NOT (q.op = 'upsert' AND q.reason = 'new') AND NOT (q.op = 'withdraw' AND q.reason = 'unconfirmed')
                AND NOT EXISTS
                (SELECT 1 FROM ledger l WHERE l.platform = q.platform AND l.dataset = q.dataset AND l.key = q.key)
            ORDER BY q.platform, q.dataset, q.key
            """
        ) { row in
            orphans += 1
            guard orphans <= listed else { return }
            report.inconsistencies.append(
                "queue entry \(row.text(0)) (\(row.text(1)) \(row.text(2)) \(PersonalData.mask(row.text(3))), "
                    + "\(row.text(4)) \(row.text(5))): its key has no ledger row and it is not a create")
        }
        if orphans > listed {
            report.inconsistencies.append("\(orphans - listed) more queue entries without a ledger row")
        }
        var both = 0
        try database.query(
            """
            SELECT platform, dataset, key FROM queue GROUP BY platform, dataset, key
            HAVING sum(state = 'deferred') > 0 AND sum(state = 'hold') > 0 ORDER BY 1, 2, 3
            """
        ) { row in
            both += 1
            guard both <= listed else { return }
            report.inconsistencies.append(
                "\(row.text(0)) \(row.text(1)) \(PersonalData.mask(row.text(2))): the key is both deferred and held")
        }
        if both > listed { report.inconsistencies.append("\(both - listed) more keys both deferred and held") }
        try checkChannelInvariants(database, into: &report)
    }

    private static func checkChannelInvariants(
        _ database: Database, into report: inout StateCheckReport
    ) throws(CredsyncError) {
        try database.query(
            """
            SELECT b.batch_id, b.state, b.records, count(r.position) FROM channel_batch b
                LEFT JOIN channel_record r ON r.batch_id = b.batch_id GROUP BY b.batch_id
            HAVING (b.state = 'answered' AND count(r.position) > 0) OR (b.state <> 'answered' AND count(r.position) <> b.records)
            ORDER BY b.batch_id LIMIT \(listed)
            """
        ) { row in
            report.inconsistencies.append(
                "channel batch \(row.text(0)) (\(row.text(1))): sent with \(row.integer(2)) records, "
                    + "the store holds \(row.integer(3))")
        }
        try database.query(
            """
            SELECT b.platform, b.dataset, r.key FROM channel_record r JOIN channel_batch b ON b.batch_id = r.batch_id
                WHERE b.state <> 'answered' GROUP BY b.platform, b.dataset, r.key HAVING count(DISTINCT b.batch_id) > 1
            ORDER BY 1, 2, 3 LIMIT \(listed)
            """
        ) { row in
            report.inconsistencies.append(
                "\(row.text(0)) \(row.text(1)) \(PersonalData.mask(row.text(2))): the key is in two unanswered batches "
                    + "of the 前置机")
        }
    }
}
