import CredsyncCore
import Foundation

/// The temporary directory of `credsync-bench sync`: the export, a configuration for it, the state
/// directories, each run's output; and the sandbox the configuration points at.
struct SyncBenchWorkspace {
    static let appID = "bench"
    static let secretVariable = "CREDSYNC_BENCH_SECRET"
    static let secret = "bench-secret-0123456789abcdef"
    static let source = "11330000MB12345679"
    static let asOf = "2026-11-20"

    let directory: String
    /// The package's directory: mappings/ and fixtures/.
    let root: String
    /// Where credsync, credsync-sandbox and this benchmark were built.
    let binaries: String
    var export: String { directory + "/licenses.csv" }
    var configFile: String { directory + "/credsync.json" }
    var stateDir: String { directory + "/state" }
    var environment: [String: String] { [Self.secretVariable: Self.secret] }

    init() throws {
        root = FileSystem.currentDirectory()
        guard FileSystem.exists(root + "/mappings/license.json") else {
            throw CredsyncError(
                .usage, "\(root)/mappings/license.json not found", hint: "run from the package's directory")
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        binaries = FileSystem.parent(of: executable)
        for name in ["credsync", "credsync-sandbox"] where !FileSystem.exists(binaries + "/" + name) {
            throw CredsyncError(
                .usage, "\(binaries)/\(name) not found next to credsync-bench",
                hint: "swift build -c release --product credsync-bench --product credsync --product credsync-sandbox")
        }
        directory = NSTemporaryDirectory() + "credsync-bench-sync-\(getpid())"
        try FileSystem.createDirectory(directory, mode: 0o700)
    }

    /// Starts `credsync-sandbox` on a free loopback port with the settings' rate limit and latency,
    /// validating payloads against the national formats, serving the fixtures' feeds to the pull.
    func startSandbox(_ settings: SyncBenchSettings) throws -> (ChildProcess, port: Int) {
        let portFile = directory + "/sandbox.port"
        let sandbox = try ChildProcess(
            binaries + "/credsync-sandbox",
            [
                "--listen", "127.0.0.1:0", "--port-file", portFile, "--app", "\(Self.appID):\(Self.secretVariable)",
                "--rate", String(settings.rate), "--burst", String(settings.burst),
                "--latency-ms", String(settings.latency * 1000), "--formats", root + "/mappings/formats",
                "--enterprises", root + "/fixtures/enterprises.jsonl",
                "--serious-illegal", root + "/fixtures/samr-serious-illegal.jsonl",
            ],
            environment: environment, stdout: directory + "/sandbox.out", stderr: directory + "/sandbox.err")
        for _ in 0..<400 {
            if let text = try? FileSystem.readText(portFile), let port = Int(text.trimmingSpaces()) {
                return (sandbox, port)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        _ = sandbox.kill()
        throw CredsyncError(
            .unavailable, "the sandbox did not start within 20 s", hint: "see \(directory)/sandbox.err (--keep)")
    }

    /// Writes the export's configuration: the license catalog, and each platform on the sandbox
    /// with the settings' rate limit, batch size and concurrency.
    func writeConfig(_ settings: SyncBenchSettings, port: Int) throws {
        func quoted(_ text: String) -> String { JSONWriter.compact(.string(text)) }
        let platforms = settings.platforms.map { platform in
            """
            {"id": "\(platform.rawValue)", "baseURL": "http://127.0.0.1:\(port)/\(platform.rawValue)/exchange/v1", \
            "appId": "\(Self.appID)", "secretEnv": "\(Self.secretVariable)", \
            "connectTimeout": "5s", "timeout": "120s", \
            "rateLimit": {"perSecond": \(settings.rate), "burst": \(settings.burst)}, \
            "batchSize": \(settings.batchSize), "concurrency": \(settings.concurrency), "datasets": ["license"]}
            """
        }
        // The data key that seals the queue's personal numbers, outside the state directory.
        let keyFile = directory + "/data.key"
        if !FileSystem.exists(keyFile) { try DataKey.generate().write(to: keyFile) }
        let text = """
            {"organisation": {"name": "某省知识产权局", "uscc": "\(Self.source)"},
             "stateDir": \(quoted(stateDir)), "dataKeyFile": \(quoted(keyFile)),
             "catalogs": [{"dataset": "license", "path": \(quoted(export)), "format": "csv", "encoding": "gb18030",
                           "mapping": \(quoted(root + "/mappings/license.json"))}],
             "platforms": [\(platforms.joined(separator: ",\n  "))],
             "pull": {"region": "330000"}}

            """
        try FileSystem.writeAtomically(configFile, text: text, mode: 0o600)
    }

    /// Runs `credsync` with the configuration and waits for it; stdout to `output` (a file in the
    /// directory, or /dev/null), stderr to `<name>.err`.
    func credsync(_ name: String, _ arguments: [String], output: String? = nil) throws -> ChildProcess.Usage {
        try start(name, arguments, output: output).wait()
    }

    /// Starts `credsync` without waiting for it.
    func start(_ name: String, _ arguments: [String], output: String? = nil) throws -> ChildProcess {
        try ChildProcess(
            binaries + "/credsync",
            arguments + ["--config", configFile, "--as-of", Self.asOf, "--no-progress"],
            environment: environment, stdout: output ?? directory + "/\(name).out", stderr: directory + "/\(name).err")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
