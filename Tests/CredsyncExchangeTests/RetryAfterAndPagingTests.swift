import CredsyncCore
import Foundation
import TestSupport
import Testing

@testable import CredsyncExchange
@testable import CredsyncProtocol

/// What a platform says about waiting and paging can make the client neither crash nor hang.
@Suite struct RetryAfterAndPagingTests {
    @Test func retryAfterIsReadAsRFC9110Says() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        for bad in ["-1", "1e300", "1.5", "", "soon", "+3", "0x10", "inf", "nan"] {
            #expect(RetryAfter.seconds(bad) == nil, "\(bad)")
        }
        #expect(RetryAfter.seconds(nil) == nil)
        // A delay too long for any clock saturates instead of overflowing.
        #expect(RetryAfter.seconds(String(repeating: "9", count: 400)) == 1e12)
        #expect(RetryAfter.seconds("99999999999") == 99_999_999_999)
        // The three HTTP-date forms, against the answer's Date header or the clock.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.httpDate(date) == 784_111_777)
        #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.httpDate("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:51:37 GMT", date: date) == 120)
        #expect(RetryAfter.seconds(date, now: 784_111_777 + 50) == 0)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:47 GMT", now: 784_111_777) == 10)
        for bad in ["Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 CET"] {
            #expect(RetryAfter.httpDate(bad) == nil, "\(bad)")
        }
    }

    @Test func extremeWaitsNeitherTrapNorStallTheBucket() async {
        #expect(Sleep.nanoseconds(.infinity) == UInt64(Sleep.longest * 1e9))
        #expect(Sleep.nanoseconds(1e300) == UInt64(Sleep.longest * 1e9))
        #expect(Sleep.nanoseconds(-1) == 0 && Sleep.nanoseconds(.nan) == 0)
        let bucket = TokenBucket(rate: 10, burst: 1)
        bucket.pause(for: .infinity, now: 0)
        bucket.pause(for: -1, now: 0)
        bucket.pause(for: .nan, now: 0)
        #expect(bucket.reserve(now: 0) < 1)
        bucket.pause(for: 1e300, now: 0)
        #expect(bucket.reserve(now: 0) <= Sleep.longest)
        // A rate of 0 waits, but finitely.
        let stopped = TokenBucket(rate: 0, burst: 1)
        _ = stopped.reserve(now: 0)
        #expect(stopped.reserve(now: 0).isFinite)
        #expect(Backoff(base: 0.2, cap: .nan).delay(attempt: 3) == 0)
        #expect(Backoff(base: 0.2, cap: .infinity).delay(attempt: 5000).isFinite)
        await Sleep.seconds(-.infinity)
    }

    @Test func curlTimeoutsAreClampedWhateverTheSeconds() {
        #expect(CurlEasy.milliseconds(1e300) == 30 * 86400 * 1000)
        #expect(CurlEasy.milliseconds(.nan) == 1 && CurlEasy.milliseconds(-5) == 1)
        #expect(CurlEasy.milliseconds(2.5) == 2500)
    }

    @Test func transportRefusesEveryProtocolButHTTPAndHTTPS() throws {
        let directory = try TemporaryDirectory("protocols")
        let file = try directory.write("secret.txt", "not for the network")
        let client = HTTPClient(options: HTTPClientOptions())
        for url in ["file://" + file, "ftp://127.0.0.1:1/x", "gopher://127.0.0.1:1/x"] {
            guard
                case .failure(let error) = client.sendBlocking(
                    HTTPRequest(method: "GET", url: url, headers: [], body: []))
            else {
                Issue.record("\(url) was fetched")
                continue
            }
            #expect(error.description.lowercased().contains("protocol"), "\(error)")
        }
    }

    @Test func cursorTrailStopsARepeatedOrCyclingCursor() {
        var trail = CursorTrail()
        #expect(trail.follow("a", what: "feed") == nil)
        #expect(trail.follow("b", what: "feed") == nil)
        let again = trail.follow("a", what: "feed")
        #expect(again?.code == "CURSOR_NOT_ADVANCING" && again?.failureClass == .transient)
        #expect(again?.message.contains("\"a\"") == true)
        var missing = CursorTrail()
        #expect(missing.follow(nil, what: "feed")?.code == "CURSOR_MISSING")
    }

    static func client(_ sandbox: SandboxProcess, maxRetryAfter: Double = 5) -> PlatformClient {
        var retry = RetryPolicy()
        retry.attemptsInRun = 3
        retry.maxDelayInRun = 0.2
        retry.maxRetryAfter = maxRetryAfter
        return PlatformClient(
            config: sandbox.platformConfig(.credit), source: SandboxProcess.source, retry: retry, logger: .capturing())
    }

    /// The undelivered outcome of a one-record push: whether it may pass later, and why not now.
    static func undelivered(_ result: BatchResult) -> (isTransient: Bool, message: String)? {
        switch result.outcomes.first?.outcome {
        case .transient(let message): return (true, message)
        case .permanent(let message): return (false, message)
        default: return nil
        }
    }

    static func batch() -> Batch {
        Batch(
            dataset: .license, source: SandboxProcess.source,
            records: [.upsert(key: "k1", payload: SamplePayloads.license(1))])
    }

    @Test func retryAfterPastTheLimitHandsTheBatchBackAndMalformedOnesWaitASecond() async throws {
        let sandbox = try SandboxProcess()
        let client = Self.client(sandbox)
        // Malformed values are no Retry-After: the client waits its default second and goes on.
        try sandbox.admin("POST", "script", ["platform": "credit", "faults": ["status:429:-1", "status:429:1e300"]])
        let passed = await client.push(Self.batch())
        #expect(passed.outcomes.first?.outcome.isDelivered == true, "\(passed.outcomes)")
        #expect(passed.rateLimited == 2)
        for (fault, wait) in [
            ("status:429:99999999999", "1157407d"), ("status:503:600", "10m"),
            ("status:429:Sun, 06 Nov 2094 08:49:37 GMT", "d"),
        ] {
            try sandbox.admin("POST", "script", ["platform": "credit", "faults": [.string(fault)]])
            let client = Self.client(sandbox)
            let result = await client.push(Self.batch())
            let failure = try #require(Self.undelivered(result), "\(fault)")
            #expect(failure.isTransient)
            #expect(
                failure.message.contains("retry.maxRetryAfter 5s") && failure.message.contains(wait),
                "\(failure.message)")
            // Until the wait is over the client sends nothing: the rest of the run's work is queued at once.
            let next = await client.push(Self.batch())
            #expect(next.requests == 0 && Self.undelivered(next)?.message == failure.message)
        }
    }

    @Test func aManifestWhoseCursorNeverAdvancesIsAPlatformError() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.admin("POST", "faults", ["platform": "credit", "repeatsCursor": true])
        let result = await Self.client(sandbox).manifest(.license)
        guard case .failure(let failure) = result else {
            Issue.record("the manifest was read")
            return
        }
        #expect(failure.code == "CURSOR_NOT_ADVANCING" && failure.failureClass == .transient)
        #expect(failure.message.contains("sandbox-repeating-cursor"))
    }

    @Test func anHTMLErrorPageEchoingAnIDNumberIsMaskedInTheFailure() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.admin(
            "POST", "script",
            ["platform": "credit", "faults": ["page:400:Bad Request for 110101199003071234 and 33010619900101123"]])
        let result = await Self.client(sandbox).push(Self.batch())
        let failure = try #require(Self.undelivered(result))
        #expect(
            failure.message.contains("110101********1234") && failure.message.contains("330106*******1123"),
            "\(failure.message)")
        #expect(!failure.message.contains("199003071234") && !failure.message.contains("19900101123"))
    }
}
