@testable import CredsyncCore
import Foundation
import Testing
import _CredsyncEngine

/// Arithmetic on values from outside never traps; personal numbers are masked whatever their
/// validity; what credsync writes is never world-readable.
@Suite struct RobustnessTests {
    @Test func extremeDurationsAndInstantsNeitherTrapNorOverflow() {
        #expect(DurationText.seconds(String(repeating: "9", count: 400) + "d") == nil)
        #expect(DurationText.seconds("99999999999999999999d") == 1e20 * 86400)
        #expect(DurationText.describe(1e300) == "11574074074d1h")
        #expect(DurationText.describe(.infinity) == "11574074074d1h" && DurationText.describe(.nan) == "0s")
        #expect(DurationText.describe(-5) == "0s")
        #expect(Timestamp.rfc3339(1e300) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.rfc3339(-1e300) == "0001-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(.nan) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.rfc3339(1e30, fractional: true) == "9999-12-31T23:59:59.000Z")
        #expect(LocalDate.todayInShanghai(now: 1e300).year == 9999)
    }

    @Test func dateArithmeticClampsToTheCalendarInsteadOfOverflowing() throws {
        let date = try #require(LocalDate(year: 2026, month: 11, day: 20))
        #expect(date.adding(days: .max).iso == "9999-12-31")
        #expect(date.adding(days: .min).iso == "0001-01-01")
        #expect(date.adding(months: .max).iso == "9999-12-31")
        #expect(date.adding(months: .min).iso == "0001-01-01")
        #expect(date.adding(years: .max).iso == "9999-12-31")
        #expect(date.adding(years: -3000).iso == "0001-01-01")
        #expect(LocalDate(dayNumber: .max).iso == "9999-12-31")
        #expect(date.adding(months: 12).iso == "2027-11-20")
        #expect(date.adding(days: -1).iso == "2026-11-19")
    }

    @Test func decimalsTooLongForAnIntAreNotNumbers() {
        let digits = Array("123456789012345678901234567890".utf8)
        digits.withUnsafeBufferPointer { buffer in
            #expect(ASCIIDecimal.parse(buffer, 0, buffer.count) == nil)
            #expect(ASCIIDecimal.parse(buffer, 0, 18) == 123_456_789_012_345_678)
        }
        let largest = Array(String(Int.max).utf8)
        largest.withUnsafeBufferPointer { #expect(ASCIIDecimal.parse($0, 0, $0.count) == .max) }
        let past = Array("9223372036854775808".utf8)
        past.withUnsafeBufferPointer { #expect(ASCIIDecimal.parse($0, 0, $0.count) == nil) }
    }

    /// A SHA-256 hex digest whose digits happen to look like a 身份证号 (about 1 in 6,000 do) stays
    /// whole: masked, the audit log's `prev` would no longer chain to the line before.
    @Test func aDigestWhoseDigitsLookLikeAnIDIsNotMasked() {
        let digest = "ab110105194912310021cd" + String(repeating: "e4", count: 21)
        #expect(digest.count == 64)
        #expect(PersonalData.mask(digest) == digest)
        #expect(PersonalData.mask(#"{"prev":"\#(digest)","id":"110105194912310021"}"#).contains(digest))
        #expect(PersonalData.mask("\(digest) 110105194912310021") == "\(digest) 110105********0021")
        // A short hexadecimal neighbourhood is not a digest: the number is masked.
        #expect(PersonalData.mask("ab110105194912310021cd") == "ab110105********0021cd")
        #expect(PersonalData.mask("证件号码110105194912310021") == "证件号码110105********0021")
    }

    @Test func everyIDShapedRunIsMaskedWhateverItsCheckCharacter() {
        // 17 digits, a wrong check character, 15 digits (the old card), lower-case x.
        #expect(PersonalData.mask("id 33010619900101123 end") == "id 330106*******1123 end")
        #expect(PersonalData.mask("330106199001011230") == "330106********1230")
        #expect(PersonalData.mask("x=330106900101123,") == "x=330106*****1123,")
        #expect(PersonalData.mask("出质人33010619900101123x。") == "出质人330106********123x。")
        #expect(
            PersonalData.mask("a 110105194912310021 b 330106199012092282")
                == "a 110105********0021 b 330106********2282")
        // Not ID-shaped: too long, no birth date, no region digit, key and code shapes.
        for clear in [
            "1234567890123456789", "123456789012345", "930106199001011234", "ZX2025000010",
            "91330106MA2AXY7K3X", "11330000MB12345679", "2026-11-20T01:02:03Z", "batch 1732000000123",
        ] {
            #expect(PersonalData.mask(clear) == clear, "\(clear)")
        }
    }

    @Test func personalFieldsAreMaskedWhateverTheirValidity() {
        #expect(PersonalData.shown("33010619900101123", field: "XK_XDR_ZJHM") == "330106*******1123")
        #expect(PersonalData.shown("12345", field: "CF_XDR_ZJHM") == "*****")
        #expect(PersonalData.shown("abcdefghijkl", field: "出质人证件号") == "abcdef**ijkl")
        // 出质人代码: an organisation's code stays, anything else is masked.
        #expect(PersonalData.shown("913310020W56G1HN00", field: "ZY_CZRDM") == "913310020W56G1HN00")
        #expect(PersonalData.shown("913310020W56G1HN01", field: "ZY_CZRDM") == "913310********HN01")
        // A pledgor's 身份证号 that happens to pass the USCC check is still a person's number.
        #expect(PersonalData.shown("330106199210058878", field: "ZY_CZRDM") == "330106********8878")
        // A 身份证号 typed into a 统一社会信用代码 or 质权人代码 field is masked as free text.
        #expect(PersonalData.shown("330106199012092282", field: "XK_XDR_SHXYM") == "330106********2282")
        #expect(PersonalData.shown("330106199012092282", field: "ZY_ZQRDM") == "330106********2282")
        #expect(PersonalData.shown("913301001B6F9AJPJT", field: "ZY_ZQRDM") == "913301001B6F9AJPJT")
    }

    @Test func hmacFallbackMatchesLibcrypto() {
        // RFC 4231 test case 1, and a key longer than a block.
        let key = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            Hex.encode(HMACSHA256.mac(key: key, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        for key in [key, [UInt8](repeating: 0xaa, count: 131), []] {
            let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
            #expect(HMACSHA256.rfc2104(key: key, message: message) == HMACSHA256.mac(key: key, message: message))
        }
    }

    @Test func filesAndDirectoriesAreNeverWiderThanGroupReadableWhateverTheUmask() throws {
        let root = NSTemporaryDirectory() + "credsync-modes-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let previous = umask(0)
        defer { umask(previous) }
        try FileSystem.createDirectory(root + "/a/b", mode: 0o777)
        try FileSystem.writeAtomically(root + "/a/b/report.json", text: "{}")
        try FileSystem.writeAtomically(root + "/a/b/wide.json", text: "{}", mode: 0o666)
        try FileSystem.writeAtomically(root + "/a/b/own.json", text: "{}", mode: 0o600)
        #expect(try FileSystem.permissions(root + "/a") == 0o750)
        #expect(try FileSystem.permissions(root + "/a/b") == 0o750)
        #expect(try FileSystem.permissions(root + "/a/b/report.json") == 0o640)
        #expect(try FileSystem.permissions(root + "/a/b/wide.json") == 0o640)
        #expect(try FileSystem.permissions(root + "/a/b/own.json") == 0o600)
    }
}
