import CredsyncCore
import Foundation
import Testing
import TestSupport

@testable import CredsyncExchange
@testable import CredsyncProtocol

/// The file channel end to end: the real OpenSSH server on loopback serving the directory the real
/// sandbox polls (`--file-channel`), reached through libcurl's SFTP.
@Suite struct FileChannelTests {
    /// sshd and a sandbox serving its platforms' roots under one directory.
    final class Fixture: @unchecked Sendable {
        let ssh: SSHServer
        let sandbox: SandboxProcess
        let root: TemporaryDirectory
        var platformRoot: String { root.path + "/credit" }
        var inbox: String { platformRoot + "/inbox/license" }
        var outbox: String { platformRoot + "/outbox/license" }

        init(fault: String = "none", arguments: [String] = []) throws {
            ssh = try SSHServer()
            root = try TemporaryDirectory("fep")
            sandbox = try SandboxProcess(
                [
                    "--file-channel", root.path, "--file-channel-poll-ms", "20", "--file-channel-fault", fault,
                ] + arguments)
        }

        func client(
            secret: String = SandboxProcess.secret, method: SignatureMethod = .hmacSHA256, privateKey: String? = nil,
            knownHosts: String? = nil
        ) -> FileChannelClient {
            var config = sandbox.platformConfig(.credit)
            config.secret = secret
            config.signatureMethod = method
            let channel = ssh.channel(root: platformRoot, privateKey: privateKey, knownHosts: knownHosts)
            config.channel = channel
            return FileChannelClient(
                config: config, channel: channel, source: SandboxProcess.source, logger: .capturing())
        }

        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

        func answerArrives(_ batch: Batch) -> Bool {
            waitUntil(timeout: 30) { self.exists(self.outbox + "/\(batch.id).answer.json") }
        }
    }

    static func batch(_ numbers: [Int]) -> Batch {
        let records = numbers.map { n in
            OutgoingRecord.upsert(key: "浙知许〔2026〕\(n)号", payload: SamplePayloads.license(n))
        }
        return Batch(dataset: .license, source: SandboxProcess.source, records: records)
    }

    /// An answer held back for two collects is applied once when it arrives, and the platform's
    /// second delivery of it (fault `twice`) is recognised by its batch id and deleted unapplied.
    @Test func lateAnswerIsAppliedExactlyOnceAndItsRedeliveryIsRecognised() async throws {
        let fixture = try Fixture(fault: "twice")
        try fixture.sandbox.admin("POST", "file-channel", ["platform": "credit", "hold": true])
        let client = fixture.client()
        let batch = Self.batch([1, 2])
        try await client.send(batch)
        #expect(fixture.exists(fixture.inbox + "/\(batch.id).json"))
        #expect(!fixture.exists(fixture.inbox + "/\(batch.id).json.part"))
        let signatureLine = try String(contentsOfFile: fixture.inbox + "/\(batch.id).sig", encoding: .utf8)
        let signature = try #require(FileSignature(line: signatureLine))
        #expect(signature.appID == SandboxProcess.appID && signature.method == .hmacSHA256)
        #expect(signature.verifies(batch.body, dataset: .license, batchID: batch.id, secret: SandboxProcess.secret))
        // Sent again before the platform took it (a retry): OpenSSH will not rename onto the file in
        // place, so the new upload is dropped and the batch stays once in the inbox.
        try await client.send(batch)
        #expect(fixture.exists(fixture.inbox + "/\(batch.id).json"))
        #expect(!fixture.exists(fixture.inbox + "/\(batch.id).json.part"))

        var store: [String: BatchResult] = [:]  // what the caller's state store would hold, by batch id
        var handedOver = 0
        func collect() async throws -> FileChannelClient.Collected {
            try await client.collect(.license, isRecorded: { store[$0] != nil }) { answer in
                handedOver += 1
                store[answer.batchID] = answer.result(for: batch)
            }
        }
        for _ in 0..<2 {
            let collected = try await collect()
            #expect(collected.applied.isEmpty && collected.redelivered.isEmpty)
        }
        let waiting = try await client.unanswered(.license, olderThan: 30, now: Timestamp.now() + 60)
        #expect(waiting.map(\.batchID) == [batch.id])
        #expect(waiting.first?.file == "inbox/license/\(batch.id).json")
        #expect(try await client.unanswered(.license, olderThan: 3600).isEmpty)

        try fixture.sandbox.admin("POST", "file-channel", ["platform": "credit", "hold": false])
        #expect(fixture.answerArrives(batch))
        let third = try await collect()
        #expect(third.applied == [batch.id] && handedOver == 1)
        let outcomes = try #require(store[batch.id]).outcomes
        #expect(outcomes.map(\.key) == batch.records.map(\.key))
        #expect(outcomes.allSatisfy { $0.outcome == .accepted(version: 1) })
        #expect(!fixture.exists(fixture.inbox + "/\(batch.id).json"))

        // The platform writes the same answer again: it is deleted, not applied a second time.
        #expect(fixture.answerArrives(batch))
        let fourth = try await collect()
        #expect(fourth.redelivered == [batch.id] && fourth.applied.isEmpty && handedOver == 1)
        #expect(!fixture.exists(fixture.outbox + "/\(batch.id).answer.json"))

        let manifest = try await client.manifest(.license)
        #expect(manifest.items.map(\.key).sorted() == batch.records.map(\.key).sorted())
        #expect(manifest.items.allSatisfy { $0.status == "published" && $0.version == 1 })
        #expect(try fixture.sandbox.holdings(.credit, .license).count == 2)
    }

    /// A run killed between upload and rename leaves a `.part`: the platform never reads it, and
    /// sending the batch again overwrites it and puts it in place.
    @Test func tornPartIsIgnoredAndTheNextUploadSupersedesIt() async throws {
        let fixture = try Fixture()
        let client = fixture.client()
        let torn = Self.batch(Array(3..<403).filter { $0 != 4 && $0 != 5 })
        let part = fixture.inbox + "/\(torn.id).json.part"
        try Self.killUploadHalfway(torn, to: part, fixture)
        let tornSize = (try FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0
        #expect(tornSize > 0 && tornSize < torn.body.count)
        // A batch sent after it is answered: the poll that answered it saw the torn one too.
        let other = Self.batch([4])
        try await client.send(other)
        #expect(fixture.answerArrives(other))
        #expect(fixture.exists(fixture.inbox + "/\(torn.id).json.part"))
        #expect(!fixture.exists(fixture.outbox + "/\(torn.id).answer.json"))

        try await client.send(torn)
        #expect(fixture.answerArrives(torn))
        #expect(!fixture.exists(fixture.inbox + "/\(torn.id).json.part"))
        let answers = try await client.answers(.license)
        #expect(Set(answers.map(\.batchID)) == [torn.id, other.id])
        let answer = try #require(answers.first { $0.batchID == torn.id })
        let outcomes = answer.result(for: torn).outcomes
        #expect(outcomes.count == torn.records.count && outcomes.allSatisfy { $0.outcome == .accepted(version: 1) })

        // A batch signed with another secret is refused as the API refuses it.
        let forged = Self.batch([5])
        try await fixture.client(secret: "not-the-secret-0123456789").send(forged)
        #expect(fixture.answerArrives(forged))
        let refused = try #require(try await client.answers(.license).first { $0.batchID == forged.id })
        #expect(refused.refusal?.code == "BAD_SIGNATURE" && refused.refusal?.status == 401)
        #expect(refused.result(for: forged).authenticationFailure != nil)
        #expect(try fixture.sandbox.holdings(.credit, .license)["浙知许〔2026〕5号"] == nil)

        // Receipts the platform leaves in the outbox are read in seq order and deleted once recorded.
        let receipt = #"{"seq": 7, "key": "浙知许〔2026〕3号", "version": 1, "status": "published"}"#
        for (name, text) in [("receipts-000000000007.jsonl", receipt + "\n"), ("receipts-7.jsonl.part", "torn")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: fixture.outbox + "/" + name))
        }
        let receipts = try await client.receipts(.license)
        #expect(receipts.map(\.file) == ["outbox/license/receipts-000000000007.jsonl"])
        #expect(receipts.first?.items.first?["seq"]?.intValue == 7)
        try await client.acknowledge(try #require(receipts.first))
        #expect(!fixture.exists(fixture.outbox + "/receipts-000000000007.jsonl"))

        // An answer file that is not an answer is reported and left for an operator, never deleted.
        let bogus = fixture.outbox + "/\(SecureRandom.uuid()).answer.json"
        try Data("<html>proxy error</html>".utf8).write(to: URL(fileURLWithPath: bogus))
        let collected = try await client.collect(.license, isRecorded: { _ in false }) { _ in }
        #expect(collected.malformed.map(\.kind) == [.malformed])
        #expect(Set(collected.applied) == [torn.id, other.id, forged.id])
        #expect(fixture.exists(bogus))
    }

    /// A platform that requires SM3 takes a batch file signed with HMAC-SM3 and refuses one signed
    /// with HMAC-SHA256, as its API does.
    @Test func sm3SignedBatchIsTakenWhereSM3IsRequiredAndSHA256Refused() async throws {
        let fixture = try Fixture(arguments: ["--require-sm3=credit"])
        let signedSM3 = Self.batch([7])
        let signedSHA256 = Self.batch([8])
        try await fixture.client(method: .hmacSM3).send(signedSM3)
        try await fixture.client().send(signedSHA256)
        #expect(fixture.answerArrives(signedSM3) && fixture.answerArrives(signedSHA256))
        let answers = try await fixture.client().answers(.license)
        let taken = try #require(answers.first { $0.batchID == signedSM3.id })
        #expect(taken.result(for: signedSM3).outcomes.map(\.outcome) == [.accepted(version: 1)])
        let refused = try #require(answers.first { $0.batchID == signedSHA256.id })
        #expect(refused.refusal?.code == "BAD_SIGNATURE")
        #expect(refused.refusal?.message.contains("signature method HMAC-SM3 required") == true)
    }

    /// A changed or unknown host key and a key the server does not know are refused, each with an
    /// error that names what to check; nothing reaches the inbox.
    @Test func changedHostKeyUnknownHostAndWrongUserKeyAreRefused() async throws {
        let fixture = try Fixture()
        let batch = Self.batch([6])
        let changedHosts = try fixture.ssh.knownHostsWithChangedKey()
        let changed = await Self.failure { try await fixture.client(knownHosts: changedHosts).send(batch) }
        #expect(changed?.kind == .hostKeyChanged)
        #expect(changed?.exitCode.rawValue == 69)
        #expect(changed?.message.contains(changedHosts) == true)
        #expect(changed?.message.contains("SHA256:") == true)

        let otherHosts = try fixture.ssh.knownHostsWithoutThisServer()
        let unknown = await Self.failure { try await fixture.client(knownHosts: otherHosts).send(batch) }
        #expect(unknown?.kind == .hostKeyUnknown && unknown?.exitCode.rawValue == 69)

        let wrongKey = try fixture.ssh.unauthorizedKey()
        let refused = await Self.failure { try await fixture.client(privateKey: wrongKey).send(batch) }
        #expect(refused?.kind == .authenticationRefused && refused?.exitCode.rawValue == 77)
        #expect(refused?.message.contains("user \"\(fixture.ssh.user)\"") == true)
        #expect(refused?.message.contains(wrongKey) == true)

        #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.inbox)) ?? []).isEmpty)
        let log = try String(contentsOfFile: fixture.ssh.logFile, encoding: .utf8)
        #expect(!log.contains("password") && !log.contains("keyboard-interactive"), "\(log)")
    }

    /// Uploads `batch` to `part` with the curl tool (libcurl, through sshd, slowed down) and kills
    /// it with SIGKILL once part of the file has arrived: a run that died during its upload.
    static func killUploadHalfway(_ batch: Batch, to part: String, _ fixture: Fixture) throws {
        let work = try TemporaryDirectory("upload")
        try FileManager.default.createDirectory(atPath: work.path + "/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.ssh.knownHosts, toPath: work.path + "/.ssh/known_hosts")
        let body = work.path + "/body.json"
        try Data(batch.body).write(to: URL(fileURLWithPath: body))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let url =
            "sftp://127.0.0.1:\(fixture.ssh.port)"
            + part.split(separator: "/").map {
                PercentEncoding.encode(String($0))
            }.reduce("") { $0 + "/" + $1 }
        process.arguments = [
            "-sS", "--ftp-create-dirs", "--limit-rate", "2k", "-u", fixture.ssh.user + ":", "--key",
            fixture.ssh.privateKey, "-T", body, url,
        ]
        process.environment = ["HOME": work.path, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = waitUntil(timeout: 30) {
            ((try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) ?? 0) > 0
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(started, "the upload never began")
    }

    static func failure(_ body: () async throws -> Void) async -> FileChannelError? {
        do {
            try await body()
            return nil
        } catch let error as FileChannelError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }
}
