public import CredsyncCore
import Foundation
public import CredsyncProtocol
import _CredsyncEngine

/// A national platform reached through its 前置机 (exchange-api.md 1.1, "The file channel"):
/// batches uploaded as `.part`, signed and renamed into the inbox; answers, receipts and manifests
/// read from the outbox and `manifest/`. Every operation runs on the client's own thread, which
/// holds the one SFTP connection, never on Swift's cooperative pool.
///
/// Exactly once, with a caller that may crash: `collect` hands an answer over only when the
/// caller has not recorded its batch id yet, and deletes the file only after the caller recorded
/// it (in one transaction of its store). A crash between the two leaves the file; the next collect
/// finds the batch id recorded and deletes it without handing it over again. The platform's own
/// re-deliveries (the same answer written twice) are recognised the same way.
public final class FileChannelClient: Sendable {
    public let config: PlatformConfig
    public let channel: FileChannelConfig
    /// The organisation's USCC, the `source` of the manifests read.
    public let source: String
    let logger: Logger
    private let queue = BoundedQueue<SessionJob>(capacity: .max)
    private let threads = Thread.Group()

    /// The client of `config`'s channel; nil when the platform has none (it is reached by its API).
    public convenience init?(config: PlatformConfig, source: String, logger: Logger) {
        guard let channel = config.channel else { return nil }
        self.init(config: config, channel: channel, source: source, logger: logger)
    }

    /// The client of `channel`; `config` gives the app id, secret, signature method and time-outs.
    public init(config: PlatformConfig, channel: FileChannelConfig, source: String, logger: Logger) {
        self.config = config
        self.channel = channel
        self.source = source
        self.logger = logger
        _ = CurlGlobal.initialized
        let queue = self.queue
        let threads = self.threads
        let timeouts = (config.connectTimeout, config.requestTimeout, config.maxResponseBytes)
        threads.enter()
        let thread = Thread {
            defer { threads.leave() }
            let session = SFTPSession(
                channel: channel, connectTimeout: timeouts.0, requestTimeout: timeouts.1, maxBytes: timeouts.2)
            while let job = queue.take() { job.run(session) }
        }
        thread.name = "credsync-sftp-\(config.id.rawValue)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops the thread once every operation asked for is done.
    deinit {
        queue.close()
        threads.wait()
    }

    /// Runs `body` on the client's thread with its session.
    func onSession<T: Sendable>(
        _ body: @escaping @Sendable (SFTPSession) throws(FileChannelError) -> T
    ) async throws(FileChannelError) -> T {
        let url = "sftp://\(channel.host):\(channel.port)\(channel.root)"
        let result: Result<T, FileChannelError> = await withCheckedContinuation { continuation in
            queue.put(
                SessionJob { session in
                    guard let session else {
                        continuation.resume(
                            returning: .failure(
                                FileChannelError(.other, url: url, message: "libcurl could not create a handle")))
                        return
                    }
                    do throws(FileChannelError) {
                        continuation.resume(returning: .success(try body(session)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                })
        }
        return try result.get()
    }

    /// Sends `batch`: `stage`, then `rename`.
    public func send(_ batch: Batch, now: Double = Timestamp.now()) async throws(FileChannelError) {
        try await stage(batch, now: now)
        try await rename(batch.dataset, batch.id)
    }

    /// Uploads `batch`'s body to `{batchId}.json.part` and its signature to `{batchId}.sig`. The
    /// platform never reads a `.part`: until `rename`, the batch is not sent. A `.part` left by a
    /// run that died is overwritten.
    public func stage(_ batch: Batch, now: Double = Timestamp.now()) async throws(FileChannelError) {
        let signature = try sign(batch.body, dataset: batch.dataset, batchID: batch.id, now: now)
        let dataset = batch.dataset
        let id = batch.id
        let body = batch.body
        try await onSession { session throws(FileChannelError) in
            try session.upload(FileChannelLayout.upload(dataset, id), body)
            try session.upload(FileChannelLayout.signature(dataset, id), Array(signature.line.utf8))
        }
    }

    /// Renames a staged `{batchId}.json.part` to `{batchId}.json`: from here the platform may take
    /// it. When the `.json` is already in place (the same batch staged twice), the `.part` is
    /// removed: the same batchId always carries the same bytes.
    public func rename(_ dataset: Dataset, _ id: String) async throws(FileChannelError) {
        try await onSession { session throws(FileChannelError) in
            let part = FileChannelLayout.upload(dataset, id)
            let target = FileChannelLayout.batch(dataset, id)
            do throws(FileChannelError) {
                try session.rename(part, to: target)
            } catch  where error.kind == .refused {
                // OpenSSH will not rename onto an existing file: the batch is already in place.
                guard (try? session.modificationTime(target)) != nil else { throw error }
                try session.remove(part)
            }
        }
        logger.debug("batch sent to the 前置机", [("platform", config.id.rawValue), ("batch", id)])
    }

    /// Whether `{batchId}.json.part` is on the 前置机 (staged, not renamed).
    public func isStaged(_ dataset: Dataset, _ id: String) async throws(FileChannelError) -> Bool {
        try await onSession { session throws(FileChannelError) in
            try session.list(FileChannelLayout.inbox(dataset)).contains(
                Self.name(FileChannelLayout.upload(dataset, id)))
        }
    }

    /// Removes what `stage` may have left of a batch never renamed (its `.part` and signature).
    public func unstage(_ dataset: Dataset, _ id: String) async throws(FileChannelError) {
        try await onSession { session throws(FileChannelError) in
            let present = Set(try session.list(FileChannelLayout.inbox(dataset)))
            for file in [FileChannelLayout.upload(dataset, id), FileChannelLayout.signature(dataset, id)]
            where present.contains(Self.name(file)) {
                try session.remove(file)
            }
        }
    }

    /// The last component of a channel path.
    static func name(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }

    private func sign(
        _ body: [UInt8], dataset: Dataset, batchID: String, now: Double
    ) throws(FileChannelError) -> FileSignature {
        do {
            return try FileSignature.sign(
                body, dataset: dataset, batchID: batchID, appID: config.appID, secret: config.secret,
                method: config.signatureMethod, now: now)
        } catch {
            throw FileChannelError(.other, url: channel.url, message: "the batch \(batchID) cannot be signed: \(error)")
        }
    }

    /// Signs a staged batch again (a `.part` left whole by a run that died before its rename; the
    /// signature's time is now) and renames it, only if the `.part` still holds the bytes whose
    /// SHA-256 is `sha256`: anything else on the shared 前置机 is never signed (`.malformed`).
    public func resume(
        _ dataset: Dataset, _ id: String, sha256: String, now: Double = Timestamp.now()
    ) async throws(FileChannelError) {
        let part = FileChannelLayout.upload(dataset, id)
        let body = try await onSession { session throws(FileChannelError) in try session.download(part) }
        guard SHA256.hex(body) == sha256 else {
            throw FileChannelError(
                .malformed, url: channel.url + "/" + part,
                message: "the staged batch is not the one uploaded (its SHA-256 differs): not signed, not renamed")
        }
        let signature = try sign(body, dataset: dataset, batchID: id, now: now)
        try await onSession { session throws(FileChannelError) in
            try session.upload(FileChannelLayout.signature(dataset, id), Array(signature.line.utf8))
        }
        try await rename(dataset, id)
    }

    /// What `collect` did.
    public struct Collected: Sendable {
        /// Answers handed to the caller (and then deleted).
        public var applied: [String] = []
        /// Answers whose batch the caller had recorded already: deleted without being handed over.
        public var redelivered: [String] = []
        /// Answer files that do not have the contract's shape: left in place, reported.
        public var malformed: [FileChannelError] = []
    }

    /// The answers in `outbox/{dataset}/`, oldest batch id first, not deleted.
    public func answers(_ dataset: Dataset) async throws(FileChannelError) -> [FileChannelAnswer] {
        try await readAnswers(dataset).answers
    }

    /// The answers in `outbox/{dataset}/`, and the answer files that are not answers (left in place).
    public func readAnswers(
        _ dataset: Dataset
    ) async throws(FileChannelError) -> (answers: [FileChannelAnswer], malformed: [FileChannelError]) {
        try await onSession { session throws(FileChannelError) in
            var answers: [FileChannelAnswer] = []
            var malformed: [FileChannelError] = []
            for name in try session.list(FileChannelLayout.outbox(dataset)).sorted() {
                guard let batchID = FileChannelLayout.batchID(ofAnswer: name) else { continue }
                let file = FileChannelLayout.answer(dataset, batchID)
                let bytes: [UInt8]
                do throws(FileChannelError) {
                    bytes = try session.download(file)
                } catch  where error.kind == .notFound {
                    continue
                }
                switch FileChannelAnswer.parse(bytes, batchID: batchID, dataset: dataset, file: file) {
                case .success(let answer): answers.append(answer)
                case .failure(let problem): malformed.append(problem)
                }
            }
            return (answers, malformed)
        }
    }

    /// Deletes an answer's file from the 前置机: call it only once the answer is durably recorded.
    public func acknowledge(_ answer: FileChannelAnswer) async throws(FileChannelError) {
        let file = answer.file
        try await onSession { session throws(FileChannelError) in
            do throws(FileChannelError) {
                try session.remove(file)
            } catch  where error.kind == .notFound || error.kind == .refused {
                // Already gone (a concurrent collect); nothing is lost.
                guard (try? session.modificationTime(file)) == nil else { throw error }
            }
        }
    }

    /// Collects the answers of `dataset` exactly once: an answer whose batch id `isRecorded` already
    /// is deleted without being handed over; any other goes to `record` (which records it durably,
    /// in one transaction) and is deleted once `record` returns. An answer `record` throws on stays
    /// for the next collect, and the error is rethrown after the others are collected.
    public func collect(
        _ dataset: Dataset, isRecorded: (String) -> Bool, record: (FileChannelAnswer) throws -> Void
    ) async throws -> Collected {
        var collected = Collected()
        let (answers, malformed) = try await readAnswers(dataset)
        collected.malformed = malformed
        var firstError: (any Error)?
        for answer in answers {
            if isRecorded(answer.batchID) {
                try await acknowledge(answer)
                collected.redelivered.append(answer.batchID)
                continue
            }
            do {
                try record(answer)
            } catch {
                firstError = firstError ?? error
                continue
            }
            try await acknowledge(answer)
            collected.applied.append(answer.batchID)
        }
        if let firstError { throw firstError }
        return collected
    }

    /// The receipts files in `outbox/{dataset}/`, in seq order, not deleted; a line that is not a
    /// JSON object makes its file malformed (its `problem` set, no items: left in place).
    public func receipts(_ dataset: Dataset) async throws(FileChannelError) -> [FileChannelReceipts] {
        try await onSession { session throws(FileChannelError) in
            var files: [FileChannelReceipts] = []
            for name in try session.list(FileChannelLayout.outbox(dataset)).sorted()
            where FileChannelLayout.isReceipts(name) {
                let file = FileChannelLayout.outbox(dataset) + "/" + name
                var items: [JSONValue] = []
                var problem: FileChannelError?
                for (number, line) in try session.download(file).split(separator: 0x0A).enumerated() {
                    guard let item = try? JSONParser.parse(Array(line)), item.objectValue != nil else {
                        problem = FileChannelError(
                            .malformed, url: file, message: "line \(number + 1) is not a receipt; left in place")
                        break
                    }
                    items.append(item)
                }
                files.append(
                    FileChannelReceipts(
                        dataset: dataset, file: file, items: problem == nil ? items : [], problem: problem))
            }
            return files
        }
    }

    /// Deletes a receipts file once its receipts are recorded.
    public func acknowledge(_ receipts: FileChannelReceipts) async throws(FileChannelError) {
        let file = receipts.file
        try await onSession { session throws(FileChannelError) in try session.remove(file) }
    }

    /// The batches of `dataset` still in the inbox (the platform has not taken them) that were
    /// sent more than `age` seconds before `now`, oldest first.
    public func unanswered(
        _ dataset: Dataset, olderThan age: Double, now: Double = Timestamp.now()
    ) async throws(FileChannelError) -> [UnansweredBatch] {
        try await onSession { session throws(FileChannelError) in
            var batches: [UnansweredBatch] = []
            for name in try session.list(FileChannelLayout.inbox(dataset)) {
                guard let batchID = FileChannelLayout.batchID(ofBatch: name) else { continue }
                let file = FileChannelLayout.batch(dataset, batchID)
                guard let sentAt = try? session.modificationTime(file), now - sentAt > age else { continue }
                batches.append(UnansweredBatch(batchID: batchID, dataset: dataset, file: file, sentAt: sentAt))
            }
            return batches.sorted { ($0.sentAt, $0.batchID) < ($1.sentAt, $1.batchID) }
        }
    }

    /// The platform's manifest of this source's records of `dataset`; `notFound` when the platform
    /// has written none yet.
    public func manifest(_ dataset: Dataset) async throws(FileChannelError) -> FileChannelManifest {
        let file = FileChannelLayout.manifest(dataset, source: source)
        let bytes = try await onSession { session throws(FileChannelError) in try session.download(file) }
        let lines = bytes.split(separator: 0x0A)
        guard let first = lines.first, let header = try? JSONParser.parse(Array(first)),
            let generatedAt = header["generatedAt"]?.stringValue
        else {
            throw FileChannelError(.malformed, url: file, message: "the first line has no \"generatedAt\"")
        }
        var items: [JSONValue] = []
        for (number, line) in lines.dropFirst().enumerated() {
            guard let item = try? JSONParser.parse(Array(line)) else {
                throw FileChannelError(.malformed, url: file, message: "line \(number + 2) is not JSON")
            }
            items.append(item)
        }
        switch ManifestItem.page(["items": .array(items), "nextCursor": .null]) {
        case .success(let page): return FileChannelManifest(generatedAt: generatedAt, items: page.items)
        case .failure(let problem):
            throw FileChannelError(.malformed, url: file, message: "the manifest is malformed: \(problem.reason)")
        }
    }
}

/// One operation for the client's thread.
struct SessionJob: Sendable {
    let run: @Sendable (SFTPSession?) -> Void
}
