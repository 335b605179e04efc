/// credsync's configuration: one JSON file, documented key by key in `ops/credsync.example.json`
/// and the README. Relative paths are taken from the directory of the configuration file.
public struct Config: Sendable {
    /// The file it was read from, as given.
    public var file: String
    /// The organisation that owns the records: it fills every 数据来源单位 field and is the `source`.
    public var organisation: Organisation
    /// Where the state store, the lock, reports and the audit log live (absolute).
    public var stateDir: String
    public var catalogs: [CatalogConfig]
    public var platforms: [PlatformConfig]
    public var retry: RetryPolicy
    public var guardrails: Guardrails
    /// How a refused plan is approved (`approvals`).
    public var approvals = ApprovalsConfig()
    /// `reportDir` as configured, or nil: run reports then go to the default under the state
    /// directory (CredsyncState's `StatePaths`, which owns every path there, and `config.reportDir`).
    public var configuredReportDir: String?
    /// The node_exporter textfile; none when not configured.
    public var metricsFile: String?
    /// The group that may read the metrics file (node_exporter's): the file is then 0640 and its
    /// directory 0750 in that group. None: the file is 0644 less the umask, in the process's group.
    public var metricsGroup: String?
    /// `auditFile` as configured, or nil for the default under the state directory (`StatePaths`,
    /// and `config.auditFile`).
    public var configuredAuditFile: String?
    /// The audit log's signing keys and retention (`audit`).
    public var audit = AuditConfig()
    /// The enterprise pull; none when not configured.
    public var pull: PullConfig?
    /// The publicity rules and the working-day calendar; default: `publicity.json` and
    /// `calendar-cn.json` beside the first catalog's mapping file.
    public var publicityFile: String?
    public var calendarFile: String?
    /// Cross-checks against gsxt that set a record aside instead of only warning:
    /// `unknown`, `nameMismatch`, `deregistered`, `seriousIllegal`.
    public var blockingCrossChecks: Set<String> = []
    /// How long run reports are kept (`reportRetention`).
    public var reportRetention = ReportRetention()
    /// `dataKeyFile` (absolute): the data key that seals natural persons' numbers at rest
    /// (`PersonalSeal`). None: a run that may queue payloads refuses to start (exit 78).
    public var dataKeyFile: String?

    /// The platform with `id`, if configured.
    public func platform(_ id: PlatformID) -> PlatformConfig? {
        platforms.first { $0.id == id }
    }

    /// The catalog of `dataset`, if configured.
    public func catalog(_ dataset: Dataset) -> CatalogConfig? {
        catalogs.first { $0.dataset == dataset }
    }
}

/// The organisation that owns the records.
public struct Organisation: Sendable, Equatable {
    /// 数据来源单位, e.g. `某省知识产权局`.
    public var name: String
    /// Its 统一社会信用代码: the `source` of every batch.
    public var uscc: String

    public init(name: String, uscc: String) {
        self.name = name
        self.uscc = uscc
    }
}

/// One nightly export of the province.
public struct CatalogConfig: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }
    public enum Encoding: String, Sendable, CaseIterable {
        case utf8 = "utf-8"
        case gb18030
        case auto
    }

    public var dataset: Dataset
    /// The export file (absolute).
    public var path: String
    public var format: Format
    public var encoding: Encoding
    /// The mapping file (absolute).
    public var mapping: String

    public init(dataset: Dataset, path: String, format: Format, encoding: Encoding, mapping: String) {
        self.dataset = dataset
        self.path = path
        self.format = format
        self.encoding = encoding
        self.mapping = mapping
    }
}

/// Where a platform's application secret comes from; never the configuration file itself.
public enum SecretSource: Sendable, Equatable {
    /// A file readable by its owner only (mode 0600 or 0400), as ssh asks of keys.
    case file(String)
    /// An environment variable's name.
    case environment(String)
}

/// One national platform.
public struct PlatformConfig: Sendable {
    public var id: PlatformID
    /// e.g. `https://credit.example/exchange/v1`; every endpoint path is relative to it.
    public var baseURL: String
    /// `X-Exchange-App`.
    public var appID: String
    public var secretSource: SecretSource
    /// The secret itself, read at load time (registered with the `Redactor`); empty when the
    /// configuration was loaded for a command that never reaches a platform.
    public var secret: String
    /// `signatureMethod`: how requests (and file-channel batches) are signed; HMAC-SHA256 unless the
    /// platform's interface document asks for HMAC-SM3.
    public var signatureMethod: SignatureMethod = .hmacSHA256
    /// `channel`: the 前置机 the platform is reached through instead of `baseURL` (then empty).
    public var channel: FileChannelConfig?
    /// `publication`: whether an accepted record is public at once or pending until its receipt.
    public var publication: Publication = .synchronous
    /// `receiptWarningDays` and the like; used only when `publication` is `receipts`.
    public var receipts = ReceiptSettings()
    /// A CA bundle to verify the platform's certificate with, instead of the system's.
    public var caFile: String?
    /// The client certificate and key for mutual TLS (PEM).
    public var clientCertificate: String?
    public var clientKey: String?
    /// TLS verification; turning it off is warned about on every run.
    public var verifyTLS: Bool
    /// An HTTP(S) proxy URL.
    public var proxy: String?
    /// Seconds to establish a connection.
    public var connectTimeout: Double
    /// Seconds for a whole request.
    public var requestTimeout: Double
    /// Requests per second (token bucket rate) and burst.
    public var requestsPerSecond: Double
    public var burst: Int
    /// Records per batch, 1 to 500.
    public var batchSize: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// The datasets pushed to this platform.
    public var datasets: [Dataset]
    /// The separator of the platform's dates: `-` (YYYY-MM-DD) or `/` (YYYY/MM/DD).
    public var dateSeparator: String
    /// The largest response body accepted, in bytes.
    public var maxResponseBytes: Int

    /// A platform with the documented defaults, for tools and tests.
    public init(
        id: PlatformID, baseURL: String, appID: String, secret: String, secretSource: SecretSource? = nil,
        caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil, verifyTLS: Bool = true,
        proxy: String? = nil, connectTimeout: Double = 10, requestTimeout: Double = 60, requestsPerSecond: Double = 20,
        burst: Int = 40, batchSize: Int = 500, concurrency: Int = 4, datasets: [Dataset]? = nil,
        dateSeparator: String? = nil, maxResponseBytes: Int = 16 << 20
    ) {
        self.id = id
        self.baseURL = baseURL
        self.appID = appID
        self.secretSource = secretSource ?? .environment("CREDSYNC_SECRET")
        self.secret = secret
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.verifyTLS = verifyTLS
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.datasets = datasets ?? id.acceptedDatasets
        self.dateSeparator = dateSeparator ?? id.defaultDateSeparator
        self.maxResponseBytes = maxResponseBytes
    }
}

/// How failed pushes are retried.
public struct RetryPolicy: Sendable, Equatable {
    /// Backoff between tries of a queued entry, seconds (full jitter between these bounds).
    public var minDelay: Double = 300
    public var maxDelay: Double = 6 * 3600
    /// A queued entry goes to `dead` after this age (seconds) or this many attempts.
    public var maxAge: Double = 7 * 86400
    public var maxAttempts: Int = 25
    /// Tries within one run before an entry is handed to the queue.
    public var attemptsInRun: Int = 3
    /// The longest backoff within a run, seconds.
    public var maxDelayInRun: Double = 10
    /// The longest `Retry-After` obeyed within a run, seconds; a platform asking for longer has
    /// the work handed to the queue instead.
    public var maxRetryAfter: Double = 60

    public init() {}
}

/// What refuses a run that looks wrong.
public struct Guardrails: Sendable, Equatable {
    /// A plan withdrawing more than this share of a dataset's published records is refused.
    public var maxWithdrawShare: Double = 0.05
    /// An export that shrank by more than this share since the last run is refused.
    public var maxShrinkShare: Double = 0.05

    public init() {}
}

/// How a plan a guardrail refused is approved with `credsync approve` (`approvals`).
public struct ApprovalsConfig: Sendable, Equatable {
    /// Seconds after its approval that an approval may be executed; then it has expired.
    public var validFor: Double = 86400
    /// Whether the approver must be another Unix user than the one who ran the refused plan.
    public var requireDifferentUser = false

    public init() {}
}

/// The enterprise and list pull from gsxt.
public struct PullConfig: Sendable, Equatable {
    /// The 6-digit region code of the change feed, e.g. `330000`.
    public var region: String
    /// Subjects fetched by query are refreshed when older than this, seconds.
    public var refreshAfter: Double
}
