import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncExchange
import CredsyncProtocol

/// Receipts (exchange-api.md 1.1): the real sandbox with gsxt asynchronous, its receipts read
/// through the client.
@Suite struct ReceiptsTests {
    /// In fixtures/enterprises.jsonl, and not.
    static let registered = "913303029CG8YNNRGN"
    static let unregistered = "91110000600037341L"

    static func payload(_ n: Int, subject: String) -> JSONObject {
        var payload = SamplePayloads.license(n, separator: "-")
        payload["XK_XDR_SHXYM"] = .string(subject)
        return payload
    }

    @Test func acceptedIsPendingUntilItsReceiptWhichFailsForAnUnregisteredSubject() async throws {
        let sandbox = try SandboxProcess(["--receipts", "gsxt"])
        let client = PlatformClientTests.client(sandbox, .gsxt)
        let batch = PlatformClientTests.batch([
            .upsert(key: "k1", payload: Self.payload(1, subject: Self.registered)),
            .upsert(key: "k2", payload: Self.payload(2, subject: Self.unregistered)),
        ])
        let answer = await client.push(batch)
        #expect(answer.outcomes.map(\.outcome) == [.accepted(version: 1), .accepted(version: 1)])
        #expect(answer.pendingReceipts == ["k1", "k2"])

        let page = try await client.receipts(.license, cursor: nil).get()
        let byKey = Dictionary(uniqueKeysWithValues: page.receipts.map { ($0.key, $0) })
        #expect(byKey["k1"]?.status == .published && byKey["k1"]?.remoteID != nil && byKey["k1"]?.version == 1)
        #expect(byKey["k1"]?.batchID == batch.id && byKey["k1"]?.op == .upsert)
        #expect(byKey["k2"]?.status == .failed && byKey["k2"]?.errors.map(\.code) == ["E_SUBJECT_UNMATCHED"])
        #expect(page.receipts.map(\.seq) == page.receipts.map(\.seq).sorted())
        let holdings = try await client.manifest(.license).get()
        #expect(
            Dictionary(uniqueKeysWithValues: holdings.map { ($0.key, $0.status) }) == [
                "k1": "published", "k2": "failed",
            ])

        // The same content again is not a new version; a fixed record (new hash) is, and publishes.
        let again = await client.push(
            PlatformClientTests.batch([
                .upsert(key: "k2", payload: Self.payload(2, subject: Self.unregistered))
            ]))
        #expect(again.outcomes.map(\.outcome) == [.unchanged] && again.pendingReceipts.isEmpty)
        let fixed = await client.push(
            PlatformClientTests.batch([
                .upsert(key: "k2", payload: Self.payload(2, subject: Self.registered))
            ]))
        #expect(fixed.outcomes.map(\.outcome) == [.accepted(version: 2)])
        let next = try await client.receipts(.license, cursor: page.nextCursor).get()
        #expect(next.receipts.map(\.key) == ["k2"] && next.receipts.first?.status == .published)
        #expect(next.receipts.first?.version == 2 && !next.hasMore)
    }

    @Test func aDelayKeepsReceiptsPendingAndASynchronousPlatformHasNoFeed() async throws {
        let sandbox = try SandboxProcess(["--receipts", "gsxt", "--receipt-delay", "3600"])
        let client = PlatformClientTests.client(sandbox, .gsxt)
        _ = await client.push(
            PlatformClientTests.batch([
                .upsert(key: "k1", payload: Self.payload(1, subject: Self.registered))
            ]))
        let page = try await client.receipts(.license, cursor: nil).get()
        #expect(page.receipts.isEmpty)
        #expect(try await client.manifest(.license).get().map(\.status) == ["pending"])
        let credit = PlatformClientTests.client(sandbox, .credit)
        let answer = await credit.push(
            PlatformClientTests.batch([.upsert(key: "k1", payload: Self.payload(1, subject: Self.registered))]))
        #expect(answer.pendingReceipts.isEmpty)
        guard case .failure(let failure) = await credit.receipts(.license, cursor: nil) else {
            Issue.record("a synchronous platform served receipts")
            return
        }
        #expect(failure.status == 404)
    }

    @Test func pendingVersionsAndReceiptsSurviveARestartOfThePlatform() async throws {
        let directory = try TemporaryDirectory("receipts-restart")
        let first = try SandboxProcess(["--receipts", "gsxt", "--receipt-delay", "3600"], stateDir: directory.path)
        _ = await PlatformClientTests.client(first, .gsxt).push(
            PlatformClientTests.batch([
                .upsert(key: "k1", payload: Self.payload(1, subject: Self.registered))
            ]))
        first.stop()
        let second = try SandboxProcess(["--receipts", "gsxt"], stateDir: directory.path)
        let client = PlatformClientTests.client(second, .gsxt)
        let page = try await client.receipts(.license, cursor: nil).get()
        #expect(page.receipts.map(\.key) == ["k1"] && page.receipts.first?.status == .published)
        second.stop()
        let third = try SandboxProcess(["--receipts", "gsxt"], stateDir: directory.path)
        let again = try await PlatformClientTests.client(third, .gsxt).receipts(.license, cursor: nil).get()
        #expect(
            again.receipts.map(\.seq) == page.receipts.map(\.seq) && again.receipts.map(\.at) == page.receipts.map(\.at)
        )
        #expect(
            try await PlatformClientTests.client(third, .gsxt).manifest(.license).get().map(\.status) == ["published"])
    }

    @Test func aStaleCursorIsBadCursorAndAMalformedPageIsAnError() async throws {
        let sandbox = try SandboxProcess(["--receipts", "gsxt"])
        let client = PlatformClientTests.client(sandbox, .gsxt)
        guard case .failure(let failure) = await client.receipts(.license, cursor: "garbage") else {
            Issue.record("a garbage cursor was accepted")
            return
        }
        #expect(failure.code == "BAD_CURSOR")
        let malformed = Receipt.page([
            "items": [
                ["seq": 1, "key": "k", "version": 1, "op": "upsert", "status": "maybe", "at": "2026-12-02T00:00:00Z"]
            ]
        ])
        guard case .failure(let problem) = malformed else {
            Issue.record("a receipt with an unknown status was read")
            return
        }
        #expect(problem.reason.contains("status"))
    }
}
