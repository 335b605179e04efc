import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncExchange
@testable import CredsyncProtocol

/// The client against the real sandbox binary on loopback.
@Suite struct PlatformClientTests {
    static func client(_ sandbox: SandboxProcess, _ platform: PlatformID = .credit, secret: String? = nil)
        -> PlatformClient
    {
        var config = sandbox.platformConfig(platform)
        if let secret { config.secret = secret }
        var retry = RetryPolicy()
        retry.attemptsInRun = 3
        retry.maxDelayInRun = 0.2
        return PlatformClient(config: config, source: SandboxProcess.source, retry: retry, logger: .capturing())
    }

    static func payload(_ n: Int, extra: String = "") -> JSONObject {
        SamplePayloads.license(n, content: extra)
    }

    static func batch(_ records: [OutgoingRecord], _ dataset: Dataset = .license) -> Batch {
        Batch(dataset: dataset, source: SandboxProcess.source, records: records)
    }

    @Test func batchWithMixedResultsIsClassifiedPerRecord() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        _ = await client.push(Self.batch([.upsert(key: "k1", payload: Self.payload(1))]))
        var badHash = OutgoingRecord.upsert(key: "k3", payload: Self.payload(3))
        badHash.hash = String(repeating: "0", count: 64)
        let result = await client.push(
            Self.batch([
                .upsert(key: "k1", payload: Self.payload(1)),
                .upsert(key: "k2", payload: Self.payload(2)),
                badHash,
                .withdraw(key: "missing", reason: .expired),
                .upsert(key: "k1b", payload: JSONObject([JSONMember("XK_NR", "")])),
                .upsert(
                    key: "k4",
                    payload: {
                        var p = Self.payload(4); p["XK_XDR_SHXYM"] = "91110000600037341N"; return p
                    }()),
            ]))
        let outcomes = result.outcomes.map(\.outcome)
        #expect(outcomes[0] == .unchanged)
        #expect(outcomes[1] == .accepted(version: 1))
        #expect(
            outcomes[2]
                == .rejected([
                    FieldError(
                        code: "E_HASH_MISMATCH", field: nil, message: "hash is not the payload's canonical SHA-256")
                ]))
        #expect(
            outcomes[3]
                == .rejected([FieldError(code: "E_NOT_FOUND", field: nil, message: "no published record with this key")]
                ))
        if case .rejected(let errors) = outcomes[4] {
            #expect(errors.contains { $0.field == "XK_NR" && $0.code == "E_FORMAT" })
        } else {
            Issue.record("\(outcomes[4])")
        }
        #expect(
            outcomes[5]
                == .rejected([
                    FieldError(
                        code: "E_CHECKSUM", field: "XK_XDR_SHXYM",
                        message: "a valid 统一社会信用代码: it has a wrong check character (expected L)")
                ]))
        let withdrawn = await client.push(Self.batch([.withdraw(key: "k2", reason: .corrected)]))
        #expect(withdrawn.outcomes.first?.outcome == .accepted(version: 2))
        let again = await client.push(Self.batch([.withdraw(key: "k2", reason: .corrected)]))
        #expect(again.outcomes.first?.outcome == .unchanged)
        #expect(try sandbox.holdings(.credit, .license)["k2"]?.status == "withdrawn")
    }

    @Test func resetMidResponseIsResentUnderTheSameBatchIdAndAppliedOnce() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["reset-after-apply"]])
        let batch = Self.batch([.upsert(key: "k1", payload: Self.payload(1))])
        let result = await client.push(batch)
        #expect(result.requests == 2)
        #expect(result.batchIDs == [batch.id])
        // The stored answer of the first attempt comes back: accepted, version 1, not "unchanged".
        #expect(result.outcomes.first?.outcome == .accepted(version: 1))
        #expect(try sandbox.holdings(.credit, .license)["k1"]?.version == 1)
    }

    @Test func sameBatchIdWithAnotherBodyIsPermanent() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        let first = Batch(
            id: "fixed-id", dataset: .license, source: SandboxProcess.source,
            records: [.upsert(key: "a", payload: Self.payload(1))])
        let second = Batch(
            id: "fixed-id", dataset: .license, source: SandboxProcess.source,
            records: [.upsert(key: "b", payload: Self.payload(2))])
        _ = await client.push(first)
        let result = await client.push(second)
        guard case .permanent(let message) = result.outcomes.first?.outcome else {
            Issue.record("\(result.outcomes)"); return
        }
        #expect(message.contains("409 BATCH_ID_REUSED"))
    }

    @Test func tooLargeBatchIsSplitUntilItFits() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        let records = (0..<700).map { OutgoingRecord.upsert(key: "k\($0)", payload: Self.payload($0)) }
        let oversized = Batch(dataset: .license, source: SandboxProcess.source, records: records)
        let result = await client.push(oversized)
        #expect(result.outcomes.count == 700)
        #expect(result.outcomes.allSatisfy { $0.outcome == .accepted(version: 1) })
        #expect(result.batchIDs.count == 2 && !result.batchIDs.contains(oversized.id))
        #expect(try sandbox.holdings(.credit, .license).count == 700)
    }

    @Test func rateLimitedAnswerIsRetriedAfterRetryAfter() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["status:429:1"]])
        let started = Timestamp.monotonic()
        let result = await client.push(Self.batch([.upsert(key: "k", payload: Self.payload(1))]))
        #expect(Timestamp.monotonic() - started >= 1)
        #expect(result.rateLimited == 1)
        #expect(result.outcomes.first?.outcome == .accepted(version: 1))
    }

    @Test func transientFailuresAreRetriedThenHandedBack() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["status:503", "status:500"]])
        let recovered = await client.push(Self.batch([.upsert(key: "k", payload: Self.payload(1))]))
        #expect(recovered.requests == 3 && recovered.outcomes.first?.outcome == .accepted(version: 1))
        try sandbox.admin("POST", "faults", ["platform": "credit", "down": true])
        let down = await client.push(Self.batch([.upsert(key: "k2", payload: Self.payload(2))]))
        #expect(down.requests == 3)
        guard case .transient(let message) = down.outcomes.first?.outcome else {
            Issue.record("\(down.outcomes)"); return
        }
        #expect(message.hasPrefix("HTTP 503 UNAVAILABLE"))
    }

    @Test func operatorProblemsArePermanent() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.admin(
            "POST", "forbid", ["platform": "credit", "app": .string(SandboxProcess.appID), "dataset": "penalty"])
        let client = Self.client(sandbox)
        func message(_ result: BatchResult) -> String {
            if case .permanent(let text) = result.outcomes.first?.outcome { return text }
            return "not permanent: \(result.outcomes)"
        }
        let forbidden = await client.push(Self.batch([.upsert(key: "k", payload: Self.payload(1))], .penalty))
        #expect(message(forbidden).hasPrefix("HTTP 403 FORBIDDEN"))
        let unknown = await Self.client(sandbox, .ipp).push(
            Self.batch([.upsert(key: "k", payload: Self.payload(1))], .license))
        #expect(message(unknown).hasPrefix("HTTP 404 UNKNOWN_DATASET"))
        let badSecret = await Self.client(sandbox, secret: "wrong-secret-0123456789").push(
            Self.batch([.upsert(key: "k", payload: Self.payload(1))]))
        #expect(message(badSecret).hasPrefix("HTTP 401 BAD_SIGNATURE"))
        #expect(badSecret.requests == 1)
        let duplicate = await client.push(
            Self.batch([.upsert(key: "k", payload: Self.payload(1)), .withdraw(key: "k", reason: .expired)]))
        #expect(message(duplicate).hasPrefix("HTTP 400 DUPLICATE_KEY"))
    }

    @Test func clockSkewIsReSignedOnceThenPermanent() async throws {
        let sandbox = try SandboxProcess(["--clock-skew", "1000"])
        let result = await Self.client(sandbox).push(Self.batch([.upsert(key: "k", payload: Self.payload(1))]))
        #expect(result.requests == 2)
        guard case .permanent(let message) = result.outcomes.first?.outcome else {
            Issue.record("\(result.outcomes)"); return
        }
        #expect(message.hasPrefix("HTTP 401 CLOCK_SKEW"))
    }

    @Test func manifestFollowsEveryPageInKeyOrder() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        let keys = (0..<1234).map { "键\($0)" }
        for batch in Batch.split(
            keys.map { .upsert(key: $0, payload: Self.payload(1)) }, dataset: .license, source: SandboxProcess.source)
        {
            _ = await client.push(batch)
        }
        let manifest = try await client.manifest(.license, pageSize: 500).get()
        #expect(manifest.count == 1234)
        #expect(manifest.map(\.key) == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(manifest.allSatisfy { $0.status == "published" && $0.version == 1 })
    }

    @Test func singleRecordReadDecodesAChineseKey() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        let key = "浙知许〔2025〕12号"
        _ = await client.push(Self.batch([.upsert(key: key, payload: Self.payload(12))]))
        let record = try await client.record(.license, key: key).get()
        #expect(record?["payload"]?["XK_WSH"] == .string("浙知许〔2026〕12号"))
        #expect(try await client.record(.license, key: "none").get() == nil)
    }
}
