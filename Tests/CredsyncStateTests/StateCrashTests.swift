#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncState

/// The store under SIGKILL: a transaction is there whole or not at all.
@Suite struct StateCrashTests {
    /// Runs the store's crash loop on `stateDir`, kills it after `delay`, and returns the last
    /// batch it reported committed (-1 for none).
    func killedLoop(stateDir: String, delay: Double) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync-bench")
        process.arguments = ["state", "--state-dir", stateDir, "--crash-log", "yes"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n")
        return lines.last.flatMap { Int($0.dropFirst(2)) } ?? -1
    }

    @Test func everyBatchSurvivesSIGKILLWholeOrNotAtAll() throws {
        let directory = try TemporaryDirectory("state-crash")
        for round in 0..<40 {
            // Half the rounds start again on the store the last round left, half on a new one.
            let stateDir = directory.path + "/state\(round / 2)"
            let before =
                FileSystem.exists(StateStore.path(stateDir: stateDir))
                ? try StateStore(stateDir: stateDir).ledgerCount(platform: .credit, dataset: .license) : 0
            let reported = try killedLoop(stateDir: stateDir, delay: Double.random(in: 0.01...0.25))
            guard FileSystem.exists(StateStore.path(stateDir: stateDir)) else {
                #expect(reported == -1, "round \(round): batch \(reported) reported without a store")
                continue
            }
            let report = try StateCheck.run(file: StateStore.path(stateDir: stateDir))
            #expect(report.damage.isEmpty && report.inconsistencies.isEmpty, "round \(round): \(report.damage)")
            let store = try StateStore(stateDir: stateDir)
            let rows = try store.ledgerCount(platform: .credit, dataset: .license)
            let payloads = try store.database.integer("SELECT count(*) FROM accepted_payload") ?? -1
            let queued = try store.database.integer("SELECT count(*) FROM queue") ?? -1
            #expect(rows % 10 == 0 && rows == payloads, "round \(round): \(rows) ledger rows, \(payloads) payloads")
            #expect(queued == (rows > 0 ? 1 : 0), "round \(round): \(queued) queue entries for \(rows) rows")
            // Everything reported committed is there; at most the batch being reported is beyond it.
            #expect(
                rows >= max(before, (reported + 1) * 10), "round \(round): batch \(reported) reported, \(rows) rows")
            let limit = reported < 0 ? before + 10 : (reported + 2) * 10
            #expect(rows <= limit, "round \(round): batch \(reported) reported, \(rows) rows")
        }
    }
}
