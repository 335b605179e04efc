#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore
import Foundation
import Synchronization
import CredsyncProtocol

/// The platforms' side of the file channel (exchange-api.md 1.1, "The file channel"): polls
/// `DIR/{platform}/inbox/{dataset}/` for renamed batches (never a `.part`), checks each one's
/// signature file, applies it as the API would, writes the answer to the outbox as a `.part`
/// renamed into place, deletes the inbox files, writes the receipts of an asynchronous platform
/// (`+Receipts`), and rewrites `manifest/{dataset}/{source}.jsonl` after every change and at
/// least once a day.
final class FileChannelPoller: Sendable {
    let root: String
    let platforms: [PlatformID: SandboxPlatform]
    let apps: [String: String]
    let requiringSM3: Set<PlatformID>
    let faults: FileChannelFaults
    let interval: Double
    /// Answers to write again once the province deleted them (fault `twice`): path → bytes.
    private let redeliveries = Mutex<[String: [UInt8]]>([:])
    private let lastManifests = Mutex<Double>(0)

    init(
        root: String, platforms: [PlatformID: SandboxPlatform], apps: [String: String],
        requiringSM3: Set<PlatformID>, faults: FileChannelFaults, interval: Double
    ) throws(FileError) {
        self.root = root
        self.platforms = platforms
        self.apps = apps
        self.requiringSM3 = requiringSM3
        self.faults = faults
        self.interval = interval
        for platform in PlatformID.allCases {
            for dataset in platform.acceptedDatasets {
                for side in ["inbox", "outbox", "manifest"] {
                    try FileSystem.createDirectory(
                        "\(root)/\(platform.rawValue)/\(side)/\(dataset.rawValue)", mode: 0o755)
                }
            }
        }
    }

    /// Polls on a thread of its own until the process ends.
    func start() {
        let thread = Thread { [self] in
            while true {
                poll(now: Timestamp.now())
                usleep(useconds_t(max(0.01, interval) * 1_000_000))
            }
        }
        thread.name = "sandbox-file-channel"
        thread.start()
    }

    func poll(now: Double) {
        let daily = lastManifests.withLock { last -> Bool in
            guard now - last >= 86400 else { return false }
            last = now
            return true
        }
        for (id, platform) in platforms.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let fault = faults.fault(for: id)
            let base = "\(root)/\(id.rawValue)"
            var changed: Set<Dataset> = daily ? Set(id.acceptedDatasets) : []
            for dataset in id.acceptedDatasets {
                redeliver(base: base, dataset: dataset)
                if !fault.isHeld, fault.mode != .never,
                    processInbox(platform, base: base, dataset: dataset, fault: fault, now: now)
                {
                    changed.insert(dataset)
                }
            }
            changed.formUnion(fileReceipts(platform, base: base, fault: fault, now: now))
            for dataset in id.acceptedDatasets where changed.contains(dataset) {
                writeManifests(platform, base: base, dataset: dataset, now: now)
            }
        }
    }

    /// The batches renamed into the inbox, in the order their renames completed (change time),
    /// each answered; true when any was applied.
    private func processInbox(
        _ platform: SandboxPlatform, base: String, dataset: Dataset, fault: FileChannelFault, now: Double
    ) -> Bool {
        let inbox = "\(base)/inbox/\(dataset.rawValue)"
        let names = (try? FileSystem.list(inbox)) ?? []
        let batches = names.compactMap { name -> (String, Double)? in
            guard let id = FileChannelLayout.batchID(ofBatch: name) else { return nil }
            var info = stat()
            guard stat(inbox + "/" + name, &info) == 0 else { return nil }
            return (id, Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9)
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        var applied = false
        for (batchID, changedAt) in batches where now - changedAt >= fault.lateSeconds {
            let file = inbox + "/\(batchID).json"
            let signatureFile = inbox + "/\(batchID).sig"
            guard let body = try? FileSystem.read(file) else { continue }
            let answer = self.answer(
                platform, dataset: dataset, batchID: batchID, body: body,
                signature: try? FileSystem.readText(signatureFile), now: now)
            let target = "\(base)/outbox/\(dataset.rawValue)/\(batchID)\(FileChannelLayout.answerSuffix)"
            guard Self.writeAsPart(target, answer) else { continue }
            if fault.leavesTornParts { Self.leaveTorn(target, answer) }
            if fault.repeatsOldReceipts { repeatOldReceipts(platform, dataset: dataset, body: body, answer: answer) }
            unlink(file)
            unlink(signatureFile)
            if fault.mode == .twice { redeliveries.withLock { $0[target] = answer } }
            applied = true
        }
        return applied
    }

    /// What the platform answers to one batch file: the API's 200 body, or
    /// `{"batchId", "error": {"code", "message"}}`.
    private func answer(
        _ platform: SandboxPlatform, dataset: Dataset, batchID: String, body: [UInt8], signature: String?, now: Double
    ) -> [UInt8] {
        func refusal(_ code: String, _ message: String) -> [UInt8] {
            let json: JSONValue = [
                "batchId": .string(batchID), "error": ["code": .string(code), "message": .string(message)],
            ]
            return Array(JSONWriter.compact(json).utf8)
        }
        guard let signature = signature.flatMap(FileSignature.init(line:)) else {
            return refusal("BAD_SIGNATURE", "\(batchID).sig is missing or not one line of five fields")
        }
        guard let secret = apps[signature.appID] else { return refusal("UNKNOWN_APP", "unknown application id") }
        if requiringSM3.contains(platform.id), signature.method != .hmacSM3 {
            return refusal("BAD_SIGNATURE", "signature method HMAC-SM3 required")
        }
        guard signature.verifies(body, dataset: dataset, batchID: batchID, secret: secret) else {
            return refusal("BAD_SIGNATURE", "the signature does not match the file")
        }
        if platform.forbidden.withLock({ $0.contains(signature.appID + "/" + dataset.rawValue) }) {
            return refusal("FORBIDDEN", "this application may not use \(dataset.rawValue)")
        }
        if let json = try? JSONParser.parse(body), let named = json["batchId"]?.stringValue, named != batchID {
            return refusal("BAD_BATCH", "the file is \(batchID).json but its batchId is \(named)")
        }
        let response = platform.pushBatch(dataset: dataset, body: body, now: now)
        if response.status == 200 { return response.body }
        let error = (try? JSONParser.parse(response.body))?["error"]
        return refusal(error?["code"]?.stringValue ?? "INTERNAL", error?["message"]?.stringValue ?? "")
    }

    /// Writes once more an answer the province deleted (fault `twice`).
    private func redeliver(base: String, dataset: Dataset) {
        let prefix = "\(base)/outbox/\(dataset.rawValue)/"
        let due = redeliveries.withLock { pending in
            pending.filter { $0.key.hasPrefix(prefix) && !FileSystem.exists($0.key) }
        }
        for (path, bytes) in due where Self.writeAsPart(path, bytes) {
            redeliveries.withLock { _ = $0.removeValue(forKey: path) }
        }
    }

    /// Rewrites `manifest/{dataset}/{source}.jsonl` of every source: `{"generatedAt"}`, then one
    /// item of the records endpoint a line, in key order.
    private func writeManifests(_ platform: SandboxPlatform, base: String, dataset: Dataset, now: Double) {
        let sources = platform.store.withLock { store in
            store.records.filter { $0.value[dataset] != nil }.map(\.key)
        }
        for source in sources {
            var lines = JSONWriter.compact(["generatedAt": .string(Timestamp.rfc3339(now))]) + "\n"
            var cursor: String?
            repeat {
                var parameters = ["source": source, "limit": "1000"]
                if let cursor { parameters["cursor"] = cursor }
                let page = (try? JSONParser.parse(platform.manifest(dataset: dataset, parameters: parameters).body))
                for item in page?["items"]?.arrayValue ?? [] { lines += JSONWriter.compact(item) + "\n" }
                cursor = page?["nextCursor"]?.stringValue
            } while cursor != nil
            _ = Self.writeAsPart("\(base)/manifest/\(dataset.rawValue)/\(source).jsonl", Array(lines.utf8))
        }
    }

    /// Writes `path.part`, then renames it to `path`: a reader never sees half a file.
    static func writeAsPart(_ path: String, _ bytes: [UInt8]) -> Bool {
        let part = path + FileChannelLayout.partSuffix
        let fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let written = (try? FileSystem.writeAll(fd, bytes, path: part)) != nil
        close(fd)
        guard written, rename(part, path) == 0 else {
            unlink(part)
            return false
        }
        return true
    }
}
