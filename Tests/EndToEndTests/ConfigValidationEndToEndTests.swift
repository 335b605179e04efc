import CredsyncCore
import Foundation
import TestSupport
import Testing

/// `credsync check` (and a command that only reads the queues) refusing a configuration that
/// would crash, hang or leak later: exit 78, the JSON path, and never the secret.
@Suite struct ConfigValidationEndToEndTests {
    static let environment = ["CREDSYNC_E2E_SECRET": "e2e-secret-0123456789abcdef"]
    /// A configuration with no catalog; `platform` replaces or adds members of the platform
    /// (`"key": value` pairs, comma-separated; a `null` value removes the member).
    static func config(platform: String = "", retry: String = "{}") -> String {
        var members: [(String, String)] = [
            ("id", #""credit""#), ("appId", #""a""#), ("secretEnv", #""CREDSYNC_E2E_SECRET""#),
            ("baseURL", #""http://127.0.0.1:8719/credit/exchange/v1""#),
        ]
        if !platform.isEmpty, case .object(let object)? = try? JSONParser.parse("{" + platform + "}") {
            for member in object {
                members.removeAll { $0.0 == member.key }
                if !member.value.isNull { members.append((member.key, JSONWriter.compact(member.value))) }
            }
        }
        let body = members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ")
        return """
            {"organisation": {"name": "某省知识产权局", "uscc": "11330000MB12345679"}, "catalogs": [],
             "platforms": [{\(body)}], "retry": \(retry)}
            """
    }

    func run(_ arguments: [String], config text: String) throws -> Binaries.Result {
        let directory = try TemporaryDirectory("config")
        let file = try directory.write("credsync.json", text)
        return try Binaries.run(
            "credsync", arguments + ["--config", file, "--state-dir", directory.path + "/state"],
            environment: Self.environment)
    }

    /// Each value gives exit 78 and its path and message on stderr; what must not be shown is not,
    /// on either stream.
    @Test(arguments: [
        (
            #""timeout": "99999999999999999999d""#, "{}",
            #"platforms[0].timeout: "99999999999999999999d" is out of range (use 1s to 1h)"#, ""
        ),
        (
            "", #"{"minDelay": "1000000000000000000000000000000d"}"#,
            #"retry.minDelay: "1000000000000000000000000000000d" is out of range (use 1s to 1d)"#, ""
        ),
        (
            "", #"{"maxDelay": "1000000000000000000000000000000d"}"#,
            #"retry.maxDelay: "1000000000000000000000000000000d" is out of range (use 1s to 7d)"#, ""
        ),
        (
            #""baseURL": "http://127.0.0.1:8719/cre dit""#, "{}",
            #"platforms[0].baseURL: "http://127.0.0.1:8719/cre dit" contains a space or a control character"#, ""
        ),
        (
            #""baseURL": "https://credit.example:99999/exchange/v1""#, "{}",
            "platforms[0].baseURL: \"https://credit.example:99999/exchange/v1\" has a port that is not 1 to 65535", ""
        ),
        (#""baseURL": "https:///exchange/v1""#, "{}", #"platforms[0].baseURL: "https:///exchange/v1" has no host"#, ""),
        (
            #""baseURL": "http://user:hunter2-pass@127.0.0.1:8719/credit""#, "{}",
            "platforms[0].baseURL: the URL holds a user name or password (the URL is not shown)", "hunter2-pass"
        ),
        (
            #""baseURL": "http://credit.example/exchange/v1""#, "{}",
            #"platforms[0].baseURL: "http://credit.example/exchange/v1" is plain HTTP to a host that is not loopback"#,
            ""
        ),
        (
            #""secretEnv": null, "secretFile": "rt-credit-own-9f8e7d6c5b4a3210""#, "{}",
            "platforms[0].secretFile: the file given (not shown: it does not look like a path)", "rt-credit-own"
        ),
    ])
    func checkRefusesWithThePathAndNeverShowsASecret(
        platform: String, retry: String, expected: String, hidden: String
    ) throws {
        let result = try run(["check"], config: Self.config(platform: platform, retry: retry))
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        if !hidden.isEmpty {
            #expect(!result.stderr.contains(hidden) && !result.stdout.contains(hidden), "\(result.stderr)")
        }
    }

    /// The secret typed where the variable's name goes is refused unseen, by `check --json` too.
    @Test func secretTypedAsTheVariableNameIsNeverPrinted() throws {
        let typed = "rt-credit-own-9f8e7d6c5b4a3210"
        let text = Self.config(platform: #""secretEnv": "\#(typed)""#)
        for arguments in [["check"], ["check", "--json"]] {
            let result = try run(arguments, config: text)
            #expect(result.status == 78)
            #expect((result.stderr + result.stdout).contains("is not an environment variable's name"))
            #expect((result.stderr + result.stdout).contains("platforms[0].secretEnv"))
            #expect(!result.stderr.contains(typed) && !result.stdout.contains(typed))
        }
    }

    /// A command that never reaches a platform refuses the out-of-range configuration too
    /// (today `queue list` traps on the next-try instants it would derive from it).
    @Test func queueListRefusesAnOutOfRangeRetryDelay() throws {
        let result = try run(
            ["queue", "list"], config: Self.config(retry: #"{"maxDelay": "1000000000000000000000000000000d"}"#))
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("retry.maxDelay:"))
    }

    /// Plain HTTP to another host runs only when allowed by name, and is warned about each time.
    @Test func plainHTTPToAnotherHostIsAllowedByNameAndWarned() throws {
        let text = Self.config(platform: #""baseURL": "http://credit.example/exchange/v1", "allowPlainHTTP": true"#)
        for arguments in [["check"], ["queue", "list"]] {
            let result = try run(arguments, config: text)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    #"platforms[0].baseURL: "http://credit.example/exchange/v1" is plain HTTP: "#
                        + "the records and their signatures travel unencrypted"
                ),
                "\(result.stderr)")
        }
    }
}
