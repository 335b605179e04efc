import CredsyncCore
import Testing

@testable import CredsyncProtocol

/// The HMAC-SM3 signature method (exchange-api.md 1.1, "Signature methods").
@Suite struct SM3SigningTests {
    static let secret = "key-0123456789abcdef"

    /// The last line is hex(SM3(body)), from `printf '{"a":"b"}' | openssl dgst -sm3`; the rest as for SHA-256.
    @Test func stringToSignEndsWithTheBodysSM3() throws {
        let text = try RequestSigner.stringToSign(
            using: .hmacSM3, method: "post", path: "/gsxt/exchange/v1/datasets/pledge/batches", query: "",
            timestamp: 1_700_000_123, nonce: "ffeeddccbbaa99887766554433221100", body: Array(#"{"a":"b"}"#.utf8))
        #expect(
            text == """
                POST
                /gsxt/exchange/v1/datasets/pledge/batches

                1700000123
                ffeeddccbbaa99887766554433221100
                51f337bf2e4d6f1b5d738f5a7567e6aa757298fa0df18e2ba6a60e23381a2943
                """)
        let sha = try RequestSigner.stringToSign(
            using: .hmacSHA256, method: "POST", path: "/p", query: "", timestamp: 1, nonce: "n", body: [])
        let plain = RequestSigner.stringToSign(
            method: "POST", path: "/p", query: "", timestamp: 1, nonce: "n", body: [])
        #expect(sha == plain)
    }

    // Each expected signature was computed with:
    //   printf 'METHOD\nPATH\nQUERY\nTIMESTAMP\nNONCE\nBODYSM3' | openssl dgst -sm3 -hmac 'key-0123456789abcdef'
    // where BODYSM3 is `printf BODY | openssl dgst -sm3` (the empty body: 1ab21d83…).
    @Test func postWithBodyMatchesOpenSSL() throws {
        let signature = try RequestSigner.signature(
            using: .hmacSM3, secret: Self.secret, method: "POST", path: "/gsxt/exchange/v1/datasets/pledge/batches",
            query: "", timestamp: 1_700_000_123, nonce: "ffeeddccbbaa99887766554433221100",
            body: Array(#"{"a":"b"}"#.utf8))
        #expect(signature == "b7484aa9a5abf282f98441b995c8edf732a5e5d8a40c5ae62fab26b622e0ce50")
    }

    @Test func getWithQueryAndEmptyBodyMatchesOpenSSL() throws {
        let query = RequestSigner.canonicalQuery([("source", "11330000MB12345679"), ("limit", "2")])
        let signature = try RequestSigner.signature(
            using: .hmacSM3, secret: Self.secret, method: "GET", path: "/credit/exchange/v1/datasets/license/records",
            query: query, timestamp: 1_700_000_000, nonce: "0123456789abcdef0123456789abcdef", body: [])
        #expect(signature == "8a5826a83ee6ca9b66024aebca06dd671256eb3ecdc758bcf5631ed26f3698be")
    }

    @Test func headersNameTheMethodOnlyWhenItIsNotTheDefault() throws {
        let sm3 = try RequestSigner.headers(
            using: .hmacSM3, appID: "a", secret: Self.secret, method: "GET", path: "/", query: "", body: [], now: 100,
            nonce: "0123456789abcdef0123456789abcdef")
        #expect(
            sm3.map(\.0) == [
                "X-Exchange-App", "X-Exchange-Timestamp", "X-Exchange-Nonce", "X-Exchange-Signature",
                "X-Exchange-Signature-Method",
            ])
        #expect(sm3.last?.1 == "HMAC-SM3")
        let expected = try RequestSigner.signature(
            using: .hmacSM3, secret: Self.secret, method: "GET", path: "/", query: "", timestamp: 100,
            nonce: "0123456789abcdef0123456789abcdef", body: [])
        #expect(sm3[3].1 == expected)
        let sha = try RequestSigner.headers(
            using: .hmacSHA256, appID: "a", secret: Self.secret, method: "GET", path: "/", query: "", body: [],
            now: 100, nonce: "0123456789abcdef0123456789abcdef")
        #expect(sha.count == 4)
        #expect(sha[3].1 != expected)
        #expect(
            sha.map(\.1)
                == RequestSigner.headers(
                    appID: "a", secret: Self.secret, method: "GET", path: "/", query: "", body: [], now: 100,
                    nonce: "0123456789abcdef0123456789abcdef"
                ).map(\.1))
    }
}
