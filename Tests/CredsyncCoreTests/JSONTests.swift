import Dispatch
import Synchronization
import Testing

@testable import CredsyncCore
import _CredsyncEngine

@Suite struct JSONParserTests {
    @Test func parsesNestedValuesKeepingNumberText() throws {
        let value = try JSONParser.parse(#"{"a": [1, 2.50, -3e2], "b": {"c": null, "d": true}, "e": "x"}"#)
        #expect(value["a"] == .array([.number("1"), .number("2.50"), .number("-3e2")]))
        #expect(value["b"]?["c"] == .null)
        #expect(value["b"]?["d"] == .bool(true))
        #expect(value["e"] == .string("x"))
        #expect(value.objectValue?.keys == ["a", "b", "e"])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\n\u00e9\ud83d\ude00\u4e2d""#)
        #expect(value == .string("a\"b\\c\né😀中"))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "expected a string key"),
        ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "expected ',' or '}'"),
        ("[01]", 1, 3, "leading zero"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("\"abc", 1, 1, "unterminated string"),
        ("{} x", 1, 4, "unexpected content"),
        ("\"\\ud800\"", 1, 8, "unpaired surrogate"),
    ])
    func reportsWhereTheTextIsBroken(text: String, line: Int, column: Int, message: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("parsed \(text) without an error")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }
}

@Suite struct CanonicalJSONTests {
    @Test func sortsKeysByUTF16CodeUnitsWithoutWhitespace() {
        // U+1F600 (surrogates D83D…) sorts before U+FF21 (Ａ) in UTF-16 although it is after it in scalars.
        let value: JSONValue = ["b": "2", "a": "1", "\u{FF21}": "x", "😀": "y", "A": "z"]
        #expect(JSONWriter.canonical(value) == #"{"A":"z","a":"1","b":"2","😀":"y","Ａ":"x"}"#)
    }

    @Test func escapesExactlyAsJCSSays() {
        let value: JSONValue = ["k": .string("q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}中")]
        #expect(JSONWriter.canonical(value) == "{\"k\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7F}中\"}")
    }

    @Test func hashOfCanonicalFormMatchesIndependentVector() {
        // sha256 of the UTF-8 bytes {"XK_WSH":"浙知许〔2025〕12号","XK_ZT":"1"}, computed with Python's hashlib.
        let value: JSONValue = ["XK_ZT": "1", "XK_WSH": "浙知许〔2025〕12号"]
        let canonical = JSONWriter.canonical(value)
        #expect(canonical == #"{"XK_WSH":"浙知许〔2025〕12号","XK_ZT":"1"}"#)
        #expect(SHA256.hex(canonical) == "00a2f4d47f6e2ce2819cc811fb500a78b7232338d653bb7af3258ba6c4fd5c84")
    }
}

/// The eight-bytes-at-a-time escape test says what a byte-by-byte look says, wherever the byte
/// that needs escaping sits and whatever surrounds it.
@Suite struct EscapeScanTests {
    @Test func wordTestAgreesWithBytes() {
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xE4, 0xFF, 0x41, 0x01 &+ 0x20]
        let special: [UInt8] = Array(0x00..<0x20) + [0x22, 0x5C]
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<200 {
                var bytes = (0..<length).map { _ in plain.randomElement(using: &generator) ?? 0x41 }
                if length > 0, Bool.random(using: &generator) {
                    bytes[Int.random(in: 0..<length, using: &generator)] = special.randomElement(using: &generator) ?? 0
                }
                let naive = bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
                #expect(bytes.withUnsafeBufferPointer { JSONWriter.needsEscape($0) } == naive, "\(bytes)")
            }
        }
    }
}

/// The word-at-a-time byte search finds what a byte-by-byte look finds, at every offset.
@Suite struct ByteScanTests {
    @Test func wordSearchAgreesWithBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x20, 0x27, 0x28, 0x29, 0x2A, 0xBB, 0xBC, 0xBD, 0xBE, 0xE4, 0x00, 0xFF, 0x41]
        for length in 0..<40 {
            for _ in 0..<200 {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
                for (a, b) in [(UInt8(0x28), UInt8(0x29)), (0xBC, 0xBD), (0x00, 0xFF)] {
                    #expect(
                        bytes.withUnsafeBufferPointer { ByteScan.contains($0, a, b) }
                            == bytes.contains { $0 == a || $0 == b }, "\(bytes)")
                }
            }
        }
    }
}

@Suite struct HashTests {
    // Vectors computed with `openssl dgst -sha256` and Python's hashlib.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("浙知许〔2025〕12号", "d3b7ccd9c385ba14da0a276831a696c7ed39a3278149376be22468ac819b57f3"),
    ])
    func sha256MatchesOpenSSL(text: String, hex: String) {
        #expect(SHA256.hex(text) == hex)
        let streaming = SHA256()
        for scalar in text.unicodeScalars { streaming?.update(String(scalar)) }
        #expect(streaming.map { Hex.encode($0.finalize()) } == hex)
    }

    /// Each thread reuses one digest context: digests taken in turn on several threads, of
    /// lengths around the block size, equal a fresh context's, and the vectors still hold after.
    @Test func reusedContextsOnManyThreadsGiveFreshDigests() {
        let inputs = (0..<300).map { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) } }
        let expected = inputs.map { bytes -> String in
            let fresh = SHA256()
            fresh?.update(bytes)
            return fresh.map { Hex.encode($0.finalize()) } ?? ""
        }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<5 {
                for (i, bytes) in inputs.enumerated() where (i + worker + round) % 3 != 0 {
                    let digest = bytes.withUnsafeBytes { SHA256.Digest(of: $0) }
                    if digest.hex != expected[i] { failures.withLock { $0 += 1 } }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hmacMatchesOpenSSL() {
        // printf 'msg' | openssl dgst -sha256 -hmac 'key-0123456789abcdef'
        #expect(
            HMACSHA256.hex(key: "key-0123456789abcdef", message: "msg")
                == "cd94dd684c9ff831b3115623cc6deac2081da022c527f411ddf2376daeeceeec")
    }

    @Test func noncesAreFreshLowercaseHex() {
        let a = SecureRandom.nonce()
        let b = SecureRandom.nonce()
        #expect(a.count == 32 && a != b)
        #expect(a.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
