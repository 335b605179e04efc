import CredsyncCore

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

    /// The payload for a platform: fields in format order, empty ones left out, dates written
    /// with the platform's separator.
    public func payload(format: NationalFormat, dateSeparator: String) -> JSONObject {
        var members: [JSONMember] = []
        members.reserveCapacity(values.count)
        for (i, rule) in format.fields.enumerated() {
            guard let value = values[i], !value.isEmpty else { continue }
            if rule.kind == .date && dateSeparator != "-" {
                members.append(JSONMember(rule.code, .string(value.replacingAll("-", with: dateSeparator))))
            } else {
                members.append(JSONMember(rule.code, .string(value)))
            }
        }
        return JSONObject(members)
    }
}

/// A row that was set aside, with every reason.
public struct SetAside: Sendable {
    public var file: String
    public var line: Int
    public var key: String?
    public var reasons: [Reason]
}

/// What became of one row.
public enum MappingOutcome: Sendable {
    case record(MappedRecord)
    /// Never published (e.g. a 轻微 penalty): the mapping's reason.
    case excluded(file: String, line: Int, key: String?, reason: String)
    case setAside(SetAside)
}
