import CredsyncCore
import Foundation
import TestSupport
import Testing

/// What an operator sees on a terminal: log lines never written onto a progress bar, every
/// platform's progress on the status line with the time left, no colour under NO_COLOR, help
/// wrapped to the terminal, and a stopped run that says it was stopped.
@Suite struct TerminalEndToEndTests {
    static let hasScript = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

    /// Runs `command` under script(1): a pseudo-terminal for stdout and stderr alike.
    func onTerminal(_ command: String, environment extra: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in SyncEnvironment.environment.merging(extra, uniquingKeysWith: { $1 }) {
            environment[key] = value
        }
        environment["COLUMNS"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    @Test(.enabled(if: hasScript, "needs script(1) for a terminal"))
    func logLinesClearAndRedrawTheProgressLineAndNoColorIsHonoured() throws {
        let env = try SyncEnvironment(platforms: [.credit, .gsxt])
        try env.sandbox.admin("POST", "faults", ["platform": "gsxt", "down": true])
        // Small batches: more of them than are in flight, so retries are logged while bars are drawn.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""batchSize": 100"#, with: #""batchSize": 10"#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        let command =
            "stty cols 200; \(Binaries.directory)/credsync sync -v --dataset license --config \(env.configFile) --as-of 2026-11-20"
        let output = try onTerminal(command, environment: ["NO_COLOR": "1"])
        #expect(!output.contains("\u{1B}[3") && !output.contains("\u{1B}[2m"), "no colour under NO_COLOR")
        // Colour aside (checked above), every log line must start a line of its own.
        let shown = output.replacing(/\x1B\[[0-9;]*m/, with: "")
        #expect(shown.contains("push credit ["), "\(shown.suffix(3000))")
        #expect(shown.contains(" ETA "), "the push total is known")
        #expect(shown.contains("platform unavailable"))
        // Every log line starts a line of its own: after a newline, or after the bar was cleared.
        let levels = ["debug: ", "info: ", "warning: ", "error: "]
        var checked = 0
        for level in levels {
            var rest = shown[...]
            while let range = rest.range(of: level) {
                // By scalars: "\r\n" is one Character to Swift.
                let before = Array(shown[..<range.lowerBound].unicodeScalars.suffix(5))
                let fine =
                    before.isEmpty || before.last == "\n"
                    || String(String.UnicodeScalarView(before.suffix(5))) == "\r\u{1B}[2K"
                #expect(
                    fine,
                    "a log line written onto something: …\(shown[..<range.lowerBound].suffix(60).debugDescription)")
                checked += 1
                rest = shown[range.upperBound...]
            }
        }
        #expect(checked > 3)
    }

    @Test func helpIsWrappedToTheTerminalWidthAndHasExamples() throws {
        for (columns, command) in [("50", ["plan", "--help"]), ("60", ["help", "queue", "list"]), ("72", ["--help"])] {
            let help = try Binaries.run("credsync", command, environment: ["COLUMNS": columns])
            #expect(help.status == 0)
            #expect(help.stdout.contains("\nEXAMPLES:\n  # "), "\(command)")
            for line in help.stdout.split(separator: "\n") where !line.hasPrefix("  $ ") {
                #expect(line.count <= Int(columns) ?? 0, "\(command) at \(columns): \(line)")
            }
        }
        let map = try Binaries.run("credsync", ["map", "--help"])
        #expect(map.stdout.contains("canonical JSON"))
    }

    @Test func aStoppedRunSaysItWasInterruptedNotThatTheLockIsHeld() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try env.sandbox.admin("POST", "faults", ["latencyMs": 200])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync")
        process.arguments = ["sync", "--config", env.configFile, "--as-of", "2026-11-20", "--no-progress"]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in SyncEnvironment.environment { environment[key] = value }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: env.directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let datasets: [Dataset] = [.license, .penalty, .dishonesty, .pledge]
        #expect(try waitUntil { try datasets.contains { !(try env.sandbox.holdings(.credit, $0).isEmpty) } })
        kill(process.processIdentifier, SIGINT)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 75)
        #expect(text.contains(": interrupted by a stop signal"), "\(text)")
        #expect(!text.contains("another run holds the lock"))
    }
}
