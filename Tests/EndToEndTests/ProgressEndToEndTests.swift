import CredsyncCore
import Foundation
import TestSupport
import Testing

/// Progress bars appear on a terminal only, and never with --no-progress.
@Suite struct ProgressEndToEndTests {
    func runOnTerminal(_ env: SyncEnvironment, _ extra: String) throws -> String {
        let command = "\(Binaries.directory)/credsync sync --config \(env.configFile) --as-of 2026-11-20 \(extra)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in SyncEnvironment.environment { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func progressShowsOnATerminalOnlyWhenAllowed() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let shown = try runOnTerminal(env, "--dataset license")
        #expect(shown.contains("push credit ["))
        #expect(shown.contains("/s"))
        let env2 = try SyncEnvironment(platforms: [.credit])
        let hidden = try runOnTerminal(env2, "--dataset license --no-progress")
        #expect(!hidden.contains("push credit ["))
        // Not a terminal: no progress either.
        let piped = try env2.credsync(["sync", "--dataset", "pledge"])
        #expect(!piped.stderr.contains("push credit [") && !piped.stdout.contains("push credit ["))
    }
}
