import CredsyncCore
import Foundation
import TestSupport

/// A province writing straight into the directory the sandbox polls (`--file-channel`): no SFTP,
/// the poller reads plain directories. One gsxt dataset, the test source, HMAC-SHA256.
struct FileChannelProvince {
    /// In the sandbox's enterprise feed (fixtures/enterprises.jsonl): its 记名 succeeds.
    static let registeredUSCC = "913303029CG8YNNRGN"

    let root: TemporaryDirectory
    let sandbox: SandboxProcess
    let platform = PlatformID.gsxt
    let dataset = Dataset.license

    /// A sandbox with gsxt on receipts after `delay` seconds, serving the file channel in a fresh directory.
    init(delay: Double, extra: [String] = []) throws {
        try self.init(root: try TemporaryDirectory("file-channel"), delay: delay, extra: extra, stateDir: nil)
    }

    private init(root: TemporaryDirectory, delay: Double, extra: [String], stateDir: String?) throws {
        self.root = root
        sandbox = try SandboxProcess(
            [
                "--file-channel", root.path, "--file-channel-poll-ms", "20", "--receipts", "gsxt",
                "--receipt-delay", String(delay),
            ] + extra, stateDir: stateDir)
    }

    /// The same directory and state served by a new sandbox process (this one is killed).
    func restarted(delay: Double) throws -> FileChannelProvince {
        sandbox.stop()
        return try FileChannelProvince(root: root, delay: delay, extra: [], stateDir: sandbox.stateDir)
    }

    var outbox: String { "\(root.path)/\(platform.rawValue)/outbox/\(dataset.rawValue)" }
    var manifestFile: String {
        "\(root.path)/\(platform.rawValue)/manifest/\(dataset.rawValue)/\(SandboxProcess.source).jsonl"
    }

    /// A license payload numbered `n` whose subject is `uscc`.
    static func payload(_ n: Int, uscc: String, content: String = "") -> JSONObject {
        var payload = SamplePayloads.license(n, separator: "-", content: content)
        payload["XK_XDR_SHXYM"] = .string(uscc)
        return payload
    }

    /// Uploads a batch of upserts (key → payload) as the contract says: `.part`, signature, rename.
    @discardableResult
    func send(_ records: [(key: String, payload: JSONObject)], batchID: String = SecureRandom.uuid()) throws -> String {
        let body: JSONValue = [
            "batchId": .string(batchID), "source": .string(SandboxProcess.source),
            "records": .array(
                records.map { record in
                    [
                        "key": .string(record.key), "op": "upsert",
                        "hash": .string(JSONWriter.canonicalHash(.object(record.payload))),
                        "payload": .object(record.payload),
                    ]
                }),
        ]
        let bytes = Array(JSONWriter.compact(body).utf8)
        let inbox = "\(root.path)/\(platform.rawValue)/inbox/\(dataset.rawValue)"
        let timestamp = Int(Date().timeIntervalSince1970)
        let nonce = SecureRandom.nonce()
        let text = [
            "FILE", "\(dataset.rawValue)/\(batchID).json", "", String(timestamp), nonce, SHA256.hex(bytes),
        ].joined(separator: "\n")
        let signature = try SignatureMethod.hmacSHA256.mac(key: SandboxProcess.secret, message: text)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(inbox)/\(batchID).json.part"))
        try "\(SandboxProcess.appID) \(timestamp) \(nonce) HMAC-SHA256 \(signature)\n".write(
            toFile: "\(inbox)/\(batchID).sig", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: "\(inbox)/\(batchID).json.part", toPath: "\(inbox)/\(batchID).json")
        return batchID
    }

    /// The answer to `batchID`, once it is in the outbox (nil after `timeout` seconds).
    func answer(_ batchID: String, timeout: Double = 30) throws -> JSONValue? {
        let path = "\(outbox)/\(batchID).answer.json"
        guard waitUntil(timeout: timeout, { FileManager.default.fileExists(atPath: path) }) else { return nil }
        return try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// The names in the outbox, sorted.
    func outboxNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).sorted()
    }

    /// The receipts files in the outbox (complete ones only), sorted by name.
    func receiptFiles() -> [String] {
        outboxNames().filter { $0.hasPrefix("receipts-") && $0.hasSuffix(".jsonl") }
    }

    /// The receipts of one file, one a line.
    func receipts(in name: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: outbox + "/" + name, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    /// Deletes a file of the outbox, as the province does once it recorded it.
    func acknowledge(_ name: String) throws {
        try FileManager.default.removeItem(atPath: outbox + "/" + name)
    }

    /// The manifest of the test source: key → (status, version), nil while there is none.
    func manifest() -> [String: (status: String, version: Int)]? {
        guard let text = try? String(contentsOfFile: manifestFile, encoding: .utf8) else { return nil }
        var items: [String: (String, Int)] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            guard let item = try? JSONParser.parse(Array(line.utf8)), let key = item["key"]?.stringValue else {
                continue
            }
            items[key] = (item["status"]?.stringValue ?? "", item["version"]?.intValue ?? 0)
        }
        return items
    }
}
