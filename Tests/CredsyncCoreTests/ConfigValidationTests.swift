import Foundation
import Testing

@testable import CredsyncCore

/// Ranges, URLs and secret sources: what `check` refuses so that no later step crashes or leaks.
@Suite struct ConfigValidationTests {
    static func platform(_ members: String) -> String {
        #"{"id": "credit", "appId": "a", "secretEnv": "SECRET", "#
            + (members.contains("\"baseURL\"") ? "" : #""baseURL": "https://c.example/x", "#) + members + "}"
    }

    func problems(platform members: String = #""batchSize": 10"#, extra: String = "") throws -> [String] {
        let text = ConfigFixture.text(platform: Self.platform(members), extra: extra)
        return try ConfigFixture().load(text).problems.map(\.description)
    }

    @Test func durationParserNeverTrapsOnHugeNumbers() {
        #expect(DurationText.seconds(String(repeating: "9", count: 400) + "s") == nil)
        #expect(DurationText.seconds("99999999999999999999d") == 1e20 * 86400)
        #expect(DurationText.seconds(String(repeating: "9", count: 308) + "w") == nil)
        #expect(
            DurationText.seconds(String(repeating: "9", count: 308) + "s" + String(repeating: "9", count: 308) + "s")
                == nil)
        #expect(DurationText.describe(.infinity) == "11574074074d1h")
        #expect(DurationText.describe(-.infinity) == "0s" && DurationText.describe(.nan) == "0s")
        #expect(DurationText.describe(1e30 * 86400) == "11574074074d1h")
    }

    /// Every duration of the configuration has a range; past it is a problem at its path.
    @Test(arguments: [
        (#""connectTimeout": "11m""#, "", #"platforms[0].connectTimeout: "11m" is out of range (use 1s to 10m)"#),
        (
            #""timeout": "99999999999999999999d""#, "",
            #"platforms[0].timeout: "99999999999999999999d" is out of range (use 1s to 1h)"#
        ),
        (#""timeout": "0.5s""#, "", #"platforms[0].timeout: "0.5s" is out of range (use 1s to 1h)"#),
        ("", #", "retry": {"minDelay": "2d"}"#, #"retry.minDelay: "2d" is out of range (use 1s to 1d)"#),
        (
            "", #", "retry": {"maxDelay": "1000000000000000000000000000000d"}"#,
            #"retry.maxDelay: "1000000000000000000000000000000d" is out of range (use 1s to 7d)"#
        ),
        ("", #", "retry": {"maxAge": "400d"}"#, #"retry.maxAge: "400d" is out of range (use 1m to 366d)"#),
        ("", #", "retry": {"maxDelayInRun": "1h"}"#, #"retry.maxDelayInRun: "1h" is out of range (use 1s to 10m)"#),
        (
            #""rateLimit": {"perSecond": 1e400}"#, "",
            "platforms[0].rateLimit.perSecond: 1e400 is out of range (use 0.01 to 10000.0)"
        ),
        (
            "", #", "retry": {"maxAttempts": 100000000000000000000}"#,
            "retry.maxAttempts: 100000000000000000000 is out of range (use 1 to 1000)"
        ),
        (
            "", #", "pull": {"region": "330000", "refreshAfter": "9999999999999999999999999w"}"#,
            #"pull.refreshAfter: "9999999999999999999999999w" is out of range (use 1m to 366d)"#
        ),
        (
            "", #", "pull": {"region": "330000", "refreshAfter": "\#(String(repeating: "9", count: 400))d"}"#,
            #"pull.refreshAfter: "\#(String(repeating: "9", count: 400))d" is out of range (use 1m to 366d)"#
        ),
    ])
    func durationOutOfRangeIsAProblemAtItsPath(platform: String, extra: String, expected: String) throws {
        #expect(try problems(platform: platform.isEmpty ? #""batchSize": 10"# : platform, extra: extra) == [expected])
    }

    /// The messages without their hints: `path: message`.
    func messages(platform members: String) throws -> [String] {
        let text = ConfigFixture.text(platform: Self.platform(members))
        return try ConfigFixture().load(text).problems.map { $0.path + ": " + $0.message }
    }

    @Test(arguments: [
        ("https://c.example/ex change", #""https://c.example/ex change" contains a space or a control character"#),
        ("https://c.example:99999/x", #""https://c.example:99999/x" has a port that is not 1 to 65535"#),
        ("https://c.example:0/x", #""https://c.example:0/x" has a port that is not 1 to 65535"#),
        ("https:///x", #""https:///x" has no host"#),
        ("https://:443/x", #""https://:443/x" has no host"#),
        ("https://c..example/x", #""https://c..example/x" has a host that is not a name or an IP address"#),
        ("https://c.example/x?a=1", #""https://c.example/x?a=1" has a query or fragment (? or #)"#),
        ("https://user:s3cret-pw@c.example/x", "the URL holds a user name or password (the URL is not shown)"),
        ("user:s3cret-pw@c.example/x", "the URL holds a user name or password (the URL is not shown)"),
        ("http://10.0.0.5/x", #""http://10.0.0.5/x" is plain HTTP to a host that is not loopback"#),
    ])
    func badBaseURLIsAProblemAtItsPathAndAPasswordIsNeverShown(url: String, expected: String) throws {
        let report = try ConfigFixture().load(ConfigFixture.text(platform: Self.platform(#""baseURL": "\#(url)""#)))
        #expect(report.problems.map { $0.path + ": " + $0.message } == ["platforms[0].baseURL: " + expected])
        #expect(!report.problems.map(\.description).joined().contains("s3cret-pw"))
    }

    @Test func badProxyIsAProblemAtItsPathAndAPasswordIsNeverShown() throws {
        let withPassword = try problems(platform: #""proxy": "http://me:s3cret-pw@proxy.example:3128""#)
        #expect(
            withPassword == [
                "platforms[0].proxy: the URL holds a user name or password (the URL is not shown)"
                    + " (remove the user-info)"
            ])
        #expect(
            try messages(platform: #""proxy": "proxy.example:3128""#) == [
                #"platforms[0].proxy: "proxy.example:3128" is not an http, https, socks5 or socks5h URL"#
            ])
    }

    @Test func goodURLsLoad() throws {
        for members in [
            #""baseURL": "http://127.0.0.1:8719/credit/exchange/v1""#, #""baseURL": "http://localhost:80/x""#,
            #""baseURL": "http://[::1]:8080/x""#, #""baseURL": "https://[2001:db8::1]:8443/x""#,
            #""baseURL": "HTTPS://Credit.Example/exchange/v1/""#, #""proxy": "socks5h://10.1.2.3:1080""#,
        ] {
            #expect(try problems(platform: members) == [], "\(members)")
        }
    }

    @Test func plainHTTPElsewhereIsAllowedOnlyByNameAndThenWarned() throws {
        let text = ConfigFixture.text(
            platform: Self.platform(#""baseURL": "http://10.0.0.5/x", "allowPlainHTTP": true"#))
        let report = try ConfigFixture().load(text)
        #expect(report.problems.isEmpty)
        #expect(
            report.warnings.map(\.description) == [
                #"platforms[0].baseURL: "http://10.0.0.5/x" is plain HTTP: "#
                    + "the records and their signatures travel unencrypted"
                    + " (use https and remove allowPlainHTTP)"
            ])
        let loopback = try ConfigFixture().load(
            ConfigFixture.text(platform: Self.platform(#""baseURL": "http://127.0.0.1:1/x""#)))
        #expect(loopback.warnings.isEmpty)
    }

    /// A secret typed where its source goes is never printed back, whether secrets are read or not.
    @Test func secretTypedAsItsSourceIsNeverPrinted() throws {
        let secret = "rt-credit-own-0123456789abcdef"
        for readsSecrets in [true, false] {
            let fixture = try ConfigFixture()
            let asVariable = ConfigFixture.text(
                platform:
                    #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "secretEnv": "\#(secret)"}"#)
            let report = try ConfigLoader.load(
                file: try fixture.write("credsync.json", asVariable), environment: [:], readsSecrets: readsSecrets)
            #expect(
                report.problems.map(\.description) == [
                    "platforms[0].secretEnv: is not an environment variable's name (the value is not shown) "
                        + "(name the variable that holds the secret, e.g. CREDSYNC_CREDIT_SECRET: A-Z, 0-9 and _)"
                ])
        }
        let asFile = ConfigFixture.text(
            platform: #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "secretFile": "\#(secret)"}"#)
        let found = try ConfigFixture().load(asFile).problems.map(\.description)
        #expect(found.count == 1 && !found.joined().contains(secret))
        #expect(
            found.first?.hasPrefix("platforms[0].secretFile: the file given (not shown: it does not look like a path)")
                == true)
        // A path is still quoted, so that the operator sees which file is missing.
        let missing = ConfigFixture.text(
            platform:
                #"{"id": "credit", "baseURL": "https://c.example/x", "appId": "a", "#
                + #""secretFile": "secrets/credit.secret"}"#
        )
        #expect(
            try ConfigFixture().load(missing).problems.map(\.description) == [
                #"platforms[0].secretFile: "secrets/credit.secret": No such file or directory"#
            ])
    }

    @Test func plausibleNamesAndPaths() {
        for name in ["SECRET", "CREDSYNC_DEMO_SECRET", "_X", "CREDIT_2"] {
            #expect(SecretName.isPlausibleVariable(name), "\(name)")
        }
        for name in ["rt-credit-own", "lower_case", "2SECRET", "ABCDEF0123456789", "", "A B"] {
            #expect(!SecretName.isPlausibleVariable(name), "\(name)")
        }
        for path in ["/etc/credsync/credit.secret", "credit.secret", "./s", "secrets/机密.txt"] {
            #expect(SecretName.isPlausiblePath(path), "\(path)")
        }
        for path in ["rt-credit-own-0123456789abcdef", "abc/def+ghi=", "a b/c", "/etc/x\u{7}y", ""] {
            #expect(!SecretName.isPlausiblePath(path), "\(path)")
        }
    }
}
