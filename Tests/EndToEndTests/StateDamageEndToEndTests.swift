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
        #expect(try env.storeRows("SELECT count(*) FROM export_history WHERE dataset = 'license'") == [["1"]])
        let plan = ["plan", "--dataset", "license", "--detailed-exitcode"]
        #expect(try env.credsync(plan).status == 0)

        // The payload last accepted, edited into something that is not JSON: plan --detail names the
        // store and the way back instead of showing a diff from nothing.
        guard let key = try env.storeRows("SELECT key FROM accepted_payload LIMIT 1").first?.first else {
            Issue.record("no accepted payload after a sync")
            return
        }
        let saved = try env.storeRows("SELECT hash FROM ledger WHERE platform = 'credit' AND key = '\(key)'")
        try env.storeExecute(
            "UPDATE ledger SET hash = 'changed' WHERE platform = 'credit' AND key = '\(key)'; "
                + "UPDATE accepted_payload SET payload = '{\"XK_' WHERE platform = 'credit' AND key = '\(key)'")
        let detail = try env.credsync(["plan", "--dataset", "license", "--detail", "--json"])
        #expect(detail.status == 74, "\(detail.stdout)\(detail.stderr)")
        #expect(detail.stderr.contains(env.storeFile) && detail.stderr.contains("accepted_payload"), "\(detail.stderr)")
        #expect(detail.stderr.contains("hint: ") && detail.stderr.contains("state check"), "\(detail.stderr)")
        try env.storeExecute(
            "UPDATE ledger SET hash = '\(saved.first?.first ?? "")' WHERE platform = 'credit' AND key = '\(key)'")

        // The enterprise store is in the state store: see PullStoreEndToEndTests.
        #expect(try env.credsync(plan).status == 0)
    }

    @Test func anAnswerThatCannotBeRecordedEndsTheRunRolledBackWholeAndTheNextRunSendsNothingTwice() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        #expect(try env.credsync(["plan", "--dataset", "license"]).status <= 1)
        // Every accepted payload refused by the store: no batch's answer can be committed.
        try env.storeExecute(
            "CREATE TRIGGER refuse BEFORE INSERT ON accepted_payload BEGIN SELECT RAISE(ABORT, 'refused'); END")
        let sync = try env.credsync(["sync", "--dataset", "license"])
        #expect(sync.status != 0 && sync.status != 1, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stderr.contains("could not be recorded") && sync.stderr.contains("refused"), "\(sync.stderr)")
        // Rolled back whole: no ledger row without its payload, no half batch.
        #expect(try env.storeRows("SELECT count(*) FROM ledger") == [["0"]])
        // The audit log holds what was sent, and the run stopped after the batches in flight.
        let audit = try String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8)
        let batches = audit.split(separator: "\n").filter { $0.contains(#""event":"batch""#) }
        #expect(!batches.isEmpty && batches.count <= 4, "\(batches.count) batch lines")
        try env.storeExecute("DROP TRIGGER refuse")
        let again = try env.credsync(["sync", "--dataset", "license"])
        #expect(again.status <= 1, "\(again.stderr)")
        let holdings = try env.sandbox.holdings(.credit, .license)
        #expect(holdings.values.allSatisfy { $0.version == 1 }, "a record was sent twice")
        #expect(try env.ledgerRows(.credit, .license).mapValues(\.hash) == holdings.mapValues(\.hash))
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
