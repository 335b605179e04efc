import Foundation
import Testing

@testable import CredsyncCore

/// A configuration file in a fresh temporary directory.
struct ConfigFixture {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "credsync-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/mapping.json"))
    }

    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// A valid configuration with `platform` as the one platform's JSON.
    static func text(platform: String = Self.goodPlatform, extra: String = "") -> String {
        """
        {
          "organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"},
          "catalogs": [{"dataset": "license", "path": "licenses.csv", "mapping": "mapping.json"}],
          "platforms": [\(platform)]\(extra)
        }
        """
    }

    static let goodPlatform =
        #"{"id": "credit", "baseURL": "http://127.0.0.1:8719/credit/exchange/v1", "appId": "a", "secretEnv": "SECRET"}"#
    static let environment = ["SECRET": "0123456789abcdef-secret"]

    func load(_ text: String, environment: [String: String] = ConfigFixture.environment) throws -> ConfigReport {
        try ConfigLoader.load(file: try write("credsync.json", text), environment: environment)
    }
}

@Suite struct ConfigTests {
    @Test func validConfigurationLoadsWithDefaultsAndResolvedPaths() throws {
        let fixture = try ConfigFixture()
        let report = try fixture.load(ConfigFixture.text())
        #expect(report.problems.isEmpty)
        let config = try report.requireConfig()
        #expect(config.stateDir == fixture.directory + "/state")
        #expect(config.catalogs.first?.path == fixture.directory + "/licenses.csv")
        #expect(config.catalogs.first?.format == .csv && config.catalogs.first?.encoding == .auto)
        let platform = try #require(config.platform(.credit))
        #expect(platform.secret == "0123456789abcdef-secret")
        #expect(platform.batchSize == 500 && platform.concurrency == 4 && platform.burst == 40)
        #expect(platform.requestsPerSecond == 20 && platform.dateSeparator == "/")
        #expect(platform.datasets == [.license, .penalty, .dishonesty, .pledge])
        #expect(config.retry == RetryPolicy())
    }

    /// Each broken configuration gives exactly its precise message.
    @Test(arguments: [
        (
            #"{"id": "credit", "baseURL": "htp://x", "appId": "a", "secretEnv": "SECRET"}"#,
            #"platforms[0].baseURL: "htp://x" is not an http or https URL (e.g. "https://credit.example/exchange/v1")"#
        ),
        (
            #"{"id": "credt", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "SECRET"}"#,
            #"platforms[0].id: "credt" is not one of credit, gsxt, ipp (did you mean "credit"? use one of those)"#
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "SECRET", "batchSise": 10}"#,
            #"platforms[0].batchSise: unknown key (did you mean "batchSize"?)"#
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secret": "inline-0123456789abcdef"}"#,
            "platforms[0].secret: inline secrets are not allowed (put the secret in a file readable only by its owner (secretFile) or in an environment variable (secretEnv))"
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "MISSING"}"#,
            "platforms[0].secretEnv: the environment variable MISSING is not set (export MISSING before running credsync)"
        ),
        (
            #"{"id": "ipp", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "SECRET", "datasets": ["license"]}"#,
            "platforms[0].datasets[0]: ipp does not take license (ipp takes dishonesty, pledge)"
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "SECRET", "batchSize": 900}"#,
            "platforms[0].batchSize: 900 is out of range (use 1 to 500)"
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "appId": "a", "secretEnv": "SECRET", "timeout": "soon"}"#,
            #"platforms[0].timeout: "soon" is not a duration (write it like "30s", "5m", "6h" or "7d")"#
        ),
        (
            #"{"id": "credit", "baseURL": "http://127.0.0.1:1/x", "secretEnv": "SECRET"}"#,
            "platforms[0].appId: is required"
        ),
    ])
    func brokenPlatformGivesItsPreciseMessage(platform: String, expected: String) throws {
        let report = try ConfigFixture().load(ConfigFixture.text(platform: platform))
        #expect(report.problems.map(\.description) == [expected])
        #expect(throws: CredsyncError.self) { try report.requireConfig() }
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let text = """
            {"organisation": {"name": "x", "uscc": "91110000600037341N"}, "catalogs": [{"dataset": "licence", "path": "a.csv", "mapping": "nope.json"}],
             "platforms": [], "gaurdrails": {}}
            """
        let report = try ConfigFixture().load(text)
        #expect(
            report.problems.map(\.description) == [
                #"organisation.uscc: "91110000600037341N" is not a valid 统一社会信用代码: it has a wrong check character (expected L)"#,
                #"catalogs[0].dataset: "licence" is not one of license, penalty, dishonesty, pledge (did you mean "license"? use one of those)"#,
                #"catalogs[0].mapping: "nope.json": no such file"#,
                #"gaurdrails: unknown key (did you mean "guardrails"?)"#,
            ])
    }

    @Test func secretFileReadableByOthersIsRefusedLikeSSH() throws {
        let fixture = try ConfigFixture()
        _ = try fixture.write("credit.secret", "0123456789abcdef-secret\n", mode: 0o644)
        let platform =
            #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "secretFile": "credit.secret"}"#
        let report = try fixture.load(ConfigFixture.text(platform: platform))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.description.contains("is readable by group or others (mode 644)") == true)
        #expect(report.problems.first?.hint == "chmod 600 \(fixture.directory)/credit.secret")
    }

    @Test func privateSecretFileLoadsAndIsRedactedEverywhere() throws {
        let fixture = try ConfigFixture()
        _ = try fixture.write("credit.secret", "file-secret-0123456789\n", mode: 0o600)
        let platform =
            #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "secretFile": "credit.secret"}"#
        let config = try fixture.load(ConfigFixture.text(platform: platform)).requireConfig()
        #expect(config.platform(.credit)?.secret == "file-secret-0123456789")
        #expect(Redactor.shared.redact("sig key file-secret-0123456789!") == "sig key [redacted]!")
        let logger = Logger.capturing()
        logger.error("leaked file-secret-0123456789", [("secret", "file-secret-0123456789")])
        #expect(logger.capturedLines.allSatisfy { !$0.contains("file-secret-0123456789") })
    }

    @Test func aNumericSecretShapedLikeAnIDNumberIsRedactedNotHalfMasked() {
        Redactor.shared.register("110101199003070018")
        #expect(Redactor.shared.redact("sent with 110101199003070018.") == "sent with [redacted].")
    }

    @Test func tlsVerificationOffIsAWarningNotAProblem() throws {
        let platform =
            #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "secretEnv": "SECRET", "verifyTLS": false}"#
        let report = try ConfigFixture().load(ConfigFixture.text(platform: platform))
        #expect(report.problems.isEmpty)
        #expect(report.warnings.first?.description.hasPrefix("platforms[0].verifyTLS: TLS verification is OFF") == true)
    }

    @Test func missingFileAndBadJSONNameTheFile() throws {
        let fixture = try ConfigFixture()
        do {
            _ = try ConfigLoader.load(file: fixture.directory + "/missing.json", environment: [:])
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.exitCode == .configuration)
            #expect(
                error.message
                    == "\(fixture.directory)/missing.json: cannot read the configuration: No such file or directory")
        }
        do {
            _ = try fixture.load("{\n  \"organisation\": {,\n}")
            Issue.record("loaded bad JSON")
        } catch let error as CredsyncError {
            #expect(error.exitCode == .configuration)
            #expect(
                error.message.hasSuffix(
                    "credsync.json: not valid JSON: line 2, column 20: expected a string key in an object"))
        }
    }

    @Test func commentKeysAreIgnored() throws {
        let report = try ConfigFixture().load(ConfigFixture.text(extra: #", "// note": "ignored""#))
        #expect(report.problems.isEmpty)
    }

    @Test func shippedExampleAndDemoConfigurationsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let demo = try ConfigLoader.load(
            file: root + "/ops/demo.d/credsync.json",
            environment: ["CREDSYNC_DEMO_SECRET": "demo-secret-for-the-loopback-sandbox"])
        #expect(demo.problems.isEmpty, "\(demo.problems)")
        let example = try ConfigLoader.load(file: root + "/ops/credsync.example.json", environment: [:])
        // Production paths do not exist here: only missing files and secrets may be reported.
        for problem in example.problems {
            #expect(
                problem.message.contains("no such file") || problem.message.contains("No such file")
                    || problem.message.contains("not set"), "\(problem)")
        }
    }
}
