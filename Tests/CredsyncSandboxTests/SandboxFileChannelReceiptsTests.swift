import CredsyncCore
import Foundation
import TestSupport
import Testing

/// The sandbox's gsxt on receipts and on the file channel (exchange-api.md 1.1): receipts files
/// in the outbox after the delay, 记名 failures, the manifest's pending and failed versions, and
/// the faults old-receipt and torn-part. The real binary, a plain directory for a 前置机.
@Suite struct SandboxFileChannelReceiptsTests {
    static let unregistered = Fixture.companyUSCC

    @Test func receiptsFilesComeAfterTheDelayWithPaddedSeqsAndTheManifestGoesFromPendingToPublished() throws {
        let delay = 3.0
        let province = try FileChannelProvince(delay: delay)
        let batch = try province.send([
            ("K1", FileChannelProvince.payload(1, uscc: FileChannelProvince.registeredUSCC)),
            ("K2", FileChannelProvince.payload(2, uscc: Self.unregistered)),
        ])
        let answered = Date()
        let answer = try #require(try province.answer(batch))
        let results = answer["results"]?.arrayValue ?? []
        #expect(results.count == 2)
        #expect(
            results.allSatisfy { $0["status"]?.stringValue == "accepted" && $0["receipt"]?.stringValue == "pending" },
            "\(JSONWriter.compact(answer))")
        #expect(waitUntil(timeout: 10) { province.manifest()?.count == 2 })
        #expect(
            province.manifest()?.values.allSatisfy { $0.status == "pending" } == true, "\(province.manifest() ?? [:])")
        #expect(province.receiptFiles().isEmpty, "receipts before the delay: \(province.outboxNames())")

        #expect(waitUntil(timeout: 30) { !province.receiptFiles().isEmpty })
        #expect(Date().timeIntervalSince(answered) >= delay - 0.5)
        #expect(province.receiptFiles() == ["receipts-000000000001.jsonl"], "\(province.outboxNames())")
        let receipts = try province.receipts(in: "receipts-000000000001.jsonl")
        #expect(receipts.map { $0["seq"]?.intValue } == [1, 2])
        let byKey = Dictionary(receipts.map { ($0["key"]?.stringValue ?? "", $0) }, uniquingKeysWith: { $1 })
        let published = try #require(byKey["K1"])
        #expect(published["status"]?.stringValue == "published")
        #expect(published["version"]?.intValue == 1 && published["op"]?.stringValue == "upsert")
        #expect(published["batchId"]?.stringValue == batch)
        #expect(published["remoteId"]?.stringValue?.isEmpty == false && published["at"]?.stringValue != nil)
        let failed = try #require(byKey["K2"])
        #expect(failed["status"]?.stringValue == "failed" && failed["remoteId"] == nil)
        let error = failed["errors"]?.arrayValue?.first
        #expect(error?["code"]?.stringValue == "E_SUBJECT_UNMATCHED")
        #expect(error?["field"]?.stringValue == "XK_XDR_SHXYM")
        #expect(waitUntil(timeout: 10) { province.manifest()?["K1"]?.status == "published" })
        #expect(province.manifest()?["K2"]?.status == "failed")
        #expect(!province.outboxNames().contains { $0.hasSuffix(".part") })

        // Filed once: the province deletes the file, the next receipts come in a file of their own.
        try province.acknowledge("receipts-000000000001.jsonl")
        let fix = try province.send([
            ("K2", FileChannelProvince.payload(2, uscc: FileChannelProvince.registeredUSCC))
        ])
        #expect(try province.answer(fix)?["results"]?.arrayValue?.first?["version"]?.intValue == 2)
        #expect(waitUntil(timeout: 30) { !province.receiptFiles().isEmpty })
        #expect(province.receiptFiles() == ["receipts-000000000003.jsonl"], "\(province.outboxNames())")
        let second = try province.receipts(in: "receipts-000000000003.jsonl")
        #expect(second.count == 1 && second.first?["status"]?.stringValue == "published")
        #expect(waitUntil(timeout: 10) { province.manifest()?["K2"]?.status == "published" })
        #expect(province.manifest()?["K2"]?.version == 2)
    }

    @Test func oldReceiptRepeatsTheOlderVersionsReceiptAfterANewVersionIsAccepted() throws {
        let province = try FileChannelProvince(delay: 2)
        try province.sandbox.admin("POST", "file-channel", ["platform": "gsxt", "fault": "old-receipt"])
        let registered = FileChannelProvince.registeredUSCC
        try province.send([("K1", FileChannelProvince.payload(1, uscc: registered))])
        #expect(waitUntil(timeout: 30) { province.receiptFiles() == ["receipts-000000000001.jsonl"] })
        try province.acknowledge("receipts-000000000001.jsonl")

        let update = try province.send([("K1", FileChannelProvince.payload(1, uscc: registered, content: "（变更）"))])
        #expect(try province.answer(update)?["results"]?.arrayValue?.first?["version"]?.intValue == 2)
        // The older version's receipt again, under a new seq, while version 2 still waits for its own.
        #expect(waitUntil(timeout: 30) { province.receiptFiles().contains("receipts-000000000002.jsonl") })
        let repeated = try province.receipts(in: "receipts-000000000002.jsonl")
        #expect(repeated.count == 1, "\(repeated)")
        #expect(repeated.first?["seq"]?.intValue == 2 && repeated.first?["version"]?.intValue == 1)
        #expect(repeated.first?["status"]?.stringValue == "published")
        #expect(province.manifest()?["K1"]?.status == "pending" && province.manifest()?["K1"]?.version == 2)
        #expect(waitUntil(timeout: 30) { province.receiptFiles().contains("receipts-000000000003.jsonl") })
        let current = try province.receipts(in: "receipts-000000000003.jsonl")
        #expect(current.first?["version"]?.intValue == 2 && current.first?["status"]?.stringValue == "published")
        #expect(waitUntil(timeout: 10) { province.manifest()?["K1"]?.status == "published" })
    }

    @Test func tornPartLeavesAHalfWrittenPartBesideEveryAnswerAndReceiptsFile() throws {
        let province = try FileChannelProvince(delay: 0, extra: ["--file-channel-fault", "torn-part"])
        let batch = try province.send([("K1", FileChannelProvince.payload(1, uscc: FileChannelProvince.registeredUSCC))]
        )
        #expect(try province.answer(batch) != nil)
        #expect(waitUntil(timeout: 30) { !province.receiptFiles().isEmpty })
        for name in ["\(batch).answer.json", "receipts-000000000001.jsonl"] {
            let whole = try Data(contentsOf: URL(fileURLWithPath: province.outbox + "/" + name))
            let torn = try Data(contentsOf: URL(fileURLWithPath: province.outbox + "/" + name + ".part"))
            #expect(!torn.isEmpty && torn.count < whole.count && whole.starts(with: torn), "\(name)")
            #expect((try? JSONParser.parse(Array(torn))) == nil, "\(name).part is not torn")
        }
        // Left behind: the province deletes what it read, the torn files stay.
        try province.acknowledge("\(batch).answer.json")
        try province.acknowledge("receipts-000000000001.jsonl")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(
            province.outboxNames() == ["\(batch).answer.json.part", "receipts-000000000001.jsonl.part"],
            "\(province.outboxNames())")
    }

    @Test func aRestartedSandboxDoesNotFileTheSameReceiptsAgain() throws {
        let province = try FileChannelProvince(delay: 0)
        try province.send([("K1", FileChannelProvince.payload(1, uscc: FileChannelProvince.registeredUSCC))])
        #expect(waitUntil(timeout: 30) { province.receiptFiles() == ["receipts-000000000001.jsonl"] })
        try province.acknowledge("receipts-000000000001.jsonl")
        let again = try province.restarted(delay: 0)
        let batch = try again.send([("K2", FileChannelProvince.payload(2, uscc: FileChannelProvince.registeredUSCC))])
        #expect(try again.answer(batch) != nil)
        #expect(waitUntil(timeout: 30) { !again.receiptFiles().isEmpty })
        #expect(again.receiptFiles() == ["receipts-000000000002.jsonl"], "\(again.outboxNames())")
        #expect(try again.receipts(in: "receipts-000000000002.jsonl").map { $0["key"]?.stringValue } == ["K2"])
    }

    @Test func theFaultsAreDocumentedAndAnUnknownOneIsRefused() throws {
        let help = try Binaries.run("credsync-sandbox", ["--help"])
        #expect(help.status == 0)
        for word in ["old-receipt", "torn-part", "receipts-{seq}.jsonl"] {
            #expect(help.stdout.contains(word), "\(word)")
        }
        let refused = try Binaries.run(
            "credsync-sandbox",
            ["--app", "a:HOME", "--listen", "127.0.0.1:0", "--file-channel-fault", "late:5,sometimes"])
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("old-receipt or torn-part"), "\(refused.stderr)")
    }
}
