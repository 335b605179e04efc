import CredsyncCore

/// How an asynchronous platform (exchange-api.md 1.1, "Receipts") publishes: an accepted version
/// waits `delay` seconds, then its receipt says published, or failed when its subject (the
/// record's 统一社会信用代码) is not registered in the platform's enterprise feed (记名,
/// `E_SUBJECT_UNMATCHED`). Receipts are issued when the platform is next asked anything.
struct ReceiptPolicy: Sendable {
    var delay: Double
    /// The registered subjects; nil when the sandbox has no enterprise feed (every subject matches).
    var registered: Set<String>?

    /// The field holding the subject's 统一社会信用代码 in a dataset's payload.
    static func subjectField(_ dataset: Dataset) -> String {
        switch dataset {
        case .license: "XK_XDR_SHXYM"
        case .penalty: "CF_XDR_SHXYM"
        case .dishonesty: "SX_SHXYM"
        case .pledge: "ZY_CZRDM"
        }
    }

    /// The errors of a failed 记名, or none when the subject is registered (or a natural person,
    /// who has no 统一社会信用代码 to match).
    func subjectErrors(_ payload: JSONObject, dataset: Dataset) -> [JSONValue] {
        let field = Self.subjectField(dataset)
        guard let registered, let code = payload[field]?.stringValue, NationalIdentifiers.isValidUSCC(code),
            !registered.contains(code)
        else { return [] }
        return [
            [
                "code": "E_SUBJECT_UNMATCHED", "field": .string(field),
                "message": .string("no registered subject has this 统一社会信用代码"),
            ]
        ]
    }
}

/// A version accepted on an asynchronous platform, waiting for its receipt.
struct PendingVersion: Sendable {
    var source: String
    var dataset: Dataset
    var key: String
    var version: Int
    var batchID: String
    var isWithdraw: Bool
    var acceptedAt: Double
}

extension RecordStore {
    /// Issues the receipts of every version accepted at least `policy.delay` seconds before `now`,
    /// in the order they were accepted. A receipt for a version that a later one replaced is
    /// issued too (history, as on the real platform) but changes nothing.
    mutating func issueReceipts(now: Double, policy: ReceiptPolicy) {
        var waiting: [PendingVersion] = []
        for pending in pendingVersions {
            guard pending.acceptedAt + policy.delay <= now else {
                waiting.append(pending)
                continue
            }
            let current = record(source: pending.source, dataset: pending.dataset, key: pending.key)
            let stamp = Timestamp.rfc3339(now)
            var receipt = JSONObject()
            receipt["key"] = .string(pending.key)
            receipt["version"] = .number(String(pending.version))
            receipt["batchId"] = .string(pending.batchID)
            receipt["op"] = .string(pending.isWithdraw ? "withdraw" : "upsert")
            receipt["at"] = .string(stamp)
            let payload = current?.payload ?? JSONObject()
            let errors = pending.isWithdraw ? [] : policy.subjectErrors(payload, dataset: pending.dataset)
            if errors.isEmpty {
                receipt["status"] = "published"
                if !pending.isWithdraw {
                    receipt["remoteId"] = .string(
                        "R-" + String(SHA256.hex(Array("\(pending.key)/\(pending.version)".utf8)).prefix(16)))
                }
            } else {
                receipt["status"] = "failed"
                receipt["errors"] = .array(errors)
            }
            if var current, current.version == pending.version {
                current.status = errors.isEmpty ? (pending.isWithdraw ? "withdrawn" : "published") : "failed"
                current.updatedAt = stamp
                set(source: pending.source, dataset: pending.dataset, key: pending.key, current)
            }
            addReceipt(source: pending.source, dataset: pending.dataset, receipt)
        }
        if waiting.count != pendingVersions.count {
            replacePending(waiting)
            flush()
        }
    }
}
