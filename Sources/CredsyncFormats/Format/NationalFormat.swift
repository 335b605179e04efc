public import CredsyncCore
import Foundation

/// How a field's value is normalised and checked.
public enum FieldKind: String, Sendable, CaseIterable {
    /// Free text: trimmed only.
    case text
    /// Codes (…SHXYM, …ZJHM, …DM): full-width ASCII as half-width, letters upper case.
    case code
    /// Names (…_MC, …JG): ASCII brackets as full-width.
    case name
    /// A date, written in the platform's format.
    case date
    /// 万元 as a canonical decimal.
    case amount
}

/// A national identifier's check.
public enum IdentifierCheck: String, Sendable, CaseIterable {
    case uscc
    case idCard = "idcard"
    case usccOrIDCard = "uscc-or-idcard"
}

/// A pattern a field must match, optionally only when a condition holds.
public struct PatternRule: Sendable {
    public var condition: Condition?
    public var pattern: String
    /// `pattern` compiled to match a whole value.
    let regex: NSRegularExpression

    /// `pattern` compiled to match a whole value; throws what `NSRegularExpression` throws.
    init(condition: Condition?, pattern: String) throws {
        let regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
        self.init(condition: condition, pattern: pattern, regex: regex)
    }

    init(condition: Condition?, pattern: String, regex: NSRegularExpression) {
        self.condition = condition
        self.pattern = pattern
        self.regex = regex
    }
}

/// One field of a national format (national-formats.md), as data. A class, so the validation
/// loop does not copy it for every record; built once while loading, never changed after (its
/// properties are constants, so reading them costs no exclusivity check). Each mapping thread
/// validates with rules of its own (`Mapper.copy()`).
public final class FieldRule: Sendable {
    public let code: String
    /// The field's Chinese name, for messages.
    public let title: String
    public let kind: FieldKind
    public let isRequired: Bool
    public let requiredWhen: Condition?
    /// The longest value, in characters (Unicode scalars).
    public let maxLength: Int?
    public let exactLength: Int?
    /// The code list the value (or each value of a multi-value field) must be in.
    public let codes: [String]?
    /// Several values joined by `;`.
    public let isMultiValue: Bool
    public let check: IdentifierCheck?
    /// A date not after the platform's today (Asia/Shanghai).
    public let notAfterToday: Bool
    /// A date not before (or strictly after) another field's date: the other field's index.
    public let notBefore: Int?
    public let after: Int?
    public let patterns: [PatternRule]

    init(
        code: String, title: String, kind: FieldKind, isRequired: Bool, requiredWhen: Condition?, maxLength: Int?,
        exactLength: Int?, codes: [String]?, isMultiValue: Bool, check: IdentifierCheck?, notAfterToday: Bool,
        notBefore: Int?, after: Int?, patterns: [PatternRule]
    ) {
        self.code = code
        self.title = title
        self.kind = kind
        self.isRequired = isRequired
        self.requiredWhen = requiredWhen
        self.maxLength = maxLength
        self.exactLength = exactLength
        self.codes = codes
        self.isMultiValue = isMultiValue
        self.check = check
        self.notAfterToday = notAfterToday
        self.notBefore = notBefore
        self.after = after
        self.patterns = patterns
    }
}

/// The fields that make up a record's subject, for the subject rules.
public struct SubjectFields: Sendable {
    public var category: Int
    public var uscc: Int
    public var registrationNumber: Int
    public var legalRepresentative: Int
    public var idType: Int
    public var idNumber: Int
}

/// A dataset's national format: its fields in order, its key and its subject rules.
public struct NationalFormat: Sendable {
    public var dataset: Dataset
    public var file: String
    public var fields: [FieldRule]
    /// Field index by code.
    public var index: [String: Int]
    /// The key: the first of these fields that has a value.
    public var key: [Int]
    public var subject: SubjectFields?
    /// The 证件类型 list of the subject rules.
    public var idTypes: [String]
    /// The date that means 长期, ISO form.
    public var longTerm: String
    /// Field indexes in canonical (RFC 8785) order of their codes, so payloads need no sorting.
    public var canonicalOrder: [Int] { payload.order }
    /// The payload encoder: the fields' codes as keys, the date fields as dates.
    public let payload: CanonicalPayload
    /// Whether any date must not come before, or must come after, another.
    let hasDateOrder: Bool

    public init(
        dataset: Dataset, file: String, fields: [FieldRule], key: [Int], subject: SubjectFields?, idTypes: [String],
        longTerm: String
    ) {
        self.dataset = dataset
        self.file = file
        self.fields = fields
        self.index = Dictionary(fields.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        self.key = key
        self.subject = subject
        self.idTypes = idTypes
        self.longTerm = longTerm
        self.payload = CanonicalPayload(keys: fields.map(\.code), isDate: fields.map { $0.kind == .date })
        self.hasDateOrder = fields.contains { $0.notBefore != nil || $0.after != nil }
    }

    public func field(_ code: String) -> FieldRule? { index[code].map { fields[$0] } }
}
