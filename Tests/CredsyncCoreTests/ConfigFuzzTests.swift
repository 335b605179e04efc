import Foundation
import Testing

@testable import CredsyncCore

/// A small deterministic generator (SplitMix64), so that a failing case is found again by its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded random mutations of a JSON document: type swaps, huge numbers, deletions, unknown keys,
/// unicode, deep nesting, and cuts or flipped bytes in its text.
struct JSONMutator {
    var random: SeededGenerator

    static let replacements: [JSONValue] = [
        .null, .bool(true), .bool(false), .number("0"), .number("-1"), .number("1e400"), .number("-1e400"),
        .number("99999999999999999999"), .number("0.0000001"), .number("9223372036854775808"), .string(""),
        .string(" "), .string("99999999999999999999d"), .string("1000000000000000000000000000000d"), .string("0s"),
        .string(String(repeating: "9", count: 400) + "s"), .string("-5m"), .string("1.5.5h"), .string("证件号码"),
        .string("\u{202E}evil\u{0}\u{7F}"), .string("😀😀😀"), .string("\u{FEFF}credit"),
        .string("http://u:p@h/x"),
        .string("http://[::1"), .string("https://h:99999/x"), .string("rt-credit-own-0123456789abcdef"),
        .array([]), .array([.null, .number("1"), .string("x")]), .object(JSONObject()),
        .object(JSONObject([JSONMember("//", .string("comment")), JSONMember("x", .number("1"))])),
    ]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    /// `value` with one node changed, chosen uniformly along a random walk from the root.
    mutating func mutate(_ value: JSONValue, depth: Int = 0) -> JSONValue {
        let descend = depth < 8 && Int.random(in: 0..<3, using: &random) > 0
        switch value {
        case .object(var object) where !object.isEmpty:
            let key = pick(object.keys)
            if descend, let inner = object[key] {
                object[key] = mutate(inner, depth: depth + 1)
                return .object(object)
            }
            switch Int.random(in: 0..<4, using: &random) {
            case 0: object[key] = nil
            case 1: object[key + pick(["s", "x", "_", "\u{301}"])] = object[key]
            case 2:
                object[pick(["timeout", "proxy", "allowPlainHTTP", "retry", "unknown", "secret"])] = pick(
                    Self.replacements)
            default: object[key] = pick(Self.replacements)
            }
            return .object(object)
        case .array(var items) where !items.isEmpty:
            let i = Int.random(in: 0..<items.count, using: &random)
            if descend {
                items[i] = mutate(items[i], depth: depth + 1)
                return .array(items)
            }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: items.remove(at: i)
            case 1: items.append(items[i])
            default: items[i] = pick(Self.replacements)
            }
            return .array(items)
        default:
            if Int.random(in: 0..<8, using: &random) == 0 {
                var nested = value
                for _ in 0..<Int.random(in: 1...300, using: &random) { nested = .array([nested]) }
                return nested
            }
            return pick(Self.replacements)
        }
    }

    /// The durations and URLs whose refusal the fuzz checks precisely: (container, key, range).
    static let durations: [(String, String, ClosedRange<Double>)] = [
        ("platforms", "timeout", 1...3600), ("platforms", "connectTimeout", 1...600), ("retry", "minDelay", 1...86400),
        ("retry", "maxDelay", 1...(7 * 86400)), ("retry", "maxAge", 60...(366 * 86400)),
        ("retry", "maxDelayInRun", 1...600), ("pull", "refreshAfter", 60...(366 * 86400)),
    ]
    static let durationValues: [JSONValue] = [
        "99999999999999999999d", "1000000000000000000000000000000d", .string(String(repeating: "9", count: 400) + "s"),
        "0s", "0.5s", "30s", "5m", "2h", "400d", "-1s", "1h30m", "7d", .number("5"), .number("1e400"), .null,
    ]
    static let urls: [JSONValue] = [
        "http://u:pw-leak@127.0.0.1:1/x", "https://u:pw-leak@credit.example/x", "u:pw-leak@host/x", "https://h:99999/x",
        "https:///x", "https://h x/y", "http://credit.example/x", "https://credit.example/x", "http://[::1]:8/x",
    ]

    /// `value` with one of the checked durations or a base URL set: the path written and the value.
    mutating func setChecked(_ value: JSONValue) -> (JSONValue, String, JSONValue) {
        guard case .object(var root) = value else { return (value, "", .null) }
        if Bool.random(using: &random), case .array(var platforms)? = root["platforms"], !platforms.isEmpty,
            case .object(var platform) = platforms[0]
        {
            let url = pick(Self.urls)
            platform["baseURL"] = url
            platforms[0] = .object(platform)
            root["platforms"] = .array(platforms)
            return (.object(root), "platforms[0].baseURL", url)
        }
        let (container, key, _) = pick(Self.durations)
        let duration = pick(Self.durationValues)
        if container == "platforms" {
            guard case .array(var platforms)? = root["platforms"], !platforms.isEmpty,
                case .object(var platform) = platforms[0]
            else { return (value, "", .null) }
            platform[key] = duration
            platforms[0] = .object(platform)
            root["platforms"] = .array(platforms)
            return (.object(root), "platforms[0].\(key)", duration)
        }
        var inner =
            root[container]?.objectValue
            ?? JSONObject([JSONMember("region", "330000")].filter { _ in container == "pull" })
        inner[key] = duration
        root[container] = .object(inner)
        return (.object(root), "\(container).\(key)", duration)
    }

    /// The bytes of `text`, sometimes cut short or with one byte changed.
    mutating func damage(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        switch Int.random(in: 0..<10, using: &random) {
        case 0 where !bytes.isEmpty: bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
        case 1 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        default: break
        }
        return bytes
    }
}

/// The configuration loader on a few thousand mutated configurations: it never crashes or hangs,
/// every refusal names its JSON path, and what it accepts is within the documented ranges.
@Suite struct ConfigFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let environment = [
        "CREDSYNC_DEMO_SECRET": "demo-secret-for-the-loopback-sandbox",
        "CREDSYNC_IPP_SECRET": "ipp-secret-0123456789abcdef",
    ]

    @Test(arguments: ["ops/demo.d/credsync.json", "ops/credsync.example.json"])
    func mutatedConfigurationIsRefusedWithAPathOrLoadsWithinRange(seedFile: String) throws {
        let original = try JSONParser.parse(
            Array(try Data(contentsOf: URL(fileURLWithPath: Self.root + "/" + seedFile))))
        // The mutated file sits in a copy of the package's layout, so that its relative paths resolve.
        let directory = try ConfigFixture().directory
        try FileManager.default.createDirectory(atPath: directory + "/ops/demo.d", withIntermediateDirectories: true)
        for name in ["fixtures", "mappings"] {
            try FileManager.default.createSymbolicLink(
                atPath: directory + "/" + name, withDestinationPath: Self.root + "/" + name)
        }
        let file = directory + "/" + seedFile
        var mutator = JSONMutator(random: SeededGenerator(state: seedFile.hasPrefix("ops/demo") ? 16 : 61))
        for round in 0..<600 {
            var value = original
            var checked = ("", JSONValue.null)
            if round % 3 == 0 {
                let (changed, path, written) = mutator.setChecked(value)
                (value, checked) = (changed, (path, written))
            } else {
                for _ in 0...Int.random(in: 0..<3, using: &mutator.random) { value = mutator.mutate(value) }
            }
            let bytes =
                round % 3 == 0 ? Array(JSONWriter.compact(value).utf8) : mutator.damage(JSONWriter.compact(value))
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let context = "seed \(seedFile) round \(round): \(String(decoding: bytes.prefix(2000), as: UTF8.self))"
            let report: ConfigReport
            do {
                report = try ConfigLoader.load(file: file, environment: Self.environment, readsSecrets: round % 2 == 0)
            } catch {
                #expect(error.exitCode == .configuration, "\(context)")
                #expect(error.message.hasPrefix(file + ": "), "\(context)")
                continue
            }
            for problem in report.problems + report.warnings {
                #expect(!problem.path.isEmpty, "\(problem) in \(context)")
                // Where a secret or a URL's password may be, a problem never quotes it.
                if ["secretEnv", "secretFile", "baseURL", "proxy"].contains(where: { problem.path.hasSuffix($0) }) {
                    #expect(
                        !problem.description.contains("rt-credit-own") && !problem.description.contains("u:p@"),
                        "\(problem)")
                }
            }
            if !checked.0.isEmpty {
                Self.expectRefusedIfOutOfRange(checked.0, checked.1, report, context)
            }
            if report.problems.isEmpty {
                let config = try #require(report.config, "\(context)")
                Self.expectWithinRange(config, context)
            } else {
                #expect(throws: CredsyncError.self) { try report.requireConfig() }
            }
        }
    }

    /// A checked duration that is not a duration within its range, or a base URL with user-info,
    /// another port than 1-65535, no host, a space, or plain HTTP off loopback, is refused at its path.
    static func expectRefusedIfOutOfRange(
        _ path: String, _ written: JSONValue, _ report: ConfigReport, _ context: String
    ) {
        let atPath = report.problems.filter { $0.path == path }
        if path.hasSuffix("baseURL") {
            let text = written.stringValue ?? ""
            let isBad =
                text.contains("@") || text.contains("99999") || text.contains(":///") || text.contains(" ")
                || text.hasPrefix("http://credit")
            #expect(isBad == !atPath.isEmpty, "\(path) \(text): \(atPath) in \(context)")
            #expect(atPath.allSatisfy { !$0.description.contains("pw-leak") }, "\(atPath)")
            return
        }
        guard written != .null else { return }
        let range = JSONMutator.durations.first { path.hasSuffix("." + $0.1) }?.2 ?? 0...0
        let seconds = written.stringValue.flatMap(DurationText.seconds)
        if seconds.map({ !range.contains($0) }) ?? true {
            #expect(!atPath.isEmpty, "\(path) \(written) was not refused in \(context)")
        }
    }

    static func expectWithinRange(_ config: Config, _ context: String) {
        let retry = config.retry
        for seconds in [
            retry.minDelay, retry.maxDelay, retry.maxAge, retry.maxDelayInRun, config.pull?.refreshAfter ?? 60,
        ] {
            #expect(seconds.isFinite && seconds >= 1 && seconds <= 366 * 86400, "\(context)")
        }
        #expect(retry.minDelay <= retry.maxDelay, "\(context)")
        for platform in config.platforms {
            #expect(
                (1...600).contains(platform.connectTimeout) && (1...3600).contains(platform.requestTimeout),
                "\(context)")
            #expect((1...500).contains(platform.batchSize) && (1...64).contains(platform.concurrency), "\(context)")
            #expect(platform.requestsPerSecond.isFinite && platform.requestsPerSecond > 0, "\(context)")
            #expect(!platform.baseURL.contains("@") && !platform.baseURL.contains(" "), "\(context)")
        }
    }
}
