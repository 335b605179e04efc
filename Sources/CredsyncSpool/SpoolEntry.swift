import CredsyncCore

/// The states an entry can be in: one directory each.
public enum SpoolState: String, Sendable, CaseIterable, Comparable {
    case deferred, hold, dead, corrupt

    public static func < (lhs: SpoolState, rhs: SpoolState) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// One failed attempt, as kept in an entry's history. Never holds a secret.
public struct SpoolError: Sendable, Equatable {
    /// Unix seconds.
    public var at: Double
    /// `transient` or `permanent`.
    public var errorClass: String
    public var status: Int?
    public var code: String?
    public var message: String

    public init(at: Double, errorClass: String, status: Int?, code: String?, message: String) {
        self.at = at
        self.errorClass = errorClass
        self.status = status
        self.code = code
        self.message = message
    }
}

/// A change waiting to reach a platform.
public struct SpoolEntry: Sendable, Equatable {
    public var id: String
    public var platform: PlatformID
    public var dataset: Dataset
    public var key: String
    /// `upsert` or `withdraw`.
    public var op: String
    /// Why it was planned: `new`, `changed`, `expired`, …
    public var reason: String
    public var payload: JSONObject?
    public var hash: String?
    /// The batch it last went in.
    public var batchID: String?
    public var attempts: Int
    /// Unix seconds.
    public var firstAttempt: Double
    public var lastAttempt: Double
    public var nextAttempt: Double
    public var errors: [SpoolError]

    public init(id: String, platform: PlatformID, dataset: Dataset, key: String, op: String, reason: String, payload: JSONObject?,
        hash: String?, batchID: String?, attempts: Int, firstAttempt: Double, lastAttempt: Double, nextAttempt: Double, errors: [SpoolError]) {
        self.id = id
        self.platform = platform
        self.dataset = dataset
        self.key = key
        self.op = op
        self.reason = reason
        self.payload = payload
        self.hash = hash
        self.batchID = batchID
        self.attempts = attempts
        self.firstAttempt = firstAttempt
        self.lastAttempt = lastAttempt
        self.nextAttempt = nextAttempt
        self.errors = errors
    }

    public var lastError: SpoolError? { errors.last }

    var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["platform"] = .string(platform.rawValue)
        object["dataset"] = .string(dataset.rawValue)
        object["key"] = .string(key)
        object["op"] = .string(op)
        object["reason"] = .string(reason)
        object["hash"] = hash.map { .string($0) } ?? .null
        object["payload"] = payload.map { .object($0) } ?? .null
        object["batchId"] = batchID.map { .string($0) } ?? .null
        object["attempts"] = .number(String(attempts))
        object["firstAttempt"] = .number(String(firstAttempt))
        object["lastAttempt"] = .number(String(lastAttempt))
        object["nextAttempt"] = .number(String(nextAttempt))
        object["errors"] = .array(errors.map { error in
            ["at": .number(String(error.at)), "class": .string(error.errorClass), "status": error.status.map { .number(String($0)) } ?? .null,
             "code": error.code.map { .string($0) } ?? .null, "message": .string(error.message)]
        })
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let platform = json["platform"]?.stringValue.flatMap(PlatformID.init(rawValue:)),
            let dataset = json["dataset"]?.stringValue.flatMap(Dataset.init(rawValue:)), let key = json["key"]?.stringValue,
            let op = json["op"]?.stringValue
        else { return nil }
        self.init(
            id: id, platform: platform, dataset: dataset, key: key, op: op, reason: json["reason"]?.stringValue ?? "",
            payload: json["payload"]?.objectValue, hash: json["hash"]?.stringValue, batchID: json["batchId"]?.stringValue,
            attempts: json["attempts"]?.intValue ?? 0, firstAttempt: json["firstAttempt"]?.doubleValue ?? 0,
            lastAttempt: json["lastAttempt"]?.doubleValue ?? 0, nextAttempt: json["nextAttempt"]?.doubleValue ?? 0,
            errors: (json["errors"]?.arrayValue ?? []).map { error in
                SpoolError(at: error["at"]?.doubleValue ?? 0, errorClass: error["class"]?.stringValue ?? "", status: error["status"]?.intValue,
                    code: error["code"]?.stringValue, message: error["message"]?.stringValue ?? "")
            })
    }
}
