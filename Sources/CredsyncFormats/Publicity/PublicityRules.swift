public import CredsyncCore

/// What a platform must show of a record on a date.
public enum PublicityState: Sendable, Equatable {
    /// Not yet: published from this date on.
    case notYet(from: LocalDate)
    /// Published since this date.
    case published(since: LocalDate)
    /// Withdrawn since this date, for this reason (`expired`, `repaired`, `revoked`).
    case withdrawn(reason: String, since: LocalDate)
}

/// The decision for one record: its state and the data errors to report. Its deadlines are worked
/// out only when asked for (`PublicityRules.publicationDue(_:)`, `withdrawalDue(_:)`): a record
/// published long ago has no deadline left, and its year need not be in the calendar.
public struct PublicityDecision: Sendable, Equatable {
    public var state: PublicityState
    /// Data errors that do not stop publication, e.g. a repair dated before the minimum period.
    public var warnings: [String]
    /// The date the record is published from, which its publication deadline counts from (nil
    /// where the record has no such date).
    public var publishedFrom: LocalDate?
    /// The dataset's publication deadline in working days (nil where none applies).
    var publicationDeadline: Int?

    init(
        state: PublicityState, warnings: [String] = [], publishedFrom: LocalDate? = nil, publicationDeadline: Int? = nil
    ) {
        self.state = state
        self.warnings = warnings
        self.publishedFrom = publishedFrom
        self.publicationDeadline = publicationDeadline
    }
}

/// A date the rules read: a national field or a control value.
enum DateReference: Sendable {
    case field(Int)
    case control(Int)

    func value(in record: MappedRecord) -> String? {
        switch self {
        case .field(let i): return record.values[i]
        case .control(let i): return record.control[i]
        }
    }

    func date(in record: MappedRecord) -> LocalDate? { value(in: record).flatMap(LocalDate.init(iso:)) }
}

/// One dataset's publicity rule, resolved against its mapping.
struct DatasetRule: Sendable {
    var publishedFrom: DateReference
    var publicationDeadline: Int?
    var expiresAfter: DateReference?
    var repairDate: DateReference?
    var repairMinimumFrom: DateReference?
    var repairMinimumBy: DateReference?
    var repairMinimumPeriods: [String: Period] = [:]
    var removalDate: DateReference?
    var removalReason: DateReference?
    var removalExpected: DateReference?
    var removalDefaultReason = "expired"
}

/// The publicity rules of `mappings/publicity.json` with the working-day calendar.
public struct PublicityRules: Sendable {
    let rules: [Dataset: DatasetRule]
    public let withdrawalDeadline: Int
    public let calendar: WorkingCalendar

    init(rules: [Dataset: DatasetRule], withdrawalDeadline: Int, calendar: WorkingCalendar) {
        self.rules = rules
        self.withdrawalDeadline = withdrawalDeadline
        self.calendar = calendar
    }

    /// The decision for `record` of `dataset` as of `asOf`.
    public func decide(_ record: MappedRecord, dataset: Dataset, asOf: LocalDate) -> PublicityDecision {
        guard let rule = rules[dataset], let from = rule.publishedFrom.date(in: record) else {
            return PublicityDecision(state: .published(since: asOf))
        }
        var warnings: [String] = []
        // Withdrawal events: the earliest that has come wins.
        var withdrawal: (date: LocalDate, reason: String)?
        func event(_ date: LocalDate, _ reason: String) {
            if date <= asOf, withdrawal.map({ date < $0.date }) ?? true { withdrawal = (date, reason) }
        }
        if let end = rule.expiresAfter?.date(in: record) { event(end.adding(days: 1), "expired") }
        if let repair = rule.repairDate?.date(in: record) {
            if let minimum = rule.repairMinimum(record, from: from), repair < minimum.date {
                warnings.append(
                    "credit repair dated \(repair.iso) is before the minimum period for \(minimum.severity) "
                        + "(from \(minimum.date.iso)): a data error; the record stays published")
            } else {
                event(repair, "repaired")
            }
        }
        if let removed = rule.removalDate?.date(in: record) {
            let reason = rule.removalReason?.value(in: record).flatMap { $0.isEmpty ? nil : $0 }
            event(removed, reason ?? rule.removalDefaultReason)
        } else if let expected = rule.removalExpected?.date(in: record) {
            event(expected, rule.removalDefaultReason)
        }
        let state: PublicityState
        if let (date, reason) = withdrawal {
            state = .withdrawn(reason: reason, since: date)
        } else {
            state = asOf < from ? .notYet(from: from) : .published(since: from)
        }
        return PublicityDecision(
            state: state, warnings: warnings, publishedFrom: from, publicationDeadline: rule.publicationDeadline)
    }

    /// The last day `decision`'s record may be published, or nil where no deadline applies.
    /// Throws when the deadline falls in a year the calendar does not cover.
    public func publicationDue(_ decision: PublicityDecision) throws(WorkingCalendar.MissingYear) -> LocalDate? {
        guard let days = decision.publicationDeadline, let from = decision.publishedFrom else { return nil }
        return try calendar.adding(workingDays: days, to: from)
    }

    /// The last day `decision`'s withdrawal may happen, or nil while the record is not withdrawn.
    /// Throws when the deadline falls in a year the calendar does not cover.
    public func withdrawalDue(_ decision: PublicityDecision) throws(WorkingCalendar.MissingYear) -> LocalDate? {
        guard case .withdrawn(_, let since) = decision.state else { return nil }
        return try calendar.adding(workingDays: withdrawalDeadline, to: since)
    }
}
