import CredsyncCore

/// Every command credsync has, with its help: the single source of `--help`, `credsync help` and the parser.
public enum CommandTable {
    static let platformNames = PlatformID.allCases.map(\.rawValue)
    static let datasetNames = Dataset.allCases.map(\.rawValue)

    static func platform(repeatable: Bool = false, _ help: String = "Only this platform (credit, gsxt, ipp).")
        -> OptionSpec
    {
        OptionSpec("platform", value: .choice(platformNames), repeatable: repeatable, help: help)
    }

    static func dataset(
        repeatable: Bool = false, _ help: String = "Only this dataset (license, penalty, dishonesty, pledge)."
    ) -> OptionSpec {
        OptionSpec("dataset", value: .choice(datasetNames), repeatable: repeatable, help: help)
    }

    static let approveWithdrawals = OptionSpec(
        "approve-withdrawals",
        help: "Withdraw what the plan holds back: more than the guardrail's share, "
            + "or what an export not read whole lacks.")

    static let allowMassWithdraw = OptionSpec("allow-mass-withdraw", help: "The former name of --approve-withdrawals.")

    static let reason = OptionSpec(
        "reason", value: .text, valueName: "text",
        help: "Why --approve-withdrawals is given (an emergency): kept in the audit log.")

    /// Options every command takes, before or after its name.
    public static let globalOptions: [OptionSpec] = [
        OptionSpec(
            "config", value: .text, valueName: "file",
            help: "The configuration file (default: $CREDSYNC_CONFIG, else ./credsync.json)."),
        OptionSpec(
            "state-dir", value: .text, valueName: "dir", help: "The state directory, overriding the configuration's."),
        OptionSpec(
            "as-of", value: .date, valueName: "YYYY-MM-DD",
            help: "The calendar date in Asia/Shanghai every date rule uses (default: today)."),
        OptionSpec("json", help: "Machine-readable output on stdout (shapes in the README)."),
        OptionSpec("quiet", short: "q", help: "Only warnings and errors on stderr."),
        OptionSpec("verbose", short: "v", help: "Debug events on stderr too."),
        OptionSpec("no-progress", help: "No progress bars, even on a terminal."),
        OptionSpec(
            "log-format", value: .choice(["text", "json"]), valueName: "text|json",
            help: "Log events as readable text or JSON Lines (default: text)."),
    ]

    static let queueFilters: [OptionSpec] = [
        platform(),
        dataset(),
        OptionSpec(
            "state", value: .choice(["deferred", "hold", "dead", "corrupt"]), help: "Only entries in this state."),
        OptionSpec(
            "older-than", value: .duration, valueName: "age",
            help: "Only entries first queued longer ago than this (e.g. 2h)."),
    ]

    static let queue = CommandSpec(
        "queue", abstract: "Inspect and manage the retry queues.",
        discussion: """
            Failed pushes wait in a queue per platform under the state directory: deferred (waiting
            for the next try), hold (kept until an operator releases it), dead (gave up) and corrupt
            (unreadable). Commands that only read work while a run is going; commands that change
            the queue wait briefly for the run's lock.
            """,
        subcommands: [
            CommandSpec(
                "list", abstract: "List queued entries, like mailq.",
                discussion: "One line per entry: id, platform, dataset, key, op, attempts, age, next try, last error.",
                options: queueFilters),
            CommandSpec(
                "show", abstract: "Show one entry with its payload and full error history.",
                arguments: ArgumentsSpec(
                    "ID", minimum: 1, maximum: 1, help: "The entry's id, as `queue list` prints it.")),
            CommandSpec(
                "retry", abstract: "Make deferred and dead entries due now (held ones need release).",
                options: [OptionSpec("all", help: "Every entry matching the filters.")] + queueFilters,
                arguments: ArgumentsSpec("ID…", help: "Entry ids; or --all with filters.")),
            CommandSpec(
                "hold", abstract: "Put entries on hold until released.",
                options: [OptionSpec("all", help: "Every entry matching the filters.")] + queueFilters,
                arguments: ArgumentsSpec("ID…", help: "Entry ids; or --all with filters.")),
            CommandSpec(
                "release", abstract: "Release held entries back to deferred, due now.",
                options: [OptionSpec("all", help: "Every held entry matching the filters (as ALL).")] + queueFilters,
                arguments: ArgumentsSpec(
                    "ID…|ALL", help: "Entry ids, or ALL (in capitals) for every held entry matching the filters.")),
            CommandSpec(
                "drop", abstract: "Delete entries for good, corrupt files too.",
                discussion: "Asks for confirmation on a terminal unless --yes is given.",
                options: [
                    OptionSpec("yes", short: "y", help: "Do not ask for confirmation."),
                    OptionSpec("all", help: "Every entry matching the filters (as ALL)."),
                ] + queueFilters,
                arguments: ArgumentsSpec(
                    "ID…|ALL", help: "Entry ids, or ALL (in capitals) for every entry matching the filters.")),
            CommandSpec("stats", abstract: "Counts by state, platform, dataset and error class, and the oldest entry."),
        ])

    /// Every runnable command path, e.g. `queue list`.
    static var allPaths: [String] {
        root.subcommands.flatMap { command in
            command.subcommands.isEmpty ? [command.name] : command.subcommands.map { command.name + " " + $0.name }
        }
    }

    /// The whole tree.
    public static let root = CommandSpec(
        "credsync", abstract: "Shares a provincial IP office's records with the national platforms.",
        discussion: """
            credsync reads the province's nightly exports, maps them to the national formats, works
            out what the national credit (credit), SAMR publicity (gsxt) and CNIPA IP protection (ipp)
            platforms must show on a date, and pushes the difference, queueing what fails.
            """,
        subcommands: [
            CommandSpec(
                "check", abstract: "Check the configuration, the mappings and every export.",
                discussion: """
                    Reads the configuration and reports every problem with its JSON path. Then reads
                    every export through its mapping and prints per dataset and platform the rows read,
                    records mapped and records set aside, with the first reasons and the quarantine file.
                    Exit 1 if anything was set aside. With --online, signs one harmless request per
                    platform (a manifest page of limit 1) to prove the secret and the certificate: exit 77
                    when a platform refuses them, 69 when one cannot be reached.
                    """,
                options: [
                    dataset(repeatable: true),
                    OptionSpec(
                        "online", help: "Also sign one harmless request per platform (after rotating a secret)."),
                ]),
            CommandSpec(
                "map", abstract: "Print the national records an export maps to, as canonical JSON Lines.",
                discussion: """
                    Reads one dataset's export through its mapping and prints, one a line, the records
                    the platform would receive, in canonical JSON (the bytes the payload hash is taken
                    of). Personal numbers are masked. Rows set aside are not shown: a warning counts
                    them and 'credsync check' lists them. Nothing is sent and no state changes.
                    """,
                options: [
                    OptionSpec("dataset", value: .choice(datasetNames), help: "The dataset (required)."),
                    OptionSpec("platform", value: .choice(platformNames), help: "The platform (required)."),
                    OptionSpec("key", value: .text, help: "Only the record with this key."),
                    OptionSpec("limit", value: .count(1...Int(Int32.max)), valueName: "n", help: "At most n records."),
                ]),
            CommandSpec(
                "plan", abstract: "Dry run: what a push would create, update and withdraw.",
                options: [
                    platform(repeatable: true, "Only these platforms (repeatable)."),
                    dataset(repeatable: true, "Only these datasets (repeatable)."),
                    OptionSpec("detail", help: "Every change with its key, op and reason; field by field for updates."),
                    OptionSpec("detailed-exitcode", help: "Exit 2 when there are changes, 0 when none."),
                    approveWithdrawals, allowMassWithdraw,
                ]),
            CommandSpec(
                "sync", abstract: "The nightly job: pull, map, plan, push, queue, report.",
                options: [
                    platform(repeatable: true, "Only these platforms (repeatable)."),
                    dataset(repeatable: true, "Only these datasets (repeatable)."),
                    OptionSpec(
                        "dry-run", help: "Plan and report, push nothing (the report is not the latest; no metrics)."),
                    OptionSpec("no-pull", help: "Do not pull from gsxt first: cross-check with the store as it is."),
                    approveWithdrawals, allowMassWithdraw, reason,
                ]),
            CommandSpec(
                "push", abstract: "Push the plan's changes and due retries, without pulling.",
                discussion: """
                    With --all, every record the export publishes is sent again as an update (a re-push of
                    the whole dataset): the run is refused and the plan saved, to go once approved with
                    'credsync approve'.
                    """,
                options: [
                    platform(repeatable: true), dataset(repeatable: true),
                    OptionSpec("all", help: "Re-send every published record of the datasets given (approval needed)."),
                    approveWithdrawals, allowMassWithdraw, reason,
                ]),
            CommandSpec(
                "approve", abstract: "Approve a refused plan: the next run executes exactly its changes, once.",
                discussion: """
                    A plan a guardrail refused (or a push --all) is saved with an id, printed with the
                    refusal. Approving it lets the next sync, push or plan of that platform and dataset
                    go ahead, but only with the same changes or fewer, and only within approvals.validFor
                    of the approval (default 24h); any other change set is refused again, the difference
                    shown. With approvals.requireDifferentUser, the approver must be another Unix user
                    than the one whose run was refused (exit 77 otherwise). Audited.
                    """,
                options: [
                    OptionSpec(
                        "reason", value: .text, valueName: "text",
                        help: "Why: kept with the approval and in the audit log.")
                ],
                arguments: ArgumentsSpec(
                    "PLAN-ID", minimum: 1, maximum: 1,
                    help: "The refused plan's id (P-yyyymmdd-hex).")),
            CommandSpec(
                "pull", abstract: "Pull enterprise changes and SAMR's serious-illegal list from gsxt.",
                options: [OptionSpec("full", help: "Re-read the feeds from the beginning.")]),
            CommandSpec(
                "collect", abstract: "Apply the answers and receipts waiting on the 前置机s (the file channel).",
                discussion: """
                    Every sync and push collects first; this does it alone, under the run lock. Each answer
                    is applied in one transaction of the state store, then deleted from the 前置机; an answer
                    delivered again is deleted unapplied. Batches unanswered for longer than the channel's
                    unansweredAfter are listed with their file names. Exit 69 when a 前置机 cannot be reached
                    or its host key does not verify, 77 when it refuses the key.
                    """,
                options: [platform(repeatable: true, "Only these platforms (repeatable).")]),
            CommandSpec(
                "reconcile", abstract: "Compare a platform's manifest with the ledger and report drift.",
                options: [
                    OptionSpec("platform", value: .choice(platformNames), help: "The platform (required)."),
                    dataset(),
                    OptionSpec("repair", help: "Set the ledger to the platform's truth so the next push corrects it."),
                ]),
            CommandSpec(
                "deadlines", abstract: "Publications and withdrawals overdue or due soon.",
                discussion:
                    "Exit 1 when anything is overdue, or when a deadline falls in a year the working-day calendar lacks (listed as unknown).",
                options: [
                    OptionSpec(
                        "within", value: .count(0...366), valueName: "days",
                        help: "Also list what falls due within this many working days (default 3).")
                ]),
            CommandSpec(
                "forecast", abstract: "What each of the next working days brings if nothing is sent.",
                discussion: """
                    Plans today and each working day of the window as 'plan --as-of' that day would, from
                    today's exports and state, and lists per day the publications and withdrawals new on
                    it (with reason and deadline), what goes overdue, and the credit repairs whose minimum
                    period ends. Exit 1 when something goes overdue, a run would be refused, a deadline is
                    unknown or the window is cut short by the calendar.
                    """,
                options: [
                    OptionSpec(
                        "days", value: .count(1...366), valueName: "n",
                        help: "This many working days (default 10)."),
                    OptionSpec(
                        "until", value: .date, valueName: "YYYY-MM-DD",
                        help: "Every working day up to this date."),
                    platform(repeatable: true, "Only these platforms (repeatable)."),
                    dataset(repeatable: true, "Only these datasets (repeatable)."),
                ]),
            queue,
            CommandSpec(
                "enterprise", abstract: "Look up the local enterprise store.",
                subcommands: [
                    CommandSpec(
                        "show", abstract: "What the store holds for an enterprise, and its list entries.",
                        arguments: ArgumentsSpec("USCC", minimum: 1, maximum: 1, help: "The 统一社会信用代码."))
                ]),
            CommandSpec(
                "audit", abstract: "Check the audit log.",
                subcommands: [
                    CommandSpec(
                        "verify",
                        abstract:
                            "Verify the audit log's hash chain and manifest signatures; name the first broken line.",
                        options: [
                            OptionSpec(
                                "key", value: .text, valueName: "file",
                                help: "The SM2 public key (PEM) to check signatures with (default: audit.verifyKey).")
                        ],
                        arguments: ArgumentsSpec(
                            "FILE…",
                            help: "Audit files in order (default: the configured log and its rotations).")),
                    CommandSpec(
                        "prune",
                        abstract: "Archive rotated audit files older than a date, keeping the chain verifiable.",
                        options: [
                            OptionSpec(
                                "before", value: .date,
                                help: "Archive the rotated files whose last line is before this day (required).")
                        ]),
                ]),
            CommandSpec(
                "state", abstract: "Check or back up the state store (credsync.db).",
                subcommands: [
                    CommandSpec(
                        "check", abstract: "SQLite's integrity check and credsync's invariants.",
                        discussion: "Exit 74 when the file is damaged, 1 when it breaks credsync's invariants.",
                        arguments: ArgumentsSpec(
                            "FILE", maximum: 1, help: "A store file (default: the state directory's).")),
                    CommandSpec(
                        "backup", abstract: "Write a consistent copy of the store, also while a run is going.",
                        arguments: ArgumentsSpec("FILE", minimum: 1, maximum: 1, help: "Where the copy goes.")),
                ]),
            CommandSpec(
                "key", abstract: "Manage the data key that seals personal identifiers at rest.",
                subcommands: [
                    CommandSpec(
                        "generate", abstract: "Write a new random data key (SM4 and HMAC-SM3) to FILE, mode 0600.",
                        discussion: "The file is never overwritten; its key id is printed, the key never is.",
                        arguments: ArgumentsSpec(
                            "FILE", minimum: 1, maximum: 1, help: "Where the key goes (dataKeyFile).")),
                    CommandSpec(
                        "rotate",
                        abstract: "Re-seal every sealed value under a new data key, in one transaction.",
                        discussion: "Opens the values under dataKeyFile's key; then point dataKeyFile at the new key. "
                            + "Exit 78 when a value does not open: nothing is changed.",
                        options: [
                            OptionSpec(
                                "new", value: .text, valueName: "file",
                                help: "The new key (written by 'credsync key generate'; required).")
                        ]),
                ]),
            CommandSpec(
                "privacy", abstract: "The personal-data register.",
                subcommands: [
                    CommandSpec(
                        "report",
                        abstract: "Which fields carry persons' numbers, how many records of persons were sent where.",
                        discussion: """
                            Per dataset, the national fields that hold natural persons' numbers and the platforms
                            that take them; per platform and dataset, the records accepted in the period and those
                            of persons. With --subject, every record holding that number (matched by its masked
                            form, as the store keeps it): for a person's access request. A look-up is audited;
                            the number is shown masked unless --reveal (audited too).
                            """,
                        options: [
                            OptionSpec(
                                "from", value: .date, valueName: "YYYY-MM-DD", help: "Acceptances from this day."),
                            OptionSpec(
                                "to", value: .date, valueName: "YYYY-MM-DD", help: "Acceptances up to this day."),
                            OptionSpec(
                                "subject", value: .text, valueName: "NUMBER",
                                help: "A person's 证件号码: list every record that holds it."),
                            OptionSpec(
                                "reveal", help: "Show the subject's number unmasked in the text output (audited)."),
                        ])
                ]),
            CommandSpec(
                "report", abstract: "Show a run report.",
                options: [OptionSpec("html", help: "Print the path of the HTML report.")],
                arguments: ArgumentsSpec("RUN-ID|latest", maximum: 1, help: "The run (default: latest).")),
        ])
}
