import CredsyncCore

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
        var count = 0
        var end = value.startIndex
        for index in value.indices {
            if count == shownCharacters {
                end = index
                break
            }
            count += 1
            end = value.index(after: index)
        }
        guard end < value.endIndex else { return value }
        // A cut inside a run of digits would leave the first digits of a 身份证号 that no mask
        // then recognises: such a run of up to 18 digits goes whole.
        if isDigitOrX(value[end]) {
            var start = end
            var run = 0
            while start > value.startIndex, run <= 18, isDigit(value[value.index(before: start)]) {
                start = value.index(before: start)
                run += 1
            }
            if run <= 18 { end = start }
        }
        return value[..<end] + "… (\(value.count) characters in all)"
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.asciiValue.map { (0x30...0x39).contains($0) } ?? false
    }

    private static func isDigitOrX(_ character: Character) -> Bool {
        isDigit(character) || character == "X" || character == "x"
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
