import Foundation
import Testing
import TestSupport
@testable import CredsyncCLI

@Suite struct CommandLineEndToEndTests {
    @Test func unknownCommandExits64WithAHint() throws {
        let result = try Binaries.run("credsync", ["frobnicate"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: unknown command 'frobnicate'\nhint: use 'credsync --help' to list commands\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func missingConfigurationExits78NamingTheFile() throws {
        let result = try Binaries.run("credsync", ["check", "--config", "missing.json"])
        #expect(result.status == 78)
        #expect(
            result.stderr.hasPrefix("error: missing.json: cannot read the configuration: No such file or directory\n"))
    }

    @Test func helpListsEveryExitCode() throws {
        let result = try Binaries.run("credsync", ["--help"])
        #expect(result.status == 0)
        for code in ["0", "1", "64", "65", "69", "70", "74", "75", "78"] {
            #expect(result.stdout.contains("\n  \(code) "), "exit code \(code) missing from --help")
        }
    }

    @Test func demoConfigurationIsValidAndItsBadRowsAreSetAside() throws {
        let state = try TemporaryDirectory("state")
        let result = try Binaries.run(
            "credsync",
            [
                "check", "--config", "ops/demo.d/credsync.json", "--json", "--state-dir", state.path, "--as-of",
                "2026-11-20",
            ],
            environment: ["CREDSYNC_DEMO_SECRET": "demo-secret-for-the-loopback-sandbox"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains(#""ok":true"#))
    }

    @Test func brokenConfigurationExits78ListingEveryProblem() throws {
        let directory = NSTemporaryDirectory() + "credsync-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text =
            #"{"organisation": {"name": "x", "uscc": "11330000MB12345679"}, "catalogs": [], "platforms": [{"id": "credit", "baseURL": "htp://x", "appId": "a", "secretEnv": "S"}], "stateDri": "s"}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/credsync.json"))
        let result = try Binaries.run(
            "credsync", ["check"],
            environment: ["CREDSYNC_CONFIG": directory + "/credsync.json", "S": "0123456789abcdef0123"])
        #expect(result.status == 78)
        #expect(result.stderr.contains(#"platforms[0].baseURL: "htp://x" is not an http or https URL"#))
        #expect(result.stderr.contains(#"stateDri: unknown key (did you mean "stateDir"?)"#))
    }

    @Test func everyCommandOfTheTableIsImplemented() {
        #expect(CommandTable.allPaths.allSatisfy { CredsyncCommand.isImplemented($0) })
    }
}
