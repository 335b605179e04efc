public import CredsyncCore

/// One record of a batch, as exchange-api.md's "Pushing records" has it.
public struct OutgoingRecord: Sendable, Equatable {
    /// The record's natural key within (source, dataset).
    public var key: String
    public var op: RecordOperation.Kind
    /// For an upsert: the lower-case hex SHA-256 of the payload's canonical form.
    public var hash: String?
    /// For an upsert: the national record, string values only.
    public var payload: JSONObject?
    /// For an upsert planned from an export: the payload's canonical bytes, written into the body as
    /// they are (never parsed to be sent); `payload` is then nil.
    public var canonicalPayload: [UInt8]?
    /// For a withdraw: why.
    public var reason: WithdrawalReason?

    public static func upsert(key: String, payload: JSONObject) -> OutgoingRecord {
        OutgoingRecord(key: key, op: .upsert, hash: JSONWriter.canonicalHash(.object(payload)), payload: payload)
    }

    public static func withdraw(key: String, reason: WithdrawalReason) -> OutgoingRecord {
        OutgoingRecord(key: key, op: .withdraw, reason: reason)
    }

    public init(
        key: String, op: RecordOperation.Kind, hash: String? = nil, payload: JSONObject? = nil,
        reason: WithdrawalReason? = nil
    ) {
        self.key = key
        self.op = op
        self.hash = hash
        self.payload = payload
        self.reason = reason
    }

    /// The record as it stands in a batch body, payload in canonical order.
    var json: JSONValue {
        var object = JSONObject([JSONMember("key", .string(key)), JSONMember("op", .string(op.rawValue))])
        if let hash { object["hash"] = .string(hash) }
        if let payload {
            object["payload"] = .object(
                JSONObject(payload.members.sorted { JSONWriter.precedesInUTF16($0.key, $1.key) }))
        }
        if payload == nil, let canonicalPayload, let parsed = try? JSONParser.parse(canonicalPayload) {
            object["payload"] = parsed
        }
        if let reason { object["reason"] = .string(reason.rawValue) }
        return .object(object)
    }
}

/// A field error a platform reported for a record.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// `E_REQUIRED`, `E_FORMAT`, `E_CODE`, `E_CHECKSUM`, `E_RANGE`, `E_CONDITIONAL`, `E_HASH_MISMATCH`, `E_NOT_FOUND`.
    public var code: String
    public var field: String?
    public var message: String

    public init(code: String, field: String?, message: String) {
        self.code = code
        self.field = field
        // A platform's words are kept for people: any personal number in them masked at once.
        self.message = PersonalData.mask(message)
    }

    public var description: String { "\(code)" + (field.map { " \($0)" } ?? "") + ": \(message)" }
}

/// Why a request to a platform failed, classified for what to do next.
public struct ExchangeFailure: Error, Sendable, CustomStringConvertible {
    public typealias Class = FailureClass

    public var failureClass: Class
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// The platform's error code, e.g. `FORBIDDEN`.
    public var code: String?
    public var message: String
    public var requestID: String?

    public init(_ failureClass: Class, status: Int?, code: String?, message: String, requestID: String? = nil) {
        self.failureClass = failureClass
        self.status = status
        self.code = code
        // What a platform (or a proxy's error page) says is stored and shown: masked (and any
        // secret blanked) before either.
        self.message = Redactor.shared.redact(message)
        self.requestID = requestID
    }

    /// The platform refused the credentials (401: secret, signature, clock, certificate) or the
    /// permission (403): an operator must act before anything reaches it.
    public var isAuthenticationFailure: Bool { status == 401 || status == 403 }

    public var description: String {
        var text = status.map { "HTTP \($0)" } ?? "no answer"
        if let code { text += " \(code)" }
        text += ": \(message)"
        if let requestID { text += " (request \(requestID))" }
        return text
    }
}

/// What became of one record of a push.
public enum RecordOutcome: Sendable, Equatable {
    /// Applied; the platform's version of the record now.
    case accepted(version: Int)
    /// The platform already held exactly this.
    case unchanged
    /// The platform refused the record's content.
    case rejected([FieldError])
    /// Not delivered; may be retried later.
    case transient(String)
    /// Not delivered; an operator must act.
    case permanent(String)

    public var isDelivered: Bool {
        switch self {
        case .accepted, .unchanged: return true
        default: return false
        }
    }
}

extension ExchangeFailure {
    /// The outcome every record of a failed request gets.
    package var recordOutcome: RecordOutcome {
        failureClass == .transient ? .transient(description) : .permanent(description)
    }
}
