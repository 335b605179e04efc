import Foundation
import Testing

@testable import CredsyncCore

/// SM3 and HMAC-SM3 through libcrypto, against GB/T 32905-2016's examples, vectors computed once
/// with OpenSSL 3.0's command line, and the `openssl` binary itself.
@Suite struct SM3Tests {
    /// GB/T 32905-2016 Appendix A: "abc" and the 64-byte "abcd" × 16; and the empty message.
    @Test(arguments: [
        ("abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (String(repeating: "abcd", count: 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
        ("", "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"),
    ])
    func digestMatchesTheStandardsExamples(message: String, expected: String) throws {
        #expect(try SM3.hex(Array(message.utf8)) == expected)
    }

    /// Computed with `printf '<message>' | openssl dgst -sm3 -hmac '<key>'` (or `openssl mac -digest SM3
    /// -macopt key:<key> HMAC`); the 100-byte key is longer than SM3's block and is hashed first.
    @Test(arguments: [
        ("key-0123456789abcdef", "abc", "9d4149ccc54974f78d3ade310befe25e512d17985be52dd6d7570e903d3a52b2"),
        (
            "key-0123456789abcdef", "The quick brown fox jumps over the lazy dog",
            "64e920ef08d46f483eeeca9eba48926308e29d278a027b046f35bba0776257b4"
        ),
        (String(repeating: "k", count: 100), "abc", "2d87dd3ffa1452e8e40d9123a02824fb7dd98ae4a52683287245f1736dc610ef"),
        ("key-0123456789abcdef", "", "e5dcf995c1ec6933b392c9f9b3d4561ded90eeac1a30c3c42276bfd00a22728d"),
    ])
    func hmacMatchesOpenSSLVectors(key: String, message: String, expected: String) throws {
        #expect(try SM3.macHex(key: key, message: message) == expected)
    }

    /// Keys and messages around SM3's 64-byte block and its 56-byte padding limit, binary keys
    /// included, each checked against the real `openssl` binary.
    @Test func digestAndHMACMatchTheOpenSSLBinaryAroundTheBlockSize() throws {
        let directory = NSTemporaryDirectory() + "credsync-sm3-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let messageFile = directory + "/message"
        for length in [1, 55, 56, 63, 64, 65, 1000] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(message).write(to: URL(fileURLWithPath: messageFile))
            let digest = try Self.openssl(["dgst", "-sm3", "-r", messageFile]).prefix { $0 != " " }
            #expect(try SM3.hex(message) == String(digest), "SM3 of \(length) bytes")
            for keyLength in [1, 16, 64, 65, 129] {
                let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ length) }
                let mac = try Self.openssl(
                    ["mac", "-digest", "SM3", "-macopt", "hexkey:" + Hex.encode(key), "-in", messageFile, "HMAC"])
                #expect(
                    try Hex.encode(SM3.mac(key: key, message: message)) == mac.lowercased(),
                    "HMAC-SM3 of \(length) bytes under a \(keyLength)-byte key")
            }
        }
    }

    @Test func signatureMethodHashesTheBodyAndMacsByItsOwnAlgorithm() throws {
        let body = Array(#"{"a":"b"}"#.utf8)
        #expect(try SignatureMethod.hmacSHA256.bodyHash(body) == SHA256.hex(body))
        #expect(try SignatureMethod.hmacSM3.bodyHash(body) == SM3.hex(body))
        #expect(try SignatureMethod.hmacSM3.mac(key: "k", message: "m") == SM3.macHex(key: "k", message: "m"))
        #expect(try SignatureMethod.hmacSHA256.mac(key: "k", message: "m") == HMACSHA256.hex(key: "k", message: "m"))
        #expect(SignatureMethod(rawValue: "HMAC-SM3") == .hmacSM3 && SM3.isAvailable)
    }

    /// The output of `openssl` with `arguments`, trimmed; a failure names the command.
    static func openssl(_ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            throw CryptoError("this test runs /usr/bin/openssl, which is missing: apt-get install openssl")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CryptoError("openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `signatureMethod` in a platform's configuration.
@Suite struct SignatureMethodConfigTests {
    func load(_ members: String) throws -> ConfigReport {
        let platform =
            #"{"id": "credit", "baseURL": "http://127.0.0.1:8719/credit/exchange/v1", "appId": "a", "#
            + #""secretEnv": "SECRET""# + members + "}"
        return try ConfigFixture().load(ConfigFixture.text(platform: platform))
    }

    @Test func absentMeansHMACSHA256AndHMACSM3IsRead() throws {
        #expect(try load("").requireConfig().platforms.first?.signatureMethod == .hmacSHA256)
        let sm3 = try load(#", "signatureMethod": "HMAC-SM3""#)
        #expect(sm3.problems.isEmpty)
        #expect(try sm3.requireConfig().platforms.first?.signatureMethod == .hmacSM3)
        #expect(
            try load(#", "signatureMethod": "HMAC-SHA256""#).requireConfig().platforms.first?.signatureMethod
                == .hmacSHA256)
    }

    @Test(arguments: [
        ("HMAC-SM4", #"did you mean "HMAC-SM3"?"#),
        ("hmac-sha256", #"did you mean "HMAC-SHA256"?"#),
        ("MD5", "use one of those"),
    ])
    func anUnknownMethodIsAProblemAtItsPathWithASuggestion(value: String, hint: String) throws {
        let problems = try load(#", "signatureMethod": "\#(value)""#).problems
        #expect(problems.count == 1)
        #expect(problems.first?.path == "platforms[0].signatureMethod")
        #expect(problems.first?.message == #""\#(value)" is not one of HMAC-SHA256, HMAC-SM3"#)
        #expect(problems.first?.hint?.contains(hint) == true, "\(problems)")
    }
}
