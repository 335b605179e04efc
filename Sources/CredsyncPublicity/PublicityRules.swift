import CredsyncCore
import CredsyncMapping

/// What a platform must show of a record on a date.
public enum PublicityState: Sendable, Equatable {
    /// Not yet: published from this date on.
    case notYet(from: LocalDate)
    /// Published since this date.
    case published(since: LocalDate)
    /// Withdrawn since this date, for this reason (`expired`, `repaired`, `revoked`).
    case withdrawn(reason: String, since: LocalDate)
}

/// The decision for one record: its state, the deadline that applies, and data errors to report.
public struct PublicityDecision: Sendable, Equatable {
    public var state: PublicityState
    /// The last day the publication may happen (nil where no deadline applies).
    public var publicationDue: LocalDate?
    /// The last day the withdrawal may happen, once it is due.
    public var withdrawalDue: LocalDate?
    /// Data errors that do not stop publication, e.g. a repair dated before the minimum period.
    public var warnings: [String]
    /// Set when a deadline could not be computed: the calendar lacks a year.
    public var deadlineProblem: String?
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

    /// The decision for `record` of `dataset` as of `asOf`. A deadline in a year the calendar does
    /// not cover is left out and `deadlineProblem` names the year.
    public func decide(_ record: MappedRecord, dataset: Dataset, asOf: LocalDate) -> PublicityDecision {
        guard let rule = rules[dataset], let from = rule.publishedFrom.date(in: record) else {
            return PublicityDecision(state: .published(since: asOf), publicationDue: nil, withdrawalDue: nil, warnings: [])
        }
        var warnings: [String] = []
        var deadlineProblem: String?
        func deadline(_ n: Int?, after date: LocalDate) -> LocalDate? {
            guard let n else { return nil }
            do { return try calendar.adding(workingDays: n, to: date) } catch {
                deadlineProblem = error.description
                return nil
            }
        }
        let publicationDue = deadline(rule.publicationDeadline, after: from)
        // Withdrawal events: the earliest that has come wins.
        var events: [(LocalDate, String)] = []
        if let end = rule.expiresAfter?.date(in: record) { events.append((end.adding(days: 1), "expired")) }
        if let repair = rule.repairDate?.date(in: record) {
            let start = rule.repairMinimumFrom?.date(in: record) ?? from
            let severity = rule.repairMinimumBy?.value(in: record) ?? ""
            if let period = rule.repairMinimumPeriods[severity], repair < period.added(to: start) {
                warnings.append("credit repair dated \(repair.iso) is before the minimum period for \(severity) (from \(period.added(to: start).iso)): a data error; the record stays published")
            } else {
                events.append((repair, "repaired"))
            }
        }
        if let removed = rule.removalDate?.date(in: record) {
            events.append((removed, rule.removalReason?.value(in: record).flatMap { $0.isEmpty ? nil : $0 } ?? rule.removalDefaultReason))
        } else if let expected = rule.removalExpected?.date(in: record) {
            events.append((expected, rule.removalDefaultReason))
        }
        let withdrawal = events.filter { $0.0 <= asOf }.min { $0.0 < $1.0 }
        if let (date, reason) = withdrawal {
            let due = deadline(withdrawalDeadline, after: date)
            return PublicityDecision(state: .withdrawn(reason: reason, since: date), publicationDue: publicationDue, withdrawalDue: due,
                warnings: warnings, deadlineProblem: deadlineProblem)
        }
        let state: PublicityState = asOf < from ? .notYet(from: from) : .published(since: from)
        return PublicityDecision(state: state, publicationDue: publicationDue, withdrawalDue: nil, warnings: warnings, deadlineProblem: deadlineProblem)
    }
}
