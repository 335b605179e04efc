#if canImport(Glibc)
    import Glibc
#endif
import CredsyncCore

/// A record as a platform holds it.
struct StoredRecord: Sendable {
    var hash: String
    /// `published` or `withdrawn`.
    var status: String
    var version: Int
    var updatedAt: String
    var payload: JSONObject
}

/// What one platform holds, by source, dataset and key, with the answers to batches already
/// applied. Every change is appended to a journal in the state directory, so a restart keeps it.
/// Not thread-safe: the platform serialises access.
struct RecordStore {
    private(set) var records: [String: [Dataset: [String: StoredRecord]]] = [:]
    /// batchId → (SHA-256 of the body, the answer's bytes).
    private(set) var batches: [String: (String, [UInt8])] = [:]
    /// Versions accepted on an asynchronous platform, waiting for their receipt, oldest first.
    private(set) var pendingVersions: [PendingVersion] = []
    /// Receipts issued, by source and dataset, in ascending `seq`.
    private(set) var receipts: [String: [(seq: Int, receipt: JSONObject)]] = [:]
    private(set) var lastReceiptSeq = 0
    /// The highest seq written to the file channel's receipts files (1.1 "The file channel").
    private(set) var filedReceiptSeq = 0
    private var journal: Int32 = -1
    private var pending = ""
    private var sortedKeys: [String: [String]] = [:]

    /// Opens (or creates) the journal at `path` and replays it.
    init(journalPath: String?) throws(CredsyncError) {
        guard let journalPath else { return }
        if let bytes = try? FileSystem.read(journalPath) {
            var start = 0
            for (i, byte) in bytes.enumerated() where byte == 0x0A {
                if let line = try? JSONParser.parse(Array(bytes[start..<i])) { replay(line) }
                start = i + 1
            }
        }
        journal = open(journalPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if journal < 0 { throw CredsyncError(.ioError, "\(journalPath): cannot open the sandbox journal") }
    }

    func record(source: String, dataset: Dataset, key: String) -> StoredRecord? {
        records[source]?[dataset]?[key]
    }

    /// The keys of a dataset in UTF-8 byte order.
    mutating func keys(source: String, dataset: Dataset) -> [String] {
        let cacheKey = source + "/" + dataset.rawValue
        if let cached = sortedKeys[cacheKey] { return cached }
        let keys = (records[source]?[dataset]?.keys).map { Array($0) } ?? []
        let sorted = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        sortedKeys[cacheKey] = sorted
        return sorted
    }

    mutating func set(source: String, dataset: Dataset, key: String, _ record: StoredRecord?) {
        if records[source]?[dataset]?[key] == nil || record == nil { sortedKeys[source + "/" + dataset.rawValue] = nil }
        records[source, default: [:]][dataset, default: [:]][key] = record
        guard journal >= 0 else { return }
        var line: JSONValue = [
            "t": "record", "source": .string(source), "dataset": .string(dataset.rawValue), "key": .string(key),
        ]
        if let record, case .object(var object) = line {
            object["hash"] = .string(record.hash)
            object["status"] = .string(record.status)
            object["version"] = .number(String(record.version))
            object["updatedAt"] = .string(record.updatedAt)
            object["payload"] = .object(record.payload)
            line = .object(object)
        }
        append(line)
    }

    mutating func addPending(_ pending: PendingVersion) {
        pendingVersions.append(pending)
        append([
            "t": "pending", "source": .string(pending.source), "dataset": .string(pending.dataset.rawValue),
            "key": .string(pending.key), "version": .number(String(pending.version)),
            "batchId": .string(pending.batchID),
            "withdraw": .bool(pending.isWithdraw), "acceptedAt": .number(String(pending.acceptedAt)),
        ])
    }

    mutating func replacePending(_ waiting: [PendingVersion]) {
        pendingVersions = waiting
        append(["t": "pending-left", "count": .number(String(waiting.count))])
    }

    mutating func addReceipt(source: String, dataset: Dataset, _ receipt: JSONObject) {
        lastReceiptSeq += 1
        var numbered = receipt
        numbered["seq"] = .number(String(lastReceiptSeq))
        receipts[source + "/" + dataset.rawValue, default: []].append((lastReceiptSeq, numbered))
        append([
            "t": "receipt", "source": .string(source), "dataset": .string(dataset.rawValue),
            "receipt": .object(numbered),
        ])
    }

    func receipts(source: String, dataset: Dataset) -> [(seq: Int, receipt: JSONObject)] {
        receipts[source + "/" + dataset.rawValue] ?? []
    }

    /// Records that every receipt up to `seq` is in a receipts file of the outbox.
    mutating func markReceiptsFiled(through seq: Int) {
        filedReceiptSeq = max(filedReceiptSeq, seq)
        append(["t": "receipts-filed", "seq": .number(String(seq))])
    }

    func storedBatch(_ id: String) -> (String, [UInt8])? { batches[id] }

    mutating func storeBatch(_ id: String, bodyHash: String, answer: [UInt8]) {
        batches[id] = (bodyHash, answer)
        append([
            "t": "batch", "id": .string(id), "bodyHash": .string(bodyHash),
            "answer": .string(String(decoding: answer, as: UTF8.self)),
        ])
    }

    private mutating func append(_ line: JSONValue) {
        guard journal >= 0 else { return }
        pending += JSONWriter.compact(line)
        pending += "\n"
        if pending.utf8.count > 1 << 20 { flush() }
    }

    /// Writes the journal lines gathered so far (once per batch).
    mutating func flush() {
        guard journal >= 0, !pending.isEmpty else { return }
        _ = FileOutput.writeAll(journal, pending)
        pending = ""
    }

    private static func number(_ value: JSONValue?) -> Double? {
        guard case .number(let text)? = value else { return nil }
        return Double(text)
    }

    private mutating func replay(_ line: JSONValue) {
        switch line["t"]?.stringValue {
        case "record":
            guard let source = line["source"]?.stringValue, let datasetName = line["dataset"]?.stringValue,
                let dataset = Dataset(rawValue: datasetName), let key = line["key"]?.stringValue
            else { return }
            if let hash = line["hash"]?.stringValue {
                records[source, default: [:]][dataset, default: [:]][key] = StoredRecord(
                    hash: hash, status: line["status"]?.stringValue ?? "published",
                    version: line["version"]?.intValue ?? 1,
                    updatedAt: line["updatedAt"]?.stringValue ?? "",
                    payload: line["payload"]?.objectValue ?? JSONObject())
            } else {
                records[source]?[dataset]?[key] = nil
            }
        case "pending":
            guard let source = line["source"]?.stringValue,
                let dataset = line["dataset"]?.stringValue.flatMap(Dataset.init),
                let key = line["key"]?.stringValue, let version = line["version"]?.intValue
            else { return }
            pendingVersions.append(
                PendingVersion(
                    source: source, dataset: dataset, key: key, version: version,
                    batchID: line["batchId"]?.stringValue ?? "",
                    isWithdraw: line["withdraw"]?.boolValue ?? false,
                    acceptedAt: Self.number(line["acceptedAt"]) ?? 0))
        case "pending-left":
            // The receipts issued are the oldest pending versions: those that remain are the newest.
            let count = line["count"]?.intValue ?? 0
            pendingVersions = Array(pendingVersions.suffix(count))
        case "receipt":
            guard let source = line["source"]?.stringValue, let dataset = line["dataset"]?.stringValue,
                let receipt = line["receipt"]?.objectValue, let seq = receipt["seq"]?.intValue
            else { return }
            receipts[source + "/" + dataset, default: []].append((seq, receipt))
            lastReceiptSeq = max(lastReceiptSeq, seq)
        case "receipts-filed":
            filedReceiptSeq = max(filedReceiptSeq, line["seq"]?.intValue ?? 0)
        case "batch":
            if let id = line["id"]?.stringValue, let hash = line["bodyHash"]?.stringValue,
                let answer = line["answer"]?.stringValue
            {
                batches[id] = (hash, Array(answer.utf8))
            }
        default:
            break
        }
    }
}
