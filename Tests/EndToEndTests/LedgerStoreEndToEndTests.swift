#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The ledger, the accepted payloads, the rejected list and the export history live in the state
/// store: no state file of the old formats is written, the rows match what the platform holds, a
/// key has one accepted payload however often it changes, and a SIGKILL mid-push loses nothing.
@Suite struct LedgerStoreEndToEndTests {
    /// Files of the old formats anywhere under the state directory.
    static func oldStateFiles(_ stateDir: String) -> [String] {
        let paths = (try? FileManager.default.subpathsOfDirectory(atPath: stateDir)) ?? []
        return paths.filter { path in
            path == "ledger" || path.hasPrefix("ledger/") || path.hasSuffix(".ledger") || path.hasSuffix(".sent.jsonl")
                || path.hasSuffix(".rejected.json") || path == "exports.json"
        }
    }

    /// The ledger rows of a dataset equal the platform's holdings: status, version and hash. With
    /// `unknownVersions`, a version may be 0: a record whose acceptance a kill lost, sent again and
    /// answered `unchanged`, which carries no version (exchange-api.md).
    static func expectLedgerMatches(
        _ env: SyncEnvironment, _ dataset: Dataset, _ context: String, unknownVersions: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let rows = try env.ledgerRows(.credit, dataset)
        let holdings = try env.sandbox.holdings(.credit, dataset)
        #expect(!rows.isEmpty, "\(context)", sourceLocation: sourceLocation)
        #expect(rows.mapValues(\.status) == holdings.mapValues(\.status), "\(context)", sourceLocation: sourceLocation)
        let wrong = rows.filter { key, row in
            row.version != holdings[key]?.version && !(unknownVersions && row.version == 0)
        }
        #expect(wrong.isEmpty, "\(context): versions \(wrong.mapValues(\.version))", sourceLocation: sourceLocation)
        #expect(rows.mapValues(\.hash) == holdings.mapValues(\.hash), "\(context)", sourceLocation: sourceLocation)
    }

    @Test func syncKeepsOneRowAKeyInTheStoreAndNoStateFiles() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let first = try env.credsync(["sync", "--dataset", "pledge", "--dataset", "license"])
        #expect(first.status <= 1, "\(first.stderr)")
        #expect(Self.oldStateFiles(env.stateDir).isEmpty, "\(Self.oldStateFiles(env.stateDir))")
        try Self.expectLedgerMatches(env, .pledge, "first sync")
        try Self.expectLedgerMatches(env, .license, "first sync")
        let pledges = "platform = 'credit' AND dataset = 'pledge'"
        let published = try env.storeRows("SELECT count(*) FROM ledger WHERE \(pledges) AND status = 'published'")
        #expect(try env.storeRows("SELECT count(*) FROM accepted_payload WHERE \(pledges)") == published)
        #expect(try env.storeRows("SELECT count(*) FROM export_history") == [["2"]])

        // Every pledge's 登记机关 changes: each key is updated, and keeps one accepted payload, the new one.
        let path = env.directory.path + "/pledges.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: ",浙江省知识产权局,", with: ",浙江省知识产权局（登记处）,")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let update = try env.credsync(["sync", "--dataset", "pledge"])
        #expect(update.status <= 1, "\(update.stderr)")
        let totals = try env.totals()
        #expect((totals["updated"] ?? 0) > 100, "\(totals)")
        try Self.expectLedgerMatches(env, .pledge, "update")
        #expect(try env.ledgerRows(.credit, .pledge).values.contains { $0.version == 2 })
        #expect(try env.storeRows("SELECT count(*) FROM accepted_payload WHERE \(pledges)") == published)
        let payloads = try env.storeRows(
            "SELECT count(*) FROM accepted_payload WHERE \(pledges) AND payload LIKE '%登记处%'")
        #expect(payloads == published)
        #expect(try env.storeRows("SELECT count(*) FROM export_history") == [["3"]])
        #expect(Self.oldStateFiles(env.stateDir).isEmpty, "\(Self.oldStateFiles(env.stateDir))")
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func sigkillMidPushThenASyncLeavesEveryRecordOnceAndTheLedgerEqualToThePlatform() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // Small batches one at a time, each answered after 150 ms: a push of seconds, killed between commits.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""batchSize": 100"#, with: #""batchSize": 25, "concurrency": 1"#)
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        try env.sandbox.admin("POST", "faults", ["latencyMs": 150])
        for (round, dataset) in [Dataset.license, .penalty, .dishonesty].enumerated() {
            let process = try env.start(["sync", "--dataset", dataset.rawValue])
            let pair = "platform = 'credit' AND dataset = '\(dataset.rawValue)'"
            // Killed once the first answers are committed, at a random point of the next batches.
            _ = waitUntil(timeout: 60) {
                let count = (try? env.storeRows("SELECT count(*) FROM ledger WHERE \(pair)").first?.first) ?? nil
                return !process.isRunning || Int(count ?? "") ?? 0 > 0
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.4))
            let killedMidPush = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(killedMidPush, "round \(round): the push ended before it could be killed")

            let again = try env.credsync(["sync", "--dataset", dataset.rawValue])
            #expect(again.status <= 1, "round \(round): \(again.stderr)")
            let holdings = try env.sandbox.holdings(.credit, dataset)
            #expect(holdings.count > 100, "round \(round)")
            #expect(holdings.values.allSatisfy { $0.version == 1 }, "round \(round): a record was sent twice")
            try Self.expectLedgerMatches(env, dataset, "round \(round)", unknownVersions: true)
            let published = try env.storeRows("SELECT count(*) FROM ledger WHERE \(pair) AND status = 'published'")
            #expect(try env.storeRows("SELECT count(*) FROM accepted_payload WHERE \(pair)") == published)
            let plan = try env.credsync(["plan", "--dataset", dataset.rawValue, "--detailed-exitcode"])
            #expect(plan.status == 0, "round \(round): \(plan.stdout)\(plan.stderr)")
        }
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(Self.oldStateFiles(env.stateDir).isEmpty)
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskAtACommitExits74WithTheStoreIntactAndTheAuditLineWritten() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        // The audit log elsewhere, so that it still has room; small batches one at a time, slowed.
        let config = try String(contentsOfFile: env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: #""batchSize": 100"#, with: #""batchSize": 25, "concurrency": 1"#)
            .replacingOccurrences(
                of: #""stateDir": "state","#, with: #""stateDir": "state", "auditFile": "audit/audit.jsonl","#
            )
            .write(toFile: env.configFile, atomically: true, encoding: .utf8)
        try env.sandbox.admin("POST", "faults", ["latencyMs": 150])
        try FileManager.default.createDirectory(atPath: env.stateDir, withIntermediateDirectories: true)
        let mount = try Binaries.runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", env.stateDir])
        #expect(mount.status == 0, "\(mount.stderr)")
        guard mount.status == 0 else { return }
        defer { _ = try? Binaries.runTool("/usr/bin/umount", [env.stateDir]) }

        let errors = env.directory.path + "/sync.stderr"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.directory + "/credsync")
        process.arguments = ["sync", "--dataset", "license", "--config", env.configFile, "--as-of", "2026-11-20", "-q"]
        process.environment = ProcessInfo.processInfo.environment.merging(SyncEnvironment.environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: env.directory.path)
        FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Once the first answers are committed, the state directory's file system fills up.
        _ = waitUntil(timeout: 60) {
            let count = (try? env.storeRows("SELECT count(*) FROM ledger").first?.first) ?? nil
            return !process.isRunning || Int(count ?? "") ?? 0 > 0
        }
        #expect(process.isRunning, "the push ended before the disk filled")
        let filler = env.stateDir + "/filler"
        _ = try Binaries.runTool("/bin/dd", ["if=/dev/zero", "of=" + filler, "bs=64k"])
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(process.terminationStatus == 74, "\(stderr)")
        #expect(stderr.contains("could not be recorded") && stderr.contains("full"), "\(stderr)")
        try FileManager.default.removeItem(atPath: filler)

        // The store is intact and holds whole batches only: every row the platform's, with its payload.
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let rows = try env.ledgerRows(.credit, .license)
        let holdings = try env.sandbox.holdings(.credit, .license)
        #expect(!rows.isEmpty && rows.count % 25 == 0 && rows.count < holdings.count, "\(rows.count) rows")
        #expect(rows.allSatisfy { holdings[$0.key]?.hash == $0.value.hash })
        #expect(try env.storeRows("SELECT count(*) FROM accepted_payload") == [[String(rows.count)]])
        // The audit log holds the answer that could not be recorded.
        let audit = try String(contentsOfFile: env.directory.path + "/audit/audit.jsonl", encoding: .utf8)
        let batches = audit.split(separator: "\n").filter { $0.contains(#""event":"batch""#) }.count
        #expect(batches > rows.count / 25, "\(batches) batch lines, \(rows.count) rows")

        // With room again, the next run completes: every record once, the ledger the platform's.
        let again = try env.credsync(["sync", "--dataset", "license"])
        #expect(again.status <= 1, "\(again.stderr)")
        let after = try env.sandbox.holdings(.credit, .license)
        #expect(after.values.allSatisfy { $0.version == 1 }, "a record was sent twice")
        try Self.expectLedgerMatches(env, .license, "after the full disk", unknownVersions: true)
    }
}
