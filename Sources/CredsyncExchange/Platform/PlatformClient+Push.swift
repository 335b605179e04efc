import CredsyncCore
public import CredsyncProtocol

extension PlatformClient {
    /// Pushes one batch: a 413 splits it in halves (new batch ids) and pushes each; retries of the
    /// same batch reuse its id and body. Every record gets an outcome, in request order.
    public func push(_ batch: Batch) async -> BatchResult {
        var result = BatchResult()
        result.batchIDs.append(batch.id)
        let answer = await exchange(
            method: "POST", path: "/datasets/\(batch.dataset.rawValue)/batches", body: batch.body, statistics: &result)
        switch answer {
        case .failure(let failure):
            if failure.isAuthenticationFailure { result.authenticationFailure = failure }
            result.outcomes = batch.records.map { ($0.key, failure.recordOutcome) }
        case .success(let answer) where answer.status == 413:
            guard batch.records.count > 1 else {
                let outcome = RecordOutcome.permanent(
                    "HTTP 413 TOO_LARGE: a single record is over the platform's size limit")
                result.outcomes = batch.records.map { ($0.key, outcome) }
                return result
            }
            let middle = batch.records.count / 2
            result.batchIDs.removeLast()
            let first = Batch(dataset: batch.dataset, source: source, records: Array(batch.records[..<middle]))
            let second = Batch(dataset: batch.dataset, source: source, records: Array(batch.records[middle...]))
            logger.info(
                "batch too large for the platform, split",
                [("platform", config.id.rawValue), ("batch", batch.id), ("records", batch.records.count)])
            result.merge(await push(first))
            result.merge(await push(second))
        case .success(let answer):
            result.outcomes = Self.outcomes(of: batch, answer: answer)
            result.pendingReceipts = Self.pendingReceipts(answer)
        }
        return result
    }

    /// The keys whose `accepted` result says `"receipt": "pending"` (1.1): received, not yet public.
    static func pendingReceipts(_ answer: Answer) -> Set<String> {
        var keys: Set<String> = []
        for item in answer.json?["results"]?.arrayValue ?? []
        where item["status"]?.stringValue == "accepted" && item["receipt"]?.stringValue == "pending" {
            if let key = item["key"]?.stringValue { keys.insert(key) }
        }
        return keys
    }

    /// Reads the per-record results of a 200 answer; a record the answer does not mention is transient.
    static func outcomes(of batch: Batch, answer: Answer) -> [(key: String, outcome: RecordOutcome)] {
        let results = answer.json?["results"]?.arrayValue ?? []
        var byKey: [String: RecordOutcome] = [:]
        // A key answered twice (`accepted` and then `accepted` again, or `rejected`) says nothing sure.
        var answeredTwice: Set<String> = []
        for item in results {
            guard let key = item["key"]?.stringValue else { continue }
            if byKey[key] != nil { answeredTwice.insert(key) }
            switch item["status"]?.stringValue {
            case "accepted": byKey[key] = .accepted(version: item["version"]?.intValue ?? 0)
            case "unchanged": byKey[key] = .unchanged
            case "rejected":
                let errors = (item["errors"]?.arrayValue ?? []).map { error in
                    FieldError(
                        code: error["code"]?.stringValue ?? "E_UNKNOWN", field: error["field"]?.stringValue,
                        message: error["message"]?.stringValue ?? "")
                }
                byKey[key] = .rejected(errors)
            default: break
            }
        }
        for key in answeredTwice { byKey[key] = .transient("the platform's answer named this record more than once") }
        return batch.records.map { record in
            (record.key, byKey[record.key] ?? .transient("the platform's answer did not mention this record"))
        }
    }
}
