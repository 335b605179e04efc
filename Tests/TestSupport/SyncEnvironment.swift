public import CredsyncCore
public import Foundation

/// A state directory, a configuration pointing at a sandbox on loopback, and the sample exports
/// (copied, so a test may change them): what an end-to-end test of a run needs.
public final class SyncEnvironment: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let sandbox: SandboxProcess
    public let configFile: String
    public var stateDir: String { directory.path + "/state" }
    /// The data key of the configuration (`dataKeyFile`), outside the state directory.
    public var dataKeyFile: String { directory.path + "/data.key" }
    public static let environment = ["CREDSYNC_TEST_SECRET": SandboxProcess.secret]

    public init(
        sandbox: SandboxProcess? = nil, platforms: [PlatformID] = PlatformID.allCases,
        retry: String = #"{"attemptsInRun": 2, "maxDelayInRun": "1s", "minDelay": "5m"}"#, region: String = "330000",
        platformSettings: [PlatformID: String] = [:]
    ) throws {
        directory = try TemporaryDirectory("sync")
        let sandbox = try sandbox ?? SandboxProcess()
        self.sandbox = sandbox
        let root = Binaries.packageRoot
        for name in ["licenses.csv", "penalties.csv", "pledges.csv", "dishonesty.jsonl"] {
            try FileManager.default.copyItem(atPath: root + "/fixtures/" + name, toPath: directory.path + "/" + name)
        }
        let catalogs = [
            ("license", "licenses.csv", "gb18030"), ("penalty", "penalties.csv", "gb18030"),
            ("dishonesty", "dishonesty.jsonl", "utf-8"), ("pledge", "pledges.csv", "auto"),
        ]
        .map {
            #"{"dataset": "\#($0.0)", "path": "\#($0.1)", "encoding": "\#($0.2)", "mapping": "\#(root)/mappings/\#($0.0).json"}"#
        }
        let platformItems = platforms.map { platform in
            #"{"id": "\#(platform.rawValue)", "baseURL": "\#(sandbox.baseURL(platform))", "appId": "\#(SandboxProcess.appID)", "secretEnv": "CREDSYNC_TEST_SECRET", "connectTimeout": "2s", "timeout": "5s", "rateLimit": {"perSecond": 200, "burst": 200}, "batchSize": 100\#(platformSettings[platform].map { ", " + $0 } ?? "")}"#
        }
        // The data key lives beside the configuration, outside the state directory, as in production.
        try DataKey.generate().write(to: directory.path + "/data.key")
        configFile = try directory.write(
            "credsync.json",
            """
            {"organisation": {"name": "某省知识产权局", "uscc": "\(SandboxProcess.source)"},
             "dataKeyFile": "data.key",
             "stateDir": "state",
             "catalogs": [\(catalogs.joined(separator: ", "))],
             "platforms": [\(platformItems.joined(separator: ", "))],
             "retry": \(retry), "pull": {"region": "\(region)"}}
            """)
    }

    /// Runs `credsync` with this configuration.
    public func credsync(_ arguments: [String], asOf: String = "2026-11-20") throws -> Binaries.Result {
        try Binaries.run(
            "credsync", arguments + ["--config", configFile, "--as-of", asOf], environment: Self.environment,
            directory: directory.path)
    }

    /// Starts `credsync` without waiting for it.
    public func start(_ arguments: [String], asOf: String = "2026-11-20") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync")
        process.arguments = arguments + ["--config", configFile, "--as-of", asOf, "--no-progress", "-q"]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in Self.environment { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The latest run report.
    public func latestReport() throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: stateDir + "/reports/latest.json"))))
    }

    /// (created, updated, withdrawn, unchanged, queued, held) summed over the latest report.
    public func totals() throws -> [String: Int] {
        var totals: [String: Int] = [:]
        for outcome in try latestReport()["outcomes"]?.arrayValue ?? [] {
            for name in ["created", "updated", "withdrawn", "unchanged", "queued", "held", "dead", "rejected"] {
                totals[name, default: 0] += outcome[name]?.intValue ?? 0
            }
        }
        return totals
    }
}
