import Foundation
public import CredsyncCore

/// The one validation engine: a record's values against its national format (data), with the
/// subject rules and identifier checks of national-formats.md.
public struct Validator: Sendable {
    public let format: NationalFormat
    /// Whether each field has a `requiredWhen` rule: read for every empty field of every record,
    /// without touching (and retaining) the rule's condition.
    private let isConditional: [Bool]
    /// Whether each field has patterns, likewise: most have none.
    private let hasPatterns: [Bool]
    /// For a field whose only rule on a value is a longest length (or none), that length: a
    /// value with no more bytes than that passes without being looked at. Nil for the others.
    private let passingBytes: [Int?]

    public init(format: NationalFormat) {
        self.format = format
        self.isConditional = format.fields.map { $0.requiredWhen != nil }
        self.hasPatterns = format.fields.map { !$0.patterns.isEmpty }
        self.passingBytes = format.fields.map { rule in
            let lengthOnly =
                rule.exactLength == nil && rule.codes == nil && rule.check == nil && rule.patterns.isEmpty
                && rule.kind != .date && rule.kind != .amount
            return lengthOnly ? rule.maxLength ?? Int.max : nil
        }
    }

    /// Every reason `values` (by field index) break the format. Dates are written with `dateSeparator`;
    /// `today` is the platform's date in Asia/Shanghai.
    public func reasons(_ values: [String?], dateSeparator: String, today: LocalDate) -> [Reason] {
        // The dates, for the order rules, in memory of the stack: this runs for every record.
        withUnsafeTemporaryAllocation(of: LocalDate?.self, capacity: format.hasDateOrder ? values.count : 0) { dates in
            dates.initialize(repeating: nil)
            return reasons(values, dates: dates, dateSeparator: dateSeparator, today: today)
        }
    }

    /// - Precondition: `format` holds its field rules for the whole call (it is a constant of this
    ///   validator): they are borrowed with `unowned(unsafe)`, never retained.
    private func reasons(
        _ values: [String?], dates: UnsafeMutableBufferPointer<LocalDate?>, dateSeparator: String, today: LocalDate
    ) -> [Reason] {
        var reasons: [Reason] = []
        let context = EvaluationContext(fields: values, columns: [], control: [])
        for i in format.fields.indices {
            // Most values are checked on their byte count alone, read in place.
            if let limit = passingBytes[i], let count = values[i]?.utf8.count, count > 0, count <= limit { continue }
            // Borrowed, not retained: the format holds every rule for as long as it validates.
            unowned(unsafe) let rule = format.fields[i]
            guard let value = values[i], !value.isEmpty else {
                if rule.isRequired {
                    reasons.append(
                        Reason(field: rule.code, rule: "E_REQUIRED", value: nil, expected: "\(rule.title) is required"))
                } else if isConditional[i], let condition = rule.requiredWhen, context.holds(condition) {
                    reasons.append(
                        Reason(
                            field: rule.code, rule: "E_CONDITIONAL", value: nil,
                            expected: "\(rule.title) is required by another field's value"))
                }
                continue
            }
            // No value has more characters than bytes: most need no counting.
            if let maxLength = rule.maxLength, value.utf8.count > maxLength,
                case let length = Self.characterCount(value), length > maxLength
            {
                reasons.append(
                    Reason(
                        field: rule.code, rule: "E_FORMAT", value: value,
                        expected: "at most \(maxLength) characters, found \(length)"))
            }
            if let exact = rule.exactLength, case let length = Self.characterCount(value), length != exact {
                reasons.append(
                    Reason(
                        field: rule.code, rule: "E_FORMAT", value: value,
                        expected: "exactly \(exact) characters, found \(length)"))
            }
            let items =
                rule.isMultiValue ? value.split(separator: ";", omittingEmptySubsequences: false).map(String.init) : nil
            /// The items (the value itself when the field holds one) that fail `passes`.
            func failing(_ passes: (String) -> Bool) -> [String] {
                if let items { return items.filter { !passes($0) } }
                return passes(value) ? [] : [value]
            }
            if let codes = rule.codes {
                for item in failing({ Self.isListed($0, in: codes) }) {
                    reasons.append(
                        Reason(
                            field: rule.code, rule: "E_CODE", value: item,
                            expected: "one of \(codes.joined(separator: ", "))"))
                }
            }
            switch rule.kind {
            case .date:
                guard let date = Self.date(value, separator: dateSeparator) else {
                    let form = ["YYYY", "MM", "DD"].joined(separator: dateSeparator)
                    reasons.append(
                        Reason(field: rule.code, rule: "E_FORMAT", value: value, expected: "a date written \(form)"))
                    continue
                }
                if !dates.isEmpty { dates[i] = date }
                if rule.notAfterToday, date > today {
                    var reason = Reason(
                        field: rule.code, rule: "E_RANGE", value: value, expected: "not after today (\(today.iso))")
                    reason.isDatedAfterAsOf = true
                    reasons.append(reason)
                }
            case .amount:
                if (try? Amount.canonical(value)) != value {
                    reasons.append(
                        Reason(
                            field: rule.code, rule: "E_FORMAT", value: value,
                            expected: "万元 as a plain decimal, not negative, at most 6 decimals, no trailing zeros"))
                }
            default: break
            }
            if let check = rule.check, let reason = checkIdentifier(value, check, field: rule) {
                reasons.append(reason)
            }
            guard hasPatterns[i] else { continue }
            for pattern in rule.patterns where pattern.condition.map(context.holds) ?? true {
                for item in failing({ Self.matches(pattern, $0) }) {
                    reasons.append(
                        Reason(field: rule.code, rule: "E_FORMAT", value: item, expected: "matches \(pattern.pattern)"))
                }
            }
        }
        for i in dates.indices {
            guard let date = dates[i] else { continue }
            unowned(unsafe) let rule = format.fields[i]
            if let other = rule.notBefore, let otherDate = dates[other], date < otherDate {
                reasons.append(
                    Reason(
                        field: rule.code, rule: "E_RANGE", value: values[i],
                        expected: "not before \(format.fields[other].code) (\(values[other] ?? ""))"))
            }
            if let other = rule.after, let otherDate = dates[other], date <= otherDate {
                reasons.append(
                    Reason(
                        field: rule.code, rule: "E_RANGE", value: values[i],
                        expected: "after \(format.fields[other].code) (\(values[other] ?? ""))"))
            }
        }
        if let subject = format.subject { subjectReasons(values, subject, into: &reasons) }
        return reasons
    }

    /// Characters as the national formats count them: Unicode scalars. Counted on the UTF-8
    /// bytes (every byte that does not continue a character starts one) without decoding.
    static func characterCount(_ text: String) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        } ?? text.unicodeScalars.count
    }

    /// Whether `value` is one of `codes`: byte for byte first (comparing Chinese text as `String`
    /// normalises it), then as text.
    static func isListed(_ value: String, in codes: [String]) -> Bool {
        let key = ByteKey(value)
        return codes.contains { ByteKey($0) == key } || codes.contains(value)
    }

    static func matches(_ pattern: PatternRule, _ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return pattern.regex.firstMatch(in: text, range: range) != nil
    }

    /// `YYYY{sep}MM{sep}DD` exactly.
    static func date(_ text: String, separator: String) -> LocalDate? {
        guard separator == "-" else { return LocalDate(iso: text.replacingAll(separator, with: "-")) }
        return LocalDate(iso: text)
    }

    private func checkIdentifier(_ value: String, _ check: IdentifierCheck, field rule: FieldRule) -> Reason? {
        let problem: String?
        switch check {
        case .uscc:
            problem = NationalIdentifiers.usccProblem(value).map { "a valid 统一社会信用代码: it \($0)" }
        case .idCard:
            problem = Self.idCardProblem(value).map { "a valid 身份证号: it \($0)" }
        case .usccOrIDCard:
            let asUSCC = NationalIdentifiers.usccProblem(value)
            let asID = Self.idCardProblem(value)
            problem =
                asUSCC != nil && asID != nil
                ? "a valid 统一社会信用代码 or 身份证号: as a USCC it \(asUSCC ?? ""); as a 身份证号 it \(asID ?? "")" : nil
        }
        return problem.map { Reason(field: rule.code, rule: "E_CHECKSUM", value: value, expected: $0) }
    }
}
