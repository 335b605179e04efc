public import CredsyncCore

/// A finished run (table `run_summary`).
package struct RunSummaryRow: Sendable, Equatable {
    package var runID: String
    package var asOf: LocalDate
    /// Unix seconds.
    package var startedAt: Double
    package var finishedAt: Double
    package var isDryRun: Bool
    package var exitCode: Int32

    package init(runID: String, asOf: LocalDate, startedAt: Double, finishedAt: Double, isDryRun: Bool, exitCode: Int32)
    {
        self.runID = runID
        self.asOf = asOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.isDryRun = isDryRun
        self.exitCode = exitCode
    }
}

/// What a run did on one platform's dataset (table `run_outcome`).
package struct RunOutcomeRow: Sendable, Equatable {
    package var platform: PlatformID
    package var dataset: Dataset
    package var created = 0
    package var updated = 0
    package var withdrawn = 0
    package var unchanged = 0
    package var rejected = 0
    package var queued = 0
    package var held = 0
    package var dead = 0

    package init(platform: PlatformID, dataset: Dataset) {
        self.platform = platform
        self.dataset = dataset
    }
}

extension StateStore {
    /// How many export_history rows a dataset keeps.
    static let exportHistoryKept = 100

    /// Records how many valid records a dataset's export held (table `export_history`), keeping
    /// the latest 100 a dataset.
    package func recordExport(dataset: Dataset, records: Int, recordedAt: Int, runID: String) throws(CredsyncError) {
        try transaction { () throws(CredsyncError) in
            try database.execute(
                "INSERT INTO export_history (dataset, records, recorded_at, run_id) VALUES (?, ?, ?, ?)",
                [.text(dataset.rawValue), .int(records), .int(recordedAt), .text(runID)])
            try database.execute(
                """
                DELETE FROM export_history WHERE dataset = ?1 AND id NOT IN
                    (SELECT id FROM export_history WHERE dataset = ?1 ORDER BY id DESC LIMIT ?2)
                """, [.text(dataset.rawValue), .int(Self.exportHistoryKept)])
        }
    }

    /// The record count of a dataset's latest export, or nil before the first (the shrink
    /// guardrail has nothing to compare with).
    package func lastExportRecords(dataset: Dataset) throws(CredsyncError) -> Int? {
        try database.integer(
            "SELECT records FROM export_history WHERE dataset = ? ORDER BY id DESC LIMIT 1", [.text(dataset.rawValue)])
    }

    /// Records a run and its outcomes, replacing a run of the same id.
    package func recordRun(_ summary: RunSummaryRow, outcomes: [RunOutcomeRow]) throws(CredsyncError) {
        try transaction { () throws(CredsyncError) in
            try database.execute("DELETE FROM run_summary WHERE run_id = ?", [.text(summary.runID)])
            try database.execute(
                """
                INSERT INTO run_summary (run_id, as_of, started_at, finished_at, dry_run, exit_code)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(summary.runID), .text(summary.asOf.iso), .real(summary.startedAt), .real(summary.finishedAt),
                    .int(summary.isDryRun ? 1 : 0), .int(Int(summary.exitCode)),
                ])
            for outcome in outcomes {
                try database.execute(
                    """
                    INSERT INTO run_outcome (run_id, platform, dataset, created, updated, withdrawn, unchanged,
                        rejected, queued, held, dead) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(summary.runID), .text(outcome.platform.rawValue), .text(outcome.dataset.rawValue),
                        .int(outcome.created), .int(outcome.updated), .int(outcome.withdrawn), .int(outcome.unchanged),
                        .int(outcome.rejected), .int(outcome.queued), .int(outcome.held), .int(outcome.dead),
                    ])
            }
        }
    }

    /// The latest run by start time, or one by id.
    package func runSummary(runID: String? = nil) throws(CredsyncError) -> RunSummaryRow? {
        var found: RunSummaryRow?
        let filter = runID == nil ? "ORDER BY started_at DESC, run_id DESC LIMIT 1" : "WHERE run_id = ?"
        try database.query(
            "SELECT run_id, as_of, started_at, finished_at, dry_run, exit_code FROM run_summary \(filter)",
            runID.map { [.text($0)] } ?? []
        ) { row throws(CredsyncError) in
            guard let asOf = LocalDate(iso: row.text(1)) else {
                throw damagedValue(table: "run_summary", key: row.text(0), column: "as_of", value: row.text(1))
            }
            found = RunSummaryRow(
                runID: row.text(0), asOf: asOf, startedAt: row.real(2), finishedAt: row.real(3),
                isDryRun: row.integer(4) != 0, exitCode: Int32(clamping: row.integer(5)))
        }
        return found
    }

    /// A run's outcomes, by platform and dataset.
    package func runOutcomes(runID: String) throws(CredsyncError) -> [RunOutcomeRow] {
        var outcomes: [RunOutcomeRow] = []
        try database.query(
            """
            SELECT platform, dataset, created, updated, withdrawn, unchanged, rejected, queued, held, dead
            FROM run_outcome WHERE run_id = ? ORDER BY platform, dataset
            """, [.text(runID)]
        ) { row throws(CredsyncError) in
            guard let platform = PlatformID(rawValue: row.text(0)), let dataset = Dataset(rawValue: row.text(1)) else {
                throw damagedValue(table: "run_outcome", key: runID, column: "platform or dataset", value: row.text(0))
            }
            var outcome = RunOutcomeRow(platform: platform, dataset: dataset)
            outcome.created = row.integer(2)
            outcome.updated = row.integer(3)
            outcome.withdrawn = row.integer(4)
            outcome.unchanged = row.integer(5)
            outcome.rejected = row.integer(6)
            outcome.queued = row.integer(7)
            outcome.held = row.integer(8)
            outcome.dead = row.integer(9)
            outcomes.append(outcome)
        }
        return outcomes
    }
}
