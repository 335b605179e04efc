public import CredsyncCore
import CredsyncExchange
import Foundation
import CredsyncProtocol

/// The real `credsync-sandbox` binary on a free loopback port, stopped when released.
public final class SandboxProcess: @unchecked Sendable {
    public static let appID = "province-test"
    public static let secret = "test-secret-0123456789abcdef"
    public static let source = Fixture.officeUSCC

    public let port: Int
    public let stateDir: String
    private let process: Process
    private let directory: TemporaryDirectory
    private let admin = HTTPClient(options: HTTPClientOptions())

    /// Starts the sandbox with `arguments` added to the defaults, keeping state in `stateDir`
    /// (a fresh one when nil).
    public init(_ arguments: [String] = [], stateDir: String? = nil) throws {
        directory = try TemporaryDirectory("sandbox")
        self.stateDir = stateDir ?? directory.path + "/state"
        let portFile = directory.path + "/port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync-sandbox")
        process.arguments =
            [
                "--listen", "127.0.0.1:0", "--port-file", portFile, "--state-dir", self.stateDir,
                "--app", "\(Self.appID):SANDBOX_TEST_SECRET", "--formats", Binaries.packageRoot + "/mappings/formats",
                "--enterprises", Binaries.packageRoot + "/fixtures/enterprises.jsonl",
                "--serious-illegal", Binaries.packageRoot + "/fixtures/samr-serious-illegal.jsonl",
            ] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SANDBOX_TEST_SECRET"] = Self.secret
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let value = Int(text.trimmingSpaces())
            {
                port = value
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let port else {
            process.terminate()
            throw CredsyncError(.unavailable, "the sandbox did not start")
        }
        self.port = port
    }

    deinit { stop() }

    /// Kills the sandbox (SIGKILL) and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func baseURL(_ platform: PlatformID) -> String {
        "http://127.0.0.1:\(port)/\(platform.rawValue)/exchange/v1"
    }

    /// A platform configuration pointing at this sandbox.
    public func platformConfig(_ platform: PlatformID, concurrency: Int = 4, rate: Double = 1000, burst: Int = 1000)
        -> PlatformConfig
    {
        PlatformConfig(
            id: platform, baseURL: baseURL(platform), appID: Self.appID, secret: Self.secret, connectTimeout: 2,
            requestTimeout: 5, requestsPerSecond: rate, burst: burst, concurrency: concurrency)
    }

    /// Calls an admin endpoint and returns its JSON.
    @discardableResult
    public func admin(_ method: String, _ path: String, _ body: JSONValue? = nil) throws -> JSONValue {
        let bytes = body.map { Array(JSONWriter.compact($0).utf8) } ?? []
        let request = HTTPRequest(
            method: method, url: "http://127.0.0.1:\(port)/_admin/\(path)",
            headers: [("Content-Type", "application/json")], body: bytes)
        switch admin.sendBlocking(request) {
        case .success(let response): return try JSONParser.parse(response.body)
        case .failure(let error): throw error
        }
    }

    /// What the sandbox holds for a dataset of the test source: key → (status, version, hash).
    public func holdings(_ platform: PlatformID, _ dataset: Dataset) throws -> [String: (
        status: String, version: Int, hash: String
    )] {
        let json = try admin(
            "GET", "records?platform=\(platform.rawValue)&dataset=\(dataset.rawValue)&source=\(Self.source)")
        var result: [String: (String, Int, String)] = [:]
        for item in json["items"]?.arrayValue ?? [] {
            guard let key = item["key"]?.stringValue else { continue }
            result[key] = (
                item["status"]?.stringValue ?? "", item["version"]?.intValue ?? 0, item["hash"]?.stringValue ?? ""
            )
        }
        return result
    }
}
