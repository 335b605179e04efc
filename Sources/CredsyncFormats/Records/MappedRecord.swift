public import CredsyncCore

/// A row mapped to its dataset's national record: values by format field (dates in ISO form until
/// a platform's format is chosen), control values, and the platforms that do not take it.
public struct MappedRecord: Sendable {
    public var file: String
    public var line: Int
    public var key: String
    public var values: [String?]
    public var control: [String?]
    /// Platforms that do not take this record, with the mapping's reason.
    public var excludedFrom: [PlatformID: String]

    /// The memberwise initializer, for the mapper in CredsyncMapping.
    package init(
        file: String, line: Int, key: String, values: [String?], control: [String?], excludedFrom: [PlatformID: String]
    ) {
        self.file = file
        self.line = line
        self.key = key
        self.values = values
        self.control = control
        self.excludedFrom = excludedFrom
    }

    /// The payload for a platform: fields in format order, empty ones left out, dates written
    /// with the platform's separator.
    /// Members come in canonical (RFC 8785) order already.
    public func payload(format: NationalFormat, dateSeparator: String) -> JSONObject {
        var members: [JSONMember] = []
        members.reserveCapacity(values.count)
        for i in format.canonicalOrder {
            guard let value = values[i], !value.isEmpty else { continue }
            let rule = format.fields[i]
            if rule.kind == .date && dateSeparator != "-" && value.utf8.count == 10 {
                var bytes = Array(value.utf8)
                let separator = dateSeparator.utf8.first ?? UInt8(ascii: "/")
                bytes[4] = separator
                bytes[7] = separator
                members.append(JSONMember(rule.code, .string(String(decoding: bytes, as: UTF8.self))))
            } else {
                members.append(JSONMember(rule.code, .string(value)))
            }
        }
        return JSONObject(members)
    }

    /// The payload's canonical form (RFC 8785) with the platform's date separator, as sent:
    /// `JSONWriter.canonicalBytes(.object(payload(…)))` written by the format's `CanonicalPayload`.
    public func canonicalPayload(format: NationalFormat, dateSeparator: String) -> [UInt8] {
        format.payload.bytes(values, dateSeparator: dateSeparator)
    }

    /// The SHA-256 of the payload's canonical form: the same hash as
    /// `JSONWriter.canonicalHash(.object(payload(…)))` without building the payload.
    public func payloadHash(format: NationalFormat, dateSeparator: String) -> String {
        payloadDigest(format: format, dateSeparator: dateSeparator).hex
    }

    /// The payload's hash held inline: `payloadHash` without the hex string.
    public func payloadDigest(format: NationalFormat, dateSeparator: String) -> SHA256.Digest {
        format.payload.digest(values, dateSeparator: dateSeparator)
    }

    /// The payload's hash for each date separator: written once, hashed once per separator, for
    /// the platforms of one dataset that write dates differently.
    public func payloadDigests(format: NationalFormat, dateSeparators: [String]) -> [SHA256.Digest] {
        format.payload.digests(values, dateSeparators: dateSeparators)
    }
}

/// A row that was set aside, with every reason.
public struct SetAside: Sendable {
    public var file: String
    public var line: Int
    public var key: String?
    public var reasons: [Reason]

    public init(file: String, line: Int, key: String?, reasons: [Reason]) {
        self.file = file
        self.line = line
        self.key = key
        self.reasons = reasons
    }
}

/// What became of one row.
public enum MappingOutcome: Sendable {
    case record(MappedRecord)
    /// Never published (e.g. a 轻微 penalty): the mapping's reason.
    case excluded(file: String, line: Int, key: String?, reason: String)
    case setAside(SetAside)
}
