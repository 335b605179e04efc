import CredsyncCore
import CredsyncState
import Foundation
import TestSupport
import Testing

/// Natural persons' 证件号码 at rest (issue 21): after a sync with faults no file under the state
/// directory holds one in clear; the queued records are delivered with the right numbers; a
/// rotated key opens everything and the old key nothing; a wrong or missing key is exit 78.
@Suite struct SealingEndToEndTests {
    static let datasets: [Dataset] = [.license, .penalty, .dishonesty, .pledge]

    /// Every personal value of what `map` says would be sent to credit, by dataset and key.
    static func sentNumbers(_ env: SyncEnvironment) throws -> [String: Set<String>] {
        var numbers: [String: Set<String>] = [:]
        for dataset in datasets {
            let map = try env.credsync(["map", "--dataset", dataset.rawValue, "--platform", "credit"])
            for line in map.stdout.split(separator: "\n") {
                guard let payload = try JSONParser.parse(Array(line.utf8)).objectValue else { continue }
                let name = dataset.rawValue + " " + (key(payload, dataset) ?? "")
                numbers[name, default: []].formUnion(personal(payload))
            }
        }
        return numbers.filter { !$0.value.isEmpty }
    }

    static func key(_ payload: JSONObject, _ dataset: Dataset) -> String? {
        let fields = [
            "license": ["XK_XKBH", "XK_WSH"], "penalty": ["CF_WSH"], "dishonesty": ["SX_LRWSH"], "pledge": ["ZY_DJH"],
        ]
        let parts = (fields[dataset.rawValue] ?? []).compactMap { payload[$0]?.stringValue }
        return parts.isEmpty ? nil : parts.joined(separator: "|")
    }

    /// The natural persons' numbers of `payload`: what is masked wherever it is shown.
    static func personal(_ payload: JSONObject) -> Set<String> {
        Set(
            payload.members.compactMap { member in
                guard let value = member.value.stringValue, value.utf8.count >= 8 else { return nil }
                return PersonalData.shown(value, field: member.key) != value ? value : nil
            })
    }

    /// The queue entries whose payload holds a sealed value.
    static func sealedIDs(_ env: SyncEnvironment) throws -> [String] {
        let store = try StateStore(stateDir: env.stateDir)
        var ids: [String] = []
        try store.database.query("SELECT id FROM queue WHERE instr(payload, '\"sm4:1:') > 0 ORDER BY id") { row in
            ids.append(row.text(0))
        }
        return ids
    }

    /// What credit holds: the personal values of every record, by dataset and key.
    static func heldNumbers(_ env: SyncEnvironment) throws -> [String: Set<String>] {
        var numbers: [String: Set<String>] = [:]
        for dataset in datasets {
            let held = try env.sandbox.admin(
                "GET", "records?platform=credit&dataset=\(dataset.rawValue)&source=\(SandboxProcess.source)")
            for item in held["items"]?.arrayValue ?? [] {
                guard let payload = item["payload"]?.objectValue else { continue }
                let values = personal(payload)
                guard !values.isEmpty else { continue }
                numbers[dataset.rawValue + " " + (key(payload, dataset) ?? ""), default: []] = values
            }
        }
        return numbers
    }

    /// The files under `directory` (the database, its -wal, reports, the audit log) that hold any
    /// of `numbers` in clear, with the number found.
    static func clearNumbers(under directory: String, _ numbers: Set<String>) throws -> [String] {
        var found: [String] = []
        for path in FileManager.default.subpaths(atPath: directory) ?? [] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + path) else { continue }
            let bytes = [UInt8](data)
            for number in numbers where bytes.contains(Array(number.utf8)) { found.append(path + ": " + number) }
        }
        return found
    }

    func queueIDs(_ env: SyncEnvironment) throws -> [String] {
        let list = try JSONParser.parse(try env.credsync(["queue", "list", "--json"]).stdout)
        return (list["entries"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// The configuration with `dataKeyFile` set to `file` (nil: left out).
    func configure(_ env: SyncEnvironment, key file: String?) throws {
        let text = try String(contentsOfFile: env.configFile, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { $0.contains("\"dataKeyFile\"") }
        let index = try #require(lines.firstIndex { $0.contains("\"stateDir\"") })
        if let file { lines.insert(#" "dataKeyFile": "\#(file)","#, at: index) }
        try lines.joined(separator: "\n").write(toFile: env.configFile, atomically: true, encoding: .utf8)
    }

    @Test func afterASyncWithFaultsNoNumberIsInClearAndTheQueueDeliversTheRightOnes() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let expected = try Self.sentNumbers(env)
        let numbers = Set(expected.values.flatMap { $0 })
        #expect(numbers.count > 50)
        #expect(expected.keys.contains { $0.hasPrefix("license ") })
        #expect(expected.keys.contains { $0.hasPrefix("pledge ") })
        // The platform fails transiently: every change goes to the queue with its payload.
        try env.sandbox.admin("POST", "faults", ["down": true])
        let faulty = try env.credsync(["sync"])
        #expect(faulty.status != 78, "\(faulty.stderr)")
        let ids = try queueIDs(env)
        #expect(ids.count > 100)
        #expect(try Self.sealedIDs(env).count > 20)
        // The quarantine files of `check` are under the state directory too.
        _ = try env.credsync(["check"])
        #expect(try Self.clearNumbers(under: env.stateDir, numbers) == [])
        let sealed = try JSONParser.parse(try env.credsync(["queue", "show", ids[0], "--json"]).stdout)
        #expect(sealed["payload"]?.objectValue != nil)
        let shown = try env.credsync(["queue", "show", ids[0]]).stdout
        #expect(!shown.contains("sm4:1:"))
        // Delivered from the queue once the platform is back: credit holds the numbers of the export.
        try env.sandbox.admin("POST", "faults", ["down": false])
        _ = try env.credsync(["queue", "retry", "--all"])
        let delivered = try env.credsync(["sync"])
        #expect(delivered.status == 0 || delivered.status == 1, "\(delivered.stderr)")
        #expect(try queueIDs(env).isEmpty)
        let held = try Self.heldNumbers(env)
        #expect(held.count > 50)
        let differing = held.keys.filter { held[$0] != expected[$0] }.sorted()
        #expect(differing.isEmpty, "\(differing.prefix(5).map { "\($0): \(held[$0] ?? []) vs \(expected[$0] ?? [])" })")
        let clear = try Self.clearNumbers(under: env.stateDir, numbers)
        #expect(clear.isEmpty, "\(clear.prefix(10))")
    }

    @Test func aRotatedKeyOpensEverythingAndTheOldOrAWrongKeyNothing() throws {
        let env = try SyncEnvironment(platforms: [.credit])
        let expected = try Self.sentNumbers(env)
        try env.sandbox.admin("POST", "faults", ["down": true])
        _ = try env.credsync(["sync", "--dataset", "license"])
        let ids = try Self.sealedIDs(env)
        let id = try #require(ids.first)
        #expect(try env.credsync(["queue", "show", id]).status == 0)
        // Rotation: one transaction, then the configuration switch.
        #expect(try env.credsync(["key", "rotate"]).status == 64)
        let newKey = env.directory.path + "/data-2.key"
        #expect(try env.credsync(["key", "generate", newKey]).status == 0)
        let rotated = try env.credsync(["key", "rotate", "--new", newKey, "--json"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let done = try JSONParser.parse(rotated.stdout)
        #expect(done["entries"]?.intValue == ids.count)
        // The old key (still configured) opens nothing: show and sync are exit 78, nothing is sent.
        let old = try env.credsync(["queue", "show", id])
        #expect(old.status == 78)
        #expect(old.stderr.contains("hint:"))
        try env.sandbox.admin("POST", "faults", ["down": false])
        #expect(try env.credsync(["sync", "--dataset", "license"]).status == 78)
        #expect(try env.sandbox.holdings(.credit, .license).isEmpty)
        // A wrong key, and no key at all: exit 78 as well.
        let wrong = env.directory.path + "/wrong.key"
        #expect(try env.credsync(["key", "generate", wrong]).status == 0)
        try configure(env, key: wrong)
        #expect(try env.credsync(["queue", "show", id]).status == 78)
        #expect(try env.credsync(["sync", "--dataset", "license"]).status == 78)
        try configure(env, key: nil)
        let missing = try env.credsync(["sync", "--dataset", "license"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("dataKeyFile"))
        #expect(try env.sandbox.holdings(.credit, .license).isEmpty)
        // The new key opens everything, and the queue delivers the right numbers.
        try configure(env, key: newKey)
        #expect(try env.credsync(["queue", "show", id]).status == 0)
        _ = try env.credsync(["queue", "retry", "--all"])
        let delivered = try env.credsync(["sync", "--dataset", "license"])
        #expect(delivered.status == 0 || delivered.status == 1, "\(delivered.stderr)")
        let held = try Self.heldNumbers(env)
        #expect(held.count > 10)
        #expect(held.allSatisfy { expected[$0.key] == $0.value })
    }
}
