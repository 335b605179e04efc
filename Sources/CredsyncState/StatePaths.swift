public import CredsyncCore

/// Every path under the state directory, built here and nowhere else: the database, the run lock,
/// the quarantine, the run reports and the audit log (by default), the import's `imported-<date>`.
///
/// The run reports and the audit log may be configured elsewhere (`reportDir`, `auditFile`); the
/// configuration keeps only what was configured, and these paths fill in the defaults.
/// `Tests/CredsyncStateTests/StatePathOwnershipTests.swift` fails on a state path built elsewhere.
public struct StatePaths: Sendable, Equatable {
    /// The database file's name: `<stateDir>/credsync.db`.
    public static let databaseName = "credsync.db"
    /// The run lock's name: `<stateDir>/lock`.
    public static let lockName = "lock"
    /// The quarantine directory's name: `<stateDir>/quarantine`.
    public static let quarantineName = "quarantine"
    /// The default report directory, relative to the state directory.
    public static let defaultReportDir = "reports"
    /// The default audit log, relative to the state directory.
    public static let defaultAuditFile = "audit/audit.jsonl"
    /// The prefix of the directories the import moves the release's files into.
    public static let importedPrefix = "imported-"

    /// The state directory (absolute when it comes from a configuration).
    public let stateDir: String
    /// The run reports' directory: as configured, or `<stateDir>/reports`.
    public let reportDir: String
    /// The audit log: as configured, or `<stateDir>/audit/audit.jsonl`.
    public let auditFile: String

    /// The paths of `stateDir`; `reportDir` and `auditFile` as configured, nil for the defaults.
    public init(stateDir: String, reportDir: String? = nil, auditFile: String? = nil) {
        self.stateDir = stateDir
        self.reportDir = reportDir ?? Self.under(stateDir, Self.defaultReportDir)
        self.auditFile = auditFile ?? Self.under(stateDir, Self.defaultAuditFile)
    }

    /// The paths of a configuration.
    public init(_ config: Config) {
        self.init(
            stateDir: config.stateDir, reportDir: config.configuredReportDir, auditFile: config.configuredAuditFile)
    }

    /// `<stateDir>/credsync.db`.
    public var database: String { Self.under(stateDir, Self.databaseName) }
    /// The database's write-ahead log and shared-memory index, beside it.
    public var databaseWAL: String { database + "-wal" }
    public var databaseSHM: String { database + "-shm" }
    /// `<stateDir>/lock`: the run lock (`flock`), which also records who holds it.
    public var lock: String { Self.under(stateDir, Self.lockName) }
    /// `<stateDir>/quarantine`: the rows `credsync check` set aside, one file a dataset.
    public var quarantine: String { Self.under(stateDir, Self.quarantineName) }

    /// `<stateDir>/imported-<date>`, or `…-2`, `…-3` for the second and later `attempt`.
    public func imported(date: String, attempt: Int = 1) -> String {
        Self.under(stateDir, Self.importedPrefix + date + (attempt > 1 ? "-\(attempt)" : ""))
    }

    /// A file of the file-based release's layout, `relative` to the state directory (`ledger/…`).
    public func releaseFile(_ relative: String) -> String { Self.under(stateDir, relative) }

    /// The run reports.
    public var reports: ReportPaths { ReportPaths(directory: reportDir) }

    private static func under(_ directory: String, _ relative: String) -> String { directory + "/" + relative }
}

/// The files of the report directory: `<runId>.json` and `.html` a run, `latest.json` and `.html`.
public struct ReportPaths: Sendable, Equatable {
    /// The latest real run's name (`latest.json`, `latest.html`).
    public static let latestName = "latest"

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `<directory>/<name>.json`; `name` is a run id, `<runId>.dry-run` or `latest`.
    public func json(_ name: String) -> String { file(name + ".json") }
    /// `<directory>/<name>.html`.
    public func html(_ name: String) -> String { file(name + ".html") }
    /// A file of the directory by its name, as listed.
    public func file(_ fileName: String) -> String { directory + "/" + fileName }
}

extension Config {
    /// The paths under this configuration's state directory.
    public var statePaths: StatePaths { StatePaths(self) }
    /// Run reports: `reportDir`, or `<stateDir>/reports`.
    public var reportDir: String { statePaths.reportDir }
    /// The audit log: `auditFile`, or `<stateDir>/audit/audit.jsonl`.
    public var auditFile: String { statePaths.auditFile }
}
