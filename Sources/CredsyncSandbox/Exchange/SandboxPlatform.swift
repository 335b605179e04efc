import CredsyncCore
import Synchronization
import CredsyncProtocol

/// One national platform of the sandbox: its datasets, its records and its answers.
final class SandboxPlatform: Sendable {
    let id: PlatformID
    let validator: any PayloadValidator
    let store: Mutex<RecordStore>
    /// Datasets each app may not use (403 FORBIDDEN), as "app/dataset".
    let forbidden: Mutex<Set<String>>
    /// How receipts are issued on an asynchronous platform (1.1); nil for a synchronous one.
    let receipts: ReceiptPolicy?

    init(
        id: PlatformID, stateDir: String?, validator: any PayloadValidator, receipts: ReceiptPolicy? = nil
    ) throws(CredsyncError) {
        self.id = id
        self.validator = validator
        self.receipts = receipts
        self.store = Mutex(try RecordStore(journalPath: stateDir.map { $0 + "/\(id.rawValue).jsonl" }))
        self.forbidden = Mutex([])
    }

    static let withdrawReasons: Set<String> = ["expired", "repaired", "revoked", "corrected"]

    /// `POST /datasets/{dataset}/batches`.
    func pushBatch(dataset: Dataset, body: [UInt8], now: Double, afterApply: (() -> Void)? = nil) -> ServerResponse {
        if body.count > 4 << 20 { return SandboxJSON.error(413, code: "TOO_LARGE", message: "over 4 MiB") }
        guard let json = try? JSONParser.parse(body), let batch = json.objectValue else {
            return SandboxJSON.error(400, code: "BAD_JSON", message: "the body is not a JSON object")
        }
        guard let batchID = batch["batchId"]?.stringValue, !batchID.isEmpty, batchID.count <= 128 else {
            return SandboxJSON.error(400, code: "BAD_BATCH", message: "batchId is missing")
        }
        guard let source = batch["source"]?.stringValue, NationalIdentifiers.isValidUSCC(source) else {
            return SandboxJSON.error(400, code: "BAD_BATCH", message: "source must be a valid 统一社会信用代码")
        }
        guard let records = batch["records"]?.arrayValue else {
            return SandboxJSON.error(400, code: "BAD_BATCH", message: "records must be an array")
        }
        if records.count > 500 { return SandboxJSON.error(413, code: "TOO_LARGE", message: "over 500 records") }
        if records.isEmpty { return SandboxJSON.error(400, code: "BAD_BATCH", message: "records is empty") }
        let bodyHash = SHA256.hex(body)
        var seen: Set<String> = []
        for (index, record) in records.enumerated() {
            guard let key = record["key"]?.stringValue, (1...128).contains(key.unicodeScalars.count) else {
                return SandboxJSON.error(
                    400, code: "BAD_BATCH", message: "records[\(index)].key must be 1 to 128 characters")
            }
            guard let op = record["op"]?.stringValue, op == "upsert" || op == "withdraw" else {
                return SandboxJSON.error(
                    400, code: "BAD_BATCH", message: "records[\(index)].op must be upsert or withdraw")
            }
            if !seen.insert(key).inserted {
                return SandboxJSON.error(400, code: "DUPLICATE_KEY", message: "key \(key) appears twice in the batch")
            }
        }
        // Validation and hashing need no lock: concurrent batches use every core.
        let today = LocalDate.todayInShanghai(now: now)
        let checked = records.map { check($0, dataset: dataset, today: today) }
        let stamp = Timestamp.rfc3339(now)
        return store.withLock { store -> ServerResponse in
            if let receipts { store.issueReceipts(now: now, policy: receipts) }
            if let (storedHash, answer) = store.storedBatch(batchID) {
                guard storedHash == bodyHash else {
                    return SandboxJSON.error(
                        409, code: "BATCH_ID_REUSED", message: "this batchId was used with another body")
                }
                return ServerResponse.json(
                    200, String(decoding: answer, as: UTF8.self), headers: [("X-Request-Id", SandboxJSON.requestID())])
            }
            let results = checked.map { record in
                var result = apply(record, source: source, dataset: dataset, stamp: stamp, store: &store)
                if receipts != nil, case .object(var object) = result, object["status"]?.stringValue == "accepted",
                    let version = object["version"]?.intValue
                {
                    object["receipt"] = "pending"
                    result = .object(object)
                    store.addPending(
                        PendingVersion(
                            source: source, dataset: dataset, key: record.key, version: version, batchID: batchID,
                            isWithdraw: record.isWithdraw, acceptedAt: now))
                }
                return result
            }
            let answer: JSONValue = [
                "batchId": .string(batchID), "receivedAt": .string(stamp), "results": .array(results),
            ]
            let bytes = Array(JSONWriter.compact(answer).utf8)
            store.storeBatch(batchID, bodyHash: bodyHash, answer: bytes)
            store.flush()
            afterApply?()
            return ServerResponse.json(
                200, String(decoding: bytes, as: UTF8.self), headers: [("X-Request-Id", SandboxJSON.requestID())])
        }
    }

    /// A record of a batch after the checks that need no state.
    struct CheckedRecord {
        var key: String
        var isWithdraw: Bool
        var reason: String?
        var payload: JSONObject?
        var hash: String
        var errors: [FieldError]
    }

    private func check(_ record: JSONValue, dataset: Dataset, today: LocalDate) -> CheckedRecord {
        let key = record["key"]?.stringValue ?? ""
        if record["op"]?.stringValue == "withdraw" {
            let reason = record["reason"]?.stringValue
            var errors: [FieldError] = []
            if reason.map({ !Self.withdrawReasons.contains($0) }) ?? true {
                errors.append(
                    FieldError(
                        code: "E_CODE", field: "reason",
                        message: "reason must be expired, repaired, revoked or corrected"))
            }
            return CheckedRecord(key: key, isWithdraw: true, reason: reason, payload: nil, hash: "", errors: errors)
        }
        guard let payload = record["payload"]?.objectValue else {
            let error = FieldError(code: "E_REQUIRED", field: "payload", message: "an upsert needs a payload object")
            return CheckedRecord(key: key, isWithdraw: false, reason: nil, payload: nil, hash: "", errors: [error])
        }
        var errors = validator.fieldErrors(platform: id, dataset: dataset, payload: payload, today: today)
        let hash = JSONWriter.canonicalHash(.object(payload))
        if record["hash"]?.stringValue != hash {
            errors.append(
                FieldError(code: "E_HASH_MISMATCH", field: nil, message: "hash is not the payload's canonical SHA-256"))
        }
        return CheckedRecord(key: key, isWithdraw: false, reason: nil, payload: payload, hash: hash, errors: errors)
    }

    private func apply(
        _ record: CheckedRecord, source: String, dataset: Dataset, stamp: String, store: inout RecordStore
    ) -> JSONValue {
        let key = record.key
        if !record.errors.isEmpty {
            let list: [JSONValue] = record.errors.map { error in
                [
                    "code": .string(error.code), "field": error.field.map { .string($0) } ?? .null,
                    "message": .string(error.message),
                ]
            }
            return ["key": .string(key), "status": "rejected", "errors": .array(list)]
        }
        let existing = store.record(source: source, dataset: dataset, key: key)
        if record.isWithdraw {
            guard var current = existing else {
                return [
                    "key": .string(key), "status": "rejected",
                    "errors": [
                        ["code": "E_NOT_FOUND", "field": .null, "message": "no published record with this key"]
                    ],
                ]
            }
            if current.status == "withdrawn" { return ["key": .string(key), "status": "unchanged"] }
            current.status = receipts == nil ? "withdrawn" : "pending"
            current.version += 1
            current.updatedAt = stamp
            store.set(source: source, dataset: dataset, key: key, current)
            return ["key": .string(key), "status": "accepted", "version": .number(String(current.version))]
        }
        // A version pending or failed is not sent again with the same content: only a new hash
        // (the province fixed the record) is a new version (exchange-api.md 1.1, "Receipts").
        if let existing, ["published", "pending", "failed"].contains(existing.status), existing.hash == record.hash {
            return ["key": .string(key), "status": "unchanged"]
        }
        let version = (existing?.version ?? 0) + 1
        store.set(
            source: source, dataset: dataset, key: key,
            StoredRecord(
                hash: record.hash, status: receipts == nil ? "published" : "pending", version: version,
                updatedAt: stamp, payload: record.payload ?? JSONObject()))
        return ["key": .string(key), "status": "accepted", "version": .number(String(version))]
    }

    /// `GET /datasets/{dataset}/records?source&cursor&limit`, ordered by key in UTF-8 byte order.
    func manifest(dataset: Dataset, parameters: [String: String], now: Double = Timestamp.now()) -> ServerResponse {
        guard let source = parameters["source"], NationalIdentifiers.isValidUSCC(source) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "source must be a valid 统一社会信用代码")
        }
        let limit = parameters["limit"].map { Int($0) ?? -1 } ?? 500
        guard (1...1000).contains(limit) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "limit must be 1 to 1000")
        }
        var after: [UInt8]?
        if let cursor = parameters["cursor"] {
            guard let bytes = Self.unhex(cursor) else {
                return SandboxJSON.error(400, code: "BAD_CURSOR", message: "unknown cursor")
            }
            after = bytes
        }
        return store.withLock { store in
            if let receipts { store.issueReceipts(now: now, policy: receipts) }
            let keys = store.keys(source: source, dataset: dataset)
            var start = 0
            if let after {
                var low = 0
                var high = keys.count
                while low < high {
                    let mid = (low + high) / 2
                    if Array(keys[mid].utf8).lexicographicallyPrecedes(after) || Array(keys[mid].utf8) == after {
                        low = mid + 1
                    } else {
                        high = mid
                    }
                }
                start = low
            }
            let page = keys[start..<min(keys.count, start + limit)]
            let items: [JSONValue] = page.compactMap { key in
                guard let record = store.record(source: source, dataset: dataset, key: key) else { return nil }
                return [
                    "key": .string(key), "hash": .string(record.hash), "status": .string(record.status),
                    "version": .number(String(record.version)), "updatedAt": .string(record.updatedAt),
                ]
            }
            let next: JSONValue =
                start + limit < keys.count ? .string(Hex.encode(Array((page.last ?? "").utf8))) : .null
            return SandboxJSON.ok(["items": .array(items), "nextCursor": next])
        }
    }

    /// `GET /datasets/{dataset}/records/{key}?source`.
    func record(dataset: Dataset, key: String, parameters: [String: String], now: Double = Timestamp.now())
        -> ServerResponse
    {
        guard let source = parameters["source"] else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "source is required")
        }
        let found = store.withLock { store in
            if let receipts { store.issueReceipts(now: now, policy: receipts) }
            return store.record(source: source, dataset: dataset, key: key)
        }
        guard let record = found else {
            return SandboxJSON.error(404, code: "NOT_FOUND", message: "no record with this key")
        }
        return SandboxJSON.ok([
            "key": .string(key), "hash": .string(record.hash), "status": .string(record.status),
            "version": .number(String(record.version)), "updatedAt": .string(record.updatedAt),
            "payload": .object(record.payload),
        ])
    }

    /// `GET /datasets/{dataset}/receipts?source&cursor&limit` (1.1): the receipts after the
    /// cursor's `seq`, paged as the enterprise feed is; 404 on a synchronous platform.
    func receiptPage(dataset: Dataset, parameters: [String: String], now: Double, cursorLifetime: Double)
        -> ServerResponse
    {
        guard let receipts else {
            return SandboxJSON.error(
                404, code: "NOT_FOUND", message: "\(id.rawValue) publishes synchronously: no receipts")
        }
        guard let source = parameters["source"], NationalIdentifiers.isValidUSCC(source) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "source must be a valid 统一社会信用代码")
        }
        let limit = parameters["limit"].map { Int($0) ?? -1 } ?? 500
        guard (1...1000).contains(limit) else {
            return SandboxJSON.error(400, code: "BAD_REQUEST", message: "limit must be 1 to 1000")
        }
        var after = 0
        if let cursor = parameters["cursor"] {
            guard let seq = EnterpriseFeeds.seq(fromCursor: cursor, now: now, lifetime: cursorLifetime) else {
                return SandboxJSON.error(
                    400, code: "BAD_CURSOR",
                    message: "the cursor is unknown or older than its lifetime; re-read from the start")
            }
            after = seq
        }
        let issued = store.withLock { store in
            store.issueReceipts(now: now, policy: receipts)
            return store.receipts(source: source, dataset: dataset)
        }
        let items = issued.map { ($0.seq, JSONValue.object($0.receipt)) }
        return SandboxJSON.ok(
            EnterpriseFeeds.page(items, after: after, limit: limit, now: now, include: { _ in true }, wrap: { $1 }))
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let high = hexDigit(chars[i]), let low = hexDigit(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
