public import CredsyncCore
public import CredsyncProtocol

/// A platform's answer to one batch, read from `outbox/{dataset}/{batchId}.answer.json`: the 200
/// body the API would give, or `{"batchId", "error": {"code", "message"}}` for a refused batch.
public struct FileChannelAnswer: Sendable {
    public var batchID: String
    public var dataset: Dataset
    /// The file it came from, relative to the channel's root.
    public var file: String
    /// `receivedAt` of a 200 answer.
    public var receivedAt: String?
    /// The platform refused the batch as a whole, with the API's code (e.g. `BAD_SIGNATURE`).
    public var refusal: ExchangeFailure?
    let json: JSONValue

    /// Reads the answer file of batch `batchID`; nil with the reason when it is not an answer.
    static func parse(
        _ bytes: [UInt8], batchID: String, dataset: Dataset, file: String
    ) -> Result<FileChannelAnswer, FileChannelError> {
        func malformed(_ reason: String) -> Result<FileChannelAnswer, FileChannelError> {
            .failure(FileChannelError(.malformed, url: file, message: "the answer \(reason); left in place"))
        }
        guard let json = try? JSONParser.parse(bytes), json.objectValue != nil else {
            return malformed("is not a JSON object")
        }
        guard json["batchId"]?.stringValue == batchID else {
            return malformed("names another batchId than its file name (\(batchID))")
        }
        var answer = FileChannelAnswer(
            batchID: batchID, dataset: dataset, file: file, receivedAt: json["receivedAt"]?.stringValue,
            refusal: nil, json: json)
        if let error = json["error"] {
            guard let code = error["code"]?.stringValue else { return malformed("has an error without a code") }
            let status = Self.status(ofCode: code)
            let failureClass: ExchangeFailure.Class = (500...599).contains(status) ? .transient : .permanent
            answer.refusal = ExchangeFailure(
                failureClass, status: status, code: code,
                message: (error["message"]?.stringValue ?? "") + " (file channel, \(file))")
        } else if json["results"]?.arrayValue == nil {
            return malformed("has neither results nor an error")
        }
        return .success(answer)
    }

    /// The HTTP status the API gives with `code` (exchange-api.md, "Errors"), so a refusal is
    /// classified as the API's would be (401 and 403 are authentication failures).
    static func status(ofCode code: String) -> Int {
        switch code {
        case "UNKNOWN_APP", "BAD_SIGNATURE", "CLOCK_SKEW", "REPLAY": 401
        case "FORBIDDEN": 403
        case "UNKNOWN_DATASET", "NOT_FOUND": 404
        case "BATCH_ID_REUSED": 409
        case "TOO_LARGE": 413
        case "RATE_LIMITED": 429
        case "UNAVAILABLE", "INTERNAL": 503
        default: 400
        }
    }

    /// What the answer says of `batch` (the batch sent under this id), record by record in request
    /// order, as `PlatformClient.push` says it for the API's answer; a refused batch gives every
    /// record the refusal's outcome, and a 401 or 403 code sets `authenticationFailure`.
    public func result(for batch: Batch) -> BatchResult {
        var result = BatchResult()
        result.batchIDs = [batchID]
        if let refusal {
            if refusal.isAuthenticationFailure { result.authenticationFailure = refusal }
            result.outcomes = batch.records.map { ($0.key, refusal.recordOutcome) }
            return result
        }
        let response = HTTPResponse(status: 200)
        result.outcomes = PlatformClient.outcomes(
            of: batch, answer: PlatformClient.Answer(status: 200, json: json, response: response))
        return result
    }

    /// The keys and outcomes as the answer lists them, for a caller that no longer holds the batch;
    /// empty for a refused batch (see `refusal`).
    public var outcomesByKey: [(key: String, outcome: RecordOutcome)] {
        if refusal != nil { return [] }
        let records = (json["results"]?.arrayValue ?? []).compactMap { item -> OutgoingRecord? in
            item["key"]?.stringValue.map { OutgoingRecord(key: $0, op: .upsert) }
        }
        let batch = Batch(id: batchID, dataset: dataset, source: "", records: records)
        return result(for: batch).outcomes
    }
}

/// One file of receipts, `outbox/{dataset}/receipts-{seq}.jsonl`: one receipt a line, as the
/// receipts endpoint's items (exchange-api.md 1.1, "Receipts").
public struct FileChannelReceipts: Sendable {
    public var dataset: Dataset
    public var file: String
    public var items: [JSONValue]
    /// Why the file is not receipts (a line that is not a JSON object), if it is not.
    public var problem: FileChannelError?

    /// The file's receipts as one page of the feed (no cursor: the file's deletion moves on), or
    /// what is wrong with them (the file is then left in place).
    public func page() -> Result<ReceiptPage, FileChannelError> {
        if let problem { return .failure(problem) }
        switch Receipt.page(["items": .array(items), "hasMore": false]) {
        case .success(let page): return .success(page)
        case .failure(let problem):
            return .failure(
                FileChannelError(.malformed, url: file, message: "not receipts: \(problem.reason); left in place"))
        }
    }
}

/// A platform's manifest from `manifest/{dataset}/{source}.jsonl`.
public struct FileChannelManifest: Sendable {
    /// The first line's `generatedAt` (RFC 3339).
    public var generatedAt: String
    public var items: [ManifestItem]
}

/// A batch still in the inbox: the platform has not taken it yet.
public struct UnansweredBatch: Sendable, Equatable {
    public var batchID: String
    public var dataset: Dataset
    public var file: String
    /// When it was renamed into place (its modification time), Unix seconds.
    public var sentAt: Double
}
