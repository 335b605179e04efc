#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import TestSupport
import Testing

/// ipp reached through its 前置机 (exchange-api.md 1.1, "The file channel"): the real `credsync`
/// syncing through Debian's OpenSSH server on loopback into the directory the real sandbox polls.
@Suite struct FileChannelSyncEndToEndTests {
    /// sshd, a sandbox answering ipp's files, and a configuration with ipp on the channel.
    final class Fixture: @unchecked Sendable {
        let ssh: SSHServer
        let root: TemporaryDirectory
        let env: SyncEnvironment
        var ippRoot: String { root.path + "/ipp" }
        static let datasets: [Dataset] = [.dishonesty, .pledge]

        init(
            fault: String = "none", unansweredAfter: String = "24h", knownHosts: String? = nil, key: String? = nil,
            gsxtOnReceipts: Bool = false, gsxtOnChannel: Bool = false
        ) throws {
            ssh = try SSHServer()
            root = try TemporaryDirectory("fep")
            let sandbox = try SandboxProcess(
                [
                    "--file-channel", root.path, "--file-channel-poll-ms", "20", "--file-channel-fault", fault,
                ] + (gsxtOnReceipts ? ["--receipts", "gsxt", "--receipt-delay", "1"] : []))
            env = try SyncEnvironment(
                sandbox: sandbox, platforms: gsxtOnReceipts ? [.credit, .gsxt, .ipp] : [.credit, .ipp],
                platformSettings: gsxtOnReceipts ? [.gsxt: #""publication": "receipts""#] : [:])
            var text = try String(contentsOfFile: env.configFile, encoding: .utf8)
            for platform in gsxtOnChannel ? [PlatformID.ipp, .gsxt] : [.ipp] {
                let channel = ssh.channel(
                    root: root.path + "/" + platform.rawValue, privateKey: key, knownHosts: knownHosts)
                let item =
                    #""channel": {"type": "sftp", "url": "\#(channel.url)", "user": "\#(channel.user)", "#
                    + #""privateKey": "\#(channel.privateKey)", "knownHosts": "\#(channel.knownHosts)", "#
                    + #""unansweredAfter": "\#(unansweredAfter)"}"#
                let address = #""baseURL": "\#(sandbox.baseURL(platform))""#
                // gsxt keeps its API address for the enterprise feeds.
                let replaced = text.replacingOccurrences(
                    of: address, with: platform == .gsxt ? address + ", " + item : item)
                #expect(replaced != text)
                text = replaced
            }
            try text.write(toFile: env.configFile, atomically: true, encoding: .utf8)
        }

        func files(_ box: String, _ dataset: Dataset, _ platform: PlatformID = .ipp) -> [String] {
            let directory = root.path + "/\(platform.rawValue)/\(box)/\(dataset.rawValue)"
            return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        }

        /// Waits until the platform took every batch of the inbox (it answers, then deletes them).
        func platformTookEverything() -> Bool {
            waitUntil(timeout: 60) { Self.datasets.allSatisfy { self.files("inbox", $0).isEmpty } }
        }

        func outcomes(_ report: JSONValue, _ platform: PlatformID) -> [JSONValue] {
            (report["outcomes"]?.arrayValue ?? []).filter { $0["platform"]?.stringValue == platform.rawValue }
        }

        func sum(_ report: JSONValue, _ platform: PlatformID, _ field: String) -> Int {
            outcomes(report, platform).reduce(0) { $0 + ($1[field]?.intValue ?? 0) }
        }

        /// ipp holds exactly what the ledger says, each record once (version 1).
        func expectPlatformMatchesLedger() throws {
            for dataset in Self.datasets {
                let holdings = try env.sandbox.holdings(.ipp, dataset)
                let ledger = try env.ledgerRows(.ipp, dataset)
                #expect(!ledger.isEmpty, "\(dataset)")
                #expect(Set(holdings.keys) == Set(ledger.keys), "\(dataset)")
                for (key, row) in ledger {
                    #expect(holdings[key]?.hash == row.hash && holdings[key]?.version == 1, "\(dataset) \(key)")
                }
            }
        }
    }

    /// gsxt on receipts (its API) and ipp through its 前置机: the second run applies ipp's answers
    /// and gsxt's receipts, and every platform then holds exactly the desired state.
    @Test func aSyncThroughThe前置机IsAnsweredAndAppliedByTheNextRunOnce() throws {
        let fixture = try Fixture(gsxtOnReceipts: true)
        let env = fixture.env
        let first = try env.credsync(["sync"])
        #expect(first.status <= 1, "\(first.stdout)\(first.stderr)")
        let sent = try env.latestReport()
        let awaiting = fixture.sum(sent, .ipp, "awaitingAnswer")
        #expect(awaiting > 0 && fixture.sum(sent, .ipp, "created") == 0, "\(first.stdout)")
        #expect(fixture.sum(sent, .credit, "created") > 0)
        #expect(first.stdout.contains("sent to the 前置机, answer awaited"), "\(first.stdout)")
        #expect(try env.ledgerRows(.ipp, .pledge).isEmpty)
        let stats = try env.credsync(["queue", "stats"])
        #expect(stats.stdout.contains("awaiting the ipp 前置机's answer: \(awaiting) records in"), "\(stats.stdout)")
        let batches = try env.storeRows("SELECT batch_id FROM channel_batch WHERE state = 'sent'").count
        #expect(batches > 0)
        // The batches' records wait in the store with their payloads as kept: no person's number in clear.
        let numbers = Set(try SealingEndToEndTests.sentNumbers(env).values.flatMap { $0 })
        #expect(!numbers.isEmpty)
        #expect(try SealingEndToEndTests.clearNumbers(under: env.stateDir, numbers).isEmpty)
        #expect(try env.storeRows("SELECT count(*) FROM channel_record WHERE payload LIKE '%*%'") != [["0"]])

        #expect(fixture.platformTookEverything())
        Thread.sleep(forTimeInterval: 1.5)  // the sandbox's receipt delay
        let second = try env.credsync(["sync"])
        #expect(second.status <= 1, "\(second.stdout)\(second.stderr)")
        let collected = try env.latestReport()
        #expect(collected["channelAnswers"]?.intValue == batches, "\(second.stdout)")
        #expect(fixture.sum(collected, .ipp, "created") == awaiting)
        #expect(fixture.sum(collected, .ipp, "awaitingAnswer") == 0)
        try fixture.expectPlatformMatchesLedger()
        for dataset in Fixture.datasets { #expect(fixture.files("outbox", dataset).isEmpty) }
        // gsxt's receipts (after the sandbox's 1 s delay) are all read: nothing is pending any more.
        let receipts = (collected["receipts"]?["counts"]?.arrayValue ?? []).filter {
            $0["platform"]?.stringValue == "gsxt"
        }
        #expect(!receipts.isEmpty && receipts.allSatisfy { $0["pending"]?.intValue == 0 }, "\(receipts)")
        for dataset in [Dataset.license, .penalty, .pledge] {
            let published = Set(try env.sandbox.holdings(.gsxt, dataset).filter { $0.value.status == "published" }.keys)
            #expect(published == Set(try env.ledgerRows(.gsxt, dataset).keys), "\(dataset)")
        }
        for dataset in [Dataset.license, .penalty, .dishonesty, .pledge] {
            #expect(
                Set(try env.sandbox.holdings(.credit, dataset).keys) == Set(try env.ledgerRows(.credit, dataset).keys))
        }
        #expect(try env.storeRows("SELECT count(*) FROM channel_record") == [["0"]])

        let third = try env.credsync(["sync"])
        #expect(third.status <= 1, "\(third.stderr)")
        let quiet = try env.latestReport()
        #expect(quiet["channelAnswers"]?.intValue == 0)
        #expect(fixture.sum(quiet, .ipp, "created") + fixture.sum(quiet, .ipp, "awaitingAnswer") == 0)
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let reconcile = try env.credsync(["reconcile", "--platform", "ipp"])
        #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
        #expect(reconcile.stdout.contains("no drift"), "\(reconcile.stdout)")
        // An answer or receipts file that is not one is named and left in place; the platform is not
        // blocked by it: the next run still reaches it.
        let outbox = fixture.ippRoot + "/outbox/pledge"
        try Data("<html>proxy error</html>".utf8).write(to: URL(fileURLWithPath: outbox + "/BOGUS.answer.json"))
        try Data("not json\n".utf8).write(to: URL(fileURLWithPath: outbox + "/receipts-000000000009.jsonl"))
        let bogus = try env.credsync(["collect"])
        #expect(bogus.status == 1, "\(bogus.stdout)\(bogus.stderr)")
        #expect(bogus.stdout.contains("BOGUS.answer.json") && bogus.stdout.contains("receipts-000000000009.jsonl"))
        #expect(fixture.files("outbox", .pledge) == ["BOGUS.answer.json", "receipts-000000000009.jsonl"])
        let notBlocked = try env.credsync(["sync"])
        #expect(notBlocked.status == 1, "\(notBlocked.stdout)\(notBlocked.stderr)")
        let online = try env.credsync(["check", "--online"])
        #expect(online.stdout.contains("ipp: 前置机 sftp://127.0.0.1:"), "\(online.stdout)\(online.stderr)")
    }

    /// A run killed during an upload (the `.part` partial, never renamed) or between the upload and
    /// the rename (the `.part` whole) is settled by the next; an answer held back for two runs is
    /// applied once, and the platform's second delivery of it is deleted unapplied.
    @Test func interruptedUploadsAndAnAnswerTwoRunsLateAreAppliedExactlyOnce() throws {
        let fixture = try Fixture(fault: "twice", unansweredAfter: "1s")
        let env = fixture.env
        try env.sandbox.admin("POST", "file-channel", ["platform": "ipp", "hold": true])
        let first = try env.credsync(["sync"])
        #expect(first.status <= 1, "\(first.stdout)\(first.stderr)")
        let sent = try env.storeRows("SELECT batch_id, dataset FROM channel_batch ORDER BY created_at, batch_id")
        #expect(sent.count >= 3)
        let (renamed, torn, tampered) = (sent[0], sent[1], sent[2])
        func inbox(_ row: [String]) -> String { fixture.ippRoot + "/inbox/\(row[1])/\(row[0]).json" }
        // As a kill before the rename leaves it: the whole `.part`, the batch `uploaded`.
        try FileManager.default.moveItem(atPath: inbox(renamed), toPath: inbox(renamed) + ".part")
        try env.storeExecute("UPDATE channel_batch SET state = 'uploaded' WHERE batch_id = '\(renamed[0])'")
        // As a kill during the upload leaves it: part of the `.part`, the batch `uploading`.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: inbox(torn)))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: inbox(torn) + ".part"))
        try FileManager.default.removeItem(atPath: inbox(torn))
        try env.storeExecute("UPDATE channel_batch SET state = 'uploading' WHERE batch_id = '\(torn[0])'")
        // A whole `.part` someone changed on the shared 前置机: never signed nor renamed by credsync.
        try FileManager.default.removeItem(atPath: inbox(tampered))
        try Data(#"{"batchId": "\#(tampered[0])", "records": []}"#.utf8).write(
            to: URL(fileURLWithPath: inbox(tampered) + ".part"))
        try env.storeExecute("UPDATE channel_batch SET state = 'uploaded' WHERE batch_id = '\(tampered[0])'")
        Thread.sleep(forTimeInterval: 1.2)

        let second = try env.credsync(["sync"])
        #expect(second.status <= 1, "\(second.stdout)\(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: inbox(renamed)))
        #expect(!FileManager.default.fileExists(atPath: inbox(renamed) + ".part"))
        #expect(!FileManager.default.fileExists(atPath: inbox(torn) + ".part"))
        #expect(try env.storeRows("SELECT state FROM channel_batch WHERE batch_id = '\(torn[0])'").isEmpty)
        #expect(try env.storeRows("SELECT state FROM channel_batch WHERE batch_id = '\(tampered[0])'").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: inbox(tampered) + ".part"))
        #expect(!FileManager.default.fileExists(atPath: inbox(tampered)))
        let held = try env.latestReport()
        #expect(held["channelAnswers"]?.intValue == 0)
        // The forgotten batches' records went again under new ids; the others wait for their answers.
        let waiting = try env.storeRows("SELECT count(DISTINCT key) FROM channel_record")
        let before = Set(sent.map { $0[0] })
        let now = Set(try env.storeRows("SELECT batch_id FROM channel_batch").map { $0[0] })
        #expect(!now.subtracting(before).isEmpty && waiting != [["0"]])
        #expect(fixture.sum(held, .ipp, "awaitingAnswer") > 0 && fixture.sum(held, .ipp, "behindUnanswered") > 0)
        let warnings = (held["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(
            warnings.contains { $0.contains("inbox/") && $0.contains("unanswered, still in the inbox") },
            "\(warnings)")
        #expect(try env.ledgerRows(.ipp, .pledge).isEmpty)

        try env.sandbox.admin("POST", "file-channel", ["platform": "ipp", "hold": false])
        #expect(fixture.platformTookEverything())
        let third = try env.credsync(["collect", "--json"])
        #expect(third.status <= 1, "\(third.stdout)\(third.stderr)")
        let applied = try JSONParser.parse(third.stdout)
        #expect(applied["answers"]?.intValue == now.count, "\(third.stdout)")
        try fixture.expectPlatformMatchesLedger()

        // The platform writes each answer again: deleted, never applied twice.
        #expect(waitUntil(timeout: 30) { Fixture.datasets.contains { !fixture.files("outbox", $0).isEmpty } })
        Thread.sleep(forTimeInterval: 0.3)
        let fourth = try env.credsync(["sync"])
        #expect(fourth.status <= 1, "\(fourth.stdout)\(fourth.stderr)")
        let again = try env.latestReport()
        #expect(again["channelAnswers"]?.intValue == 0)
        #expect(fixture.sum(again, .ipp, "created") + fixture.sum(again, .ipp, "updated") == 0)
        try fixture.expectPlatformMatchesLedger()
        let audit = try env.credsync(["audit", "verify"])
        #expect(
            audit.status == 0,
            "\(audit.stdout)\(audit.stderr)\((try? String(contentsOfFile: env.stateDir + "/audit/audit.jsonl", encoding: .utf8)) ?? "")"
        )
        #expect(try env.credsync(["state", "check"]).status == 0)
    }

    /// gsxt on receipts and on its 前置机 (its feeds on the API): the receipts come as files, a torn
    /// `.part` the platform leaves beside them is ignored, and every pending version is resolved.
    @Test func receiptsFilesOfAnAsynchronousPlatformOnThe前置机AreRecordedOnce() throws {
        let fixture = try Fixture(fault: "torn-part", gsxtOnReceipts: true, gsxtOnChannel: true)
        let env = fixture.env
        let first = try env.credsync(["sync"])
        #expect(first.status <= 1, "\(first.stdout)\(first.stderr)")
        #expect(fixture.sum(try env.latestReport(), .gsxt, "awaitingAnswer") > 0)
        let gsxtDatasets: [Dataset] = [.license, .penalty, .pledge]
        #expect(waitUntil(timeout: 60) { gsxtDatasets.allSatisfy { fixture.files("inbox", $0, .gsxt).isEmpty } })
        let second = try env.credsync(["sync"])
        #expect(second.status <= 1, "\(second.stdout)\(second.stderr)")
        let accepted = try env.latestReport()
        #expect(fixture.sum(accepted, .gsxt, "created") > 0)
        // The receipts follow the sandbox's 1 s delay, as files in the outbox: wait until its
        // manifests show no version pending (every receipt is then written).
        #expect(
            waitUntil(timeout: 30) {
                gsxtDatasets.allSatisfy { dataset in
                    let manifest =
                        fixture.root.path + "/gsxt/manifest/\(dataset.rawValue)/\(SandboxProcess.source).jsonl"
                    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { return false }
                    return !text.contains("\"pending\"")
                }
            })
        Thread.sleep(forTimeInterval: 0.5)
        let third = try env.credsync(["collect", "--json"])
        #expect(third.status <= 1, "\(third.stdout)\(third.stderr)")
        let collected = try JSONParser.parse(third.stdout)
        // The second sync may have read the first receipts already (its pull ran past the delay).
        let read = (collected["receipts"]?.intValue ?? 0) + (accepted["receipts"]?["read"]?.intValue ?? 0)
        #expect(read >= fixture.sum(accepted, .gsxt, "created"), "\(third.stdout)")
        for dataset in gsxtDatasets {
            // Only the torn `.part`s the platform left stay: every whole file was recorded and deleted.
            #expect(fixture.files("outbox", dataset, .gsxt).allSatisfy { $0.hasSuffix(".part") }, "\(dataset)")
        }
        let fourth = try env.credsync(["sync"])
        #expect(fourth.status <= 1, "\(fourth.stdout)\(fourth.stderr)")
        let report = try env.latestReport()
        let counts = (report["receipts"]?["counts"]?.arrayValue ?? []).filter { $0["platform"]?.stringValue == "gsxt" }
        #expect(!counts.isEmpty && counts.allSatisfy { $0["pending"]?.intValue == 0 }, "\(counts)")
        #expect(report["receipts"]?["read"]?.intValue == 0)
        for dataset in gsxtDatasets {
            let published = Set(try env.sandbox.holdings(.gsxt, dataset).filter { $0.value.status == "published" }.keys)
            #expect(published == Set(try env.ledgerRows(.gsxt, dataset).keys), "\(dataset)")
        }
        #expect(fixture.sum(report, .gsxt, "created") + fixture.sum(report, .gsxt, "updated") == 0)
        let deadlines = try env.credsync(["deadlines", "--within", "30", "--json"])
        let items = (try JSONParser.parse(deadlines.stdout))["items"]?.arrayValue ?? []
        #expect(items.allSatisfy { $0["awaitingReceipt"]?.boolValue != true }, "\(deadlines.stdout)")
    }

    /// SIGKILL at random points of syncs through the 前置机 (mostly while batches are uploaded, renamed
    /// or their answers applied), then runs to the end: every record on the platform once, each at
    /// version 1, nothing left waiting, the store and the audit chain sound.
    @Test func killedAtRandomDuringChannelSyncsEveryRecordEndsOnThePlatformOnce() throws {
        let fixture = try Fixture()
        let env = fixture.env
        func inboxFiles() -> Int { Fixture.datasets.reduce(0) { $0 + fixture.files("inbox", $1).count } }
        var killedInUpload = 0
        for round in 0..<24 {
            let process = try env.start(["sync"])
            let launched = Date()
            if round % 4 == 3 {
                Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.6))
            } else {
                // Once a batch file appears on the 前置机 (or the platform takes one), within a few ms.
                let before = inboxFiles()
                while process.isRunning && inboxFiles() == before && Date().timeIntervalSince(launched) < 20 {
                    usleep(500)
                }
                usleep(UInt32.random(in: 0..<20_000))
                if process.isRunning { killedInUpload += 1 }
            }
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { usleep(500) }
            process.waitUntilExit()
        }
        #expect(killedInUpload > 4, "only \(killedInUpload) kills landed during an upload")
        // Runs to the end: each collects what the platform answered since, and sends what is left.
        var settled = false
        for _ in 0..<5 {
            let run = try env.credsync(["sync"])
            #expect(run.status <= 1, "\(run.stdout)\(run.stderr)")
            _ = fixture.platformTookEverything()
            let open = try env.storeRows("SELECT count(*) FROM channel_batch WHERE state <> 'answered'")
            let report = try env.latestReport()
            if open == [["0"]] && fixture.sum(report, .ipp, "awaitingAnswer") == 0
                && fixture.sum(report, .ipp, "behindUnanswered") == 0
            {
                settled = true
                break
            }
        }
        let open = try env.storeRows("SELECT batch_id, state FROM channel_batch WHERE state <> 'answered'")
        #expect(settled, "batches still open: \(open)")
        try fixture.expectPlatformMatchesLedger()
        for dataset in Fixture.datasets {
            #expect(fixture.files("inbox", dataset).isEmpty, "\(dataset): \(fixture.files("inbox", dataset))")
        }
        let check = try env.credsync(["state", "check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let audit = try env.credsync(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
    }

    /// A changed host key is exit 69 and a refused key exit 77, each with what to do; nothing is
    /// uploaded past them and the other platforms are synced all the same.
    @Test func aChangedHostKeyOrARefusedKeyStopsThe前置机AndNothingElse() throws {
        let changed = try Fixture()
        let impostor = try changed.ssh.knownHostsWithChangedKey()
        let text = try String(contentsOfFile: changed.env.configFile, encoding: .utf8)
        try text.replacingOccurrences(of: changed.ssh.knownHosts, with: impostor)
            .write(toFile: changed.env.configFile, atomically: true, encoding: .utf8)
        let refused = try changed.env.credsync(["sync"])
        #expect(refused.status == 69, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("host key") && refused.stdout.contains(impostor), "\(refused.stdout)")
        #expect(try changed.env.ledgerRows(.credit, .license).count > 0)
        for dataset in Fixture.datasets { #expect(changed.files("inbox", dataset).isEmpty) }

        let wrongKey = try Fixture()
        let other = try wrongKey.ssh.unauthorizedKey()
        let config = try String(contentsOfFile: wrongKey.env.configFile, encoding: .utf8)
        try config.replacingOccurrences(of: wrongKey.ssh.privateKey + "\"", with: other + "\"")
            .write(toFile: wrongKey.env.configFile, atomically: true, encoding: .utf8)
        let denied = try wrongKey.env.credsync(["sync"])
        #expect(denied.status == 77, "\(denied.stdout)\(denied.stderr)")
        #expect(denied.stdout.contains(other), "\(denied.stdout)")
        for dataset in Fixture.datasets { #expect(wrongKey.files("inbox", dataset).isEmpty) }
    }
}
