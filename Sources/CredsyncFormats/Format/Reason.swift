public import CredsyncCore

/// Why a record was set aside: the field, the rule it breaks (the platforms' error codes), the
/// value found and what was expected.
public struct Reason: Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    /// `E_REQUIRED`, `E_FORMAT`, `E_CODE`, `E_CHECKSUM`, `E_RANGE`, `E_CONDITIONAL`, `E_DUPLICATE_KEY`, `E_MAPPING`.
    public var rule: String
    public var value: String?
    public var expected: String
    /// The value is a date after the as-of date (`notAfterToday`): the row is valid on a later day.
    /// Not part of equality: it follows from the rule broken.
    public var isDatedAfterAsOf = false

    public static func == (lhs: Reason, rhs: Reason) -> Bool {
        lhs.field == rhs.field && lhs.rule == rhs.rule && lhs.value == rhs.value && lhs.expected == rhs.expected
    }

    public init(field: String?, rule: String, value: String?, expected: String) {
        self.field = field
        self.rule = rule
        self.value = value.map(Self.shortened)
        self.expected = expected
    }

    /// How many characters of a value a reason shows: a value of a megabyte would otherwise fill
    /// every message, report and quarantine line it is named in.
    public static let shownCharacters = 200

    /// `value`, cut after `shownCharacters` characters with its full length said.
    static func shortened(_ value: String) -> String {
        guard value.utf8.count > shownCharacters else { return value }
        let shown = PersonalData.prefix(value, characters: shownCharacters)
        guard shown.endIndex < value.endIndex else { return value }
        return shown + "… (\(value.count) characters in all)"
    }

    /// For people: personal numbers masked (`PersonalData.shown`).
    public var description: String {
        var text = field ?? "key"
        if let value { text += " \"\(PersonalData.shown(value, field: field))\"" }
        return text + ": \(expected) (\(rule))"
    }

    /// The reason as a JSON object for quarantine files and `--json`, with personal numbers masked.
    public func json(masking: Bool = true) -> JSONValue {
        var object = JSONObject()
        object["field"] = field.map { .string($0) } ?? .null
        object["rule"] = .string(rule)
        if let value {
            object["value"] = .string(masking ? PersonalData.shown(value, field: field) : value)
        }
        object["expected"] = .string(expected)
        return .object(object)
    }
}
