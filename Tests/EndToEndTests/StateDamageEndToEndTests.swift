import CredsyncCore
import Foundation
import TestSupport
import Testing

/// A damaged state file is an error (exit 74) that names the file and the way back, never a
/// silent default; a missing one is what a first run starts from.
@Suite struct StateDamageEndToEndTests {
    static func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func replaceWithDirectory(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Damages one file, checks that `arguments` exits 74 naming it and saying what to do, and
    /// puts the good file back.
    static func expectRefused(
        _ env: SyncEnvironment, _ path: String, by damage: () throws -> Void, running arguments: [String],
        hint: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let saved = env.directory.path + "/saved-" + UUID().uuidString
        if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.moveItem(atPath: path, toPath: saved)
        }
        try damage()
        let result = try env.credsync(arguments)
        #expect(result.status == 74, "\(path): \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            result.stderr.contains("hint: ") && result.stderr.contains(hint), "\(result.stderr)",
            sourceLocation: sourceLocation)
        try FileManager.default.removeItem(atPath: path)
        if FileManager.default.fileExists(atPath: saved) {
            try FileManager.default.moveItem(atPath: saved, toPath: path)
        }
    }

    @Test func damagedStateFilesAreErrorsWithTheFileAndTheWayBack() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let state = env.stateDir
        let first = try env.credsync(["sync", "--dataset", "license"])
        #expect(first.status <= 1, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: state + "/exports.json"))
        let plan = ["plan", "--dataset", "license", "--detailed-exitcode"]
        #expect(try env.credsync(plan).status == 0)

        // The shrink guardrail's history: garbled, or of the wrong shape.
        let exports = state + "/exports.json"
        try Self.expectRefused(
            env, exports, by: { try Self.write("{\"license\": {\"records\": 3", exports) }, running: plan,
            hint: "move it aside")
        try Self.expectRefused(
            env, exports, by: { try Self.write("{\"license\": {\"records\": \"many\"}}\n", exports) },
            running: plan, hint: "move it aside")
        try Self.expectRefused(
            env, exports, by: { try Self.replaceWithDirectory(exports) }, running: plan, hint: "move it aside")

        // The rejected list: a garbled one would send rejected records again.
        let rejected = state + "/ledger/credit/license.rejected.json"
        try Self.expectRefused(
            env, rejected, by: { try Self.write("{\"ZX20\": ", rejected) },
            running: ["sync", "--dataset", "license"], hint: "sent again")

        // The payloads last sent: a torn last line is what a crash leaves and is fine; a garbled
        // line before it is not.
        let sent = state + "/ledger/credit/license.sent.jsonl"
        let sentText = try String(contentsOfFile: sent, encoding: .utf8)
        try Self.expectRefused(
            env, sent, by: { try Self.write("{\"key\": 12}\n" + sentText, sent) },
            running: ["plan", "--dataset", "license", "--detail", "--json"], hint: "move it aside")
        try Self.write(sentText + "{\"key\":\"ZX", sent)
        #expect(
            try env.credsync(["plan", "--dataset", "license", "--detail", "--json", "--detailed-exitcode"]).status == 0)
        try Self.write(sentText, sent)

        // The enterprise store is in the state store: see PullStoreEndToEndTests.
        #expect(try env.credsync(plan).status == 0)
    }

    @Test func sentPayloadsThatCannotBeAppendedAreAnErrorAndTheLedgerIsKept() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let sent = env.stateDir + "/ledger/credit/license.sent.jsonl"
        try Self.replaceWithDirectory(sent)
        let sync = try env.credsync(["sync", "--dataset", "license"])
        #expect(sync.status == 74, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stderr.contains(sent), "\(sync.stderr)")
        try FileManager.default.removeItem(atPath: sent)
        // The platform's answers were recorded: nothing is sent twice.
        #expect(try env.credsync(["plan", "--dataset", "license", "--detailed-exitcode"]).status == 0)
    }

    @Test func stateDirectoryThatIsAFileOrNotUTF8AndReportsOutsideTheirDirectoryAreRefused() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        try Self.write("not a directory\n", env.stateDir)
        for arguments in [["queue", "list"], ["plan"], ["report"]] {
            let result = try env.credsync(arguments)
            #expect(result.status == 74, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("\(env.stateDir): the state directory is not a directory"), "\(result.stderr)")
        }
        try FileManager.default.removeItem(atPath: env.stateDir)

        // A state directory whose name is not UTF-8 would be rewritten to U+FFFD: refused.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", #"exec "$0" queue list --config "$1" --state-dir "$(printf 'state-\377')""#,
            Binaries.directory + "/credsync", env.configFile,
        ]
        shell.currentDirectoryURL = URL(fileURLWithPath: env.directory.path)
        let err = Pipe()
        shell.standardError = err
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 64, "\(message)")
        #expect(message.contains(#"not valid UTF-8: "state-\xFF""#), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: env.directory.path + "/state-\u{FFFD}"))

        // Only a report inside the report directory is shown.
        _ = try env.credsync(["plan", "--dataset", "license"])
        try Self.write("{\"runId\": \"outside\"}\n", env.directory.path + "/outside.json")
        try FileManager.default.createDirectory(atPath: env.stateDir + "/reports", withIntermediateDirectories: true)
        for id in ["../../outside", "../outside", "/etc/passwd", ".."] {
            let report = try env.credsync(["report", id])
            #expect(report.status == 64, "\(id): \(report.stdout)\(report.stderr)")
            #expect(!report.stdout.contains("outside"), "\(id): \(report.stdout)")
        }
        // A garbled report is damage, not a report of nothing.
        try Self.write("{\"runId\": \"garbled\", \"outcomes\": [", env.stateDir + "/reports/garbled.json")
        let garbled = try env.credsync(["report", "garbled"])
        #expect(garbled.status == 74, "\(garbled.stdout)\(garbled.stderr)")
        #expect(garbled.stderr.contains(env.stateDir + "/reports/garbled.json"), "\(garbled.stderr)")
    }
}
