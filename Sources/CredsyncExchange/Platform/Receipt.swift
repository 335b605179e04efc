public import CredsyncCore
public import CredsyncProtocol

/// A platform's receipt for one version of a record (exchange-api.md 1.1, "Receipts"): the version
/// became public (or stopped being, for a withdrawal) at `at`, or it failed.
public struct Receipt: Sendable, Equatable {
    public enum Status: String, Sendable {
        case published, failed
    }

    public var seq: Int
    public var key: String
    public var version: Int
    public var batchID: String
    public var op: RecordOperation.Kind
    public var status: Status
    /// RFC 3339 UTC.
    public var at: String
    /// The platform's id of the record (published upserts only).
    public var remoteID: String?
    /// Why it failed (`E_SUBJECT_UNMATCHED`, `E_SUBJECT_DEREGISTERED`, `E_REVIEW_REJECTED`).
    public var errors: [FieldError]
}

/// One page of a receipts feed.
public struct ReceiptPage: Sendable {
    public var receipts: [Receipt]
    public var nextCursor: String?
    public var hasMore: Bool
}

extension Receipt {
    /// The receipts of one page, or what is wrong with it: a page of the wrong shape is a platform
    /// error, never taken as "no receipts".
    static func page(_ json: JSONValue) -> Result<ReceiptPage, ManifestShapeError> {
        guard let list = json["items"]?.arrayValue else {
            return .failure(ManifestShapeError(reason: "\"items\" is missing or not an array"))
        }
        var receipts: [Receipt] = []
        for (i, item) in list.enumerated() {
            switch receipt(item) {
            case .success(let receipt): receipts.append(receipt)
            case .failure(let reason): return .failure(ManifestShapeError(reason: "items[\(i)]: \(reason.reason)"))
            }
        }
        return .success(
            ReceiptPage(
                receipts: receipts, nextCursor: json["nextCursor"]?.stringValue,
                hasMore: json["hasMore"]?.boolValue ?? false))
    }

    static func receipt(_ item: JSONValue) -> Result<Receipt, ManifestShapeError> {
        guard let seq = item["seq"]?.intValue, let key = item["key"]?.stringValue, !key.isEmpty,
            let version = item["version"]?.intValue
        else { return .failure(ManifestShapeError(reason: "\"seq\", \"key\" and \"version\" are required")) }
        guard let op = item["op"]?.stringValue.flatMap(RecordOperation.Kind.init(rawValue:)) else {
            return .failure(ManifestShapeError(reason: "\(key): \"op\" is not upsert or withdraw"))
        }
        guard let status = item["status"]?.stringValue.flatMap(Status.init(rawValue:)) else {
            return .failure(ManifestShapeError(reason: "\(key): \"status\" is not published or failed"))
        }
        guard let at = item["at"]?.stringValue, Timestamp.parseRFC3339(at) != nil else {
            return .failure(ManifestShapeError(reason: "\(key): \"at\" is not an RFC 3339 time"))
        }
        let errors = (item["errors"]?.arrayValue ?? []).map { error in
            FieldError(
                code: error["code"]?.stringValue ?? "E_UNKNOWN", field: error["field"]?.stringValue,
                message: error["message"]?.stringValue ?? "")
        }
        return .success(
            Receipt(
                seq: seq, key: key, version: version, batchID: item["batchId"]?.stringValue ?? "", op: op,
                status: status,
                at: at, remoteID: item["remoteId"]?.stringValue, errors: errors))
    }
}

extension PlatformClient {
    /// One page of a dataset's receipts after `cursor` (nil: from the beginning). A `BAD_CURSOR`
    /// answer comes back as the failure with that code: the caller reads again from the start.
    public func receipts(_ dataset: Dataset, cursor: String?, limit: Int = 1000) async -> Result<
        ReceiptPage, ExchangeFailure
    > {
        var statistics = BatchResult()
        var query = [("source", source), ("limit", String(limit))]
        if let cursor { query.append(("cursor", cursor)) }
        switch await exchange(
            method: "GET", path: "/datasets/\(dataset.rawValue)/receipts", query: query, statistics: &statistics)
        {
        case .failure(let failure): return .failure(failure)
        case .success(let answer):
            guard answer.status == 200, let json = answer.json else {
                return .failure(
                    ExchangeFailure(.transient, status: answer.status, code: nil, message: "receipts page without JSON")
                )
            }
            switch Receipt.page(json) {
            case .success(let page): return .success(page)
            case .failure(let problem):
                return .failure(
                    ExchangeFailure(
                        .transient, status: answer.status, code: nil,
                        message: "the \(dataset.rawValue) receipts page is malformed: \(problem.reason)",
                        requestID: answer.requestID))
            }
        }
    }
}
