/// What reading a configuration file found: the configuration when usable, every problem, and warnings.
public struct ConfigReport: Sendable {
    public var file: String
    public var config: Config?
    public var problems: [ConfigProblem]
    public var warnings: [ConfigProblem]

    /// The configuration, or an error (exit 78) listing every problem with its path.
    public func requireConfig() throws(CredsyncError) -> Config {
        guard let config, problems.isEmpty else {
            let lines = problems.map { "  " + $0.description }.joined(separator: "\n")
            throw CredsyncError(
                .configuration, "\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + lines,
                hint: "run 'credsync check --config \(file)' after fixing them")
        }
        return config
    }
}

/// Reads and checks the configuration file.
public enum ConfigLoader {
    /// The file to read: `--config`, else `$CREDSYNC_CONFIG`, else `./credsync.json`.
    public static func resolveFile(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let fromEnvironment = environment["CREDSYNC_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return "credsync.json"
    }

    /// Reads `file`. A missing, unreadable or malformed file throws (exit 78, naming the file);
    /// anything else wrong is reported in the result, every problem at once. Without
    /// `readsSecrets`, each platform's secret source is checked but the secret is not read (it is
    /// left empty): for the commands that never reach a platform.
    public static func load(
        file: String, environment: [String: String], stateDirOverride: String? = nil, readsSecrets: Bool = true
    ) throws(CredsyncError) -> ConfigReport {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(file)
        } catch {
            let hint =
                error.isNotFound
                ? "give the file with --config FILE or $CREDSYNC_CONFIG; ops/credsync.example.json is a documented start"
                : nil
            throw CredsyncError(.configuration, "\(file): cannot read the configuration: \(error.reason)", hint: hint)
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw CredsyncError(
                .configuration, "\(file): not valid JSON: \(error)", hint: "fix the JSON syntax at that place")
        }
        guard let object = root.objectValue else {
            throw CredsyncError(
                .configuration, "\(file): the configuration must be a JSON object, not \(root.kindDescription)")
        }
        let base = FileSystem.resolve(FileSystem.parent(of: file), against: FileSystem.currentDirectory())
        var reader = ConfigReading(base: base, environment: environment, readsSecrets: readsSecrets)
        let config = reader.read(
            ObjectReader(object, path: "", sink: reader.sink), file: file, stateDirOverride: stateDirOverride)
        return ConfigReport(file: file, config: config, problems: reader.sink.problems, warnings: reader.sink.warnings)
    }
}

/// The walk over the configuration's keys.
struct ConfigReading {
    let base: String
    let environment: [String: String]
    /// Whether secrets are read, or only their sources checked.
    let readsSecrets: Bool
    let sink = ProblemSink()

    func path(_ text: String) -> String { FileSystem.resolve(text, against: base) }

    mutating func read(_ root: ObjectReader, file: String, stateDirOverride: String?) -> Config? {
        let organisation = readOrganisation(root.object("organisation", required: true))
        let configuredStateDir = path(root.string("stateDir") ?? "state")
        let stateDir =
            stateDirOverride.map { FileSystem.resolve($0, against: FileSystem.currentDirectory()) }
            ?? configuredStateDir
        let catalogs = readCatalogs(root)
        let retry = readRetry(root.object("retry"))
        let platforms = readPlatforms(root, retry: retry)
        var guardrails = Guardrails()
        if let reader = root.object("guardrails") {
            guardrails.maxWithdrawShare = reader.double("maxWithdrawShare", in: 0...1) ?? guardrails.maxWithdrawShare
            guardrails.maxShrinkShare = reader.double("maxShrinkShare", in: 0...1) ?? guardrails.maxShrinkShare
            reader.rejectUnknownKeys()
        }
        var approvals = ApprovalsConfig()
        if let reader = root.object("approvals") {
            approvals.validFor = reader.duration("validFor") ?? approvals.validFor
            approvals.requireDifferentUser = reader.bool("requireDifferentUser") ?? approvals.requireDifferentUser
            reader.rejectUnknownKeys()
        }
        // Defaults under the state directory are StatePaths's (CredsyncState), which owns its paths.
        let reportDir = root.string("reportDir").map(path)
        let metricsFile = root.string("metricsFile").map(path)
        let metricsGroup = root.string("metricsGroup")
        if let metricsGroup, FileSystem.groupID(metricsGroup) == nil {
            root.problem(
                "metricsGroup", "\"\(metricsGroup)\" is not a group on this machine",
                hint: "create it (groupadd --system \(metricsGroup)) or name node_exporter's group")
        }
        let reportRetention = readReportRetention(root.object("reportRetention"))
        let auditFile = root.string("auditFile").map(path)
        let audit = readAudit(root.object("audit"))
        let pull = readPull(root.object("pull"))
        let publicityFile = root.string("publicityFile").map(path)
        let calendarFile = root.string("calendarFile").map(path)
        let dataKeyFile = root.string("dataKeyFile").map(path)
        var blocking: Set<String> = []
        if let checks = root.object("crossChecks") {
            for name in ["unknown", "nameMismatch", "deregistered", "seriousIllegal"] {
                guard let mode = checks.string(name) else { continue }
                switch mode {
                case "block": blocking.insert(name)
                case "warn": break
                default: checks.problem(name, "\"\(mode)\" is not a mode", hint: "use \"warn\" or \"block\"")
                }
            }
            checks.rejectUnknownKeys()
        }
        root.rejectUnknownKeys()
        guard let organisation, sink.problems.isEmpty else { return nil }
        var config = Config(
            file: file, organisation: organisation, stateDir: stateDir, catalogs: catalogs, platforms: platforms,
            retry: retry, guardrails: guardrails, configuredReportDir: reportDir, metricsFile: metricsFile,
            configuredAuditFile: auditFile, pull: pull, publicityFile: publicityFile, calendarFile: calendarFile)
        config.blockingCrossChecks = blocking
        config.metricsGroup = metricsGroup
        config.reportRetention = reportRetention
        config.audit = audit
        config.approvals = approvals
        config.dataKeyFile = dataKeyFile
        return config
    }

    func readOrganisation(_ reader: ObjectReader?) -> Organisation? {
        guard let reader else { return nil }
        let name = reader.string("name", required: true)
        let uscc = reader.string("uscc", required: true)
        if let uscc, let problem = NationalIdentifiers.usccProblem(uscc) {
            reader.problem("uscc", "\"\(uscc)\" is not a valid 统一社会信用代码: it \(problem)")
        }
        reader.rejectUnknownKeys()
        guard let name, let uscc else { return nil }
        return Organisation(name: name, uscc: uscc)
    }

    func readCatalogs(_ root: ObjectReader) -> [CatalogConfig] {
        guard let items = root.array("catalogs", required: true) else { return [] }
        var catalogs: [CatalogConfig] = []
        for (i, item) in items.enumerated() {
            let itemPath = "catalogs[\(i)]"
            guard let object = item.objectValue else {
                sink.problems.append(ConfigProblem(itemPath, "must be an object, not \(item.kindDescription)"))
                continue
            }
            let reader = ObjectReader(object, path: itemPath, sink: sink)
            let dataset = reader.choice("dataset", required: true, as: Dataset.self)
            let file = reader.string("path", required: true)
            let format = reader.choice("format", as: CatalogConfig.Format.self)
            let encoding = reader.choice("encoding", as: CatalogConfig.Encoding.self) ?? .auto
            let mapping = reader.string("mapping", required: true)
            reader.rejectUnknownKeys()
            if let dataset, catalogs.contains(where: { $0.dataset == dataset }) {
                reader.problem(
                    "dataset", "\"\(dataset.rawValue)\" is configured twice", hint: "keep one catalog per dataset")
            }
            if let mapping, !FileSystem.exists(path(mapping)) {
                reader.problem("mapping", "\"\(mapping)\": no such file")
            }
            guard let dataset, let file, let mapping else { continue }
            let inferred: CatalogConfig.Format = file.hasSuffix(".jsonl") ? .jsonl : .csv
            catalogs.append(
                CatalogConfig(
                    dataset: dataset, path: path(file), format: format ?? inferred, encoding: encoding,
                    mapping: path(mapping)))
        }
        return catalogs
    }

    func readRetry(_ reader: ObjectReader?) -> RetryPolicy {
        var policy = RetryPolicy()
        guard let reader else { return policy }
        // Bounded so that no backoff, age or next-try instant derived from them overflows.
        policy.minDelay = reader.duration("minDelay", in: 1...86400) ?? policy.minDelay
        policy.maxDelay = reader.duration("maxDelay", in: 1...(7 * 86400)) ?? policy.maxDelay
        policy.maxAge = reader.duration("maxAge", in: 60...(366 * 86400)) ?? policy.maxAge
        policy.maxAttempts = reader.int("maxAttempts", in: 1...1000) ?? policy.maxAttempts
        policy.attemptsInRun = reader.int("attemptsInRun", in: 1...20) ?? policy.attemptsInRun
        policy.maxDelayInRun = reader.duration("maxDelayInRun", in: 1...600) ?? policy.maxDelayInRun
        policy.maxRetryAfter = reader.duration("maxRetryAfter", in: 1...3600) ?? policy.maxRetryAfter
        if policy.minDelay > policy.maxDelay {
            reader.problem("minDelay", "is longer than maxDelay", hint: "make minDelay ≤ maxDelay")
        }
        reader.rejectUnknownKeys()
        return policy
    }

    func readPull(_ reader: ObjectReader?) -> PullConfig? {
        guard let reader else { return nil }
        let region = reader.string("region", required: true)
        let refresh = reader.duration("refreshAfter", in: 60...(366 * 86400)) ?? 30 * 86400
        if let region, region.count != 6 || !region.allSatisfy({ $0.isASCII && $0.isNumber }) {
            reader.problem(
                "region", "\"\(region)\" is not a 6-digit region code", hint: "e.g. \"330000\" for all of Zhejiang")
        }
        reader.rejectUnknownKeys()
        guard let region else { return nil }
        return PullConfig(region: region, refreshAfter: refresh)
    }
}
