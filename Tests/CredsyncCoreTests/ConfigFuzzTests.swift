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
        .string("\u{202E}evil\u{0}\u{7F}"), .string("😀😀😀"), .string("\u{FEFF}credit"), .string("http://u:p@h/x"),
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
            case 2: object[pick(["timeout", "proxy", "allowPlainHTTP", "retry", "unknown", "secret"])] = pick(Self.replacements)
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

    /// The bytes of `text`, sometimes cut short or with one byte changed.
    mutating func damage(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        switch Int.random(in: 0..<10, using: &random) {
        case 0 where !bytes.isEmpty: bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
        case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
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
    static let environment = ["CREDSYNC_DEMO_SECRET": "demo-secret-for-the-loopback-sandbox",
        "CREDSYNC_IPP_SECRET": "ipp-secret-0123456789abcdef"]

    @Test(arguments: ["ops/demo.d/credsync.json", "ops/credsync.example.json"])
    func mutatedConfigurationIsRefusedWithAPathOrLoadsWithinRange(seedFile: String) throws {
        let original = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.root + "/" + seedFile))))
        // The mutated file sits in a copy of the package's layout, so that its relative paths resolve.
        let directory = try ConfigFixture().directory
        try FileManager.default.createDirectory(atPath: directory + "/ops/demo.d", withIntermediateDirectories: true)
        for name in ["fixtures", "mappings"] {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: Self.root + "/" + name)
        }
        let file = directory + "/" + seedFile
        var mutator = JSONMutator(random: SeededGenerator(state: seedFile.hasPrefix("ops/demo") ? 16 : 61))
        for round in 0..<600 {
            var value = original
            for _ in 0...Int.random(in: 0..<3, using: &mutator.random) { value = mutator.mutate(value) }
            let bytes = mutator.damage(JSONWriter.compact(value))
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
                    #expect(!problem.description.contains("rt-credit-own") && !problem.description.contains("u:p@"), "\(problem)")
                }
            }
            if report.problems.isEmpty {
                let config = try #require(report.config, "\(context)")
                Self.expectWithinRange(config, context)
            } else {
                #expect(throws: CredsyncError.self) { try report.requireConfig() }
            }
        }
    }

    static func expectWithinRange(_ config: Config, _ context: String) {
        let retry = config.retry
        for seconds in [retry.minDelay, retry.maxDelay, retry.maxAge, retry.maxDelayInRun, config.pull?.refreshAfter ?? 60] {
            #expect(seconds.isFinite && seconds >= 1 && seconds <= 366 * 86400, "\(context)")
        }
        #expect(retry.minDelay <= retry.maxDelay, "\(context)")
        for platform in config.platforms {
            #expect((1...600).contains(platform.connectTimeout) && (1...3600).contains(platform.requestTimeout), "\(context)")
            #expect((1...500).contains(platform.batchSize) && (1...64).contains(platform.concurrency), "\(context)")
            #expect(platform.requestsPerSecond.isFinite && platform.requestsPerSecond > 0, "\(context)")
            #expect(!platform.baseURL.contains("@") && !platform.baseURL.contains(" "), "\(context)")
        }
    }
}
