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
///
/// Read from a queue file, the payload stays as its JSON bytes until something asks for it, so
/// listing a large queue does not build every payload.
public struct SpoolEntry: Sendable, Equatable {
    public var id: String
    public var platform: PlatformID
    public var dataset: Dataset
    public var key: String
    /// `upsert` or `withdraw`.
    public var op: String
    /// Why it was planned: `new`, `changed`, `expired`, …
    public var reason: String
    public var payload: JSONObject? {
        get {
            switch payloadStorage {
            case .parsed(let payload): payload
            case .raw(let bytes): (try? JSONParser.parse(bytes))?.objectValue
            }
        }
        set { payloadStorage = .parsed(newValue) }
    }
    var payloadStorage: PayloadStorage
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
        self.payloadStorage = .parsed(payload)
        self.hash = hash
        self.batchID = batchID
        self.attempts = attempts
        self.firstAttempt = firstAttempt
        self.lastAttempt = lastAttempt
        self.nextAttempt = nextAttempt
        self.errors = errors
    }

    public var lastError: SpoolError? { errors.last }

    /// How the payload is held: built, or as the canonical JSON bytes read from the queue file.
    enum PayloadStorage: Sendable {
        case parsed(JSONObject?)
        case raw([UInt8])
    }

    /// The payload's compact JSON (`null` when there is none).
    var payloadJSON: [UInt8] {
        switch payloadStorage {
        case .raw(let bytes): bytes
        case .parsed(let payload): Array(JSONWriter.compact(payload.map { .object($0) } ?? .null).utf8)
        }
    }

    public static func == (a: SpoolEntry, b: SpoolEntry) -> Bool {
        a.id == b.id && a.platform == b.platform && a.dataset == b.dataset && a.key == b.key && a.op == b.op && a.reason == b.reason
            && a.hash == b.hash && a.batchID == b.batchID && a.attempts == b.attempts && a.firstAttempt == b.firstAttempt
            && a.lastAttempt == b.lastAttempt && a.nextAttempt == b.nextAttempt && a.errors == b.errors && a.payload == b.payload
    }

    /// Everything but the payload, as the queue file's summary line holds it.
    var summaryJSON: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["platform"] = .string(platform.rawValue)
        object["dataset"] = .string(dataset.rawValue)
        object["key"] = .string(key)
        object["op"] = .string(op)
        object["reason"] = .string(reason)
        object["hash"] = hash.map { .string($0) } ?? .null
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

    /// The entry of a summary line and the payload's JSON bytes (format 2), or of one JSON object
    /// holding both (format 1, when `payload` is nil).
    init?(json: JSONValue, payload: [UInt8]? = nil) {
        guard let id = json["id"]?.stringValue, let platform = json["platform"]?.stringValue.flatMap(PlatformID.init(rawValue:)),
            let dataset = json["dataset"]?.stringValue.flatMap(Dataset.init(rawValue:)), let key = json["key"]?.stringValue,
            let op = json["op"]?.stringValue
        else { return nil }
        self.init(
            id: id, platform: platform, dataset: dataset, key: key, op: op, reason: json["reason"]?.stringValue ?? "",
            payload: payload == nil ? json["payload"]?.objectValue : nil, hash: json["hash"]?.stringValue, batchID: json["batchId"]?.stringValue,
            attempts: json["attempts"]?.intValue ?? 0, firstAttempt: json["firstAttempt"]?.doubleValue ?? 0,
            lastAttempt: json["lastAttempt"]?.doubleValue ?? 0, nextAttempt: json["nextAttempt"]?.doubleValue ?? 0,
            errors: (json["errors"]?.arrayValue ?? []).map { error in
                SpoolError(at: error["at"]?.doubleValue ?? 0, errorClass: error["class"]?.stringValue ?? "", status: error["status"]?.intValue,
                    code: error["code"]?.stringValue, message: error["message"]?.stringValue ?? "")
            })
        if let payload { payloadStorage = payload.elementsEqual("null".utf8) ? .parsed(nil) : .raw(payload) }
    }
}
