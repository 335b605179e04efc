import Foundation
import CredsyncCore
import Testing

@testable import CredsyncProtocol

@Suite struct SigningTests {
    // Each expected signature was computed with:
    //   printf 'METHOD\nPATH\nQUERY\nTIMESTAMP\nNONCE\nBODYHASH' | openssl dgst -sha256 -hmac 'key-0123456789abcdef'
    @Test func getWithQueryMatchesOpenSSL() {
        let query = RequestSigner.canonicalQuery([("source", "11330000MB12345679"), ("limit", "2")])
        #expect(query == "limit=2&source=11330000MB12345679")
        let signature = RequestSigner.signature(
            secret: "key-0123456789abcdef", method: "get", path: "/credit/exchange/v1/datasets/license/records",
            query: query, timestamp: 1_700_000_000, nonce: "0123456789abcdef0123456789abcdef", body: [])
        #expect(signature == "8153dddf51ab47297702aa12d2fd1ab240a0dbd73bc68ceeb409b175caef11d8")
    }

    @Test func postWithBodyMatchesOpenSSL() {
        let signature = RequestSigner.signature(
            secret: "key-0123456789abcdef", method: "POST", path: "/gsxt/exchange/v1/datasets/pledge/batches",
            query: "", timestamp: 1_700_000_123, nonce: "ffeeddccbbaa99887766554433221100",
            body: Array(#"{"a":"b"}"#.utf8))
        #expect(signature == "61c5514bc8be2936803a33a81d7042411ec7660dfacef8bc78371007c9f59118")
    }

    @Test func canonicalQuerySortsByNameThenValueAndEncodesPerRFC3986() {
        let query = RequestSigner.canonicalQuery([("b", "2"), ("a", "z y"), ("a", "x~._-"), ("c", "中/+")])
        #expect(query == "a=x~._-&a=z%20y&b=2&c=%E4%B8%AD%2F%2B")
    }

    @Test func percentEncodingRoundTripsAKeyAsOnePathSegment() {
        let key = "浙知许〔2025〕12号/a b"
        let encoded = PercentEncoding.encode(key)
        #expect(!encoded.contains("/") && !encoded.contains(" "))
        #expect(PercentEncoding.decode(Substring(encoded)) == key)
        #expect(PercentEncoding.decode("%E4%B8") == nil)
        #expect(PercentEncoding.decode("%G1") == nil)
    }

    @Test func everyAttemptHasAFreshNonceAndTimestamp() {
        let first = RequestSigner.headers(
            appID: "a", secret: "s", method: "GET", path: "/", query: "", body: [], now: 100)
        let second = RequestSigner.headers(
            appID: "a", secret: "s", method: "GET", path: "/", query: "", body: [], now: 101)
        #expect(first[2].1 != second[2].1)
        #expect(first[1].1 == "100" && second[1].1 == "101")
        #expect(first[3].1 != second[3].1)
    }
}

@Suite struct BatchTests {
    @Test func splitsByCountAndSizeKeepingOrder() {
        let records = (0..<1203).map { OutgoingRecord.withdraw(key: "k\($0)", reason: .expired) }
        let batches = Batch.split(records, dataset: .license, source: "11330000MB12345679")
        #expect(batches.map(\.records.count) == [500, 500, 203])
        #expect(batches.flatMap(\.records).map(\.key) == records.map(\.key))
        let bySize = Batch.split(records, dataset: .license, source: "11330000MB12345679", maxBytes: 10_000)
        #expect(bySize.allSatisfy { $0.body.count <= 10_000 })
        #expect(bySize.flatMap(\.records).count == 1203)
    }

    @Test func upsertHashIsTheCanonicalPayloadHash() {
        let record = OutgoingRecord.upsert(key: "k", payload: JSONObject([JSONMember("b", "2"), JSONMember("a", "1")]))
        #expect(record.hash == SHA256.hex(#"{"a":"1","b":"2"}"#))
    }

    @Test func tokenBucketAllowsTheBurstThenTheRate() {
        let bucket = TokenBucket(rate: 10, burst: 3)
        let waits = (0..<5).map { _ in bucket.reserve(now: 0) }
        #expect(waits[0] == 0 && waits[2] == 0)
        #expect(abs(waits[3] - 0.1) < 1e-9 && abs(waits[4] - 0.2) < 1e-9)
    }

    @Test func fullJitterStaysWithinTheBound() {
        let backoff = Backoff(base: 1, cap: 8)
        for attempt in 0..<10 {
            let delay = backoff.delay(attempt: attempt)
            #expect(delay >= 0 && delay <= min(8, pow(2, Double(attempt))))
        }
    }
}

@Suite struct OutgoingRecordSizeTests {
    @Test func aRecordsCountedSizeIsItsEncodedSize() {
        let payload = JSONObject([
            JSONMember("XK_XDR_MC", .string("某某科技有限公司")), JSONMember("A_\"quoted\"", .string("tab\tand\u{01}")),
            JSONMember("XK_NR", .string(String(repeating: "许可", count: 300))),
        ])
        for record in [
            OutgoingRecord.upsert(key: "许可-001", payload: payload), .withdraw(key: "k\\2", reason: .expired),
            OutgoingRecord(key: "bare", op: .upsert),
        ] {
            #expect(record.compactCount == JSONWriter.compact(record.json).utf8.count)
        }
    }
}
