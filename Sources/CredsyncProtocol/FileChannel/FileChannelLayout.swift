public import CredsyncCore

/// Where each file of the file channel lives under a platform's root (exchange-api.md 1.1, "The
/// file channel"): `inbox/{dataset}/` the province writes, `outbox/{dataset}/` the platform
/// writes, `manifest/{dataset}/`. Every path of the channel is built here.
public enum FileChannelLayout {
    public static func inbox(_ dataset: Dataset) -> String { "inbox/\(dataset.rawValue)" }
    public static func outbox(_ dataset: Dataset) -> String { "outbox/\(dataset.rawValue)" }

    /// `inbox/{dataset}/{batchId}.json.part`: the upload before its rename.
    public static func upload(_ dataset: Dataset, _ batchID: String) -> String { batch(dataset, batchID) + ".part" }
    /// `inbox/{dataset}/{batchId}.json`: the batch the platform reads.
    public static func batch(_ dataset: Dataset, _ batchID: String) -> String {
        inbox(dataset) + "/\(batchID).json"
    }
    /// `inbox/{dataset}/{batchId}.sig`.
    public static func signature(_ dataset: Dataset, _ batchID: String) -> String {
        inbox(dataset) + "/\(batchID).sig"
    }
    /// `outbox/{dataset}/{batchId}.answer.json`.
    public static func answer(_ dataset: Dataset, _ batchID: String) -> String {
        outbox(dataset) + "/\(batchID)" + answerSuffix
    }
    /// `manifest/{dataset}/{source}.jsonl`.
    public static func manifest(_ dataset: Dataset, source: String) -> String {
        "manifest/\(dataset.rawValue)/\(source).jsonl"
    }
    /// `outbox/{dataset}/receipts-{seq}.jsonl`, seq zero-padded to 12 digits.
    public static func receipts(_ dataset: Dataset, seq: Int) -> String {
        let digits = String(seq)
        return outbox(dataset) + "/receipts-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
            + ".jsonl"
    }

    public static let answerSuffix = ".answer.json"
    public static let partSuffix = ".part"

    /// The batch id of an answer's file name (`{batchId}.answer.json`), nil for any other name.
    public static func batchID(ofAnswer name: String) -> String? {
        guard name.hasSuffix(answerSuffix), name.count > answerSuffix.count else { return nil }
        return String(name.dropLast(answerSuffix.count))
    }

    /// The batch id of a batch's file name in the inbox (`{batchId}.json`, not `.part`), else nil.
    public static func batchID(ofBatch name: String) -> String? {
        guard name.hasSuffix(".json"), name.count > 5 else { return nil }
        return String(name.dropLast(5))
    }

    /// Whether `name` is a receipts file (`receipts-{12 digits}.jsonl`).
    public static func isReceipts(_ name: String) -> Bool {
        guard name.hasPrefix("receipts-"), name.hasSuffix(".jsonl") else { return false }
        let digits = name.dropFirst(9).dropLast(6)
        return digits.count == 12 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
