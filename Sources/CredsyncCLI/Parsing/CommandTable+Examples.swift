/// The EXAMPLES section of every command's help, by command path (`""` for credsync itself):
/// what an operator types, with a line saying what it does.
extension CommandTable {
    static let examples: [String: [(String, String)]] = [
        "": [
            ("credsync check", "Check the configuration and every export."),
            ("credsync plan --detail", "See what tonight's run would change, change by change."),
            ("credsync sync", "Run the nightly job now."),
            ("credsync help queue list", "Show the help of a subcommand."),
        ],
        "check": [
            ("credsync check", "Check the configuration, the mappings and every export."),
            ("credsync check --dataset license --json", "Check one export, machine-readable."),
        ],
        "map": [
            (
                "credsync map --dataset license --platform credit --limit 5",
                "The first five records credit would receive."
            ),
            ("credsync map --dataset pledge --platform gsxt --key 'ZL-2026-0001'", "One record, by its key."),
        ],
        "plan": [
            ("credsync plan", "Counts per platform and dataset."),
            ("credsync plan --platform credit --platform gsxt --detail", "Every change for two platforms."),
            ("credsync plan --as-of 2026-03-05 --detail", "What a run on a past day would change."),
            ("credsync plan --detailed-exitcode", "Exit 2 when there is something to push (for scripts)."),
        ],
        "sync": [
            ("credsync sync", "The nightly job: pull, map, plan, push, queue, report."),
            ("credsync sync --platform credit --dataset license", "One platform and dataset only."),
            ("credsync sync --dry-run", "Plan and report, push nothing."),
        ],
        "push": [
            ("credsync push", "Push the plan and the due retries without pulling first."),
            ("credsync push --platform gsxt", "Only gsxt, e.g. after it came back."),
            ("credsync push --dataset license --all", "Re-send the whole dataset (refused until approved)."),
        ],
        "privacy": [("credsync privacy report", "Which fields carry persons' numbers, and where they went.")],
        "privacy report": [
            ("credsync privacy report --from 2026-01-01 --to 2026-06-30", "The register for the first half of 2026."),
            ("credsync privacy report --subject 110105194912310021", "Every record holding one person's number."),
        ],
        "approve": [
            (
                "credsync approve P-20261120-3fa9c1 --reason 'licences moved to the new system'",
                "Let the next run execute the refused plan's changes, once."
            )
        ],
        "pull": [
            ("credsync pull", "Fetch the enterprise changes since the last pull."),
            ("credsync pull --full", "Re-read the feeds from the beginning."),
        ],
        "collect": [
            ("credsync collect", "Apply what the 前置机s answered since the last run."),
            ("credsync collect --platform ipp --json", "Only ipp's, machine-readable."),
        ],
        "reconcile": [
            ("credsync reconcile --platform credit", "Compare credit's manifest with the ledger."),
            ("credsync reconcile --platform credit --dataset license --repair", "Set the ledger to credit's truth."),
        ],
        "deadlines": [
            ("credsync deadlines", "What is overdue, and what falls due within three working days."),
            ("credsync deadlines --within 10 --json", "Ten working days ahead, machine-readable."),
        ],
        "forecast": [
            ("credsync forecast", "What each of the next ten working days brings."),
            ("credsync forecast --until 2026-02-27 --platform credit", "Up to a day after the holiday, credit only."),
            ("credsync forecast --days 3 --json", "Three working days, machine-readable."),
        ],
        "queue": [
            ("credsync queue list", "Every queued entry."),
            ("credsync queue stats", "Counts by state, platform and error class."),
        ],
        "queue list": [
            ("credsync queue list --state hold", "The entries waiting for an operator."),
            ("credsync queue list --platform gsxt --older-than 2h", "gsxt's entries first queued over two hours ago."),
        ],
        "queue show": [("credsync queue show 20261120T021500-1a2b3c4d", "One entry with its payload and errors.")],
        "queue retry": [
            ("credsync queue retry 20261120T021500-1a2b3c4d", "Make one entry due now."),
            ("credsync queue retry --all --platform gsxt", "Make every gsxt entry due now."),
        ],
        "queue hold": [("credsync queue hold --all --platform ipp", "Keep ipp's entries until released.")],
        "queue release": [
            ("credsync queue release 20261120T021500-1a2b3c4d", "Release one held entry."),
            ("credsync queue release ALL", "Release every held entry."),
        ],
        "queue drop": [("credsync queue drop --yes 20261120T021500-1a2b3c4d", "Delete one entry without asking.")],
        "queue stats": [("credsync queue stats --json", "The counts, machine-readable.")],
        "enterprise": [("credsync enterprise show 91330106MA2AXY7K3X", "What the store holds for one enterprise.")],
        "enterprise show": [
            ("credsync enterprise show 91330106MA2AXY7K3X", "What the store holds for one enterprise.")
        ],
        "audit": [("credsync audit verify", "Verify the audit log and its rotations.")],
        "audit verify": [
            ("credsync audit verify", "Verify the configured log and its rotations."),
            ("credsync audit verify audit.jsonl.1 audit.jsonl", "Verify given files, oldest first."),
        ],
        "audit prune": [
            ("credsync audit prune --before 2026-06-01", "Archive rotated files that end before June 2026.")
        ],
        "key": [
            ("credsync key generate /etc/credsync/data.key", "A new data key for dataKeyFile."),
            ("credsync key rotate --new /etc/credsync/data-2027.key", "Re-seal the store under a new key."),
        ],
        "key generate": [("credsync key generate /etc/credsync/data.key", "A new data key, mode 0600.")],
        "key rotate": [
            ("credsync key rotate --new /etc/credsync/data-2027.key", "Re-seal everything under the new key.")
        ],
        "state": [("credsync state check", "Check the state store.")],
        "state check": [
            ("credsync state check", "Check the state directory's store."),
            ("credsync state check backup.db", "Check a backup before restoring it."),
        ],
        "state backup": [
            ("credsync state backup /srv/backup/credsync.db", "A consistent copy, also during a run.")
        ],
        "report": [
            ("credsync report", "The last run's numbers."),
            ("credsync report latest --json", "The last run's whole report."),
            ("xdg-open \"$(credsync report --html)\"", "Open the last run's HTML page."),
        ],
    ]
}
