public import CredsyncCore

/// What the coming working days bring if nothing is sent in between: for each day, what a run that
/// day would publish and withdraw that the day before would not, what goes overdue, and which
/// credit repairs become eligible. Worked out by `ForecastJob`, which plans each day as
/// `credsync plan --as-of` that day would.
package struct Forecast: Sendable {
    /// One thing a day brings.
    package struct Item: Sendable, Equatable {
        package enum Kind: String, Sendable, CaseIterable {
            /// A record a run publishes from this day on (created, or republished); `date`: its deadline.
            case publication
            /// A record a run withdraws from this day on; `reason`: expired, repaired, revoked or
            /// corrected; `date`: its deadline.
            case withdrawal
            /// A publication or withdrawal not sent by its deadline (`date`); `reason`: which.
            case overdue
            /// A record whose credit repair may take effect from `date` on, the minimum period for its
            /// severity (`reason`) having run.
            case repairEligible
            /// A change the day before planned that this day no longer needs (e.g. a record that
            /// expired before it was ever sent); `reason`: its operation.
            case cancelled
        }

        package var kind: Kind
        /// nil for a repair: it is the record's, on every platform.
        package var platform: PlatformID?
        package var dataset: Dataset
        package var key: String
        package var reason: String
        package var date: LocalDate?

        /// `credit/penalty`, or the dataset alone for a repair.
        package var target: String { platform.map { PublishTarget($0, dataset).description } ?? dataset.rawValue }
    }

    /// One platform and dataset's plan on a day, counted as `plan --as-of` that day counts it.
    package struct PlanCount: Sendable, Equatable {
        package var platform: PlatformID
        package var dataset: Dataset
        package var create = 0
        package var update = 0
        package var withdraw = 0
        /// Why a run that day would be refused by a guardrail (its changes wait for approval), or nil.
        package var refusal: String?
    }

    /// One day of the forecast.
    package struct Day: Sendable {
        package var date: LocalDate
        package var plans: [PlanCount] = []
        /// In the order of `Item.Kind`, then by platform, dataset and key.
        package var items: [Item] = []
        /// Changes of the day's plan whose deadline falls in a year the calendar lacks.
        package var unknownDeadlines = 0

        package func count(_ kind: Item.Kind) -> Int { items.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) } }
        package var refusals: [String] { plans.compactMap(\.refusal) }
    }

    package var asOf: LocalDate
    /// Today: its items are what a run today would send and what is overdue already.
    package var today: Day
    /// The working days after today, in order.
    package var days: [Day] = []
    /// Why the window ends before the day asked for (a year the calendar lacks), or nil.
    package var cutShort: String?
    /// Exports that could not be read at all: nothing of them is forecast.
    package var unreadable: [(dataset: Dataset, problem: String)] = []

    /// Whether an operator should look before the window: something goes overdue, a run would be
    /// refused, a deadline is unknown, or the window was cut short.
    package var needsAttention: Bool {
        let all = [today] + days
        return cutShort != nil
            || all.contains { $0.count(.overdue) > 0 || !$0.refusals.isEmpty || $0.unknownDeadlines > 0 }
    }

    /// The `--json` shape (README, "Machine output").
    package var json: JSONValue {
        func count(_ n: Int) -> JSONValue { .number(String(n)) }
        func day(_ day: Day) -> JSONValue {
            var object = JSONObject()
            object["date"] = .string(day.date.iso)
            object["counts"] = .object(
                JSONObject(Item.Kind.allCases.map { JSONMember($0.rawValue, count(day.count($0))) }))
            object["unknownDeadlines"] = count(day.unknownDeadlines)
            object["plans"] = .array(
                day.plans.map { plan in
                    var item = JSONObject()
                    item["platform"] = .string(plan.platform.rawValue)
                    item["dataset"] = .string(plan.dataset.rawValue)
                    item["create"] = count(plan.create)
                    item["update"] = count(plan.update)
                    item["withdraw"] = count(plan.withdraw)
                    item["refused"] = plan.refusal.map { .string($0) } ?? .null
                    return .object(item)
                })
            object["items"] = .array(
                day.items.map { item in
                    var member = JSONObject()
                    member["kind"] = .string(item.kind.rawValue)
                    member["platform"] = item.platform.map { .string($0.rawValue) } ?? .null
                    member["dataset"] = .string(item.dataset.rawValue)
                    member["key"] = .string(item.key)
                    member["reason"] = .string(item.reason)
                    member["date"] = item.date.map { .string($0.iso) } ?? .null
                    return .object(member)
                })
            return .object(object)
        }
        var object = JSONObject()
        object["asOf"] = .string(asOf.iso)
        object["until"] = .string((days.last ?? today).date.iso)
        object["cutShort"] = cutShort.map { .string($0) } ?? .null
        object["today"] = day(today)
        object["days"] = .array(days.map(day))
        object["unreadable"] = .array(
            unreadable.map { ["dataset": .string($0.dataset.rawValue), "problem": .string($0.problem)] })
        return .object(object)
    }
}
