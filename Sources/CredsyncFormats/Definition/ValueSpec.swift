public import CredsyncCore

/// Where a value comes from, in a mapping file.
public indirect enum ValueSource: Sendable {
    /// An export column (by the reader's column index).
    case column(Int)
    case constant(String)
    /// The organisation from the configuration: its name or USCC.
    case organisationName
    case organisationUSCC
    /// A national field mapped earlier.
    case field(Int)
    /// A control value mapped earlier.
    case control(Int)
    /// The values joined by a separator, empty ones left out.
    case concat([ValueSpec], separator: String)
    /// The first value that is not empty.
    case firstOf([ValueSpec])
    /// A date plus a period chosen by another value, e.g. CF_JDRQ + 1 year for 一般.
    case dateAdd(date: ValueSpec, by: ValueSpec, periods: [String: Period])
}

/// A calendar period: years, months and days.
public struct Period: Sendable, Equatable {
    public var years = 0
    public var months = 0
    public var days = 0

    /// Parses `1y`, `3m`, `10d`, `1y6m`.
    public init?(_ text: String) {
        var number = ""
        for c in text {
            if c.isASCII && c.isNumber {
                number.append(c)
                continue
            }
            // At most 10,000 of a unit: past it no date exists, and the sums below cannot overflow.
            guard let n = Int(number), n <= 10_000 else { return nil }
            switch c {
            case "y": years += n
            case "m": months += n
            case "d": days += n
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, years + months + days > 0 else { return nil }
    }

    public func added(to date: LocalDate) -> LocalDate {
        date.adding(months: years * 12 + months).adding(days: days)
    }
}

/// How an unmapped value of a code table is treated.
public enum UnmappedPolicy: String, Sendable, CaseIterable {
    /// The record is set aside, naming the value and the table's keys.
    case error
    /// The value is kept as it is (the format's code list still checks it).
    case keep
}

/// One value of a mapping file: its source and the steps applied, in this order: split into
/// several values, map each through a code table, give each a prefix, join; then read as a
/// date or convert as an amount; `ifEmpty` when nothing came out; `when` gates it all. Built once
/// while loading, never changed after: every property is a constant, so reading one costs no
/// exclusivity check on the hot path.
public final class ValueSpec: Sendable {
    /// The steps as the loader gathers them.
    public struct Steps: Sendable {
        public var split: [String]?
        public var map: [String: String]?
        public var unmapped: UnmappedPolicy = .error
        public var ensurePrefix: (prefix: String, when: Condition?)?
        public var join: String?
        public var isDate = false
        public var amountYuanToWan = false
        public var isAmount = false
        public var ifEmpty: ValueSpec?
        public var when: Condition?

        public init() {}
    }

    public let source: ValueSource
    public let split: [String]?
    public let map: [String: String]?
    /// `map` keyed by bytes: hashing a Chinese `String` normalises it first, bytes need not.
    let byteMap: [ByteKey: String]?
    public let unmapped: UnmappedPolicy
    public let ensurePrefix: (prefix: String, when: Condition?)?
    public let join: String?
    public let isDate: Bool
    public let amountYuanToWan: Bool
    public let isAmount: Bool
    /// The value used when this one comes out empty.
    public let ifEmpty: ValueSpec?
    public let when: Condition?
    /// The JSON path in the mapping file, for messages.
    public let path: String
    /// The column when the value is that column's, as it is (no step, condition or fallback):
    /// most fields are, and they skip the general evaluation.
    package let plainColumn: Int?

    public init(source: ValueSource, path: String, steps: Steps = Steps()) {
        self.source = source
        self.path = path
        split = steps.split
        map = steps.map
        byteMap = steps.map.map { table in
            Dictionary(table.map { (ByteKey($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        unmapped = steps.unmapped
        ensurePrefix = steps.ensurePrefix
        join = steps.join
        isDate = steps.isDate
        amountYuanToWan = steps.amountYuanToWan
        isAmount = steps.isAmount
        ifEmpty = steps.ifEmpty
        when = steps.when
        if case .column(let i) = source, steps.split == nil, steps.map == nil, steps.ensurePrefix == nil,
            steps.join == nil,
            !steps.isDate, !steps.amountYuanToWan, !steps.isAmount, steps.ifEmpty == nil, steps.when == nil
        {
            plainColumn = i
        } else {
            plainColumn = nil
        }
    }

    /// The code table's value for `item`: compared byte for byte first, then as text (the same
    /// character written another way).
    package func mapped(_ item: String) -> String? {
        byteMap?[ByteKey(item)] ?? map?[item]
    }
}
