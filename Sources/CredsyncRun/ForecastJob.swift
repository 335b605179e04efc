public import CredsyncCore
import CredsyncFormats
import CredsyncReconciliation
import CredsyncCatalogs
import CredsyncMapping

/// Works out a `Forecast`: plans today and each working day of the window with
/// `Workspace.plan(asOf:)`, the ledgers as they are now (nothing is sent in between), and diffs
/// each day's plan against the day before. One code path with `plan --as-of`: a day's plan is the
/// plan of that day, the same rules, calendar, guardrails and deadlines.
///
/// Each day re-reads and re-maps the exports: a record dated after the as-of date is set aside
/// until that day (`notAfterToday`), so one mapped export cannot stand for every day. A forecast of
/// N days costs N + 1 plans, and one more read of each export whose repairs have a minimum period.
package struct ForecastJob: Sendable {
    /// How far the forecast looks.
    package enum Window: Sendable, Equatable {
        /// The next n working days after the as-of date.
        case workingDays(Int)
        /// Every working day after the as-of date up to this one.
        case until(LocalDate)
    }

    /// The most working days one forecast covers.
    package static let maximumDays = 366

    package let workspace: Workspace
    package let asOf: LocalDate
    package let window: Window
    package let platforms: [PlatformID]

    package init(workspace: Workspace, asOf: LocalDate, window: Window = .workingDays(10), platforms: [PlatformID] = [])
    {
        self.workspace = workspace
        self.asOf = asOf
        self.window = window
        self.platforms = platforms
    }

    /// The working days of the window, and why it ends early when it does: a year the calendar
    /// lacks, or the `maximumDays` limit.
    package func dates() -> (dates: [LocalDate], cutShort: String?) {
        let calendar = workspace.rules.calendar
        var dates: [LocalDate] = []
        var day = asOf
        while true {
            switch window {
            case .workingDays(let n): if dates.count >= n { return (dates, nil) }
            case .until(let last): if day >= last { return (dates, nil) }
            }
            guard dates.count < Self.maximumDays else {
                return (dates, "a forecast covers at most \(Self.maximumDays) working days")
            }
            day = day.adding(days: 1)
            do {
                if try calendar.isWorkingDay(day) { dates.append(day) }
            } catch {
                return (dates, "the window ends on \(day.adding(days: -1).iso): \(error)")
            }
        }
    }

    /// The forecast. Throws what `Workspace.plan` throws (a damaged state file, the store).
    package func run() throws(CredsyncError) -> Forecast {
        let (dates, cutShort) = dates()
        let repairs = repairCandidates(until: dates.last ?? asOf)
        var ledgers: [PublishTarget: Ledger] = [:]
        var previous = DayPlan(empty: asOf.adding(days: -1))
        var forecast = Forecast(asOf: asOf, today: Forecast.Day(date: asOf), cutShort: cutShort)
        for date in [asOf] + dates {
            let run = try workspace.plan(asOf: date, platforms: platforms, ledgers: &ledgers)
            if date == asOf {
                forecast.unreadable = run.unreadable.map { ($0.0, $0.1.description) }
            }
            let plan = DayPlan(run, date: date)
            var day = plan.day(since: previous)
            day.items += repairs.eligible(after: previous.date, through: date, rules: workspace.rules)
            if date == asOf { forecast.today = day } else { forecast.days.append(day) }
            previous = plan
        }
        return forecast
    }

    /// The records of the datasets whose repairs wait for a minimum period that ends within the
    /// window, read as of its last day. An export that cannot be read has none (the plan reports it).
    func repairCandidates(until last: LocalDate) -> RepairCandidates {
        var candidates = RepairCandidates()
        for mapping in workspace.mappings where workspace.rules.hasRepairMinimum(mapping.catalog.dataset) {
            let dataset = mapping.catalog.dataset
            let targets = mapping.platforms.map(\.id).filter { platforms.isEmpty || platforms.contains($0) }
            guard !targets.isEmpty, case .success(let export) = workspace.read(mapping, asOf: last) else { continue }
            for record in export.records where targets.contains(where: { record.excludedFrom[$0] == nil }) {
                guard let allowed = workspace.rules.repairAllowedFrom(record, dataset: dataset),
                    allowed.date >= asOf, allowed.date <= last
                else { continue }
                candidates.records.append((dataset, record, allowed.date, allowed.severity))
            }
        }
        return candidates
    }
}

/// Records whose minimum repair period ends within a forecast's window.
struct RepairCandidates {
    var records: [(dataset: Dataset, record: MappedRecord, date: LocalDate, severity: String)] = []

    /// The records whose period ends after `start` and by `end` and that are published on `end`.
    func eligible(after start: LocalDate, through end: LocalDate, rules: PublicityRules) -> [Forecast.Item] {
        records.filter { candidate in
            guard candidate.date > start, candidate.date <= end else { return false }
            if case .published = rules.decide(candidate.record, dataset: candidate.dataset, asOf: end).state {
                return true
            }
            return false
        }
        .map {
            Forecast.Item(
                kind: .repairEligible, dataset: $0.dataset, key: $0.record.key, reason: $0.severity, date: $0.date)
        }
        .sorted { ($0.dataset.rawValue, $0.key) < ($1.dataset.rawValue, $1.key) }
    }
}

/// One day's plans, by platform and dataset, as the diff needs them.
struct DayPlan {
    struct Target: Hashable, Comparable {
        var platform: PlatformID
        var dataset: Dataset

        static func < (a: Target, b: Target) -> Bool {
            (a.platform.rawValue, a.dataset.rawValue) < (b.platform.rawValue, b.dataset.rawValue)
        }
    }

    struct Plan {
        var count: Forecast.PlanCount
        /// By key and operation.
        var changes: [String: Change] = [:]
        /// By key and kind.
        var deadlines: [String: Deadline] = [:]
        var unknownDeadlines: Set<String> = []
    }

    var date: LocalDate
    var plans: [Target: Plan] = [:]

    /// No plan: what the first day is compared with.
    init(empty date: LocalDate) { self.date = date }

    /// The plans and refused plans of `run`, a plan as of `date`.
    init(_ run: RunPlan, date: LocalDate) {
        self.date = date
        let all = run.plans.map { ($0, String?.none) } + run.refused.map { ($0.0, Optional($0.1)) }
        for (plan, refusal) in all {
            var count = Forecast.PlanCount(platform: plan.platform, dataset: plan.dataset, refusal: refusal)
            count.create = plan.count(.create)
            count.update = plan.count(.update)
            count.withdraw = plan.count(.withdraw)
            var entry = Plan(count: count)
            for change in plan.changes { entry.changes[change.key + "\u{0}" + change.op.rawValue] = change }
            for deadline in plan.deadlines {
                entry.deadlines[deadline.key + "\u{0}" + deadline.kind.rawValue] = deadline
            }
            entry.unknownDeadlines = Set(plan.unknownDeadlines.map { $0.key + "\u{0}" + $0.kind.rawValue })
            plans[Target(platform: plan.platform, dataset: plan.dataset)] = entry
        }
    }

    /// This day against the plans of the day before: the changes new on this day, those no
    /// longer planned, the deadlines passed since, the unknown deadlines new on this day.
    func day(since previous: DayPlan) -> Forecast.Day {
        var day = Forecast.Day(date: date)
        var items: [Forecast.Item] = []
        for target in Set(plans.keys).union(previous.plans.keys).sorted() {
            let before = previous.plans[target]
            guard let plan = plans[target] else {
                // Gone from this day's plans: every change it had is no longer planned.
                for change in before?.changes.values.map({ $0 }) ?? [] {
                    items.append(
                        Forecast.Item(
                            kind: .cancelled, platform: target.platform, dataset: target.dataset, key: change.key,
                            reason: change.op.rawValue))
                }
                continue
            }
            day.plans.append(plan.count)
            day.unknownDeadlines += plan.unknownDeadlines.subtracting(before?.unknownDeadlines ?? []).count
            func item(_ kind: Forecast.Item.Kind, _ key: String, _ reason: String, _ date: LocalDate?) -> Forecast.Item
            {
                Forecast.Item(
                    kind: kind, platform: target.platform, dataset: target.dataset, key: key, reason: reason, date: date
                )
            }
            for (id, change) in plan.changes where before?.changes[id]?.reason != change.reason {
                let isWithdrawal = change.op == .withdraw
                let due = plan.deadlines[change.key + "\u{0}" + (isWithdrawal ? "withdrawal" : "publication")]?.due
                items.append(item(isWithdrawal ? .withdrawal : .publication, change.key, change.reason.rawValue, due))
            }
            for (id, deadline) in plan.deadlines where deadline.due < date {
                if let old = before?.deadlines[id], old.due < previous.date { continue }
                items.append(item(.overdue, deadline.key, deadline.kind.rawValue, deadline.due))
            }
            for (id, change) in before?.changes ?? [:] where plan.changes[id] == nil {
                items.append(item(.cancelled, change.key, change.op.rawValue, nil))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: Forecast.Item.Kind.allCases.enumerated().map { ($1, $0) })
        day.items = items.sorted {
            (order[$0.kind] ?? 0, $0.target, $0.key) < (order[$1.kind] ?? 0, $1.target, $1.key)
        }
        return day
    }
}
